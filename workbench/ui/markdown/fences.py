"""Code fences: cut into segments of lines, each highlighted on its own.

Segments depend on the code alone, so a fence settled segment by segment while it was written
looks the same as one given whole (a string spanning two segments may be coloured differently
than if highlighted whole; only in fences that long), and a long fence is never highlighted
again from its start.
"""

from __future__ import annotations

from textual.content import Content
from textual.highlight import (
    ANSIDarkHighlightTheme,
    ANSILightHighlightTheme,
    HighlightTheme,
    highlight,
)

from workbench.ui.markdown import styles
from workbench.ui.markdown.document import FencePart
from workbench.ui.markdown.lines import EMPTY, fit

FENCE_SEGMENT = 64
"""Lines of code highlighted together. A fence being written settles a segment at a time."""


def segments(code: str) -> tuple[str, ...]:
    """Code cut into segments of `FENCE_SEGMENT` lines."""
    lines = code.split("\n")
    return tuple(
        "\n".join(lines[start : start + FENCE_SEGMENT])
        for start in range(0, len(lines), FENCE_SEGMENT)
    )


def fence_lines(part: FencePart, width: int, *, ansi: bool, dark: bool) -> list[Content]:
    """The part's code, with the fence's padding above or below it if it has that end."""
    padding = fit(EMPTY, width).stylize_before(styles.FENCE)
    lines = [padding] if part.first else []
    for segment in part.segments:
        lines.extend(_segment_lines(segment, part.language, width, ansi=ansi, dark=dark))
    if part.last:
        lines.append(padding)
    return lines


def _segment_lines(
    code: str, language: str, width: int, *, ansi: bool, dark: bool
) -> list[Content]:
    theme = HighlightTheme
    if ansi:
        theme = ANSIDarkHighlightTheme if dark else ANSILightHighlightTheme
    # Tabs are expanded first: Pygments expands them in its tokens, so spans computed
    # from the tokens would drift from text that still held them.
    content = highlight(code.expandtabs(8), language=language or "text", theme=theme)
    pad = 0 if ansi else 2
    code_width = max(width - 2 * pad, 2)
    margin = Content(" " * pad)
    rows = content.split("\n", allow_blank=True)
    # `highlight` drops a last empty line, which a segment may well end with.
    rows.extend([EMPTY] * (code.count("\n") + 1 - len(rows)))
    lines: list[Content] = []
    for row in rows:
        folded = row.fold(code_width) if row.cell_length > code_width else [row]
        lines.extend(fit(margin + part, width).stylize_before(styles.FENCE) for part in folded)
    return lines
