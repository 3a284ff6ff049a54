"""Bytes in, `AgentSpec` out: reading an agent file as forgivingly as real files need.

Parsing never raises on bad input; every problem becomes a diagnostic on the spec, so one
broken file shows up in the roster with its reasons instead of breaking the roster.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from workbench.agentfile import frontmatter, mojibake
from workbench.agentfile.description import decode_escapes
from workbench.agentfile.spec import AgentSpec, Diagnostic, Origin, Severity
from workbench.agentfile.tool_names import split_tool_list

MAX_BYTES = 32 * 1024 * 1024
"""Larger files are refused unread: no agent prompt is this big, and parsing one would stall."""


def parse_agent(data: bytes, path: Path, origin: Origin, *, named: bool = False) -> AgentSpec:
    """Parse one agent file.

    `named` is true when the person pointed at this exact file, which turns "this is not
    an agent" from a note into an error.
    """
    content_hash = hashlib.sha256(data).hexdigest()
    if data.find(b"\x00", 0, 8192) != -1:
        return unreadable_spec(
            path, origin, "binary file (contains NUL bytes); agent files are text", content_hash
        )
    notes: list[Diagnostic] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        text = data.decode("utf-8-sig", errors="replace")
        notes.append(
            Diagnostic(
                "unreadable",
                Severity.ERROR,
                line,
                f"not valid UTF-8 (byte 0x{data[error.start]:02x} on line {line}); "
                "Claude Code reads agent files as UTF-8. Shown with replacement characters.",
            )
        )
    notes.extend(_mojibake(text, data))
    cut = frontmatter.split(text)
    if not cut.opened:
        severity = Severity.ERROR if named else Severity.INFO
        message = "no frontmatter (the file does not start with a `---` line): not an agent"
        if not named:
            message += "; Claude Code skips it too"
        notes.append(Diagnostic("not-an-agent", severity, 1, message))
        return AgentSpec(
            path=path,
            origin=origin,
            content_hash=content_hash,
            is_agent=False,
            body=text,
            diagnostics=_ordered(notes),
        )
    if not cut.closed:
        notes.append(
            Diagnostic(
                "unclosed-frontmatter",
                Severity.ERROR,
                1,
                "the frontmatter opened on line 1 is never closed by a `---` line; "
                "Claude Code will not load this agent",
            )
        )
    reading, yaml_valid = _read(cut, notes)
    values = dict(reading.fields)
    name = _text(values.get("name"))
    description = _text(values.get("description"))
    if name is None and reading is not _NOTHING:
        line, missing = _missing(values, reading, "name")
        notes.append(
            Diagnostic(
                "missing-name", Severity.ERROR, line, f"{missing}: Claude Code skips the file"
            )
        )
    if description is None and reading is not _NOTHING:
        line, missing = _missing(values, reading, "description")
        notes.append(
            Diagnostic(
                "missing-description",
                Severity.ERROR,
                line,
                f"{missing}: Claude Code cannot tell when to use this agent and skips it",
            )
        )
    for key, code in _TEXT_KEYS.items():
        if isinstance(values.get(key), (dict, list)):
            notes.append(
                Diagnostic(
                    code,
                    Severity.WARNING,
                    _line_of(reading, key),
                    f"`{key}` is {_kind(values[key])}, not text, so it is ignored",
                )
            )
    if description is not None:
        description = decode_escapes(description)
    raw_tools = values.get("tools")
    return AgentSpec(
        path=path,
        origin=origin,
        name=name,
        description=description,
        tools=_tool_list(raw_tools),
        raw_tools=raw_tools,
        disallowed_tools=_tool_list(values.get("disallowedTools")) or (),
        model=_text(values.get("model")),
        color=_text(values.get("color")),
        permission_mode=_text(values.get("permissionMode")),
        fields=reading.fields,
        spans=reading.spans,
        body=cut.body,
        body_line=cut.body_line,
        content_hash=content_hash,
        yaml_valid=yaml_valid,
        diagnostics=_ordered(notes),
    )


def unreadable_spec(path: Path, origin: Origin, reason: str, content_hash: str = "") -> AgentSpec:
    diagnostic = Diagnostic("unreadable", Severity.ERROR, 1, reason)
    return AgentSpec(path=path, origin=origin, content_hash=content_hash, diagnostics=(diagnostic,))


_NOTHING = frontmatter.Reading((), ())
"""What a frontmatter that is not a mapping yields: no fields, and no further complaints."""


def _read(cut: frontmatter.Split, notes: list[Diagnostic]) -> tuple[frontmatter.Reading, bool]:
    plain = frontmatter.read_plain(cut)
    if plain is not None:
        return plain, True
    import yaml  # as late as `frontmatter` imports it

    try:
        return frontmatter.read_strict(cut), True
    except frontmatter.NotAMapping as error:
        notes.append(
            Diagnostic(
                "not-a-mapping",
                Severity.ERROR,
                cut.first_line,
                f"the frontmatter is {error.kind}, not `key: value` lines",
            )
        )
        return _NOTHING, True
    except yaml.YAMLError as error:
        line, problem = frontmatter.yaml_problem(error, cut.first_line)
        notes.append(
            Diagnostic(
                "yaml-invalid",
                Severity.WARNING,
                line,
                f"the frontmatter is not valid YAML ({problem}). The workbench reads it "
                "leniently, but strict YAML tools reject this file and some Claude Code "
                "versions skip the agent without a word",
            )
        )
        return frontmatter.read_lenient(cut), False


def _mojibake(text: str, data: bytes) -> list[Diagnostic]:
    return [
        Diagnostic(
            "mojibake",
            Severity.WARNING,
            line,
            "UTF-8 text that was decoded as cp1252 or Latin-1 at some point "
            f"({_excerpt(broken, repaired)})",
            fix=repaired,
        )
        for line, broken, repaired in mojibake.find(text, data)
    ]


def _ordered(notes: list[Diagnostic]) -> tuple[Diagnostic, ...]:
    return tuple(sorted(notes, key=lambda d: d.line))


def _line_of(reading: frontmatter.Reading, key: str) -> int:
    return next((span.start for span in reading.spans if span.key == key), 1)


_TEXT_KEYS = {
    "model": "unknown-model",
    "color": "unknown-color",
    "permissionMode": "unknown-permission-mode",
}
"""Keys whose value must be text, with the code that reports any other value."""


def _missing(values: dict[str, Any], reading: frontmatter.Reading, key: str) -> tuple[int, str]:
    """Where to point, and what is wrong: no such key, or a list or mapping given for it."""
    value = values.get(key)
    if isinstance(value, (dict, list)):
        return _line_of(reading, key), f"`{key}` is {_kind(value)}, not text"
    return _line_of(reading, "name"), f"no `{key}`"


def _kind(value: dict[Any, Any] | list[Any]) -> str:
    return "a list" if isinstance(value, list) else "a mapping"


def _text(value: Any) -> str | None:
    """A scalar as text; YAML may have read `name: 2024` as a number."""
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _tool_list(value: Any) -> tuple[str, ...] | None:
    """`None` for absent, null, empty or `*` (every tool); otherwise the names as written."""
    if value is None or (isinstance(value, str) and value.strip() in ("", "*")):
        return None
    if isinstance(value, list):
        return tuple(str(item).strip() for item in value if str(item).strip())
    return split_tool_list(str(value))


def _excerpt(broken: str, repaired: str) -> str:
    """The damaged word and its repair, enough to recognise it: `'O(nÂ²)' should read 'O(n²)'`."""
    start = 0
    while start < min(len(broken), len(repaired)) and broken[start] == repaired[start]:
        start += 1
    tail = 0
    while (
        tail < min(len(broken), len(repaired)) - start and broken[-1 - tail] == repaired[-1 - tail]
    ):
        tail += 1
    while start > 0 and not repaired[start - 1].isspace():
        start -= 1
    while tail > 0 and not broken[-tail].isspace():
        tail -= 1
    return (
        f"{broken[start : len(broken) - tail]!r} "
        f"should read {repaired[start : len(repaired) - tail]!r}"
    )
