"""A TextArea that marks, in its line-number gutter, each line the lint found a problem on.

Textual's TextArea has no gutter markers, so `render_line` restyles the gutter of the
row that starts a flagged line after TextArea has drawn (and cached) it: the number and
a mark after it take the colour of the line's worst problem. The marks are a dict
looked up once per drawn row, so neither typing nor scrolling pays for the file's size.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widgets import TextArea

from workbench.agentfile.spec import Diagnostic, Severity

GLYPHS = {Severity.ERROR: "✖", Severity.WARNING: "▲", Severity.INFO: "●"}
_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def problem_row(diagnostic: Diagnostic) -> int:
    """The row (0-based) a problem is on; one about the whole file (line 0) is on the first."""
    return max(diagnostic.line, 1) - 1


class ProblemTextArea(TextArea):
    """The editor's text: a mark in the gutter beside every line with a problem."""

    COMPONENT_CLASSES = {"problem-mark--error", "problem-mark--warning", "problem-mark--info"}

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

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if not self._marks or not self.show_line_numbers:
            return strip
        # The same row-to-line map TextArea draws from (the public way, offset_to_location,
        # re-divides the line's text on every call).
        info = self.wrapped_document._offset_to_line_info
        row = self.scroll_offset.y + y
        if row >= len(info):
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
