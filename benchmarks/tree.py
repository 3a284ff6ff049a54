"""A generated source tree of 10,000 files for the Grep and Glob benchmarks.

Writing 10,000 files takes seconds on some disks, so the tree is made once per process,
the first time a benchmark asks for it, and shared; it is removed when the process exits.
"""

from __future__ import annotations

import atexit
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

FILES = 10_000
WORD = "needle"
"""The word Grep searches for."""
MATCH_EVERY = 10
"""Every tenth file contains WORD, on one line."""
EXTENSIONS = (".py", ".md", ".txt")
"""Cycled file by file, so a third of the files are Python."""
PACKAGES, MODULES, PARTS = 10, 10, 5
"""Folders: root/pkgNN/modNN/partN/, 500 leaves of 20 files each."""
LINES = 24


@dataclass(frozen=True)
class Tree:
    root: Path
    files: int
    python_files: int
    matching_files: int


_shared: Tree | None = None


def shared_tree() -> Tree:
    """The tree, made on first use in this process."""
    global _shared
    if _shared is None:
        scratch = tempfile.TemporaryDirectory(prefix="workbench-bench-tree-")
        atexit.register(scratch.cleanup)
        _shared = _generate(Path(os.path.realpath(scratch.name)) / "tree")
    return _shared


def _generate(root: Path) -> Tree:
    leaves = PACKAGES * MODULES * PARTS
    per_leaf = FILES // leaves
    python = matching = 0
    number = 0
    for package in range(PACKAGES):
        for module in range(MODULES):
            for part in range(PARTS):
                folder = root / f"pkg{package:02d}" / f"mod{module:02d}" / f"part{part}"
                folder.mkdir(parents=True)
                for _ in range(per_leaf):
                    extension = EXTENSIONS[number % len(EXTENSIONS)]
                    matches = number % MATCH_EVERY == 0
                    path = folder / f"file{number:05d}{extension}"
                    path.write_bytes(_content(number, matches).encode())
                    python += extension == ".py"
                    matching += matches
                    number += 1
    return Tree(root, number, python, matching)


def _content(number: int, matches: bool) -> str:
    """About 1.3 KB of code-like text; WORD on one line when `matches`."""
    lines = [f"# file {number}: generated for the workbench benchmarks"]
    for line in range(1, LINES):
        if matches and line == LINES // 2:
            lines.append(f"    value_{line} = find_{WORD}(haystack, {number})  # the search word")
        else:
            lines.append(f"    value_{line} = compute(item_{number}, {line}, scale={line * 7})")
    return "\n".join(lines) + "\n"
