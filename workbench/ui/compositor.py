"""Textual's compositor, without a second layout of the whole screen after each reflow.

`Compositor.reflow` places every widget, visible or not, and keeps the result as its full
map, but it leaves set the flag that says the full map is out of date whenever that flag
was set before, which happens on any frame that brings a new widget. The first look-up of
a widget the visible map lacks then places every widget again. A scroll bar that is
refreshed makes such a look-up, and the chat's files list has one on most frames: in a
chat of hundreds of blocks, that second pass was a third of each frame's cost. The editor
made one on most keystrokes.
"""

from __future__ import annotations

from textual._compositor import Compositor, ReflowResult
from textual.geometry import Size
from textual.widget import Widget


class FreshMapCompositor(Compositor):
    def reflow(self, parent: Widget, size: Size) -> ReflowResult:
        result = super().reflow(parent, size)
        self._full_map_invalidated = False
        return result
