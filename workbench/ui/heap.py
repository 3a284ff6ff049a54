"""Keeping the garbage collector's full passes short.

A full collection walks every object the collector tracks, and a running workbench holds
hundreds of thousands of them (Textual's widgets, styles and caches, the roster, the
chat): each full pass then stops the screen for a few hundred milliseconds, at moments no
one chooses, mid-keystroke or mid-stream. Almost all of those objects are made at start
and live as long as the app, so once the first screen is up they are moved out of the
collector's sight (`gc.freeze`); later passes walk only what came after. When the app
closes they are handed back (`gc.unfreeze`), so a process that runs apps one after another
(tests, benchmarks) can free them.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect what start-up left behind, then freeze everything still alive."""
    gc.collect()
    gc.freeze()


def release() -> None:
    """Let the collector see the frozen objects again, for it to free those now dead."""
    gc.unfreeze()
