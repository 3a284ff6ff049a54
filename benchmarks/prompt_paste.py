"""Pasting a 200 KB block into the chat's prompt box, until the frame after it is drawn.

One headless app (`run_test`, 160×48) holds two installed screens, shown in turn:

- **Product:** the chat's `PromptBox`, focused and empty.
- **Baseline:** Textual's `TextArea`, configured as the box is (soft wrap, no line
  numbers, the same height rule), receiving the same `Paste` event.

The clock runs from posting the paste to the app, as the terminal driver does, until the
box holds the text and the frame is drawn; the box is emptied outside the clock. The text
is 5,000 lines of 40 characters, the kind of block a person pastes from a log.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from benchmarks.frames import drawn
from benchmarks.pairs import compared, interleave_async
from benchmarks.runner import Benchmark, Result

if TYPE_CHECKING:
    from textual.pilot import Pilot
    from textual.widgets import TextArea

NAME = "prompt_paste"
GOAL = 1.5
SIZE = (160, 48)
LINES = 5000
TIMEOUT_S = 30.0


def run(quick: bool) -> list[Result]:
    return [asyncio.run(_measure(3 if quick else 9))]


def pasted_text() -> str:
    return "\n".join(f"{number:05} " + "x" * 34 for number in range(LINES))


async def _measure(rounds: int) -> Result:
    from textual.app import App
    from textual.screen import Screen
    from textual.widgets import TextArea

    from workbench.ui.widgets.prompt_box import PromptBox

    text = pasted_text()
    app = App[None]()
    async with app.run_test(size=SIZE) as pilot:
        product_screen, baseline_screen = Screen[None](), Screen[None]()
        app.install_screen(product_screen, "product")
        app.install_screen(baseline_screen, "baseline")
        box = PromptBox()
        bare = TextArea(
            soft_wrap=True,
            tab_behavior="focus",
            show_line_numbers=False,
            highlight_cursor_line=False,
        )
        bare.styles.height = "auto"
        bare.styles.max_height = 10
        await app.push_screen("baseline")
        await baseline_screen.mount(bare)
        await app.switch_screen("product")
        await product_screen.mount(box)

        async def product() -> float:
            return await _paste(pilot, "product", box, text)

        async def baseline() -> float:
            return await _paste(pilot, "baseline", bare, text)

        product_times, baseline_times = await interleave_async(product, baseline, rounds)
    notes = (
        f"{rounds} rounds; {len(text):,} characters in {LINES:,} lines; "
        "baseline Textual's TextArea configured as the box"
    )
    return compared(NAME, GOAL, product_times, baseline_times, notes)


async def _paste(pilot: Pilot[None], screen: str, area: TextArea, text: str) -> float:
    from textual import events

    await pilot.app.switch_screen(screen)
    area.clear()
    area.focus()
    await drawn(pilot.app)
    event = events.Paste(text)
    started = time.perf_counter()
    pilot.app.post_message(event)
    while area.document.line_count < LINES:
        if time.perf_counter() - started > TIMEOUT_S:
            raise RuntimeError(f"the paste never reached the {screen} box")
        await asyncio.sleep(0)
    await drawn(pilot.app)
    elapsed = time.perf_counter() - started
    if area.text != text:
        raise RuntimeError(f"the {screen} box does not hold the pasted text")
    return elapsed


BENCHMARK = Benchmark(NAME, GOAL, run)
