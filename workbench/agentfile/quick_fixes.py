"""The fix the editor offers for a diagnostic: which lines change, and to what.

Mojibake and an unquoted description get the very repairs `lint --fix` makes; an unknown
tool gets lint's closest name, put in place of that one token so the list keeps its style
(a comma string, a flow list or a block list). Nothing here writes: the editor applies
the changes to its buffer, where they can be undone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workbench.agentfile import fixes
from workbench.agentfile.fixes import Change
from workbench.agentfile.spec import AgentSpec, Diagnostic

_TOOL_KEYS = ("tools", "disallowedTools")
_WORD = "A-Za-z0-9_"


@dataclass(frozen=True)
class QuickFix:
    """A fix for one diagnostic: what to call it and the lines it replaces."""

    label: str
    changes: tuple[Change, ...]


def quick_fixes(spec: AgentSpec, text: str) -> tuple[QuickFix | None, ...]:
    """For each of `spec.diagnostics` (`spec` parsed from `text`), its fix or None.

    A fix is offered only when every line it replaces still reads as its `before`, so a
    repair that builds on another one on the same line waits until that one is applied.
    """
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    codes = {diagnostic.code for diagnostic in spec.diagnostics}
    repairs = fixes.repairs(text, spec.path) if codes & fixes.FIXABLE else ()
    found = []
    for diagnostic in spec.diagnostics:
        fix = _fix(diagnostic, spec, lines, repairs)
        current = fix is not None and all(
            0 < change.line <= len(lines) and lines[change.line - 1] == change.before
            for change in fix.changes
        )
        found.append(fix if current else None)
    return tuple(found)


def _fix(
    diagnostic: Diagnostic, spec: AgentSpec, lines: list[str], repairs: tuple[Change, ...]
) -> QuickFix | None:
    if diagnostic.code == "mojibake":
        changes = tuple(c for c in repairs if c.code == "mojibake" and c.line == diagnostic.line)
        return QuickFix("repair mojibake", changes) if changes else None
    if diagnostic.code == "yaml-invalid":
        changes = tuple(c for c in repairs if c.code == "yaml-invalid")
        return QuickFix("quote the description", changes) if changes else None
    if diagnostic.code == "unknown-tool" and diagnostic.fix and diagnostic.written:
        change = _replace_tool(spec, lines, diagnostic.line, diagnostic.written, diagnostic.fix)
        if change is not None:
            return QuickFix(f"{diagnostic.written} → {diagnostic.fix}", (change,))
    return None


def _replace_tool(
    spec: AgentSpec, lines: list[str], line: int, token: str, name: str
) -> Change | None:
    """`token` replaced by `name` at its first place in the tool key reported at `line`."""
    span = next(
        (s for key in _TOOL_KEYS if (s := spec.span(key)) is not None and s.start == line),
        None,
    )
    if span is None:
        return None
    pattern = re.compile(rf"(?<![{_WORD}]){re.escape(token)}(?![{_WORD}])")
    for number in range(span.start, min(span.end, len(lines)) + 1):
        before = lines[number - 1]
        start = before.index(":") + 1 if number == span.start and ":" in before else 0
        match = pattern.search(before, start)
        if match is not None:
            after = before[: match.start()] + name + before[match.end() :]
            return Change(number, "unknown-tool", before, after)
    return None
