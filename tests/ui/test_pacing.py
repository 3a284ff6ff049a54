"""A slow frame makes the next one wait as long as it took, and the last change is drawn."""

from __future__ import annotations

import time
from itertools import pairwise

from textual.app import App, ComposeResult
from textual.widget import Widget

from tests.support.pilot import until
from workbench.ui.pacing import FrameTimer, PacedFrames

SLOW_S = 0.03


class SlowLine(Widget):
    """A line that takes SLOW_S to paint and notes when each paint began."""

    DEFAULT_CSS = "SlowLine { height: 1; }"

    def __init__(self) -> None:
        super().__init__()
        self.text = "0"
        self.painted: list[tuple[float, str]] = []

    def render(self) -> str:
        self.painted.append((time.perf_counter(), self.text))
        time.sleep(SLOW_S)
        return self.text


class Paced(PacedFrames):
    def frames_paced(self) -> bool:
        return True

    def compose(self) -> ComposeResult:
        yield SlowLine()


class PacedApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(Paced())


async def test_after_a_slow_frame_the_next_waits_as_long_and_the_last_change_shows() -> None:
    app = PacedApp()
    async with app.run_test(size=(40, 5)) as pilot:
        line = app.screen.query_one(SlowLine)
        await until(pilot, lambda: bool(line.painted))
        for number in range(1, 6):
            line.text = str(number)
            line.refresh()
            await pilot.pause(0.005)
        await until(pilot, lambda: line.painted[-1][1] == "5")
        # The first paint belongs to the screen's opening, which Textual draws at once.
        starts = [started for started, text in line.painted if text != "0"]
        gaps = [later - earlier for earlier, later in pairwise(starts)]
        assert min(gaps, default=1.0) >= 2 * SLOW_S


INTERVAL_S = 0.3


async def test_the_frame_after_a_late_one_comes_one_interval_later() -> None:
    """As after an idle spell: a change resumes the paused timer, which ticks at once; a
    change made during that frame (a mount finishing) is drawn an interval later."""
    app = App[None]()
    async with app.run_test(size=(40, 5)) as pilot:
        ticks: list[float] = []

        def frame() -> None:
            ticks.append(time.perf_counter())
            timer.pause()
            if len(ticks) == 2:
                timer.resume()

        timer = FrameTimer(app, INTERVAL_S, callback=frame, pause=True)
        timer._start()
        timer.resume()
        await until(pilot, lambda: len(ticks) == 1)
        await pilot.pause(3.5 * INTERVAL_S)
        timer.resume()
        await until(pilot, lambda: len(ticks) == 3)
        timer.stop()
        assert 0.9 * INTERVAL_S <= ticks[2] - ticks[1] <= 1.25 * INTERVAL_S
