"""Specs as the headless commands print them: JSON objects and compiler-style lines."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from workbench.agentfile.spec import AgentSpec, Severity
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


def lint_summary(specs: list[AgentSpec]) -> str:
    counts = {severity: 0 for severity in Severity}
    for spec in specs:
        for d in spec.diagnostics:
            counts[d.severity] += 1
    files = f"{len(specs)} file{'s' if len(specs) != 1 else ''}"
    return (
        f"{files} checked: {counts[Severity.ERROR]} errors, "
        f"{counts[Severity.WARNING]} warnings, {counts[Severity.INFO]} notes"
    )


def display_path(path: Path) -> str:
    """Relative to the current folder when inside it, as a compiler would print it."""
    try:
        return os.path.relpath(path) if path.is_absolute() and _inside_cwd(path) else str(path)
    except ValueError:
        return str(path)


def _inside_cwd(path: Path) -> bool:
    return path.is_relative_to(Path.cwd())
