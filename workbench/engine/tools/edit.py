"""Edit and MultiEdit: exact string replacement in a file the model has read.

A replacement must name its place unambiguously: `old_string` occurs exactly once, or
`replace_all` says every occurrence is meant. The file keeps its line endings: in a CRLF
file, strings the model wrote with LF are matched and written as CRLF. When nothing
matches, the error says what almost matched (whitespace at line ends, indentation, line
number prefixes copied from Read) so the next attempt can succeed.
"""

from __future__ import annotations

import asyncio
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from workbench.engine.tools.base import (
    FileChange,
    Tool,
    ToolContext,
    ToolError,
    ToolKind,
    ToolResult,
)
from workbench.engine.tools.read import cut_line, describe_missing, number_line
from workbench.engine.tools.write import (
    count_lines,
    file_state,
    read_text,
    require_fresh,
    write_atomic,
)
from workbench.plurals import counted

SNIPPET_CONTEXT = 3
"""Unchanged lines shown around each changed region."""
SNIPPET_LINES = 60
"""Lines shown in a reply at most."""

_LINE_NUMBER_PREFIX = re.compile(r"^ *\d+(\t|→)")


@dataclass(frozen=True)
class _Change:
    """One `old_string` → `new_string` request."""

    old: str
    new: str
    replace_all: bool


Span = tuple[int, int]
"""A changed region of the new text, as character offsets."""


class Edit(Tool):
    name: ClassVar[str] = "Edit"
    kind: ClassVar[ToolKind] = ToolKind.EDIT
    description: ClassVar[str] = (
        "Replace exact text in a file: `old_string` becomes `new_string`. The match is "
        "literal (no patterns) and must be exact, including indentation and whitespace. "
        "`old_string` must occur exactly once in the file; include a few surrounding lines "
        "to make it unique, or set `replace_all` to change every occurrence. The file must "
        "have been Read in full in this conversation and be unchanged since. Copy text from "
        "Read's output without its line-number prefix. The file's line endings are kept. "
        "An empty `old_string` creates a new file containing `new_string`."
    )
    input_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "file_path": {
                "type": "string",
                "description": "The file to change: an absolute path, or a path relative to "
                "the workspace root.",
            },
            "old_string": {
                "type": "string",
                "description": "The exact text to replace, as it is in the file now.",
            },
            "new_string": {
                "type": "string",
                "description": "The text to put in its place; must differ from old_string.",
            },
            "replace_all": {
                "type": "boolean",
                "description": "Replace every occurrence of old_string instead of requiring "
                "exactly one (default false).",
            },
        },
        "required": ["file_path", "old_string", "new_string"],
        "additionalProperties": False,
    }

    def target(self, tool_input: dict[str, Any]) -> str | None:
        return str(tool_input["file_path"])

    async def run(self, tool_input: dict[str, Any], context: ToolContext) -> ToolResult:
        change = _Change(
            tool_input["old_string"],
            tool_input["new_string"],
            bool(tool_input.get("replace_all", False)),
        )
        return await asyncio.to_thread(
            _edit_file, tool_input["file_path"], [change], context, single=True
        )


class MultiEdit(Tool):
    name: ClassVar[str] = "MultiEdit"
    kind: ClassVar[ToolKind] = ToolKind.EDIT
    description: ClassVar[str] = (
        "Make several Edit-style replacements in one file in a single step. The edits are "
        "applied in order, each to the result of the previous one, with the same rules as "
        "Edit (exact match, unique unless replace_all, file Read in full first). If any edit "
        "fails, none is applied and the file is left untouched. An empty old_string in the "
        "first edit creates a new file."
    )
    input_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "file_path": {
                "type": "string",
                "description": "The file to change: an absolute path, or a path relative to "
                "the workspace root.",
            },
            "edits": {
                "type": "array",
                "minItems": 1,
                "description": "The replacements, applied one after another.",
                "items": {
                    "type": "object",
                    "properties": {
                        "old_string": {
                            "type": "string",
                            "description": "The exact text to replace, as it is after the "
                            "earlier edits.",
                        },
                        "new_string": {
                            "type": "string",
                            "description": "The text to put in its place.",
                        },
                        "replace_all": {
                            "type": "boolean",
                            "description": "Replace every occurrence (default false).",
                        },
                    },
                    "required": ["old_string", "new_string"],
                    "additionalProperties": False,
                },
            },
        },
        "required": ["file_path", "edits"],
        "additionalProperties": False,
    }

    def target(self, tool_input: dict[str, Any]) -> str | None:
        return str(tool_input["file_path"])

    async def run(self, tool_input: dict[str, Any], context: ToolContext) -> ToolResult:
        changes = [
            _Change(edit["old_string"], edit["new_string"], bool(edit.get("replace_all", False)))
            for edit in tool_input["edits"]
        ]
        return await asyncio.to_thread(
            _edit_file, tool_input["file_path"], changes, context, single=False
        )


def _edit_file(raw: str, changes: list[_Change], context: ToolContext, single: bool) -> ToolResult:
    path = context.jail.resolve(raw)
    info = file_state(path)
    before: str | None = None
    if info is None:
        if changes[0].old:
            raise ToolError(
                f"{describe_missing(path)} To create a file, use Write, or Edit with an empty "
                "old_string."
            )
        text = changes[0].new
        spans: list[Span] = [(0, len(text))]
        changes = changes[1:]
    else:
        require_fresh(path, context, "edit")
        before = text = read_text(path)
        spans = []
    total = len(changes) + (1 if info is None else 0)
    count = 0
    for index, change in enumerate(changes, start=total - len(changes) + 1):
        where = "" if single else f"Edit {index} of {total}: "
        try:
            text, spans, replaced = _apply(text, change, spans, path)
        except ToolError as error:
            undone = "" if single else " No edit was applied; the file is unchanged."
            raise ToolError(f"{where}{error}{undone}") from None
        count += replaced
    mode = None if info is None else stat.S_IMODE(info.st_mode)
    context.read_files[path] = write_atomic(path, text, mode)
    result = FileChange(path, before, text)
    if before is None:
        lines = count_lines(text)
        summary = f"Created {path} ({counted(lines, 'line')})."
    elif single:
        summary = f"Edited {path}: replaced {_occurrences(count)}."
    else:
        summary = f"Edited {path}: applied {total} edits ({_occurrences(count)})."
    snippet = _snippet(text, spans)
    if snippet:
        summary += " The changed part now reads:\n" + snippet
    return ToolResult(summary, changes=(result,))


def _apply(
    text: str, change: _Change, spans: list[Span], path: Path
) -> tuple[str, list[Span], int]:
    """`text` with `change` made, the changed regions so far, and how many places changed."""
    if change.old == change.new:
        raise ToolError("old_string and new_string are identical, so there is nothing to change.")
    if not change.old:
        if text:
            raise ToolError(
                f"old_string is empty, but {path} already has content. Give the exact text to "
                "replace, or use Write to replace the whole file."
            )
        return change.new, [(0, len(change.new))], 1
    old, new = _matching(text, change)
    starts = _find_all(text, old)
    if not starts:
        raise ToolError(_not_found(text, change.old, path))
    if len(starts) > 1 and not change.replace_all:
        lines = ", ".join(str(text.count("\n", 0, start) + 1) for start in starts[:10])
        more = ", …" if len(starts) > 10 else ""
        raise ToolError(
            f"old_string occurs {len(starts)} times in {path} (at lines {lines}{more}). "
            "Include more surrounding lines so it matches exactly one place, or set "
            "replace_all to true to change every occurrence."
        )
    if not change.replace_all:
        starts = starts[:1]
    pieces: list[str] = []
    made: list[Span] = []
    position = 0
    shift = 0
    for start in starts:
        pieces += [text[position:start], new]
        made.append((start + shift, start + shift + len(new)))
        shift += len(new) - len(old)
        position = start + len(old)
    pieces.append(text[position:])
    edits = [(start, len(old), len(new)) for start in starts]
    moved = [(_moved(a, edits, end=False), _moved(b, edits, end=True)) for a, b in spans]
    return "".join(pieces), sorted(moved + made), len(starts)


def _matching(text: str, change: _Change) -> tuple[str, str]:
    """The strings to use in this file: converted to its line endings where that helps."""
    crlf = text.count("\r\n") * 2 > text.count("\n")
    old, new = change.old, change.new
    if crlf:
        new = _to_crlf(new)
        if old not in text:
            old = _to_crlf(old)
    elif "\r\n" not in text:
        old, new = old.replace("\r\n", "\n"), new.replace("\r\n", "\n")
    return old, new


def _to_crlf(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\n", "\r\n")


def _find_all(text: str, old: str) -> list[int]:
    starts: list[int] = []
    start = text.find(old)
    while start != -1:
        starts.append(start)
        start = text.find(old, start + len(old))
    return starts


def _moved(offset: int, edits: list[tuple[int, int, int]], end: bool) -> int:
    """Where `offset` in the old text lies in the new one; inside a replaced part, its edge."""
    shift = 0
    for start, old_length, new_length in edits:
        if offset >= start + old_length:
            shift += new_length - old_length
        elif offset > start:
            return start + shift + (new_length if end else 0)
        else:
            break
    return offset + shift


def _not_found(text: str, old: str, path: Path) -> str:
    message = f"old_string was not found in {path}."
    old_lines = [line for line in old.split("\n") if line.strip()]
    if old_lines and all(_LINE_NUMBER_PREFIX.match(line) for line in old_lines):
        return (
            f"{message} Its lines start with line numbers copied from Read's output; leave "
            "out the number and the tab after it, and give only the file's text."
        )
    for normal, difference in (
        (_without_line_end_spaces, "whitespace at the ends of lines or line endings"),
        (_without_indentation, "indentation (tabs versus spaces, or depth)"),
    ):
        needle, haystack = normal(old), normal(text)
        found = haystack.find(needle) if needle.strip() else -1
        if found != -1:
            line = haystack.count("\n", 0, found) + 1
            return (
                f"{message} It would match at line {line} if {difference} were ignored, so "
                "the file differs there. Read that part again and copy it exactly."
            )
    first = old_lines[0].strip() if old_lines else ""
    if first and first in text:
        line = text.count("\n", 0, text.find(first)) + 1
        return (
            f"{message} Its first line appears at line {line}, so the difference is further "
            "on. It must match the file exactly; Read the file again and copy the current text."
        )
    return (
        f"{message} It must match the file exactly, including whitespace and indentation; "
        "Read the file again and copy the current text."
    )


def _without_line_end_spaces(value: str) -> str:
    return re.sub(r"[ \t]*\r?\n", "\n", value).rstrip(" \t")


def _without_indentation(value: str) -> str:
    return "\n".join(line.strip() for line in value.split("\n"))


def _occurrences(count: int) -> str:
    return counted(count, "occurrence")


def _snippet(text: str, spans: list[Span]) -> str:
    """The changed regions of `text`, numbered like Read, with a little context."""
    lines = text.split("\n")
    groups: list[list[int]] = []
    for start, end in spans:
        first = text.count("\n", 0, start)
        last = text.count("\n", 0, max(start, end - 1))
        low, high = max(0, first - SNIPPET_CONTEXT), min(len(lines) - 1, last + SNIPPET_CONTEXT)
        # A gap of a single line is shown: an ellipsis would take its place anyway.
        if groups and low <= groups[-1][1] + 2:
            groups[-1][1] = max(groups[-1][1], high)
        else:
            groups.append([low, high])
        if sum(b - a + 1 for a, b in groups) > SNIPPET_LINES:
            break
    shown: list[str] = []
    for low, high in groups:
        if shown:
            shown.append("   ...")
        for index in range(low, high + 1):
            if len(shown) >= SNIPPET_LINES:
                shown.append("   ... (more changes not shown)")
                return "\n".join(shown)
            shown.append(number_line(index + 1, cut_line(lines[index].removesuffix("\r"))))
    return "\n".join(shown)
