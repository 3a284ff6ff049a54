"""Agent colors as Rich colors that stay readable in the theme they are drawn in.

Claude Code's eight color names come from the theme (`agent-red`, … in its variables)
when it has them; other names and hex values are taken as written. Either way a color too
close to the theme's background (yellow on a light theme, navy on a dark one) is moved
towards the foreground until it reads.
"""

from __future__ import annotations

from functools import cache

from rich.color import Color, ColorParseError
from rich.color_triplet import ColorTriplet
from textual.color import Color as TextualColor
from textual.color import ColorParseError as TextualColorParseError
from textual.theme import Theme

CLAUDE_COLORS = {
    "red": "#e5534b",
    "blue": "#4c8fe3",
    "green": "#57ab5a",
    "yellow": "#d4a72c",
    "purple": "#a371f7",
    "orange": "#e0823d",
    "pink": "#e36ba4",
    "cyan": "#39c5cf",
}
MIN_CONTRAST = 3.0
"""WCAG's minimum for large or bold text, which is how agent names are drawn."""
DEFAULT_BACKGROUNDS = {True: "#121212", False: "#efefef"}
"""Textual's backgrounds for themes that leave `background` out."""


def agent_color(name: str | None, theme: Theme) -> Color | None:
    """None when the agent has no color or one that is not a color at all."""
    if not name:
        return None
    key = name.strip().lower()
    value = theme.variables.get(f"agent-{key}") if key in CLAUDE_COLORS else None
    background = theme.background or DEFAULT_BACKGROUNDS[theme.dark]
    return _readable(value or CLAUDE_COLORS.get(key, name.strip()), background, theme.dark)


@cache
def _readable(value: str, background: str, dark: bool) -> Color | None:
    color, behind = _triplet(value), _triplet(background)
    if color is None or behind is None:
        return None
    target = ColorTriplet(255, 255, 255) if dark else ColorTriplet(0, 0, 0)
    shown, step = color, 0
    while _contrast(shown, behind) < MIN_CONTRAST and step < 10:
        step += 1
        shown = _blend(color, target, step / 10)
    return Color.from_triplet(shown)


def _triplet(value: str) -> ColorTriplet | None:
    """CSS names, hex and rgb()/hsl() as Textual reads them, then Rich's own names."""
    try:
        r, g, b = TextualColor.parse(value).rgb
        return ColorTriplet(r, g, b)
    except TextualColorParseError:
        pass
    try:
        return Color.parse(value).get_truecolor()
    except ColorParseError:
        return None


def _blend(color: ColorTriplet, target: ColorTriplet, amount: float) -> ColorTriplet:
    return ColorTriplet(*(round(a + (b - a) * amount) for a, b in zip(color, target, strict=True)))


def _luminance(color: ColorTriplet) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(channel) for channel in color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: ColorTriplet, b: ColorTriplet) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
