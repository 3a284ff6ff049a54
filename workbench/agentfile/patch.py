"""Changing one frontmatter key in the text of an agent file, and nothing else.

The editor's form writes through here: each change replaces exactly the lines of the key's
span (`AgentSpec.spans`), so a file whose frontmatter is not valid YAML can still be
edited, every other line keeps its bytes, and the value is written in the style the file
already used for it (a comma string stays a comma string, a `\\n`-escaped one-line
description stays one line). Every value written is checked to read back as itself.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from workbench.agentfile import frontmatter
from workbench.agentfile.spec import AgentSpec

FieldValue = str | int | bool | tuple[str, ...] | None
"""What a form control holds: text, a number, a switch, or a list of names; None removes."""

LIST_KEYS = frozenset({"tools", "disallowedTools", "skills"})

_BLOCK_ITEM = re.compile(r"^([ \t]*)-([ \t]+)")
_INDENT = re.compile(r"^([ \t]+)\S")


def current_value(spec: AgentSpec, key: str) -> FieldValue:
    """The value of `key` as the form shows it: what `set_field` compares with."""
    if key == "tools":
        return spec.tools
    if key == "disallowedTools":
        return spec.disallowed_tools or None
    if key == "description":
        return spec.description
    raw = spec.field_value(key)
    if raw is None or isinstance(raw, bool | int):
        return raw
    if key in LIST_KEYS:
        return _as_names(raw)
    if isinstance(raw, list | dict):
        return None
    return str(raw)


def same_value(key: str, a: FieldValue, b: FieldValue) -> bool:
    """Whether writing `a` where the file has `b` would change nothing."""
    return bool(_normal(key, a) == _normal(key, b))


def set_field(text: str, spec: AgentSpec, key: str, value: FieldValue) -> str:
    """`text` with `key` set to `value` (None, or "" for text, removes the key).

    `spec` must have been parsed from `text`: its spans say which lines are the key's.
    Setting a key to the value it has returns `text` unchanged, byte for byte.
    """
    if _normal(key, value) == _normal(key, current_value(spec, key)):
        return text
    lines = text.split("\n")
    span = spec.span(key)
    if span is not None:
        start, stop = span.start - 1, span.end
        old = [line.rstrip("\r") for line in lines[start:stop]]
        ending = "\r" if lines[start].endswith("\r") else ""
    else:
        start = stop = _insertion_row(text)
        old = []
        ending = "\r" if lines[0].endswith("\r") else ""
    if _normal(key, value) is None:
        new: list[str] = []
    else:
        new = _written(key, value, old, spec)
    if span is None and not frontmatter.split(text).opened:
        new = ["---", *new, "---"]
    lines[start:stop] = [line + ending for line in new]
    return "\n".join(lines)


def line_change(before: list[str], after: list[str]) -> tuple[int, int, list[str]]:
    """The smallest run of lines to replace: `before[start:stop]` becomes the list returned."""
    start = 0
    limit = min(len(before), len(after))
    while start < limit and before[start] == after[start]:
        start += 1
    tail = 0
    while tail < limit - start and before[len(before) - 1 - tail] == after[len(after) - 1 - tail]:
        tail += 1
    return start, len(before) - tail, after[start : len(after) - tail]


def _insertion_row(text: str) -> int:
    """0-based row a new key goes at: just before the closing `---`, or at the top."""
    cut = frontmatter.split(text)
    if not cut.opened:
        return 0
    return cut.first_line - 1 + len(cut.lines)


def _normal(key: str, value: Any) -> Any:
    """Values that mean the same written the same: "" and () mean absent (tools aside)."""
    if value is None or value == "":
        return None
    if isinstance(value, list | tuple):
        names = tuple(str(item) for item in value)
        return None if not names and key != "tools" else names
    return value


def _written(key: str, value: FieldValue, old: list[str], spec: AgentSpec) -> list[str]:
    written = _value_lines(key, value, old, spec)
    loaded = _load("\n".join(written))
    expected: Any = list(value) if isinstance(value, tuple) else value
    if key == "description" and _escape_style(old, spec):
        loaded = {key: _decoded(loaded.get(key)) if isinstance(loaded, dict) else None}
    if isinstance(value, str) and isinstance(loaded, dict) and isinstance(loaded.get(key), str):
        # The parser strips text values, so a block's final line break is style, not value.
        loaded = {key: loaded[key].strip()}
        expected = value.strip()
    if loaded != {key: expected} and not (
        isinstance(value, tuple)
        and isinstance(loaded, dict)
        and _as_names(loaded.get(key)) == value
    ):
        written = [f"{key}: {_double(value) if isinstance(value, str) else _flow(list(expected))}"]
    return written


def _value_lines(key: str, value: FieldValue, old: list[str], spec: AgentSpec) -> list[str]:
    if isinstance(value, bool):
        return [f"{key}: {'true' if value else 'false'}"]
    if isinstance(value, int):
        return [f"{key}: {value}"]
    if isinstance(value, tuple):
        return _list_lines(key, value, old)
    assert value is not None
    first = _first_value(old)
    if key == "description" and _escape_style(old, spec):
        escaped = value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\t", "\\t")
        return [f"{key}: {_scalar(escaped, first[:1])}"]
    if ("\n" in value or first[:1] in ("|", ">")) and (first[:1] != '"' or len(old) > 1):
        if re.fullmatch(r"\|[0-9]?", first) and not value.endswith("\n"):
            value += "\n"
        return _block(key, value, _body_indent(old))
    return [f"{key}: {_scalar(value, first[:1])}"]


def _list_lines(key: str, names: tuple[str, ...], old: list[str]) -> list[str]:
    first = _first_value(old)
    if not names:
        return [f"{key}: []"]
    if not first and len(old) > 1:
        match = _BLOCK_ITEM.match(old[1])
        indent, gap = (match.group(1), match.group(2)) if match else ("  ", " ")
        return [f"{key}:", *(f"{indent}-{gap}{_item(name, flow=False)}" for name in names)]
    if first.startswith("["):
        return [f"{key}: {_flow(list(names))}"]
    separator = "," if "," in first and ", " not in first else ", "
    return [f"{key}: {_scalar(separator.join(names), first[:1])}"]


def _first_value(old: list[str]) -> str:
    """What follows `key:` on the key's first line, stripped."""
    if not old:
        return ""
    return old[0].split(":", 1)[1].strip() if ":" in old[0] else ""


def _escape_style(old: list[str], spec: AgentSpec) -> bool:
    """A one-line description whose line breaks are written as `\\n` escapes."""
    raw = spec.field_value("description")
    return (
        len(old) == 1
        and isinstance(raw, str)
        and "\n" not in raw
        and "\\n" in raw
        and spec.description != raw
    )


def _body_indent(old: list[str]) -> str:
    for line in old[1:]:
        match = _INDENT.match(line)
        if match:
            return match.group(1)
    return "  "


def _block(key: str, text: str, indent: str) -> list[str]:
    if text.endswith("\n\n"):
        chomp, body = "+", text[:-1]
    elif text.endswith("\n"):
        chomp, body = "", text[:-1]
    else:
        chomp, body = "-", text
    lines = body.split("\n")
    first = next((line for line in lines if line.strip()), "")
    indicator = str(len(indent)) if first[:1] in (" ", "\t") else ""
    return [f"{key}: |{indicator}{chomp}", *(indent + line if line else "" for line in lines)]


def _scalar(text: str, quote: str = "") -> str:
    """`text` as a one-line YAML scalar: as it stands when YAML reads it back the same."""
    if quote == "'" and "\n" not in text and _reads_as(_single(text), text):
        return _single(text)
    if quote == '"':
        return _double(text)
    if text and "\n" not in text and text == text.strip() and _reads_as(text, text):
        return text
    if "\n" not in text and _reads_as(_single(text), text):
        return _single(text)
    return _double(text)


def _item(name: str, *, flow: bool) -> str:
    if flow:
        return name if _load(f"[{name}]") == [name] else _scalar_quoted(name)
    return name if _load(f"- {name}") == [name] else _scalar_quoted(name)


def _scalar_quoted(text: str) -> str:
    return _single(text) if "\n" not in text else _double(text)


def _flow(names: list[str]) -> str:
    return "[" + ", ".join(_item(name, flow=True) for name in names) + "]"


def _single(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _double(text: str) -> str:
    dumped: str = yaml.safe_dump(text, default_style='"', allow_unicode=True, width=2**31)
    return dumped.removesuffix("\n...\n").rstrip("\n")


def _reads_as(written: str, text: str) -> bool:
    return bool(_load(f"k: {written}") == {"k": text})


def _load(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _decoded(value: Any) -> Any:
    from workbench.agentfile.description import decode_escapes

    return decode_escapes(value) if isinstance(value, str) else value


def _as_names(raw: Any) -> tuple[str, ...] | None:
    from workbench.agentfile.tool_names import split_tool_list

    if raw is None:
        return None
    if isinstance(raw, list):
        return tuple(str(item).strip() for item in raw if str(item).strip())
    return split_tool_list(str(raw))
