"""Keeping the garbage collector's full passes out of the way of the screen.

A full collection walks every object the collector tracks, and a running workbench holds
hundreds of thousands of them (Textual's widgets, styles and caches, the roster, the
chat): each full pass stops the screen for 100 to 700 milliseconds, at moments no one
chooses, mid-keystroke or mid-stream. Two habits keep them away:

- Almost everything alive once the first screen is up lives as long as the app: the
  command line starts the app with collection off, and once that screen is up what
  start-up left behind is collected and the rest moved out of the collector's sight
  (`gc.freeze`); later passes walk only what came after. When the app closes it is
  handed back (`gc.unfreeze`), so a process that runs apps one after another (tests,
  benchmarks) can free it.
- While a run streams, the young generations are still collected (most garbage dies
  young) but full passes wait; the one they owe is made a moment after the last run ends,
  while the person reads what it wrote.
"""

from __future__ import annotations

import gc

FULL_PASSES_HELD = 1_000_000
"""A third-generation threshold no run reaches: full passes only when asked for."""
COLLECT_AFTER_S = 2.0
"""How long after the last run ends the held full pass is made, unless a run started."""


class Heap:
    """The app's collection policy; one per app."""

    def __init__(self) -> None:
        self._runs = 0
        self._thresholds = gc.get_threshold()

    def settle(self) -> None:
        """Collect what start-up left behind, freeze everything still alive, and collect as
        usual from now on."""
        gc.collect()
        gc.freeze()
        gc.enable()

    @property
    def runs(self) -> int:
        """Runs going on: full passes wait while there are any."""
        return self._runs

    def run_started(self) -> None:
        self._runs += 1
        if self._runs == 1:
            young, middle, _ = self._thresholds
            gc.set_threshold(young, middle, FULL_PASSES_HELD)

    def run_ended(self) -> bool:
        """Whether that was the last run: then the held full pass is due (`collect_idle`
        after `COLLECT_AFTER_S`). Until then full passes stay held: let go now, the first
        young collection would make the pass at once, in the middle of the run's last
        frames."""
        self._runs = max(0, self._runs - 1)
        return not self._runs

    def collect_idle(self) -> None:
        if not self._runs:
            gc.collect()
            gc.set_threshold(*self._thresholds)

    def release(self) -> None:
        """The app is closing: ordinary collection again, and the frozen objects back in
        sight for the collector to free those now dead."""
        self._runs = 0
        gc.set_threshold(*self._thresholds)
        gc.unfreeze()
        gc.enable()
