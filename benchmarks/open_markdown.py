"""Opening a large context file in the file viewer, scrolling it, and seeing an agent's edit.

Four measurements in one headless app (`run_test`, 100×40) whose screen is one container;
each side mounts its widget there, alone. "Drawn" means: pending messages handled, then the
screen updated at once (`Screen._on_timer_update`, what the refresh timer would do a few
milliseconds later), so both sides stop at the same frame.

- `open_markdown[first screen]`: `FileViewer` on the shared corpus's largest context file
  (95 KB, 2,184 lines), from mounting until its first screen is drawn, against Textual's
  `Markdown` on the same text (quick: on its first 10 KB only, as `Markdown` takes ~10 s for
  the whole file; full: the whole file, given up after 60 s).
- `open_markdown[scroll]`: the rendered view scrolled to 25, 50, 75 and 100% and drawn,
  against the same scrolls of Textual's `Log` holding the same text (the lightest
  line-by-line widget Textual has).
- `open_markdown[edit]`: one paragraph in the middle rewritten on disk, as Edit does, while
  it is on screen; from `reload()` until the new words are drawn, against drawing the new
  text from scratch with `MarkdownFlow` (read, mount, append, finish, scroll to the same
  place).
- `open_markdown[5MB]`: a 5 MB Markdown file (the context file repeated), which opens as
  raw text, until its first screen is drawn, against Textual's `Log` showing the same file.

Absolute goals (first screen 300 ms, scroll 50 ms, edit 100 ms, 5 MB 500 ms) are in the
notes beside each result; the ratio goal is what the table judges.
"""

from __future__ import annotations

import asyncio
import gc
import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.chat_stream import reply
from benchmarks.pairs import compared, interleave_async
from benchmarks.runner import Benchmark, Result, median

if TYPE_CHECKING:
    from textual.app import App
    from textual.containers import Vertical
    from textual.pilot import Pilot
    from textual.scroll_view import ScrollView
    from textual.widget import Widget

    from workbench.ui.widgets.file_viewer import FileViewer

NAME = "open_markdown"
GOAL = 0.1
"""The first screen of the whole file, against Markdown's first screen."""
GOAL_SCROLL = 2.0
GOAL_EDIT = 0.2
GOAL_LARGE = 0.5
FIRST_SCREEN_S = 0.3
SCROLL_S = 0.05
EDIT_S = 0.1
LARGE_S = 0.5
MARKDOWN_LIMIT_S = 60.0
"""The full run gives up on Markdown's first screen after this long."""
QUICK_SLICE = 10_000
QUICK_LARGE_SLICE = 1024 * 1024
LARGE_BYTES = 5 * 1024 * 1024
SIZE = (100, 40)
REPO = Path(__file__).resolve().parents[1]
CONTEXT = ("corpus", "tasks", "JackSmack1971__flash-arbitrage", "docs__tasks__context.md")
_PLAIN_PARAGRAPH = re.compile(r"[A-Z][^*_`\[\]<>|#\\]{60,}")
"""A paragraph line without Markdown syntax, whose words show on screen as written."""


def run(quick: bool) -> list[Result]:
    text, origin = _context()
    with tempfile.TemporaryDirectory(prefix="workbench-bench-") as folder:
        root = Path(folder)
        return asyncio.run(_measure(root, text, origin, quick))


def _context() -> tuple[str, str]:
    """The corpus's context file when this checkout sits beside `shared`, else a similar one."""
    shared = os.environ.get("WORKBENCH_SHARED_DIR")
    path = (Path(shared) if shared else REPO.parent / "shared").joinpath(*CONTEXT)
    if path.is_file():
        return path.read_text(encoding="utf-8"), "the corpus context file"
    return reply(95_000), "a generated file (no ../shared)"


def _bench_app() -> App[None]:
    from textual.app import App, ComposeResult
    from textual.containers import Vertical

    class BenchApp(App[None]):
        def compose(self) -> ComposeResult:
            yield Vertical()

    return BenchApp()


async def _measure(root: Path, text: str, origin: str, quick: bool) -> list[Result]:
    context = root / "context.md"
    context.write_text(text, encoding="utf-8")
    large = root / "large.md"
    large.write_text(text * (LARGE_BYTES // len(text.encode()) + 1), encoding="utf-8")
    rounds = 3 if quick else 7
    lines = f"{len(text.encode()) / 1024:.0f} KB, {text.count(chr(10)):,} lines, {origin}"
    async with _bench_app().run_test(size=SIZE) as pilot:
        return [
            await _first_screen(pilot, context, text, lines, rounds, quick),
            await _scroll(pilot, context, text, 2 if quick else 5),
            await _edit(pilot, root, text, 2 if quick else 5),
            await _large(pilot, large, rounds, quick),
        ]


def _box(pilot: Pilot[None]) -> Vertical:
    """The container that fills the screen, where each side mounts its widget."""
    from textual.containers import Vertical

    return pilot.app.query_one(Vertical)


async def _stage(pilot: Pilot[None]) -> Vertical:
    """The container, emptied."""
    stage = _box(pilot)
    await stage.remove_children()
    await pilot.pause()
    return stage


async def _drawn(pilot: Pilot[None]) -> None:
    """Handle what is pending, then draw the frame now rather than when the timer fires."""
    await pilot._wait_for_screen()
    pilot.app.screen._on_timer_update()


def _screen(pilot: Pilot[None]) -> str:
    return "\n".join(strip.text for strip in pilot.app.screen._compositor.render_strips())


def _words(text: str) -> str:
    return " ".join(text.split())


async def _until(condition: Callable[[], bool], limit: float) -> bool:
    """Poll every millisecond; False if `limit` seconds pass first."""
    deadline = time.perf_counter() + limit
    while not condition():
        if time.perf_counter() > deadline:
            return False
        await asyncio.sleep(0.001)
    return True


def _view(viewer: FileViewer) -> ScrollView:
    """The view on show: rendered Markdown, or the raw text."""
    from workbench.ui.widgets.file_viewer import RawView, RenderedView

    rendered = viewer.query_one(RenderedView)
    return rendered if rendered.display else viewer.query_one(RawView)


def _covers(view: ScrollView) -> bool:
    return view.size.height > 0 and view.virtual_size.height >= view.size.height


async def _open(pilot: Pilot[None], path: Path) -> tuple[float, FileViewer]:
    """Mount a `FileViewer` on `path`; the seconds until its first screen is drawn."""
    from workbench.ui.widgets.file_viewer import FileViewer

    stage = await _stage(pilot)
    started = time.perf_counter()
    viewer = FileViewer(path)
    await stage.mount(viewer)
    if not await _until(lambda: _covers(_view(viewer)), 30):
        raise RuntimeError(f"the file viewer never showed a screen of {path.name}")
    await _drawn(pilot)
    return time.perf_counter() - started, viewer


async def _finished(pilot: Pilot[None], view: ScrollView) -> None:
    """Wait until the view has laid out the whole document (its height stops growing)."""
    height = -1
    while view.virtual_size.height != height:
        height = view.virtual_size.height
        await pilot.pause(0.05)


async def _first_screen(
    pilot: Pilot[None], path: Path, text: str, lines: str, rounds: int, quick: bool
) -> Result:
    from textual.containers import VerticalScroll
    from textual.widgets import Markdown

    heading = _words(text.lstrip().split("\n", 1)[0].lstrip("#"))
    baseline_text = text[:QUICK_SLICE] if quick else text
    limit = MARKDOWN_LIMIT_S

    async def product() -> float:
        elapsed, _ = await _open(pilot, path)
        if heading not in _words(_screen(pilot)):
            raise RuntimeError(f"the file viewer's first screen does not show {heading!r}")
        return elapsed

    async def markdown(source: str) -> float | None:
        stage = await _stage(pilot)
        scroll = VerticalScroll()
        await stage.mount(scroll)
        started = time.perf_counter()
        widget = Markdown(source)
        mounting = scroll.mount(widget)
        shown = await _until(lambda: scroll.virtual_size.height >= scroll.size.height, limit)
        await _drawn(pilot)
        elapsed = time.perf_counter() - started
        if not shown:
            await scroll.remove()
            return None
        if heading not in _words(_screen(pilot)):
            raise RuntimeError(f"Markdown's first screen does not show {heading!r}")
        # The rest of the document, outside the clock, so the next round starts clean.
        await mounting
        async with widget.lock:
            pass
        return elapsed

    await product()
    await markdown(text[:2_000])  # warm-up: imports and CSS
    product_times = [await product() for _ in range(rounds)]
    baseline = await markdown(baseline_text)
    product_s = median(product_times) or 0.0
    if baseline is None:
        side = f"Markdown: > {limit:.0f} s (given up; the ratio is an upper bound)"
        baseline = limit
    elif quick:
        side = f"Markdown on the first {QUICK_SLICE // 1000} KB only (quick; all of it: ~10 s)"
    else:
        side = "Markdown on the whole file"
    notes = (
        f"{rounds} rounds, Markdown 1; {lines}; first screen {_ms(product_s)} "
        f"(goal <= {_ms(FIRST_SCREEN_S)}: {_verdict(product_s, FIRST_SCREEN_S)}); {side}"
    )
    return compared(f"{NAME}[first screen]", GOAL, product_times, [baseline], notes)


async def _only(pilot: Pilot[None], shown: Widget) -> None:
    """Show `shown` alone on the stage; the other widgets there keep their state, hidden."""
    for child in _box(pilot).children:
        child.display = child is shown
    await pilot.pause()


async def _scroll(pilot: Pilot[None], path: Path, text: str, rounds: int) -> Result:
    from textual.widgets import Log

    async def scrolls(view: ScrollView) -> list[float]:
        await _only(pilot, view if isinstance(view, Log) else viewer)
        times = []
        for fraction in (0.25, 0.5, 0.75, 1.0):
            started = time.perf_counter()
            target = round(view.max_scroll_y * fraction)
            view.scroll_to(y=target, animate=False)
            await _drawn(pilot)
            times.append(time.perf_counter() - started)
            if round(view.scroll_y) != target:
                raise RuntimeError(f"{type(view).__name__} did not scroll to {target}")
        view.scroll_to(y=0, animate=False)
        return times

    _, viewer = await _open(pilot, path)
    rendered = _view(viewer)
    await _finished(pilot, rendered)
    log = Log()
    await _box(pilot).mount(log)
    log.write(text, scroll_end=False)
    product_times: list[float] = []
    baseline_times: list[float] = []
    for number in range(rounds + 1):
        gc.collect()
        product = await scrolls(rendered)
        gc.collect()
        baseline = await scrolls(log)
        if number:  # the first round is the untimed warm-up
            product_times += product
            baseline_times += baseline
    worst = max(product_times)
    notes = (
        f"{rounds} rounds of 4 scrolls (25/50/75/100%) of {rendered.virtual_size.height:,} "
        f"rendered lines; worst {_ms(worst)} (goal <= {_ms(SCROLL_S)}: "
        f"{_verdict(worst, SCROLL_S)}); baseline Log holding the same text"
    )
    return compared(f"{NAME}[scroll]", GOAL_SCROLL, product_times, baseline_times, notes)


async def _edit(pilot: Pilot[None], root: Path, text: str, rounds: int) -> Result:
    from textual.containers import VerticalScroll

    from workbench.ui.markdown import MarkdownFlow

    path = root / "edited.md"
    path.write_text(text, encoding="utf-8")
    _, viewer = await _open(pilot, path)
    rendered = _view(viewer)
    await _finished(pilot, rendered)
    paragraph = _middle_paragraph(text)
    await _scroll_until(pilot, rendered, _words(paragraph)[:40], text.index(paragraph) / len(text))
    top = round(rendered.scroll_y)
    edits = 0

    def edit() -> str:
        """Rewrite the paragraph on screen with new first words, as an Edit call would."""
        nonlocal edits
        edits += 1
        marker = f"Edited paragraph number {edits}"
        new = f"{marker}: " + paragraph[len(marker) + 2 :]
        path.write_text(text.replace(paragraph, new, 1), encoding="utf-8")
        return marker

    async def product() -> float:
        await _only(pilot, viewer)
        marker = edit()
        started = time.perf_counter()
        await viewer.reload()
        await _drawn(pilot)
        elapsed = time.perf_counter() - started
        if marker not in _words(_screen(pilot)):
            raise RuntimeError("the file viewer does not show the edited paragraph")
        return elapsed

    async def baseline() -> float:
        marker = edit()
        scroll = VerticalScroll()
        await _box(pilot).mount(scroll)
        await _only(pilot, scroll)
        started = time.perf_counter()
        flow = MarkdownFlow()
        await scroll.mount(flow)
        flow.append(path.read_text(encoding="utf-8"))
        await flow.finish()
        await _drawn(pilot)
        scroll.scroll_to(y=top, animate=False, immediate=True)
        await _drawn(pilot)
        elapsed = time.perf_counter() - started
        if marker not in _words(_screen(pilot)):
            raise RuntimeError("MarkdownFlow does not show the edited paragraph")
        await scroll.remove()
        return elapsed

    product_times, baseline_times = await interleave_async(product, baseline, rounds)
    product_s = median(product_times) or 0.0
    notes = (
        f"{rounds} rounds; one paragraph ({len(paragraph)} characters) in the middle, on "
        f"screen; shown in {_ms(product_s)} (goal <= {_ms(EDIT_S)}: "
        f"{_verdict(product_s, EDIT_S)}); baseline MarkdownFlow drawing the new text afresh"
    )
    return compared(f"{NAME}[edit]", GOAL_EDIT, product_times, baseline_times, notes)


def _middle_paragraph(text: str) -> str:
    """The plain paragraph (no Markdown syntax, so shown as written) nearest the middle."""
    lines = text.split("\n")
    plain = [n for n, line in enumerate(lines) if _PLAIN_PARAGRAPH.fullmatch(line)]
    if not plain:
        raise RuntimeError("the file has no plain paragraph to edit")
    return lines[min(plain, key=lambda n: abs(n - len(lines) // 2))]


async def _scroll_until(pilot: Pilot[None], view: ScrollView, words: str, near: float) -> None:
    """Scroll down half a screen at a time, from a little before the fraction `near` of
    the view, until `words` are on screen."""
    start = max(0, round(view.max_scroll_y * near) - 2 * view.size.height)
    for top in range(start, view.max_scroll_y + view.size.height, view.size.height // 2):
        view.scroll_to(y=top, animate=False)
        await _drawn(pilot)
        if words in _words(_screen(pilot)):
            return
    raise RuntimeError(f"{words!r} is nowhere in the rendered view")


async def _large(pilot: Pilot[None], path: Path, rounds: int, quick: bool) -> Result:
    from textual.widgets import Log

    async def product() -> float:
        elapsed, _ = await _open(pilot, path)
        if "shown as raw text" not in _screen(pilot):
            raise RuntimeError("the 5 MB file did not open as raw text with a notice")
        return elapsed

    async def log(source: Path) -> float:
        stage = await _stage(pilot)
        started = time.perf_counter()
        widget = Log()
        await stage.mount(widget)
        widget.write(source.read_text(encoding="utf-8"), scroll_end=False)
        await _drawn(pilot)
        return time.perf_counter() - started

    def head(size: int) -> Path:
        cut = path.with_name(f"head-{size}.md")
        with path.open("rb") as whole:
            cut.write_bytes(whole.read(size))
        return cut

    await product()
    await log(head(100_000))  # warm-up
    product_times = [await product() for _ in range(rounds)]
    baseline_times = [await log(head(QUICK_LARGE_SLICE) if quick else path)]
    product_s = median(product_times) or 0.0
    size = path.stat().st_size / (1024 * 1024)
    side = "the first 1 MB of it (quick)" if quick else "the same file"
    notes = (
        f"{rounds} rounds, Log 1; {size:.1f} MB opens as raw text; first screen "
        f"{_ms(product_s)} (goal <= {_ms(LARGE_S)}: {_verdict(product_s, LARGE_S)}); "
        f"baseline Log writing {side}"
    )
    return compared(f"{NAME}[5MB]", GOAL_LARGE, product_times, baseline_times, notes)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _verdict(seconds: float, goal: float) -> str:
    return "met" if seconds <= goal else "missed"


BENCHMARK = Benchmark(NAME, GOAL, run)
