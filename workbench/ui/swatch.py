"""Agent colors as Rich colors: Claude Code's eight names, other names, and hex."""

from __future__ import annotations

from functools import cache

from rich.color import Color, ColorParseError

_CLAUDE = {
    "red": "#e5534b",
    "blue": "#4c8fe3",
    "green": "#57ab5a",
    "yellow": "#d4a72c",
    "purple": "#a371f7",
    "orange": "#e0823d",
    "pink": "#e36ba4",
    "cyan": "#39c5cf",
}


@cache
def agent_color(name: str | None) -> Color | None:
    """None when the agent has no color or one that is not a color at all."""
    if not name:
        return None
    value = _CLAUDE.get(name.lower(), name)
    try:
        return Color.parse(value)
    except ColorParseError:
        return None
