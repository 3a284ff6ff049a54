"""Which workspace files are watched, and the area each one is shown under.

These agents coordinate through a handful of conventional places (a shared context file,
task notes, plans, project rules, skills, their own definitions); those are watched by
default, with whatever a workspace's config adds and every existing path an agent's
prompt names.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath

from workbench.agentfile.prose import path_mentions
from workbench.engine.path_patterns import glob_regex


class Area(StrEnum):
    """Groups in the files pane, in the order they are shown."""

    CONTEXT = "Context"
    TASKS = "Tasks"
    PLANS = "Plans"
    STANDARDS = "Standards"
    SKILLS = "Skills"
    AGENTS = "Agents"
    REFERENCED = "Named in prompts"
    CONFIGURED = "Configured"


DEFAULT_PATTERNS: tuple[tuple[str, Area], ...] = (
    ("docs/tasks/**", Area.CONTEXT),
    (".claude/tasks/**", Area.TASKS),
    (".claude/docs/**", Area.PLANS),
    (".claude/doc/**", Area.PLANS),
    ("CLAUDE.md", Area.STANDARDS),
    ("CLAUDE.local.md", Area.STANDARDS),
    ("**/CLAUDE.md", Area.STANDARDS),
    ("standards/**", Area.STANDARDS),
    (".claude/skills/**", Area.SKILLS),
    (".claude/agents/**", Area.AGENTS),
)

IGNORED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".workbench",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
        ".idea",
        ".hypothesis",
    }
)
"""Folders never looked into: version control, the workbench's own records, dependencies
and caches. They are large, busy, and never where agents keep their notes."""


@dataclass(frozen=True)
class Pattern:
    glob: str
    area: Area
    regex: re.Pattern[str]

    @property
    def folder(self) -> str:
        """The literal folder the glob starts with, with its final `/` (or "")."""
        wild = re.search(r"[*?\[]", self.glob)
        literal = self.glob[: wild.start()] if wild else self.glob
        return literal[: literal.rfind("/") + 1]


def _compile(glob: str, area: Area) -> Pattern:
    return Pattern(glob, area, re.compile(glob_regex(glob), re.DOTALL))


class BadPattern(ValueError):
    """A configured pattern that would reach outside the workspace."""


def clean_pattern(text: str) -> str:
    """`text` as a glob relative to the workspace root; a leading `/` means that root."""
    glob = text.strip().replace("\\", "/").lstrip("/")
    while glob.startswith("./"):
        glob = glob[2:]
    if not glob or ".." in PurePosixPath(glob).parts or glob.startswith("~"):
        raise BadPattern(f"{text!r} is not a path inside the workspace")
    return glob.rstrip("/")


@dataclass(frozen=True)
class WatchSet:
    """The globs watched in one workspace, first match deciding a file's area."""

    patterns: tuple[Pattern, ...]

    @classmethod
    def build(
        cls,
        *,
        configured: Iterable[str] = (),
        referenced: Iterable[str] = (),
        defaults: bool = True,
    ) -> WatchSet:
        """The default set (unless `defaults` is false), the config's globs and the paths
        prompts name; a referenced folder stands for everything inside it."""
        chosen: list[Pattern] = []
        if defaults:
            chosen.extend(_compile(glob, area) for glob, area in DEFAULT_PATTERNS)
        chosen.extend(_compile(glob, Area.CONFIGURED) for glob in configured)
        chosen.extend(_compile(glob, Area.REFERENCED) for glob in referenced)
        return cls(tuple(chosen))

    @property
    def globs(self) -> tuple[str, ...]:
        return tuple(pattern.glob for pattern in self.patterns)

    def area_of(self, rel: str) -> Area | None:
        """The area of the workspace-relative `rel`, or None when it is not watched."""
        pattern = self.match(rel)
        return pattern.area if pattern else None

    def match(self, rel: str) -> Pattern | None:
        if _ignored(rel):
            return None
        return next((p for p in self.patterns if p.regex.fullmatch(rel)), None)

    def label(self, rel: str) -> str:
        """`rel` without the folder its pattern names, as the files pane lists it under
        its area (`context.md` for `docs/tasks/context.md`). Files of the areas that
        gather many unrelated patterns keep their whole path, or two `__init__.py` would
        look the same."""
        pattern = self.match(rel)
        if pattern is None or pattern.area in (Area.REFERENCED, Area.CONFIGURED):
            return rel
        return rel[len(pattern.folder) :] if rel.startswith(pattern.folder) else rel

    def scan(self, workspace: Path, under: str = "") -> Iterator[tuple[str, Area]]:
        """Every watched file of `workspace`, or of its folder `under`, by relative path.

        Symbolic links to folders are not followed, so a link loop cannot trap the walk;
        linked files are listed like any other.
        """
        workspace_prefix = len(str(workspace)) + 1
        start = workspace / under if under else workspace
        for folder, dirs, files in os.walk(start, onerror=lambda _error: None):
            dirs[:] = sorted(d for d in dirs if d not in IGNORED_DIRS)
            base = folder[workspace_prefix:].replace(os.sep, "/")
            for name in sorted(files):
                rel = f"{base}/{name}" if base else name
                area = self.area_of(rel)
                if area is not None:
                    yield rel, area


def _ignored(rel: str) -> bool:
    return any(part in IGNORED_DIRS for part in rel.split("/")[:-1])


def referenced_paths(bodies: Iterable[str], workspace: Path) -> list[str]:
    """Existing workspace paths that prompts name, as globs ready for `WatchSet.build`.

    Only those that exist now are returned; a folder stands for everything inside it.
    """
    found: dict[str, None] = {}
    root = workspace.resolve()
    for body in bodies:
        for mention in path_mentions(body):
            rel = mention.rel
            target = root / rel
            try:
                exists = target.is_dir() or target.is_file()
                inside = target.resolve().is_relative_to(root)
            except OSError:
                continue
            if exists and inside:
                found[f"{rel}/**" if target.is_dir() else rel] = None
    return list(found)
