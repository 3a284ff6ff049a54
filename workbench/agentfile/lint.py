"""What is wrong with an agent's meaning, beyond whether the file could be read.

These checks are cheap enough to run on every roster load; parsing has already reported
problems with the text itself (YAML, encoding, missing keys).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

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
    found = tuple(_findings(spec, models or builtin_models()))
    return spec.with_diagnostics(found) if found else spec


def _findings(spec: AgentSpec, models: ModelTable) -> Iterator[Diagnostic]:
    yield from _name(spec)
    yield from _tools(spec, "tools", spec.tools or ())
    yield from _tools(spec, "disallowedTools", spec.disallowed_tools)
    if spec.tools == () and spec.raw_tools is not None:
        yield Diagnostic(
            "no-tools",
            Severity.WARNING,
            spec.line_of("tools"),
            "`tools` is an empty list, so the agent gets no tools at all; "
            "remove the key to give it every tool",
        )
    if spec.model is not None:
        yield from _model(spec, spec.model, models)
    if spec.color is not None:
        yield from _color(spec, spec.color)
    if spec.permission_mode is not None and spec.permission_mode not in (*PERMISSION_MODES, "auto"):
        yield Diagnostic(
            "unknown-permission-mode",
            Severity.WARNING,
            spec.line_of("permissionMode"),
            f"unknown permissionMode {spec.permission_mode!r}; "
            f"Claude Code knows {', '.join(PERMISSION_MODES)} and auto",
        )
    if (not spec.body or spec.body.isspace()) and not spec.has_errors:
        yield Diagnostic(
            "empty-body",
            Severity.WARNING,
            max(1, spec.body_line - 1),
            "the prompt (the text after the frontmatter) is empty: the agent gets no instructions",
        )


def _name(spec: AgentSpec) -> Iterator[Diagnostic]:
    name = spec.name
    if name is None:
        return
    line = spec.line_of("name")
    if ":" in name or name.startswith("-"):
        yield Diagnostic(
            "bad-name",
            Severity.ERROR,
            line,
            f"name {name!r} contains ':' or starts with '-'; Claude Code skips such files",
        )
    elif not _KEBAB.match(name):
        yield Diagnostic(
            "name-format",
            Severity.WARNING,
            line,
            f"name {name!r} is not lowercase-hyphen (like `code-reviewer`), "
            "which is what Claude Code expects",
        )
    if name != spec.path.stem:
        yield Diagnostic(
            "name-mismatch",
            Severity.INFO,
            line,
            f"name {name!r} differs from the file name {spec.path.name!r}; "
            "Claude Code goes by the name",
        )


def _tools(spec: AgentSpec, key: str, tokens: tuple[str, ...]) -> Iterator[Diagnostic]:
    line = spec.line_of(key)
    for token in tokens:
        if tool_names.is_known(token):
            continue
        suggestion = tool_names.closest(token)
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        yield Diagnostic(
            "unknown-tool",
            Severity.WARNING,
            line,
            f"unknown tool {token!r} in `{key}`{hint}",
            fix=suggestion,
            written=token,
        )


def _model(spec: AgentSpec, model: str, models: ModelTable) -> Iterator[Diagnostic]:
    line = spec.line_of("model")
    if model in ALIASES or model == INHERIT:
        return
    if model.startswith("claude-"):
        retired = models.retirement(model)
        if retired:
            yield Diagnostic(
                "retired-model",
                Severity.INFO,
                line,
                f"model {model!r} has not been served since {retired.isoformat()}; "
                "an alias such as `sonnet` keeps up with new releases",
            )
        return
    lowered = model.lower()
    suggestion = next((alias for alias in ALIASES if alias in lowered), None)
    hint = f"; did you mean {suggestion!r}?" if suggestion else ""
    yield Diagnostic(
        "unknown-model",
        Severity.WARNING,
        line,
        f"unknown model {model!r}; use an alias ({', '.join(ALIASES)}, inherit) "
        f"or a full `claude-…` id{hint}",
        fix=suggestion,
    )


def _color(spec: AgentSpec, color: str) -> Iterator[Diagnostic]:
    if color in CLAUDE_COLORS:
        return
    yield Diagnostic(
        "unknown-color",
        Severity.WARNING,
        spec.line_of("color"),
        f"color {color!r} is not one of Claude Code's colors ({', '.join(CLAUDE_COLORS)}); "
        "Claude Code ignores it",
    )
