"""The editor's TextArea: problem marks in its gutter, and typing that stays quick in long
prompts.

Textual's TextArea has no gutter markers, so `render_line` restyles the gutter of the
row that starts a flagged line after TextArea has drawn (and cached) it: the number and
a mark after it take the colour of the line's worst problem. The marks are a dict
looked up once per drawn row, so neither typing nor scrolling pays for the file's size.

TextArea itself pays for the whole file twice per keystroke, which in the longest real
prompts (140,000 characters) is most of a keystroke's time: it rebuilds the syntax
highlights of every line after each edit, and it adds up the height of the wrapped
document once per drawn row. Here the highlights are built for the lines near the view
(and again when the view moves past them), and the height is the length of the row map
the wrapped document keeps anyway.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.document._wrapped_document import WrappedDocument
from textual.strip import Strip
from textual.widgets import TextArea

from workbench.agentfile.spec import Diagnostic, Severity

GLYPHS = {Severity.ERROR: "✖", Severity.WARNING: "▲", Severity.INFO: "●"}
_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
HIGHLIGHT_MARGIN = 300
"""Lines highlighted beyond each edge of the view: scrolling a few screens needs no rebuild."""


class _CountedRows(WrappedDocument):
    @property
    def height(self) -> int:
        return len(self._offset_to_line_info)


def problem_row(diagnostic: Diagnostic) -> int:
    """The row (0-based) a problem is on; one about the whole file (line 0) is on the first."""
    return max(diagnostic.line, 1) - 1


class EditorText(TextArea):
    """The editor's text: a mark in the gutter beside every line with a problem."""

    COMPONENT_CLASSES = {"problem-mark--error", "problem-mark--warning", "problem-mark--info"}
    _highlighted: tuple[int, int] = (0, -1)
    """The first and last line the highlights were built for."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._marks: dict[int, Severity] = {}
        """The worst severity on each line (0-based) with a problem."""

    def mark_problems(self, diagnostics: Iterable[Diagnostic]) -> None:
        """Mark the lines of `diagnostics`, each with its worst severity."""
        marks: dict[int, Severity] = {}
        for diagnostic in diagnostics:
            row = problem_row(diagnostic)
            known = marks.get(row)
            if known is None or _RANK[diagnostic.severity] < _RANK[known]:
                marks[row] = diagnostic.severity
        if marks != self._marks:
            self._marks = marks
            self.refresh()

    def _set_document(self, text: str, language: str | None) -> None:
        super()._set_document(text, language)
        self.wrapped_document.__class__ = _CountedRows

    def _build_highlight_map(self) -> None:
        """The highlights of the lines near the view, from the syntax tree's nodes there."""
        self._line_cache.clear()
        highlights = self._highlights
        highlights.clear()
        query = self._highlight_query
        if query is None:
            return
        info = self.wrapped_document._offset_to_line_info
        top = self.scroll_offset.y
        first = info[min(top, len(info) - 1)][0] if info else 0
        last = info[min(top + self.size.height, len(info) - 1)][0] if info else 0
        start, end = max(0, first - HIGHLIGHT_MARGIN), last + HIGHLIGHT_MARGIN
        self._highlighted = (start, end)
        captures = self.document.query_syntax_tree(query, (start, 0), (end + 1, 0))
        for name, nodes in captures.items():
            for node in nodes:
                (first_row, first_column), (last_row, last_column) = (
                    node.start_point,
                    node.end_point,
                )
                if first_row == last_row:
                    highlights[first_row].append((first_column, last_column, name))
                    continue
                if first_row >= start:
                    highlights[first_row].append((first_column, None, name))
                for row in range(max(first_row + 1, start), min(last_row, end + 1)):
                    highlights[row].append((0, None, name))
                if last_row <= end:
                    highlights[last_row].append((0, last_column, name))

    def render_line(self, y: int) -> Strip:
        # The same row-to-line map TextArea draws from (the public way, offset_to_location,
        # re-divides the line's text on every call).
        info = self.wrapped_document._offset_to_line_info
        row = self.scroll_offset.y + y
        if row < len(info) and self._highlight_query is not None:
            start, end = self._highlighted
            if not start <= info[row][0] <= end:
                self._build_highlight_map()
        strip = super().render_line(y)
        if not self._marks or not self.show_line_numbers or row >= len(info):
            return strip
        line, section = info[row]
        severity = self._marks.get(line)
        if severity is None or section:
            return strip
        width = self.gutter_width
        gutter = strip.crop(0, width)
        base = next(iter(gutter)).style or Style.null()
        mark = self.get_component_rich_style(f"problem-mark--{severity.value}", partial=True)
        number = gutter.text[: width - 2]
        marked = Strip([Segment(number + GLYPHS[severity], base + mark), Segment(" ", base)], width)
        return Strip.join([marked, strip.crop(width)])
