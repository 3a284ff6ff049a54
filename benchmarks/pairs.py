"""Timing a product against its baseline, round by round, and summing up as a `Result`.

Each side is a callable that does one measured unit of work and returns the seconds it
measured, so it can leave out its own set-up (scripting a server, building a conversation)
and so async products can time themselves inside their event loop.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Awaitable, Callable

from benchmarks.runner import Result, Status, median

Measure = Callable[[], float]
"""Do one unit of work; return the seconds it took."""


def interleave(product: Measure, baseline: Measure, rounds: int) -> tuple[list[float], list[float]]:
    """One untimed run of each, then `rounds` rounds of product then baseline.

    Each run starts after a `gc.collect()`, so one side's garbage is not the other's cost.
    """
    gc.collect()
    product()
    gc.collect()
    baseline()
    product_times: list[float] = []
    baseline_times: list[float] = []
    for _ in range(rounds):
        gc.collect()
        product_times.append(product())
        gc.collect()
        baseline_times.append(baseline())
    return product_times, baseline_times


async def interleave_async(
    product: Callable[[], Awaitable[float]], baseline: Callable[[], Awaitable[float]], rounds: int
) -> tuple[list[float], list[float]]:
    """`interleave` for two sides that run in the caller's event loop."""
    gc.collect()
    await product()
    gc.collect()
    await baseline()
    product_times: list[float] = []
    baseline_times: list[float] = []
    for _ in range(rounds):
        gc.collect()
        product_times.append(await product())
        gc.collect()
        baseline_times.append(await baseline())
    return product_times, baseline_times


def timed(work: Callable[[], object]) -> Measure:
    """A `Measure` for synchronous work."""

    def measure() -> float:
        started = time.perf_counter()
        work()
        return time.perf_counter() - started

    return measure


def compared(
    name: str, goal: float, product: list[float], baseline: list[float], notes: str
) -> Result:
    """The medians of both sides and their ratio."""
    product_s, baseline_s = median(product), median(baseline)
    ratio = None
    if product_s is not None and baseline_s is not None and baseline_s > 0:
        ratio = product_s / baseline_s
    return Result(
        name,
        goal,
        Status.MEASURED if ratio is not None else Status.FAILED,
        product_s=product_s,
        baseline_s=baseline_s,
        ratio=ratio,
        product_samples=tuple(product),
        baseline_samples=tuple(baseline),
        notes=notes,
    )
