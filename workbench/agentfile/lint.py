"""What is wrong with an agent's meaning, beyond whether the file could be read.

These checks are cheap enough to run on every roster load; parsing has already reported
problems with the text itself (YAML, encoding, missing keys).
"""

from __future__ import annotations

import re

from workbench.agentfile import tool_names
from workbench.agentfile.spec import (
    CLAUDE_COLORS,
    PERMISSION_MODES,
    AgentSpec,
    Diagnostic,
    Severity,
)
from workbench.config.models import ALIASES, INHERIT, ModelTable, builtin_models

_KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def check(spec: AgentSpec, models: ModelTable | None = None) -> AgentSpec:
    """The spec with the meaning checks' diagnostics added after the parser's."""
    if not spec.is_agent:
        return spec
    found = _findings(spec, models or builtin_models())
    return spec.with_diagnostics(tuple(found)) if found else spec


def _findings(spec: AgentSpec, models: ModelTable) -> list[Diagnostic]:
    """Built as one list rather than chained generators: this runs for every file of a
    roster, and most files have few findings or none."""
    found = _name(spec) if spec.name is not None else []
    if spec.tools:
        found += _tools(spec, "tools", spec.tools)
    if spec.disallowed_tools:
        found += _tools(spec, "disallowedTools", spec.disallowed_tools)
    if spec.tools == () and spec.raw_tools is not None:
        found.append(
            Diagnostic(
                "no-tools",
                Severity.WARNING,
                spec.line_of("tools"),
                "`tools` is an empty list, so the agent gets no tools at all; "
                "remove the key to give it every tool",
            )
        )
    if spec.model is not None:
        found += _model(spec, spec.model, models)
    if spec.color is not None and spec.color not in CLAUDE_COLORS:
        found.append(
            Diagnostic(
                "unknown-color",
                Severity.WARNING,
                spec.line_of("color"),
                f"color {spec.color!r} is not one of Claude Code's colors "
                f"({', '.join(CLAUDE_COLORS)}); Claude Code ignores it",
            )
        )
    if spec.permission_mode is not None and spec.permission_mode not in (*PERMISSION_MODES, "auto"):
        found.append(
            Diagnostic(
                "unknown-permission-mode",
                Severity.WARNING,
                spec.line_of("permissionMode"),
                f"unknown permissionMode {spec.permission_mode!r}; "
                f"Claude Code knows {', '.join(PERMISSION_MODES)} and auto",
            )
        )
    if (not spec.body or spec.body.isspace()) and not spec.has_errors:
        found.append(
            Diagnostic(
                "empty-body",
                Severity.WARNING,
                max(1, spec.body_line - 1),
                "the prompt (the text after the frontmatter) is empty: "
                "the agent gets no instructions",
            )
        )
    return found


def _name(spec: AgentSpec) -> list[Diagnostic]:
    name = spec.name or ""
    line = spec.line_of("name")
    found = []
    if ":" in name or name.startswith("-"):
        found.append(
            Diagnostic(
                "bad-name",
                Severity.ERROR,
                line,
                f"name {name!r} contains ':' or starts with '-'; Claude Code skips such files",
            )
        )
    elif not _KEBAB.match(name):
        found.append(
            Diagnostic(
                "name-format",
                Severity.WARNING,
                line,
                f"name {name!r} is not lowercase-hyphen (like `code-reviewer`), "
                "which is what Claude Code expects",
            )
        )
    if name != spec.path.stem:
        found.append(
            Diagnostic(
                "name-mismatch",
                Severity.INFO,
                line,
                f"name {name!r} differs from the file name {spec.path.name!r}; "
                "Claude Code goes by the name",
            )
        )
    return found


def _tools(spec: AgentSpec, key: str, tokens: tuple[str, ...]) -> list[Diagnostic]:
    unknown = [token for token in tokens if not tool_names.is_known(token)]
    if not unknown:
        return []
    line = spec.line_of(key)
    found = []
    for token in unknown:
        suggestion = tool_names.closest(token)
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        found.append(
            Diagnostic(
                "unknown-tool",
                Severity.WARNING,
                line,
                f"unknown tool {token!r} in `{key}`{hint}",
                fix=suggestion,
                written=token,
            )
        )
    return found


def _model(spec: AgentSpec, model: str, models: ModelTable) -> list[Diagnostic]:
    if model in ALIASES or model == INHERIT:
        return []
    line = spec.line_of("model")
    if model.startswith("claude-"):
        retired = models.retirement(model)
        if not retired:
            return []
        return [
            Diagnostic(
                "retired-model",
                Severity.INFO,
                line,
                f"model {model!r} has not been served since {retired.isoformat()}; "
                "an alias such as `sonnet` keeps up with new releases",
            )
        ]
    lowered = model.lower()
    suggestion = next((alias for alias in ALIASES if alias in lowered), None)
    hint = f"; did you mean {suggestion!r}?" if suggestion else ""
    return [
        Diagnostic(
            "unknown-model",
            Severity.WARNING,
            line,
            f"unknown model {model!r}; use an alias ({', '.join(ALIASES)}, inherit) "
            f"or a full `claude-…` id{hint}",
            fix=suggestion,
        )
    ]
