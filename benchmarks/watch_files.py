"""How soon a change on disk reaches the files pane's model, against the bare watcher.

Two watchers run side by side in one event loop, each on a private workspace made of the
sample workspace's watched folders:

- the product: `LiveFiles.watch`, which settles each batch (stat, read, history);
- the baseline: `watchfiles.awatch` with the same tuning (debounce and step), whose consumer
  only reads the changed files. One sample of the bare watcher with watchfiles' default
  tuning is in the notes.

- `watch_files[latency]`: a new file written into `.claude/tasks/` (as another process
  would: open, write, close), until the product reports it (`on_updates`) or the bare
  watcher yields it.
- `watch_files[burst]`: 5,000 writes (100 files rewritten 50 times each, as fast as a thread
  can), until every file's final content is known: in the product, its history's latest
  version; in the baseline, the text read after the last batch naming it. The longest the
  event loop went without running while the product took the burst is in the notes.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.pairs import compared, interleave_async
from benchmarks.runner import Benchmark, Result

if TYPE_CHECKING:
    from workbench.watch.live import FileUpdate, LiveFiles

NAME = "watch_files"
GOAL = 1.5
"""The product may take half as long again as the bare watcher: it reads and records."""
BURST_FILES = 100
BURST_WRITES = 50
TIMEOUT_S = 30.0
SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sample-workspace"


class Seen:
    """What a watcher has reported so far, and a way to wait for a condition on it."""

    def __init__(self) -> None:
        self.changed = asyncio.Event()
        self.texts: dict[str, str] = {}

    def report(self, texts: dict[str, str]) -> None:
        self.texts.update(texts)
        self.changed.set()

    async def until(self, condition: Callable[[], bool]) -> None:
        deadline = time.perf_counter() + TIMEOUT_S
        while not condition():
            self.changed.clear()
            left = deadline - time.perf_counter()
            if left <= 0:
                raise RuntimeError("the watcher never reported the change")
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except TimeoutError:
                continue


class Ticker:
    """The longest the event loop went without giving this task a turn."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.worst = 0.0
        self._task = asyncio.create_task(self._tick())

    async def stop(self) -> float:
        if self._task is not None:
            self._task.cancel()
        return self.worst

    async def _tick(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.002)
            now = time.perf_counter()
            self.worst = max(self.worst, now - last)
            last = now


def make_workspace(parent: Path, name: str) -> Path:
    root = parent / name
    for folder in (".claude/tasks", ".claude/docs", "docs/tasks", "standards"):
        source = SAMPLE / folder
        if source.is_dir():
            shutil.copytree(source, root / folder)
        else:
            (root / folder).mkdir(parents=True)
    return root


def write(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def run(quick: bool) -> list[Result]:
    return asyncio.run(_run(quick))


async def _run(quick: bool) -> list[Result]:
    from watchfiles import awatch

    from workbench.watch.areas import WatchSet
    from workbench.watch.live import DEBOUNCE_MS, STEP_MS, LiveFiles

    rounds = 3 if quick else 10
    with tempfile.TemporaryDirectory(prefix="bench-watch-") as folder:
        parent = Path(folder)
        product_root = make_workspace(parent, "product")
        baseline_root = make_workspace(parent, "baseline")
        live = LiveFiles(product_root, WatchSet.build())
        await asyncio.to_thread(live.scan)
        product_seen, baseline_seen = Seen(), Seen()
        stop = asyncio.Event()

        def on_updates(updates: list[FileUpdate]) -> None:
            product_seen.report({u.file.rel: _latest(live, u.file.rel) for u in updates})

        async def bare() -> None:
            async for changes in awatch(
                baseline_root, debounce=DEBOUNCE_MS, step=STEP_MS, stop_event=stop
            ):
                paths = {path for _, path in changes}
                baseline_seen.report(await asyncio.to_thread(_read_all, baseline_root, paths))

        watchers = [asyncio.create_task(live.watch(on_updates, stop)), asyncio.create_task(bare())]
        try:
            await _ready(product_root, product_seen)
            await _ready(baseline_root, baseline_seen)
            latency = await _latency(
                product_root, baseline_root, product_seen, baseline_seen, rounds
            )
            burst = await _burst(product_root, baseline_root, product_seen, baseline_seen, quick)
            default = await _default_latency(parent)
        finally:
            stop.set()
            await asyncio.gather(*watchers, return_exceptions=True)
    result, worst = latency
    notes = (
        f"{rounds} rounds; one new file in .claude/tasks/; worst {worst * 1000:.0f} ms; "
        f"the bare watcher with watchfiles' default tuning took {default * 1000:,.0f} ms"
    )
    return [replace(result, notes=notes), burst]


def _latest(live: LiveFiles, rel: str) -> str:
    version = live.history.latest(rel)
    text = live.history.text(version) if version is not None else None
    return text or ""


def _read_all(root: Path, paths: set[str]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for path in paths:
        try:
            texts[Path(path).relative_to(root).as_posix()] = Path(path).read_text("utf-8")
        except (OSError, ValueError):
            continue
    return texts


async def _ready(root: Path, seen: Seen) -> None:
    """Wait until the watcher reports a file, so its start-up is not measured (a write made
    before it is watching goes unseen, so the file is written again until it is seen)."""
    path = root / ".claude" / "tasks" / "ready.md"
    for attempt in range(int(TIMEOUT_S / 0.2)):
        text = f"ready {attempt}\n"
        write(path, text)
        await asyncio.sleep(0.2)
        if seen.texts.get(".claude/tasks/ready.md") == text:
            return
    raise RuntimeError("the watcher never started")


async def _latency(
    product_root: Path, baseline_root: Path, product: Seen, baseline: Seen, rounds: int
) -> tuple[Result, float]:
    counter = iter(range(1_000_000))

    def side(root: Path, seen: Seen) -> Callable[[], Awaitable[float]]:
        async def once() -> float:
            rel = f".claude/tasks/note-{next(counter)}.md"
            text = f"note {rel}\n"
            await asyncio.sleep(0.3)  # let the previous batch settle
            started = time.perf_counter()
            await asyncio.to_thread(write, root / rel, text)
            await seen.until(lambda: seen.texts.get(rel) == text)
            return time.perf_counter() - started

        return once

    product_times, baseline_times = await interleave_async(
        side(product_root, product), side(baseline_root, baseline), rounds
    )
    result = compared(f"{NAME}[latency]", GOAL, product_times, baseline_times, "")
    return result, max(product_times)


async def _burst(
    product_root: Path, baseline_root: Path, product: Seen, baseline: Seen, quick: bool
) -> Result:
    ticker = Ticker()
    stalls: list[float] = []
    rounds = 1 if quick else 3
    counter = iter(range(1_000_000))

    def side(root: Path, seen: Seen, measure_stall: bool) -> Callable[[], Awaitable[float]]:
        async def once() -> float:
            tag = next(counter)
            rels = [f".claude/tasks/burst-{n:03}.md" for n in range(BURST_FILES)]
            final = {rel: f"burst {tag} file {rel} write {BURST_WRITES - 1}\n" for rel in rels}

            def burst() -> None:
                for write_number in range(BURST_WRITES):
                    for rel in rels:
                        write(root / rel, f"burst {tag} file {rel} write {write_number}\n")

            await asyncio.sleep(0.3)
            if measure_stall:
                ticker.start()
            started = time.perf_counter()
            await asyncio.to_thread(burst)
            await seen.until(lambda: all(seen.texts.get(r) == t for r, t in final.items()))
            elapsed = time.perf_counter() - started
            if measure_stall:
                stalls.append(await ticker.stop())
            return elapsed

        return once

    product_times, baseline_times = await interleave_async(
        side(product_root, product, True), side(baseline_root, baseline, False), rounds
    )
    notes = (
        f"{rounds} rounds; {BURST_FILES * BURST_WRITES:,} writes to {BURST_FILES} files; "
        f"worst event-loop stall {max(stalls) * 1000:.0f} ms while the product took them"
    )
    return compared(f"{NAME}[burst]", GOAL, product_times, baseline_times, notes)


async def _default_latency(parent: Path) -> float:
    """One sample of the bare watcher as watchfiles ships it."""
    from watchfiles import awatch

    root = make_workspace(parent, "default")
    stop = asyncio.Event()
    seen = Seen()

    async def watch() -> None:
        async for changes in awatch(root, stop_event=stop):
            seen.report(await asyncio.to_thread(_read_all, root, {p for _, p in changes}))

    task = asyncio.create_task(watch())
    try:
        await _ready(root, seen)
        await asyncio.sleep(0.3)
        started = time.perf_counter()
        write(root / ".claude" / "tasks" / "late.md", "late\n")
        await seen.until(lambda: seen.texts.get(".claude/tasks/late.md") == "late\n")
        return time.perf_counter() - started
    finally:
        stop.set()
        await asyncio.gather(task, return_exceptions=True)


BENCHMARK = Benchmark(NAME, GOAL, run)
