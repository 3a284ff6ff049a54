"""Grep over 10,000 files against running the same ripgrep with the same arguments.

The arguments come from the tool's own `_arguments`, so the baseline follows any change
to what Grep asks of ripgrep (`--sort=path` in content mode makes rg search on one thread).

Both sides start one `rg` process and read all its output, so process start-up and the
search itself are on both sides; the ratio is what the tool adds: the asyncio subprocess
plumbing, checking each reported path against the jail, stat-ing files for the newest-
first order, and paging the text.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path

from benchmarks.pairs import compared, interleave
from benchmarks.runner import Benchmark, Result, Status
from benchmarks.tree import WORD, Tree, shared_tree

NAME = "tool_grep"
GOAL = 1.5
MODES = ("files_with_matches", "content")


def run(quick: bool) -> list[Result]:
    # Imported here so that a broken product shows as this benchmark crashing.
    from workbench.engine.tools.base import ToolError
    from workbench.engine.tools.grep import find_ripgrep

    try:
        rg = find_ripgrep()
    except ToolError:
        return [
            Result(f"{NAME}[{mode}]", GOAL, Status.SKIPPED, notes="ripgrep (rg) not found")
            for mode in MODES
        ]
    rounds = 3 if quick else 7
    tree = shared_tree()
    return [_measure(rg, tree, mode, rounds) for mode in MODES]


def _measure(rg: str, tree: Tree, mode: str, rounds: int) -> Result:
    from workbench.engine.jail import Jail
    from workbench.engine.tools.base import ToolContext
    from workbench.engine.tools.grep import Grep, _arguments

    grep = Grep()
    context = ToolContext(Jail.of(tree.root))
    tool_input = {"pattern": WORD, "output_mode": mode}
    # The very arguments Grep passes, so both sides ask rg for the same work.
    command = [rg, *_arguments(tool_input, mode), "--", str(tree.root)]
    replies: list[str] = []
    outputs: list[bytes] = []

    async def product_once() -> float:
        started = time.perf_counter()
        result = await grep.run(tool_input, context)
        elapsed = time.perf_counter() - started
        if result.is_error:
            raise RuntimeError(f"Grep failed: {result.content}")
        replies.append(result.content)
        return elapsed

    def baseline_once() -> float:
        started = time.perf_counter()
        done = subprocess.run(
            command, stdin=subprocess.DEVNULL, capture_output=True, cwd=tree.root, check=False
        )
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"rg failed ({done.returncode}): {done.stderr[:200]!r}")
        outputs.append(done.stdout)
        return elapsed

    with asyncio.Runner() as runner:
        product_times, baseline_times = interleave(
            lambda: runner.run(product_once()), baseline_once, rounds
        )
    found = _check(mode, replies[-1], outputs[-1], tree)
    notes = f"{rounds} rounds; {tree.files:,} files, {found:,} {_unit(mode)}"
    return compared(f"{NAME}[{mode}]", GOAL, product_times, baseline_times, notes)


def _unit(mode: str) -> str:
    return "matching lines" if mode == "content" else "matching files"


def _check(mode: str, reply: str, output: bytes, tree: Tree) -> int:
    """Both sides found the same number of matches; returns it."""
    if mode == "content":
        found = len(output.splitlines())
        shown = reply.splitlines()
        # A long reply ends with "[Showing output lines 1–N of TOTAL ...]".
        complete = not shown[-1].startswith("[Showing") or f" of {found:,}" in shown[-1]
    else:
        found = len([path for path in output.split(b"\0") if path.strip()])
        complete = reply.startswith(f"Found {found:,} files")
        paths = [line for line in reply.splitlines()[1:] if not line.startswith("[")]
        complete = complete and all(Path(path).is_relative_to(tree.root) for path in paths)
    if found != tree.matching_files or not complete:
        raise RuntimeError(
            f"Grep ({mode}) and rg disagree: rg found {found} {_unit(mode)}, "
            f"the tree has {tree.matching_files}; Grep said {reply[:120]!r}..."
        )
    return found


BENCHMARK = Benchmark(NAME, GOAL, run)
