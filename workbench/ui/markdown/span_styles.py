"""Span style names resolved against a widget's CSS, cached until the theme changes."""

from __future__ import annotations

from textual.style import Style
from textual.widget import Widget


class SpanStyles:
    """Component classes (`.name`) or style text such as code colours, as `Style`s.

    Called as `Content.render`'s `parse_style`; `clear` when the widget's styles change.
    """

    def __init__(self, widget: Widget) -> None:
        self._widget = widget
        self._cache: dict[str, Style] = {}

    def clear(self) -> None:
        self._cache.clear()

    def __call__(self, name: str | Style) -> Style:
        if isinstance(name, Style):
            return name
        if (style := self._cache.get(name)) is None:
            if name.startswith("."):
                style = self._widget.get_visual_style(name[1:], partial=True)
            else:
                try:
                    style = Style.parse(name)
                except Exception:
                    style = Style()
            self._cache[name] = style
        return style
