"""A long Markdown reply streamed into the chat pane, as an agent writes it.

Two measurements, both in a headless app (`run_test`) with the widget in an anchored
`VerticalScroll`, as in the chat pane:

- `chat_stream[100KB]`: a generated ~100 KB reply fed to `MarkdownFlow` as 20,000 deltas at
  full speed (the feeder yields to the event loop after each delta, as a network reader does),
  timed until `finish()` has been drawn, against the same reply appended in one piece and
  finished. The ratio is what streaming costs over rendering the text once; a ticker task
  records the longest the event loop went without running (the worst stall), in the notes.
- `chat_stream[10KB vs Markdown]`: the reply's first ~10 KB fed as deltas to `MarkdownFlow`
  and, as the baseline, to Textual's `Markdown` through `Markdown.get_stream()`; both must
  show the same text at the end.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from benchmarks.pairs import compared, interleave_async
from benchmarks.runner import Benchmark, Result

if TYPE_CHECKING:
    from textual.app import App
    from textual.pilot import Pilot
    from textual.widget import Widget

NAME = "chat_stream"
GOAL = 3.0
"""Streaming in 20,000 pieces may cost at most three one-piece renders."""
GOAL_VERSUS_MARKDOWN = 0.2
STALL_GOAL_S = 0.1
SIZE = (100, 40)
"""The terminal: wide enough that no generated code line folds (Markdown would crop it)."""
_TICK_S = 0.001

_WORDS = tuple(
    " ".join(
        (
            "agent request response handler stream token buffer render layout widget parse",
            "the a of to and in is for with on this that it be as by are from we can should",
            "config schema transcript permission tool result cache retry timeout session",
        )
    ).split(" ")
)
_CODE = {
    "python": [
        "def handle(request: Request) -> Response:",
        '    """Answer one request."""',
        "    if request.body is None:",
        "        return Response(status=400)",
        "    for item in request.items:",
        "        total += item.price * item.count",
        "    return Response(body=json.dumps(total))",
    ],
    "bash": [
        "set -euo pipefail",
        'for file in "$@"; do',
        '  grep -n "TODO" "$file" || true',
        "done",
    ],
    "javascript": [
        "export async function load(url) {",
        "  const response = await fetch(url);",
        "  if (!response.ok) throw new Error(response.statusText);",
        "  return response.json();",
        "}",
    ],
}


def reply(size: int, seed: int = 7) -> str:
    """A deterministic reply of about `size` characters in the mix an agent writes."""
    rng = random.Random(seed)
    parts: list[str] = []
    length = 0
    section = 0
    while length < size:
        section += 1
        block = _section(rng, section)
        parts.append(block)
        length += len(block)
    return "".join(parts)


def _section(rng: random.Random, number: int) -> str:
    out = [f"## {number}. {_sentence(rng, 3, 6).rstrip('.')}\n\n"]
    for _ in range(rng.randint(1, 3)):
        out.append(_paragraph(rng) + "\n\n")
    kind = number % 5
    if kind == 0:
        # The worst case for Textual's Markdown: one long list.
        out.append(_bullets(rng, rng.randint(60, 120)))
    elif kind == 1:
        language = rng.choice(sorted(_CODE))
        lines = [rng.choice(_CODE[language]) for _ in range(rng.randint(6, 30))]
        out.append(f"```{language}\n" + "\n".join(lines) + "\n```\n\n")
    elif kind == 2:
        rows = [
            f"| `{_word(rng)}` | {_sentence(rng, 2, 5)} | {rng.randint(1, 999)} |" for _ in range(8)
        ]
        out.append("| Name | Meaning | Count |\n|---|---|---:|\n" + "\n".join(rows) + "\n\n")
    elif kind == 3:
        count = rng.randint(5, 14)
        out.append("".join(f"{n}. {_sentence(rng, 4, 12)}\n" for n in range(1, count + 1)) + "\n")
    else:
        out.append("> " + _sentence(rng, 8, 20) + "\n> " + _sentence(rng, 5, 12) + "\n\n")
        out.append("### " + _sentence(rng, 2, 4).rstrip(".") + "\n\n" + _paragraph(rng) + "\n\n")
    return "".join(out)


def _bullets(rng: random.Random, count: int) -> str:
    lines = []
    for _ in range(count):
        lines.append(f"- {_sentence(rng, 3, 14)}\n")
        if rng.random() < 0.2:
            lines.append(f"  - {_sentence(rng, 2, 8)}\n")
    return "".join(lines) + "\n"


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng, 6, 18) for _ in range(rng.randint(2, 6)))


def _sentence(rng: random.Random, least: int, most: int) -> str:
    words = [_word(rng) for _ in range(rng.randint(least, most))]
    styled = rng.random()
    if styled < 0.15:
        words[0] = f"**{words[0]}**"
    elif styled < 0.3:
        words[-1] = f"`{words[-1]}()`"
    elif styled < 0.4:
        words[0] = f"*{words[0]}*"
    elif styled < 0.45:
        words[-1] = f"[{words[-1]}](https://example.com/{words[-1]})"
    return " ".join(words).capitalize() + "."


def _word(rng: random.Random) -> str:
    return rng.choice(_WORDS)


def deltas(text: str, count: int, seed: int = 11) -> list[str]:
    """`text` cut into `count` pieces of uneven length, as a model's deltas are."""
    rng = random.Random(seed)
    cuts = sorted(rng.sample(range(1, len(text)), min(count, len(text)) - 1))
    return [text[start:end] for start, end in zip([0, *cuts], [*cuts, len(text)], strict=True)]


def run(quick: bool) -> list[Result]:
    size, count = (25_000, 5_000) if quick else (100_000, 20_000)
    # Markdown takes ~9 s for 10 KB, so the comparison has one timed round (and a warm-up).
    slice_size = 5_000 if quick else 10_000
    text = reply(size)
    return [
        asyncio.run(
            _stream_versus_once(f"{size // 1000}KB", text, deltas(text, count), 1 if quick else 3)
        ),
        asyncio.run(_versus_markdown(f"{slice_size // 1000}KB", _head(text, slice_size), 1)),
    ]


def _head(text: str, size: int) -> str:
    """About `size` characters of `text`, cut at a blank line."""
    cut = text.find("\n\n", size)
    return text if cut < 0 else text[: cut + 2]


async def _ticker(worst: list[float]) -> None:
    """Sleep a millisecond at a time, keeping the longest gap between wake-ups in `worst[0]`."""
    last = time.perf_counter()
    while True:
        await asyncio.sleep(_TICK_S)
        now = time.perf_counter()
        worst[0] = max(worst[0], now - last)
        last = now


async def _timed(
    pilot: Pilot[None], make: Callable[[], Widget], feed: Callable[[Widget], Awaitable[None]]
) -> tuple[float, float, list[str]]:
    """Mount a fresh widget and feed it; return seconds, the worst stall and the text shown."""
    from textual.containers import VerticalScroll

    scroll = pilot.app.query_one(VerticalScroll)
    await scroll.remove_children()
    widget = make()
    await scroll.mount(widget)
    scroll.anchor()
    await pilot.pause()
    worst = [0.0]
    ticker = asyncio.create_task(_ticker(worst))
    started = time.perf_counter()
    await feed(widget)
    # `pause` waits until the process stops using CPU (at most 1 s): the ticker's wake-ups
    # alone could keep it waiting the whole second, whichever side was being timed.
    ticker.cancel()
    await pilot.pause()
    elapsed = time.perf_counter() - started
    return elapsed, worst[0], await _shown(pilot, widget)


async def _shown(pilot: Pilot[None], widget: Widget) -> list[str]:
    """The widget's whole text as the screen draws it, lines right-stripped.

    `MarkdownFlow` renders any of its lines on request; for `Markdown`, a container, the
    terminal is made as tall as the widget and the screen is read, then put back.
    `render_line` rather than `render_lines`: the latter keeps every strip in the widget's
    render cache, which Textual holds on to after the widget is removed (an lru_cache keyed
    by it), and the growing heap would slow the garbage collector in the later runs.
    """
    from workbench.ui.markdown import MarkdownFlow

    if isinstance(widget, MarkdownFlow):
        padding = " " * widget.styles.padding.left
        lines = (widget.render_line(y).text for y in range(widget.size.height))
        return [(padding + line).rstrip() for line in lines]
    await pilot.resize_terminal(SIZE[0], max(SIZE[1], widget.outer_size.height))
    await pilot.pause()
    strips = pilot.app.screen._compositor.render_strips()
    region = widget.region
    rows = strips[region.y : region.bottom]
    await pilot.resize_terminal(*SIZE)
    return [strip.text[region.x : region.right].rstrip() for strip in rows]


def _chat_app() -> App[None]:
    """The headless app: one anchored VerticalScroll, like the chat pane."""
    from textual.app import App, ComposeResult
    from textual.containers import VerticalScroll

    class ChatApp(App[None]):
        # A stable gutter keeps the width the same whether or not the scrollbar shows.
        CSS = "VerticalScroll { scrollbar-gutter: stable; }"

        def compose(self) -> ComposeResult:
            yield VerticalScroll()

    return ChatApp()


async def _stream_versus_once(label: str, text: str, pieces: list[str], rounds: int) -> Result:
    from workbench.ui.markdown import MarkdownFlow

    stalls: list[float] = []
    renders: list[int] = []
    shown: dict[str, list[str]] = {}
    async with _chat_app().run_test(size=SIZE) as pilot:

        async def streamed(widget: Widget) -> None:
            assert isinstance(widget, MarkdownFlow)
            for piece in pieces:
                widget.append(piece)
                await asyncio.sleep(0)
            await widget.finish()

        async def once(widget: Widget) -> None:
            assert isinstance(widget, MarkdownFlow)
            widget.append(text)
            await widget.finish()

        async def product() -> float:
            elapsed, stall, lines = await _timed(pilot, MarkdownFlow, streamed)
            stalls.append(stall)
            renders.append(pilot.app.query_one(MarkdownFlow).render_count)
            shown["streamed"] = lines
            return elapsed

        async def baseline() -> float:
            elapsed, _, lines = await _timed(pilot, MarkdownFlow, once)
            shown["once"] = lines
            return elapsed

        product_times, baseline_times = await interleave_async(product, baseline, rounds)
    if shown["streamed"] != shown["once"]:
        raise RuntimeError("the streamed reply shows differently from the one appended at once")
    worst = max(stalls[1:])  # not the untimed first run, which pays one-time imports
    verdict = "met" if worst < STALL_GOAL_S else "missed"
    notes = (
        f"{rounds} rounds; {len(text) / 1000:.0f} KB in {len(pieces):,} deltas, "
        f"{len(shown['once']):,} lines; worst event-loop stall {worst * 1000:.0f} ms "
        f"(goal < {STALL_GOAL_S * 1000:.0f} ms: {verdict}); {max(renders)} renders"
    )
    return compared(f"{NAME}[{label}]", GOAL, product_times, baseline_times, notes)


async def _versus_markdown(label: str, text: str, rounds: int) -> Result:
    from textual.widgets import Markdown

    from workbench.ui.markdown import MarkdownFlow

    pieces = deltas(text, len(text) // 5)
    shown: dict[str, list[str]] = {}
    stalls: dict[str, list[float]] = {"flow": [], "markdown": []}
    async with _chat_app().run_test(size=SIZE) as pilot:

        async def into_flow(widget: Widget) -> None:
            assert isinstance(widget, MarkdownFlow)
            for piece in pieces:
                widget.append(piece)
                await asyncio.sleep(0)
            await widget.finish()

        async def into_markdown(widget: Widget) -> None:
            assert isinstance(widget, Markdown)
            stream = Markdown.get_stream(widget)
            for piece in pieces:
                await stream.write(piece)
            await stream.stop()

        async def product() -> float:
            elapsed, stall, shown["flow"] = await _timed(pilot, MarkdownFlow, into_flow)
            stalls["flow"].append(stall)
            return elapsed

        async def baseline() -> float:
            elapsed, stall, shown["markdown"] = await _timed(pilot, Markdown, into_markdown)
            stalls["markdown"].append(stall)
            return elapsed

        product_times, baseline_times = await interleave_async(product, baseline, rounds)
    if shown["flow"] != shown["markdown"]:
        raise RuntimeError("MarkdownFlow and Markdown show different text for the same reply")
    flow_stall, markdown_stall = (max(stalls[side][1:]) * 1000 for side in ("flow", "markdown"))
    notes = (
        f"{rounds} rounds; {len(text) / 1000:.1f} KB in {len(pieces):,} deltas, same "
        f"{len(shown['flow'])} lines shown; worst stall {flow_stall:.0f} ms vs "
        f"{markdown_stall:.0f} ms"
    )
    name = f"{NAME}[{label} vs Markdown]"
    return compared(name, GOAL_VERSUS_MARKDOWN, product_times, baseline_times, notes)


BENCHMARK = Benchmark(NAME, GOAL, run)
