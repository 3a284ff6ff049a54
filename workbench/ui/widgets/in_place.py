"""Updating a line of text without laying the screen out again when its height holds.

`Static.update` asks for a new layout every time, because new text may wrap to more or
fewer lines; a layout places every widget of the screen, which in a long chat costs more
than anything else in a frame. A status line or a tool call's summary changes many times a
second and almost never changes height, so it is measured first (as Textual measures it)
and the layout is asked for only when the height differs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.visual import VisualType, visualize
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.css.styles import RulesMap


def update_in_place(line: Static, content: VisualType) -> None:
    width, height = line.size
    if not width or not height:
        line.update(content)
        return
    # Textual measures a Static with its styles standing in for the rules map.
    rules = cast("RulesMap", line.styles)
    wrapped = visualize(line, content, markup=False).get_height(rules, width)
    line.update(content, layout=wrapped != height)
