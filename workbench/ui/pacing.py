"""Frames that never take more than half of the app's time.

Textual draws a frame as soon as anything changed and the last one is done. When a run
floods the chat (hundreds of tool calls a second), each frame places and paints a screen
that has moved, and back-to-back frames leave the run itself, and the person's keys, with
what is left. A screen with this mixin waits after each frame for as long as that frame
took before drawing the next: quick frames come as often as before (Textual's 60 a second),
slow ones at most half the time, and the last change is always drawn. Only while runs are
going on (`frames_paced`): otherwise a frame waits for nothing, as a keystroke's should.
"""

from __future__ import annotations

from time import perf_counter
from typing import TYPE_CHECKING, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from workbench.ui.app import WorkbenchApp


class PacedFrames(Screen[None]):
    _next_frame_at = 0.0
    _frame_pending = False

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
