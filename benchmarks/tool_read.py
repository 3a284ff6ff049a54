"""Read's default page of a 1 MB text file against the least code that gives the same page.

Read shows the first lines that fit its size cap, numbered like `cat -n`, and says how
many lines the file has, which takes counting the rest of the file. The baseline does
exactly that and nothing more: it reads the same number of lines, numbers them, and counts
the newlines in the rest in 1 MB chunks. It skips what makes the tool safe to point at any
file (stat and binary probe, the per-line checks for undecodable bytes and over-long lines,
the running size cap) and the hop to a worker thread, which is the overhead measured.
Both pages are checked to be identical.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import tempfile
import time
from pathlib import Path

from benchmarks.pairs import compared, interleave
from benchmarks.runner import Benchmark, Result

NAME = "tool_read"
GOAL = 1.5
LINES = 10_000
LINE_CHARS = 99
"""Characters per line before its newline: 10,000 lines make 1,000,000 bytes."""
READS = 20
"""Reads per timed sample: one takes about a millisecond, too short to time alone."""
_CHUNK = 1 << 20
_WORDS = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron "
    "pi rho sigma tau upsilon phi chi psi omega request response handler"
)
_VOCABULARY = tuple(_WORDS.split(" "))


def run(quick: bool) -> list[Result]:
    # Imported here so that a broken product shows as this benchmark crashing.
    from workbench.engine.jail import Jail
    from workbench.engine.tools.base import ToolContext
    from workbench.engine.tools.read import Read

    rounds = 3 if quick else 7
    with tempfile.TemporaryDirectory(prefix="workbench-bench-") as folder:
        path = Path(folder) / "big.txt"
        path.write_text(_text(), encoding="utf-8")
        size = path.stat().st_size
        read = Read()
        context = ToolContext(Jail.of(Path(folder)))
        tool_input = {"file_path": str(path)}
        pages: list[str] = []

        async def product_once() -> float:
            started = time.perf_counter()
            for _ in range(READS):
                result = await read.run(tool_input, context)
            elapsed = time.perf_counter() - started
            pages.append(result.content)
            return elapsed / READS

        with asyncio.Runner() as runner:
            runner.run(product_once())  # the page length decides the baseline's work
            shown = _shown_lines(pages[-1])

            def baseline_once() -> float:
                started = time.perf_counter()
                for _ in range(READS):
                    _baseline(path, shown)
                return (time.perf_counter() - started) / READS

            product_times, baseline_times = interleave(
                lambda: runner.run(product_once()), baseline_once, rounds
            )
        page, total = _baseline(path, shown)
        if not pages[-1].startswith(page + "\n[") or f" of {total:,}." not in pages[-1]:
            raise RuntimeError("Read's page differs from the baseline's")
    notes = (
        f"{rounds} rounds of {READS} reads; {size / 1e6:.1f} MB, {LINES:,} lines; "
        f"page of {shown:,} lines"
    )
    return [compared(NAME, GOAL, product_times, baseline_times, notes)]


def _text() -> str:
    """LINES lines of LINE_CHARS characters: a number, then words (seeded, so repeatable)."""
    words = random.Random(20_000)
    lines = []
    for number in range(LINES):
        line = f"{number:05d} " + " ".join(words.choice(_VOCABULARY) for _ in range(20))
        lines.append(line.ljust(LINE_CHARS)[:LINE_CHARS] + "\n")
    return "".join(lines)


def _shown_lines(content: str) -> int:
    """Lines in Read's page: everything before the first `[...]` note."""
    return content.split("\n[", 1)[0].count("\n") + 1


def _baseline(path: Path, shown: int) -> tuple[str, int]:
    """The first `shown` lines numbered like Read's, and the file's line count."""
    with path.open("rb") as handle:
        head = list(itertools.islice(handle, shown))
        total = len(head)
        while chunk := handle.read(_CHUNK):
            total += chunk.count(b"\n")
    text = b"".join(head).decode("utf-8", "surrogateescape")
    page = "\n".join(f"{n:>6}\t{line}" for n, line in enumerate(text.splitlines(), 1))
    return page, total


BENCHMARK = Benchmark(NAME, GOAL, run)
