"""A change to a file as coloured unified-diff text, for tool blocks and permission prompts."""

from __future__ import annotations

import difflib

from rich.text import Text

from workbench.safe_text import printable

ADDED = "green"
REMOVED = "red"
MAX_DIFF_LINES = 400
"""Longer diffs are cut with a note: a diff is for seeing what changed, not for reading a file."""


def diff_text(before: str | None, after: str | None, label: str = "") -> Text:
    """`before` → `after` as a unified diff; None on a side means the file did not exist."""
    old = (before or "").splitlines()
    new = (after or "").splitlines()
    lines = list(
        difflib.unified_diff(
            old,
            new,
            fromfile=f"a/{label}" if before is not None else "/dev/null",
            tofile=f"b/{label}" if after is not None else "/dev/null",
            lineterm="",
            n=3,
        )
    )
    text = Text()
    for line in lines[:MAX_DIFF_LINES]:
        style = ""
        if line.startswith("+") and not line.startswith("+++"):
            style = ADDED
        elif line.startswith("-") and not line.startswith("---"):
            style = REMOVED
        elif line.startswith("@@"):
            style = "dim"
        text.append(printable(line) + "\n", style=style)
    if len(lines) > MAX_DIFF_LINES:
        text.append(f"… {len(lines) - MAX_DIFF_LINES:,} more diff lines\n", style="dim italic")
    if not lines:
        text.append("(no change)\n", style="dim")
    text.rstrip()
    return text


def change_counts(before: str | None, after: str | None) -> tuple[int, int]:
    """Lines added and removed, for one-line summaries like `+12 −3`."""
    added = removed = 0
    matcher = difflib.SequenceMatcher(
        a=(before or "").splitlines(), b=(after or "").splitlines(), autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            removed += i2 - i1
        if tag in ("replace", "insert"):
            added += j2 - j1
    return added, removed
