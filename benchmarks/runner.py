"""Running benchmarks and reporting their results as a table and as JSON.

Goals are reported, not asserted: a missed goal is information, while a benchmark that
crashes is a broken harness, and only that changes the exit status.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TextIO


class Status(StrEnum):
    MEASURED = "measured"
    FAILED = "failed"
    """It ran, but no round produced a measurement (e.g. the app never drew its marker)."""
    SKIPPED = "skipped"
    """It cannot run on this machine (e.g. tmux is missing); `notes` says why."""
    CRASHED = "crashed"
    """The benchmark itself raised; the harness needs fixing."""


@dataclass(frozen=True)
class Result:
    """One benchmark configuration's outcome; times are medians in seconds."""

    name: str
    goal: float
    """The ratio (product / baseline) the product should stay at or under."""
    status: Status = Status.MEASURED
    product_s: float | None = None
    baseline_s: float | None = None
    ratio: float | None = None
    product_samples: tuple[float, ...] = ()
    baseline_samples: tuple[float, ...] = ()
    product_peak_mb: float | None = None
    baseline_peak_mb: float | None = None
    notes: str = ""

    @property
    def met(self) -> bool | None:
        """None when there is nothing to judge (skipped or crashed)."""
        if self.status in (Status.SKIPPED, Status.CRASHED):
            return None
        return self.ratio is not None and self.ratio <= self.goal

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "met": self.met}


@dataclass(frozen=True)
class Benchmark:
    name: str
    goal: float
    run: Callable[[bool], list[Result]]
    """Takes `quick`; returns one result per measured configuration (e.g. per size)."""


def median(values: Sequence[float]) -> float | None:
    """The median, or None when every round failed and there is nothing to summarise."""
    return statistics.median(values) if values else None


def run_all(benchmarks: Iterable[Benchmark], *, quick: bool) -> list[Result]:
    """Run each benchmark in turn; a crash becomes a result so the others still run."""
    results: list[Result] = []
    for benchmark in benchmarks:
        print(f"running {benchmark.name}...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            results.extend(benchmark.run(quick))
        except Exception as error:
            traceback.print_exc()
            notes = f"{type(error).__name__}: {error}"
            results.append(Result(benchmark.name, benchmark.goal, Status.CRASHED, notes=notes))
        elapsed = time.perf_counter() - started
        print(f"{benchmark.name} took {elapsed:.1f} s", file=sys.stderr, flush=True)
    return results


def print_table(results: Iterable[Result], out: TextIO = sys.stdout) -> None:
    header = ("benchmark", "product", "baseline", "ratio", "goal", "met", "notes")
    rows = [header, *(_row(result) for result in results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[-1]]).rstrip(), file=out)


def write_json(results: Sequence[Result], target: str, *, quick: bool) -> None:
    """Write to `target`, or to stdout when it is `-`."""
    document = {
        "quick": quick,
        "python": sys.version.split()[0],
        "results": [result.to_json() for result in results],
    }
    text = json.dumps(document, indent=2) + "\n"
    if target == "-":
        sys.stdout.write(text)
    else:
        Path(target).write_text(text, encoding="utf-8")


def _row(result: Result) -> tuple[str, ...]:
    met = {True: "yes", False: "no", None: result.status.value}[result.met]
    return (
        result.name,
        _seconds(result.product_s),
        _seconds(result.baseline_s),
        "-" if result.ratio is None else f"{result.ratio:.2f}",
        f"<= {result.goal:.2f}",
        met,
        result.notes,
    )


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.3f} s"
