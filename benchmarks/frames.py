"""Drawing the frame after a keystroke or a paste at once, the same way for both sides.

"Drawn" means: every message pending on the app, the screen and its widgets handled, then
the screen updated now (`Screen._on_timer_update`, what the refresh timer would do a few
milliseconds later), so both sides stop at the same frame.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App

TIMEOUT_S = 30.0


async def drawn(app: App[None]) -> None:
    """Handle what is pending, then draw the frame.

    Not `Pilot._wait_for_screen`: it queues a callback on every widget and waits for them
    all, which on a screen of a hundred widgets (the editor's) costs several milliseconds
    that no keystroke in the running app pays, and the one-widget baseline almost none.
    This waits for the queues to be empty, which is enough when the handlers left to run
    do not await; a handler that awaits (mounting, say) would not be waited for.
    """
    screen = app.screen
    pumps = [app, *screen.walk_children(with_self=True)]
    started = time.perf_counter()
    while any(pump._message_queue.qsize() or pump._next_callbacks for pump in pumps):
        if time.perf_counter() - started > TIMEOUT_S:
            raise RuntimeError("the screen never finished handling its messages")
        await asyncio.sleep(0)
    screen._on_timer_update()
