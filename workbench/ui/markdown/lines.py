"""Lines of the picture: `Content` padded or cut to an exact width.

Backgrounds (headings, quotes, fences, tables) must reach the edge of their block, so every
such line is made exactly as wide as the block before it is styled.
"""

from __future__ import annotations

from textual.content import Content

EMPTY = Content("")
"""A blank line, and the text of a block that has none."""


def fit(line: Content, width: int) -> Content:
    """Exactly `width` cells: padded with spaces, or cut."""
    length = line.cell_length
    if length < width:
        return line.pad_right(width - length)
    if length > width:
        return line.truncate(width)
    return line
