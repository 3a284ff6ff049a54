"""Typing at the end of the corpus's largest agent file in the editor, validation running.

One headless app (`run_test`, 140×40) holds two installed screens, shown in turn:

- **Product:** `EditorScreen` on a copy of the largest file of `../shared/corpus/agents`
  (140 KB), the cursor at the end of the body. Before each keystroke the editor's
  validation is started on the buffer as it stands (outside the clock), so every
  keystroke lands while the validation thread is parsing and linting: the worst case.
  The clock runs from posting the key event to the app (what the terminal driver does)
  until the frame is drawn; after it, the validation is awaited (outside the clock)
  before the next keystroke. Not `pilot.press`: it sleeps at least 40 ms per key waiting
  for the process to go idle, more than the goal it would measure.
- **Baseline:** a screen with only Textual's `TextArea`, configured as the editor's
  (Markdown, soft wrap, line numbers), holding the same text, typed the same keys at the
  end.

Once both screens are up, the heap is settled as the workbench settles it after its first
frame (`workbench.ui.heap`), for both sides alike.

"Drawn" is as `benchmarks/frames.py` has it: pending messages handled, then the screen
updated at once. The notes give the editor's median keystroke-to-screen (goal 30 ms), its
90th percentile and worst, and the validation's own time, `parse_agent` and `check` on the
text in this thread (goal 100 ms, which the editor spends off the UI thread).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.frames import drawn
from benchmarks.pairs import compared
from benchmarks.runner import Benchmark, Result, median

if TYPE_CHECKING:
    from textual.app import App
    from textual.pilot import Pilot
    from textual.widgets import TextArea

    from workbench.ui.screens.editor import EditorScreen

NAME = "editor_typing"
GOAL = 1.5
KEYSTROKE_S = 0.03
VALIDATION_S = 0.1
SIZE = (140, 40)
GENERATED_CHARACTERS = 140_000
KEYS = "typing at the end of a long prompt "
REPO = Path(__file__).resolve().parents[1]
UI = REPO / "workbench" / "ui"
CSS = [UI / "app.tcss", UI / "screens" / "editor.tcss"]
TIMEOUT_S = 30.0


def run(quick: bool) -> list[Result]:
    text, origin = _largest_agent()
    with tempfile.TemporaryDirectory(prefix="workbench-bench-") as folder:
        workspace = Path(folder)
        path = workspace / ".claude" / "agents" / "largest.md"
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8", newline="")
        return [asyncio.run(_measure(path, text, origin, quick))]


def _largest_agent() -> tuple[str, str]:
    """The corpus's largest agent file, or a generated one of the same size without it."""
    shared = os.environ.get("WORKBENCH_SHARED_DIR")
    agents = (Path(shared) if shared else REPO.parent / "shared") / "corpus" / "agents"
    files = [path for path in agents.rglob("*.md") if path.is_file()] if agents.is_dir() else []
    if files:
        largest = max(files, key=lambda path: path.stat().st_size)
        text = largest.read_text(encoding="utf-8", errors="replace")
        return text, f"the corpus's largest agent file ({largest.name})"
    from benchmarks.chat_stream import reply

    head = (
        "---\nname: generated-expert\ndescription: A long generated prompt.\n"
        "model: inherit\n---\n\n"
    )
    body = reply(GENERATED_CHARACTERS)[: GENERATED_CHARACTERS - len(head)]
    return head + body, "a generated file (no ../shared/corpus/agents)"


def _bench_app() -> App[None]:
    from textual.app import App

    class BenchApp(App[None]):
        CSS_PATH = CSS  # type: ignore[assignment]

    return BenchApp()


async def _measure(path: Path, text: str, origin: str, quick: bool) -> Result:
    from textual.screen import Screen
    from textual.widgets import TextArea

    from workbench.agentfile.spec import Origin
    from workbench.config.models import builtin_models
    from workbench.ui.heap import Heap
    from workbench.ui.screens.editor import EditorScreen

    rounds = 2 if quick else 5
    keys = 10 if quick else 20
    models = builtin_models()
    app = _bench_app()
    async with app.run_test(size=SIZE) as pilot:
        editor = EditorScreen(path, Origin.PROJECT, path.parents[2], models)
        bare = Screen[None]()
        app.install_screen(editor, "editor")
        app.install_screen(bare, "bare")
        await app.push_screen("bare")
        baseline_area = TextArea(
            text,
            language="markdown",
            soft_wrap=True,
            show_line_numbers=True,
            tab_behavior="indent",
        )
        await bare.mount(baseline_area)
        await app.switch_screen("editor")
        product_area = editor.text_area
        await _validated(pilot, editor)
        heap = Heap()
        heap.settle()  # as the workbench does once its first screen is up
        if product_area.text != text:
            raise RuntimeError("the editor does not hold the file's text")

        async def product() -> list[float]:
            await _show(pilot, "editor", product_area)
            times = []
            for key in _keys(keys):
                editor._validate()
                times.append(await _keystroke(pilot, product_area, key))
                await _validated(pilot, editor)
            return times

        async def baseline() -> list[float]:
            await _show(pilot, "bare", baseline_area)
            return [await _keystroke(pilot, baseline_area, key) for key in _keys(keys)]

        product_times: list[float] = []
        baseline_times: list[float] = []
        for number in range(rounds + 1):
            measured = await product(), await baseline()
            if number:  # the first round is the untimed warm-up
                product_times += measured[0]
                baseline_times += measured[1]
        typed = (KEYS * keys)[:keys] * (rounds + 1)
        for side, area in (("editor", product_area), ("TextArea", baseline_area)):
            if typed not in area.text:
                raise RuntimeError(f"the {side} does not hold the typed keys at the end")
    heap.release()
    validation = _validation_time(path, text, models, 3 if quick else 7)
    return _result(product_times, baseline_times, validation, text, origin, rounds, keys)


def _keys(count: int) -> list[str]:
    return ["space" if char == " " else char for char in (KEYS * count)[:count]]


async def _show(pilot: Pilot[None], name: str, area: TextArea) -> None:
    """Show the side's screen, its text focused and the cursor at the end of the body."""
    await pilot.app.switch_screen(name)
    area.focus()
    document = area.document
    last = document.line_count - 1
    while last > 0 and not document.get_line(last).strip():
        last -= 1
    area.move_cursor((last, len(document.get_line(last))))
    area.scroll_cursor_visible()
    await drawn(pilot.app)
    await pilot.pause()


async def _keystroke(pilot: Pilot[None], area: TextArea, key: str) -> float:
    """From the key reaching the app, as a terminal's would, until its frame is drawn.

    Not `pilot.press`: after each key it waits for the process to go idle, sleeping at
    least twice for 20 ms, which would be most of what it measured.
    """
    from textual import events

    event = events.Key(key, " " if key == "space" else key)
    event.set_sender(pilot.app)
    before = area.cursor_location
    started = time.perf_counter()
    pilot.app.post_message(event)
    while area.cursor_location == before:
        if time.perf_counter() - started > TIMEOUT_S:
            raise RuntimeError(f"the key {key!r} was never handled")
        await asyncio.sleep(0)
    await drawn(pilot.app)
    return time.perf_counter() - started


async def _validated(pilot: Pilot[None], editor: EditorScreen) -> None:
    """Wait for the editor's validation thread, and what it hands the screen, to finish."""
    deadline = time.perf_counter() + TIMEOUT_S
    while any(
        worker.group == "editor-validate" and not worker.is_finished for worker in editor.workers
    ):
        if time.perf_counter() > deadline:
            raise RuntimeError("the editor's validation never finished")
        await asyncio.sleep(0.002)
    await pilot.pause()


def _validation_time(path: Path, text: str, models: object, runs: int) -> float:
    """What the validation thread does with the text: parse it as an agent and lint it."""
    from workbench.agentfile.lint import check
    from workbench.agentfile.parse import parse_agent
    from workbench.agentfile.spec import Origin
    from workbench.config.models import ModelTable

    assert isinstance(models, ModelTable)
    data = text.encode()
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        check(parse_agent(data, path, Origin.PROJECT, named=True), models)
        times.append(time.perf_counter() - started)
    return median(times[1:]) or 0.0


def _result(
    product: list[float],
    baseline: list[float],
    validation: float,
    text: str,
    origin: str,
    rounds: int,
    keys: int,
) -> Result:
    typical = median(product) or 0.0
    notes = (
        f"{rounds} rounds of {keys} keystrokes at the end of {len(text):,} characters, "
        f"{origin}; validation started before each editor keystroke; keystroke-to-screen "
        f"median {_ms(typical)} (goal <= {_ms(KEYSTROKE_S)}: {_verdict(typical, KEYSTROKE_S)}), "
        f"90th percentile {_ms(_p90(product))}, worst {_ms(max(product))} (the bare "
        f"TextArea's worst {_ms(max(baseline))}); validation (parse_agent + check) "
        f"{_ms(validation)} (goal <= {_ms(VALIDATION_S)}: {_verdict(validation, VALIDATION_S)}); "
        "baseline a bare TextArea configured as the editor's"
    )
    return compared(NAME, GOAL, product, baseline, notes)


def _p90(times: list[float]) -> float:
    return statistics.quantiles(times, n=10)[-1]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _verdict(seconds: float, goal: float) -> str:
    return "met" if seconds <= goal else "missed"


BENCHMARK = Benchmark(NAME, GOAL, run)
