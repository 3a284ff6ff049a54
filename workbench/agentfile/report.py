"""Specs as the headless commands print them: JSON objects and compiler-style lines."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from workbench.agentfile.fixes import Change
from workbench.agentfile.spec import AgentSpec, Severity
from workbench.plurals import counted
from workbench.safe_text import printable


def agent_json(spec: AgentSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "description": spec.description,
        "examples": [example.to_json() for example in spec.examples],
        "tools": list(spec.tools) if spec.tools is not None else None,
        "disallowed_tools": list(spec.disallowed_tools),
        "model": spec.model,
        "color": spec.color,
        "permission_mode": spec.permission_mode,
        "path": str(spec.path),
        "origin": spec.origin.value,
        "active": spec.active,
        "is_agent": spec.is_agent,
        "yaml_valid": spec.yaml_valid,
        "content_hash": spec.content_hash,
        "diagnostics": [d.to_json() for d in spec.diagnostics],
    }


def lint_lines(specs: Iterable[AgentSpec]) -> Iterator[str]:
    """`path:line: severity code message`, the shape editors and CI annotate from."""
    for spec in specs:
        shown = printable(display_path(spec.path))
        for d in spec.diagnostics:
            yield f"{shown}:{d.line}: {d.severity.value} {d.code} {printable(d.message)}"


def fix_line(path: Path, change: Change, *, dry_run: bool = False) -> str:
    """`path:line: fixed code: before -> after`, the changed part with a little context."""
    before, after = _changed_parts(change.before, change.after)
    verb = "would fix" if dry_run else "fixed"
    shown = printable(display_path(path))
    return f"{shown}:{change.line}: {verb} {change.code}: {printable(before)} -> {printable(after)}"


_CONTEXT = 12
_LONGEST = 60


def _changed_parts(before: str, after: str) -> tuple[str, str]:
    """The differing middle of two lines, widened by a few characters either side.

    A repaired description can be thousands of characters long; the reader needs to see
    where it changed, not all of it again.
    """
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    tail = 0
    while tail < min(len(before), len(after)) - start and before[-1 - tail] == after[-1 - tail]:
        tail += 1
    start = max(0, start - _CONTEXT)
    tail = max(0, tail - _CONTEXT)
    return (
        _clipped(before, start, len(before) - tail),
        _clipped(after, start, len(after) - tail),
    )


def _clipped(text: str, start: int, end: int) -> str:
    part = text[start:end]
    if len(part) > _LONGEST:
        half = _LONGEST // 2
        part = f"{part[:half]}…{part[-half:]}"
    return ("…" if start else "") + part + ("…" if end < len(text) else "")


def lint_summary(specs: list[AgentSpec]) -> str:
    counts = {severity: 0 for severity in Severity}
    for spec in specs:
        for d in spec.diagnostics:
            counts[d.severity] += 1
    return (
        f"{counted(len(specs), 'file')} checked: {counted(counts[Severity.ERROR], 'error')}, "
        f"{counted(counts[Severity.WARNING], 'warning')}, {counted(counts[Severity.INFO], 'note')}"
    )


def display_path(path: Path) -> str:
    """Relative to the current folder when inside it, as a compiler would print it."""
    try:
        return os.path.relpath(path) if path.is_absolute() and _inside_cwd(path) else str(path)
    except ValueError:
        return str(path)


def _inside_cwd(path: Path) -> bool:
    return path.is_relative_to(Path.cwd())
