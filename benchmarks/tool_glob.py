"""Glob `**/*.py` over 10,000 files against `os.walk` + `fnmatch` + `stat`.

The baseline is what a script would do to answer the same question: walk the tree, keep
the names that match, stat them for their modification times and sort newest first. Both
sides return the same 100 paths, which is checked.
"""

from __future__ import annotations

import asyncio
import fnmatch
import os
import time
from pathlib import Path

from benchmarks.pairs import compared, interleave, timed
from benchmarks.runner import Benchmark, Result
from benchmarks.tree import Tree, shared_tree

NAME = "tool_glob"
GOAL = 1.5
PATTERN = "**/*.py"
SHOWN = 100
"""Paths Glob returns at most (its GLOB_LIMIT); the baseline keeps as many."""


def run(quick: bool) -> list[Result]:
    # Imported here so that a broken product shows as this benchmark crashing.
    from workbench.engine.jail import Jail
    from workbench.engine.tools.base import ToolContext
    from workbench.engine.tools.search import Glob

    rounds = 3 if quick else 7
    tree = shared_tree()
    glob = Glob()
    context = ToolContext(Jail.of(tree.root))
    shown: list[str] = []

    async def product_once() -> float:
        started = time.perf_counter()
        result = await glob.run({"pattern": PATTERN}, context)
        elapsed = time.perf_counter() - started
        if result.is_error:
            raise RuntimeError(f"Glob failed: {result.content}")
        shown[:] = result.content.splitlines()
        return elapsed

    with asyncio.Runner() as runner:
        product_times, baseline_times = interleave(
            lambda: runner.run(product_once()), timed(lambda: _baseline(tree.root)), rounds
        )
    _check(shown, _baseline(tree.root), tree)
    notes = (
        f"{rounds} rounds; {tree.files:,} files, {tree.python_files:,} match; "
        f"newest {SHOWN} returned"
    )
    return [compared(NAME, GOAL, product_times, baseline_times, notes)]


def _baseline(root: Path) -> list[str]:
    found: list[tuple[int, str]] = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            if fnmatch.fnmatch(name, "*.py"):
                path = os.path.join(folder, name)
                found.append((os.stat(path).st_mtime_ns, path))
    found.sort(key=lambda item: (-item[0], item[1]))
    return [path for _, path in found[:SHOWN]]


def _check(shown: list[str], expected: list[str], tree: Tree) -> None:
    """Glob lists the newest paths, then a note on how many matched in all."""
    paths = shown[:SHOWN]
    if paths != expected:
        raise RuntimeError(f"Glob returned other paths than the baseline: {paths[:3]}...")
    if f"{tree.python_files:,}" not in "\n".join(shown[SHOWN:]):
        raise RuntimeError(f"Glob's note does not say {tree.python_files:,} files matched")


BENCHMARK = Benchmark(NAME, GOAL, run)
