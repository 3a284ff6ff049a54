"""Frames that never take more than half of the app's time.

Textual draws a frame as soon as anything changed and the last one is done. When a run
floods the chat (hundreds of tool calls a second), each frame places and paints a screen
that has moved, and back-to-back frames leave the run itself, and the person's keys, with
what is left. A screen with this mixin waits after each frame for as long as that frame
took before drawing the next: quick frames come as often as before (Textual's 60 a second),
slow ones at most half the time, and the last change is always drawn. Only while runs are
going on (`frames_paced`): otherwise a frame waits for nothing, as a keystroke's should.

The screen's frame timer is replaced too. Textual's interval timer, after a tick that came
late (which is every first frame after the screen was idle: the timer waits paused and
ticks when resumed), schedules the next tick two boundaries ahead rather than one, so the
frame that follows a quick one, such as the layout after a new message is mounted, waited
up to two intervals (33 ms) instead of one.
"""

from __future__ import annotations

from time import perf_counter
from typing import TYPE_CHECKING, cast

from textual import _time
from textual.screen import UPDATE_PERIOD, Screen
from textual.timer import EventTargetGone, Timer

if TYPE_CHECKING:
    from workbench.ui.app import WorkbenchApp


class FrameTimer(Timer):
    """Ticks one interval apart, counted from the last tick when that tick came late."""

    async def _run(self) -> None:
        await self._active.wait()
        due = _time.get_time() + self._interval
        ticks = 0
        while True:
            await _time.sleep(max(0.0, due - _time.get_time()))
            await self._active.wait()
            ticks += 1
            now = _time.get_time()
            try:
                await self._tick(next_timer=due, count=ticks)
            except EventTargetGone:
                return
            due = max(due, now) + self._interval


class PacedFrames(Screen[None]):
    _next_frame_at = 0.0
    _frame_pending = False
    _frame_timer: Timer | None = None

    @property
    def _update_timer(self) -> Timer:
        if self._frame_timer is None:
            timer = FrameTimer(
                self,
                UPDATE_PERIOD,
                name="screen_update",
                callback=self._on_timer_update,
                pause=True,
            )
            timer._start()
            self._timers.add(timer)
            self._frame_timer = timer
        return self._frame_timer

    def frames_paced(self) -> bool:
        return cast("WorkbenchApp", self.app).runs_working > 0

    def _on_timer_update(self) -> None:
        if not self.frames_paced():
            super()._on_timer_update()
            return
        wait = self._next_frame_at - perf_counter()
        if wait > 0:
            self._update_timer.pause()
            if not self._frame_pending:
                self._frame_pending = True
                self.set_timer(wait, self._frame_due)
            return
        started = perf_counter()
        super()._on_timer_update()
        finished = perf_counter()
        self._next_frame_at = finished + (finished - started)

    def _frame_due(self) -> None:
        self._frame_pending = False
        self._update_timer.resume()
