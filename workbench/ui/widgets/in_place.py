"""Updating a line of text without laying the screen out again when its height holds.

`Static.update` asks for a new layout every time, because new text may wrap to more or
fewer lines; a layout places every widget of the screen, which in a long chat costs more
than anything else in a frame. A status line or a tool call's summary changes many times a
second and almost never changes height, so it is measured first (as Textual measures it)
and the layout is asked for only when the height differs. Mostly it does not change at all
(a status set after every batch of a stream): then nothing is asked for, since even a
repaint of one line costs the chat a frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.visual import VisualType, visualize
from textual.widget import Widget
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.css.styles import RulesMap


def update_in_place(line: Static, content: VisualType) -> None:
    if _same(line.content, content):
        return
    line.update(content, layout=not height_holds(line, content))


def _same(shown: VisualType, content: VisualType) -> bool:
    """Whether `content` would look exactly as what is shown (Rich's own `Text` equality
    leaves out the base style)."""
    if isinstance(shown, str) and isinstance(content, str):
        return shown == content
    if isinstance(shown, Text) and isinstance(content, Text):
        return _looks(shown) == _looks(content)
    return False


def _looks(text: Text) -> tuple[object, ...]:
    return (text.plain, text.style, text.spans, text.justify, text.overflow, text.no_wrap)


def height_holds(widget: Widget, content: VisualType) -> bool:
    """Whether `content` wraps to the height `widget` has now (never, before it has one)."""
    width, height = widget.content_size
    if not width or not height:
        return False
    # Textual measures a widget with its styles standing in for the rules map.
    rules = cast("RulesMap", widget.styles)
    return visualize(widget, content, markup=False).get_height(rules, width) == height
