"""The editor's TextArea: problem marks in its gutter, and typing that stays quick in long
prompts.

Textual's TextArea has no gutter markers, so `render_line` restyles the gutter of the
row that starts a flagged line after TextArea has drawn (and cached) it: the number and
a mark after it take the colour of the line's worst problem. The marks are a dict
looked up once per drawn row, so neither typing nor scrolling pays for the file's size.

TextArea itself pays for the whole file several times per keystroke, which in the
longest real prompts (140,000 characters) is most of a keystroke's time: it rebuilds the
syntax highlights of every line after each edit and then draws every row in view again,
adds up the height of the wrapped document and joins the whole text once per drawn row,
and encodes every line above an edit, one by one, to find the edit's byte offset. Here the
highlights are built for the lines near the view (and again when the view moves past
them); after a typed edit, only the rows from the edited line down, and those whose
highlights changed, are drawn again, and only the rows of the lines the edit or the
cursor touched are repainted on screen; the height is the length of the row map the wrapped
document keeps anyway; the text is joined once per edit; and the lines above an edit are
encoded in one piece.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.reactive import Reactive, reactive
from textual.strip import Strip
from textual.widgets.text_area import (
    Edit,
    EditResult,
    Location,
    Selection,
    SyntaxAwareDocument,
    WrappedDocument,
)

from workbench.agentfile.spec import Diagnostic, Severity
from workbench.ui.widgets.text_area import UndoSafeTextArea

GLYPHS = {Severity.ERROR: "✖", Severity.WARNING: "▲", Severity.INFO: "●"}
_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
HIGHLIGHT_MARGIN = 200
"""Lines highlighted beyond each edge of the view: scrolling a few screens needs no rebuild."""


class _CountedRows(WrappedDocument):
    @property
    def height(self) -> int:
        return len(self._offset_to_line_info)


class _JoinedOnce(SyntaxAwareDocument):
    """`replace_range` is the one way a document's lines change, so the joined text holds
    until the next call."""

    _joined: str | None = None

    @property
    def text(self) -> str:
        if self._joined is None:
            self._joined = self.newline.join(self._lines)
        return self._joined

    def replace_range(self, start: Location, end: Location, text: str) -> EditResult:
        self._joined = None
        return super().replace_range(start, end, text)

    def _location_to_byte_offset(self, location: Location) -> int:
        row, column = location
        lines = self._lines
        above = len(self.newline.join(lines[:row]).encode()) + len(self.newline) if row else 0
        return above + (len(lines[row][:column].encode()) if row < len(lines) else 0)


def problem_row(diagnostic: Diagnostic) -> int:
    """The row (0-based) a problem is on; one about the whole file (line 0) is on the first."""
    return max(diagnostic.line, 1) - 1


class EditorText(UndoSafeTextArea):
    """The editor's text: a mark in the gutter beside every line with a problem."""

    selection: Reactive[Selection] = reactive(
        Selection(), init=False, always_update=True, repaint=False
    )
    """As TextArea's, but a move of the cursor repaints the rows it leaves and reaches
    (`watch_selection`) instead of every row in view."""

    COMPONENT_CLASSES = {"problem-mark--error", "problem-mark--warning", "problem-mark--info"}
    _highlighted: tuple[int, int] = (0, -1)
    """The first and last line the highlights were built for."""
    _edited_line: int | None = None
    """The first line the edit under way changes; None for changes from elsewhere."""
    _gutter: int = 0
    """The gutter's width when the drawn rows were kept."""
    _changed_lines: tuple[int, int] | None = None
    """The first and last line an edit changed the look of; None after a full repaint."""
    _bracket_drawn: Location | None = None
    """The matching bracket the screen shows highlighted."""

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
        if type(self.document) is SyntaxAwareDocument:
            self.document.__class__ = _JoinedOnce

    def edit(self, edit: Edit) -> EditResult:
        """Repaints the rows of the lines the edit changed; when it adds or removes rows,
        the change of the virtual size repaints the whole view anyway."""
        self._edited_line = edit.top[0]
        result = super().edit(edit)
        changed, self._changed_lines = self._changed_lines, None
        if changed is not None:
            first, last = changed
            self._repaint_lines(first, max(last, result.end_location[0]))
        return result

    def watch_selection(self, previous: Selection, selection: Selection) -> None:
        for start, end in (previous, selection):
            self._repaint_lines(min(start[0], end[0]), max(start[0], end[0]))
        for bracket in (self._bracket_drawn, self._matching_bracket_location):
            if bracket is not None:
                self._repaint_lines(bracket[0], bracket[0])
        self._bracket_drawn = self._matching_bracket_location

    def _repaint_lines(self, first: int, last: int) -> None:
        """Repaint the rows of lines `first` to `last` that are in view."""
        starts = self.wrapped_document._line_index_to_offsets
        if not starts:
            self.refresh()
            return
        last = min(last, len(starts) - 1)
        top, bottom = starts[min(first, last)][0], starts[last][-1]
        view_top = self.scroll_offset.y
        top, bottom = max(top, view_top), min(bottom, view_top + self.size.height - 1)
        if top <= bottom:
            self.refresh_lines(top, bottom - top + 1)

    def _build_highlight_map(self) -> None:
        if self._highlight_near_view():
            self.refresh()

    def _highlight_near_view(self) -> bool:
        """The highlights of the lines near the view, from the syntax tree's nodes there;
        True when every drawn row was forgotten, so the whole view needs repainting.

        After an edit (typing, a paste, a fix), the rows drawn before it are kept down to
        the edited line or the first line whose highlights changed; after anything else
        (undo, a new text, a theme) none are.
        """
        edited, self._edited_line = self._edited_line, None
        highlights = self._highlights
        before = dict(highlights)
        highlights.clear()
        query = self._highlight_query
        if query is None:
            self._line_cache.clear()
            return True
        first, last = self._lines_in_view()
        start, end = self._highlighted
        if not start <= first <= last <= end:
            start, end = max(0, first - HIGHLIGHT_MARGIN), last + HIGHLIGHT_MARGIN
            self._highlighted = (start, end)
            edited = None
        captures = self.document.query_syntax_tree(query, (start, 0), (end + 1, 0))
        for name, nodes in captures.items():
            for node in nodes:
                (top, left), (bottom, right) = node.start_point, node.end_point
                if top == bottom:
                    highlights[top].append((left, right, name))
                    continue
                if top >= start:
                    highlights[top].append((left, None, name))
                for line in range(max(top + 1, start), min(bottom, end + 1)):
                    highlights[line].append((0, None, name))
                if bottom <= end:
                    highlights[bottom].append((0, right, name))
        if edited is None or self.gutter_width != self._gutter:
            self._gutter = self.gutter_width
            self._line_cache.clear()
            return True
        changed = [
            line
            for line in before.keys() | highlights.keys()
            if (before.get(line) or []) != (highlights.get(line) or [])
        ]
        first = min(min(changed, default=edited), edited)
        self._forget_rows_from(first)
        self._changed_lines = (first, max(max(changed, default=edited), edited))
        return False

    def _lines_in_view(self) -> tuple[int, int]:
        info = self.wrapped_document._offset_to_line_info
        if not info:
            return 0, 0
        top = self.scroll_offset.y
        last_row = len(info) - 1
        return info[min(top, last_row)][0], info[min(top + self.size.height, last_row)][0]

    def _forget_rows_from(self, line: int) -> None:
        """Drop the drawn rows from `line` down: those may now read or look different; the
        rows above it have not changed."""
        starts = self.wrapped_document._line_index_to_offsets
        first_row = starts[line][0] if line < len(starts) else len(starts)
        cache = self._line_cache
        drawn = cache.keys()
        # A drawn row's key holds the row's place in the document third, as TextArea makes it.
        for key in [key for key in drawn if key[2] >= first_row]:
            cache.discard(key)

    def render_line(self, y: int) -> Strip:
        # The same row-to-line map TextArea draws from (the public way, offset_to_location,
        # re-divides the line's text on every call).
        info = self.wrapped_document._offset_to_line_info
        row = self.scroll_offset.y + y
        if row >= len(info) or self.placeholder:
            return super().render_line(y)
        line, section = info[row]
        if self._highlight_query is not None:
            start, end = self._highlighted
            if not start <= line <= end:
                self._highlight_near_view()  # the view moved: it is being drawn whole
        key = self._row_key(row, line, section)
        drawn = self._line_cache.get(key)
        if drawn is None:
            drawn = self._marked(super().render_line(y), line, section)
            self._line_cache.set(key, drawn)
        return drawn

    def _row_key(self, row: int, line: int, section: int) -> tuple[object, ...]:
        """What a row's look depends on, as TextArea's own key has it, except that the
        selection and the cursor count only for the lines they are on.

        With soft wrap on, TextArea keys every row by the selection, so each move of the
        cursor (each keystroke) draws every row in view again. The row stays third, where
        `_forget_rows_from` looks for it; the keys live in TextArea's own cache, so
        whatever empties that cache empties them too.
        """
        selection = self.selection
        first, last = sorted((selection.start[0], selection.end[0]))
        on_cursor_line = line == selection.end[0]
        return (
            self.size,
            self.scroll_offset.x,
            row,
            "row",
            selection if first <= line <= last else None,
            self._draw_cursor if on_cursor_line else None,
            self.suggestion if on_cursor_line else None,
            self.theme,
            self._matching_bracket_location,
            self.match_cursor_bracket,
            self.soft_wrap,
            self.show_line_numbers,
            self.read_only,
            self.show_cursor,
            self._marks.get(line) if section == 0 else None,
        )

    def _marked(self, strip: Strip, line: int, section: int) -> Strip:
        """The row with its line's problem mark in the gutter, if it starts a marked line."""
        severity = self._marks.get(line)
        if severity is None or section or not self.show_line_numbers:
            return strip
        width = self.gutter_width
        gutter = strip.crop(0, width)
        base = next(iter(gutter)).style or Style.null()
        mark = self.get_component_rich_style(f"problem-mark--{severity.value}", partial=True)
        number = gutter.text[: width - 2]
        marked = Strip([Segment(number + GLYPHS[severity], base + mark), Segment(" ", base)], width)
        return Strip.join([marked, strip.crop(width)])
