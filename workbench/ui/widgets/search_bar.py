"""Search in a TextArea: a one-line bar that selects each match as you type.

The bar only moves the text's selection; it never edits the text. Matching ignores case
unless the query has a capital letter, as most editors do ("smart case").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Static, TextArea
from textual.widgets.text_area import Selection

Location = tuple[int, int]


@dataclass(frozen=True)
class Match:
    start: Location
    end: Location
    wrapped: bool
    """The search went past the end (or, backwards, the start) of the text to find it."""


def pattern(query: str) -> re.Pattern[str]:
    """The query as literal text, ignoring case unless it has a capital."""
    flags = 0 if any(character.isupper() for character in query) else re.IGNORECASE
    return re.compile(re.escape(query), flags)


def find(
    lines: Sequence[str], query: str, start: Location, *, backward: bool = False
) -> Match | None:
    """The first match at or after `start`, or (backward) the last one before it, wrapping.

    A query is one line (the bar has no newlines), so each line is searched on its own.
    """
    if not query or not lines:
        return None
    found = pattern(query)
    matches = (
        (row, match.start(), match.end())
        for row, line in enumerate(lines)
        for match in found.finditer(line)
    )
    first: tuple[int, int, int] | None = None
    last_before: tuple[int, int, int] | None = None
    last: tuple[int, int, int] | None = None
    for match in matches:
        if first is None:
            first = match
        if match[:2] < start:
            last_before = match
        elif not backward:
            return Match((match[0], match[1]), (match[0], match[2]), wrapped=False)
        last = match
    if backward:
        chosen, wrapped = (last_before, False) if last_before is not None else (last, True)
    else:
        chosen, wrapped = first, True
    if chosen is None:
        return None
    return Match((chosen[0], chosen[1]), (chosen[0], chosen[2]), wrapped)


class SearchInput(Input):
    BINDINGS = [
        Binding("shift+enter,up", "step(True)", "Previous", id="search.previous"),
        Binding("down", "step(False)", "Next", id="search.next", show=False),
    ]

    def action_step(self, backward: bool) -> None:
        bar = self.parent
        if isinstance(bar, SearchBar):
            bar.step(backward=backward)


class SearchBar(Horizontal):
    """Hidden until `open()`; `close()` hands the focus back to the text, match selected."""

    DEFAULT_CSS = """
    SearchBar {
        display: none;
        height: 1;
        background: $boost;
    }
    SearchBar.-open {
        display: block;
    }
    SearchBar > Input, SearchBar > Input:focus {
        width: 1fr;
        height: 1;
        border: none;
        padding: 0 1;
    }
    SearchBar > Static {
        width: auto;
        padding: 0 1;
        color: $text-muted;
    }
    """

    def __init__(self, target: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._target = target
        self._anchor: Location = (0, 0)
        """Where typing searches from: the selection when the bar opened, then each match."""
        self._note = ""

    def compose(self) -> ComposeResult:
        yield SearchInput(placeholder="search (enter: next, shift+enter or ↑: previous)")
        yield Static("", classes="search-note", markup=False)

    @property
    def area(self) -> TextArea:
        return self.screen.query_one(self._target, TextArea)

    @property
    def input(self) -> SearchInput:
        return self.query_one(SearchInput)

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    @property
    def note(self) -> str:
        """ "wrapped", "no match" or nothing, as shown beside the query."""
        return self._note

    def open(self) -> None:
        """Show the bar with its last query selected, searching from the selection."""
        self._anchor = self.area.selection.start
        self.add_class("-open")
        self._show_note("")
        self.input.focus()
        self.input.select_all()

    def close(self) -> None:
        self.remove_class("-open")
        self.area.focus()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self._go(find(self.area.document.lines, event.value, self._anchor))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.step(backward=False)

    def step(self, *, backward: bool) -> None:
        """The next match after the selection, or the previous one before it."""
        selection = self.area.selection
        start = min(selection) if backward else max(selection)
        self._go(find(self.area.document.lines, self.input.value, start, backward=backward))

    def _go(self, match: Match | None) -> None:
        area = self.area
        if match is None:
            self._show_note("no match" if self.input.value else "")
            return
        self._anchor = match.start
        area.selection = Selection(match.start, match.end)
        area.scroll_cursor_visible(center=True)
        self._show_note("wrapped" if match.wrapped else "")

    def _show_note(self, note: str) -> None:
        self._note = note
        self.query_one(".search-note", Static).update(note)
