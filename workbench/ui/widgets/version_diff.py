"""Two versions of a file compared, side by side on a wide terminal and unified otherwise.

A line widget: only the rows on screen are drawn, so a whole file of thousands of lines
scrolls as smoothly as a short one. Comparing runs in a thread because `SequenceMatcher`
takes about 150 ms on 5,000 lines with scattered edits, and seconds on files full of
repeated lines.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, zip_longest
from typing import Literal

from rich.style import Style
from rich.text import Text
from textual import events, on, work
from textual.binding import Binding
from textual.cache import LRUCache
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from workbench.safe_text import printable

Mode = Literal["auto", "split", "unified"]
MODES: tuple[Mode, ...] = ("auto", "split", "unified")
SPLIT_MIN_WIDTH = 140
"""`auto` shows two columns from this width: below it each column is too narrow to read."""
FOLD_LONGER_THAN = 8
CONTEXT = 3
"""Unchanged lines kept on each side of a change when a long unchanged run is folded."""
LEAD_ROWS = 2
"""Rows left above a change jumped to, so it is seen in its place rather than on the edge."""
SIMILAR_ENOUGH = 0.5
"""Paired lines less alike than this get no word emphasis: marking most of a line says nothing."""
MAX_EMPHASIS_CHARS = 2_000
"""Longer lines (minified JSON, say) skip word emphasis, which is quadratic in their length."""
TAB_SIZE = 4
COMPARING_DELAY_S = 0.1
""""Comparing…" appears only if the result takes longer than this, so small diffs never flash it."""

_TOKEN = re.compile(r"\w+|\s+|.")
Opcode = tuple[str, int, int, int, int]
Spans = tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class Line:
    """A row showing an old line, a new line, or (side by side) one of each."""

    old: int | None
    new: int | None
    changed: bool


@dataclass(frozen=True, slots=True)
class Fold:
    """Unchanged lines left out of view."""

    hidden: int


@dataclass(frozen=True, slots=True)
class Note:
    text: str


Row = Line | Fold | Note


@dataclass(frozen=True)
class Comparison:
    """What changed between two versions, independent of how it is laid out."""

    old: Sequence[str]
    new: Sequence[str]
    opcodes: Sequence[Opcode]
    pairs: Mapping[int, int]
    """Old line → the new line that replaced it, for word emphasis."""
    paired: Mapping[int, int]
    """The same pairs from the new side: new line → the old line it replaced."""
    notes: Sequence[str]
    added: int
    removed: int


@dataclass(frozen=True)
class Layout:
    """The rows of one view (split or unified, folded or not)."""

    rows: Sequence[Row]
    changes: Sequence[int]
    """The row where each change starts, for jumping between them."""
    ranks: Sequence[int]
    """File lines (old plus new) before each row: the same place in another layout."""


def file_lines(text: str | None) -> list[str]:
    """Lines as an editor numbers them: split on newlines only, a CR before one dropped."""
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def compare(before: str | None, after: str | None) -> Comparison:
    old, new = file_lines(before), file_lines(after)
    opcodes = _opcodes(old, new)
    pairs: dict[int, int] = {}
    added = removed = 0
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "replace":
            pairs.update(zip(range(i1, i2), range(j1, j2), strict=False))
        if tag != "equal":
            removed += i2 - i1
            added += j2 - j1
    notes: list[str] = []
    if before == after:
        notes.append("These versions are identical.")
    elif not added and not removed:
        notes.append("These versions differ only in line endings or the final newline.")
    if before is None and after is not None:
        notes.append("The file did not exist before: every line is added.")
    if after is None and before is not None:
        notes.append("The file no longer exists: every line is removed.")
    paired = {j: i for i, j in pairs.items()}
    return Comparison(old, new, opcodes, pairs, paired, notes, added, removed)


def _opcodes(old: list[str], new: list[str]) -> list[Opcode]:
    """`SequenceMatcher` opcodes, with the common start and end set aside first.

    Most agent edits touch one region of a file; trimming makes those instant (2 ms rather
    than 60 ms on 5,000 lines). Like git, a common start or end is always matched as such.
    """
    shorter = min(len(old), len(new))
    prefix = next((k for k in range(shorter) if old[k] != new[k]), shorter)
    rest = shorter - prefix
    suffix = next((k for k in range(rest) if old[-1 - k] != new[-1 - k]), rest)
    middle = difflib.SequenceMatcher(
        None, old[prefix : len(old) - suffix], new[prefix : len(new) - suffix], autojunk=False
    )
    opcodes: list[Opcode] = [("equal", 0, prefix, 0, prefix)] if prefix else []
    opcodes += [
        (tag, i1 + prefix, i2 + prefix, j1 + prefix, j2 + prefix)
        for tag, i1, i2, j1, j2 in middle.get_opcodes()
    ]
    if suffix:
        opcodes.append(("equal", len(old) - suffix, len(old), len(new) - suffix, len(new)))
    return opcodes


def layout(comparison: Comparison, *, split: bool, fold: bool) -> Layout:
    """Rows for one view: side by side pairs replaced lines, unified lists old then new."""
    rows: list[Row] = []
    weights: list[int] = []
    changes: list[int] = []

    def add(row: Row, weight: int) -> None:
        rows.append(row)
        weights.append(weight)

    for note in comparison.notes:
        add(Note(note), 0)
    opcodes = comparison.opcodes
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag != "equal":
            changes.append(len(rows))
            if split:
                for i, j in zip_longest(range(i1, i2), range(j1, j2)):
                    add(Line(i, j, True), (i is not None) + (j is not None))
            else:
                for i in range(i1, i2):
                    add(Line(i, None, True), 1)
                for j in range(j1, j2):
                    add(Line(None, j, True), 1)
            continue
        before = CONTEXT if index > 0 else 0
        after = CONTEXT if index < len(opcodes) - 1 else 0
        hidden = i2 - i1 - before - after
        if not fold or i2 - i1 <= FOLD_LONGER_THAN or hidden <= 0:
            before, hidden, after = i2 - i1, 0, 0
        for k in range(before):
            add(Line(i1 + k, j1 + k, False), 2)
        if hidden:
            add(Fold(hidden), 2 * hidden)
        for k in range(after):
            add(Line(i2 - after + k, j2 - after + k, False), 2)
    ranks = list(accumulate(weights, initial=0))[:-1]
    return Layout(rows, changes, ranks)


def changed_spans(old: str, new: str) -> tuple[Spans, Spans]:
    """Where two paired lines differ, word by word, as character spans of each."""
    if max(len(old), len(new)) > MAX_EMPHASIS_CHARS:
        return (), ()
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.ratio() < SIMILAR_ENOUGH:
        return (), ()
    starts_a = list(accumulate(map(len, a), initial=0))
    starts_b = list(accumulate(map(len, b), initial=0))
    spans_a: list[tuple[int, int]] = []
    spans_b: list[tuple[int, int]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if i2 > i1:
            spans_a.append((starts_a[i1], starts_a[i2]))
        if j2 > j1:
            spans_b.append((starts_b[j1], starts_b[j2]))
    return tuple(spans_a), tuple(spans_b)


def shown(line: str) -> str:
    """A file line as drawn: control characters made visible, tabs expanded."""
    return printable(line).expandtabs(TAB_SIZE)


class VersionDiff(ScrollView, can_focus=True):
    """Two versions of a file compared; None for a version means the file did not exist.

    `before` and `after` keep the texts as given. `mode` is `auto` (split from
    `SPLIT_MIN_WIDTH` columns), `split` or `unified`; `folded` hides long unchanged runs.
    Both may be set by the owner at any time.
    """

    COMPONENT_CLASSES = {
        "version-diff--number",
        "version-diff--removed",
        "version-diff--removed-number",
        "version-diff--removed-word",
        "version-diff--added",
        "version-diff--added-number",
        "version-diff--added-word",
        "version-diff--empty",
        "version-diff--fold",
        "version-diff--note",
    }

    DEFAULT_CSS = """
    VersionDiff {
        height: 1fr;
        background: $surface;
        border: round $foreground 25%;
        border-title-color: $text;
        overflow-x: hidden;
        &:focus { border: round $primary; }
        & > .version-diff--number { color: $text-muted; }
        & > .version-diff--removed { background: $error 15%; }
        & > .version-diff--removed-number { color: $text-error; background: $error 25%; }
        & > .version-diff--removed-word { background: $error 40%; }
        & > .version-diff--added { background: $success 15%; }
        & > .version-diff--added-number { color: $text-success; background: $success 25%; }
        & > .version-diff--added-word { background: $success 40%; }
        & > .version-diff--empty { background: $foreground 4%; }
        & > .version-diff--fold { color: $text-muted; background: $primary 10%; }
        & > .version-diff--note { color: $text-warning; text-style: italic; }
        &:ansi {
            & > .version-diff--removed { color: ansi_red; background: ansi_default; }
            & > .version-diff--removed-number { color: ansi_red; background: ansi_default; }
            & > .version-diff--removed-word {
                color: ansi_red;
                background: ansi_default;
                text-style: reverse;
            }
            & > .version-diff--added { color: ansi_green; background: ansi_default; }
            & > .version-diff--added-number { color: ansi_green; background: ansi_default; }
            & > .version-diff--added-word {
                color: ansi_green;
                background: ansi_default;
                text-style: reverse;
            }
            & > .version-diff--empty { background: ansi_default; }
            & > .version-diff--fold { background: ansi_default; text-style: dim; }
        }
    }
    """

    BINDINGS = [
        Binding("s", "cycle_mode", "Split/unified", id="diff.split"),
        Binding("f", "toggle_fold", "Fold", id="diff.fold"),
        Binding("n", "jump(1)", "Next change", id="diff.next"),
        Binding("p", "jump(-1)", "Previous change", id="diff.previous"),
    ]

    mode: var[Mode] = var[Mode]("auto", init=False)
    folded: var[bool] = var(True, init=False)

    class Compared(Message, bubble=False):
        """The thread's result, handed to the widget on the event loop."""

        def __init__(self, comparison: Comparison) -> None:
            super().__init__()
            self.comparison = comparison

    def __init__(
        self,
        before: str | None,
        after: str | None,
        *,
        before_label: str,
        after_label: str,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.before = before
        self.after = after
        self._labels = (printable(before_label), printable(after_label))
        self._comparison: Comparison | None = None
        self._layout = Layout((), (), ())
        self._split = False
        self._change: int | None = None
        """Index in `changes` of the change last jumped to: `n` goes on from it while seen."""
        self._strips: LRUCache[tuple[int, int], Strip] = LRUCache(1024)
        self._spans: LRUCache[int, tuple[Spans, Spans]] = LRUCache(1024)

    def on_mount(self) -> None:
        self._show_title()
        self._compare()
        self.set_timer(COMPARING_DELAY_S, self._show_comparing)

    @work(thread=True)
    def _compare(self) -> None:
        self.post_message(self.Compared(compare(self.before, self.after)))

    @on(Compared)
    def _compared(self, message: Compared) -> None:
        self._comparison = message.comparison
        self._relayout()

    def _show_comparing(self) -> None:
        if self._comparison is None:
            self._set_layout(Layout((Note("Comparing…"),), (), (0,)))

    def on_resize(self, event: events.Resize) -> None:
        if self._comparison is not None and self._wants_split() != self._split:
            self._relayout()

    def watch_mode(self) -> None:
        self._relayout()

    def watch_folded(self) -> None:
        self._relayout()

    def action_cycle_mode(self) -> None:
        self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]

    def action_toggle_fold(self) -> None:
        self.folded = not self.folded

    def action_jump(self, step: int) -> None:
        """To the next or previous change; from the change last jumped to while it is seen."""
        changes = self._layout.changes
        top = round(self.scroll_y)
        if self._change is not None and top <= changes[self._change] < top + self.size.height:
            target = self._change + step
        else:
            target = bisect_left(changes, top) - (step < 0)
        if not 0 <= target < len(changes):
            self.app.bell()
            return
        self._change = target
        self.scroll_to(y=max(0, changes[target] - LEAD_ROWS), animate=False)

    def _wants_split(self) -> bool:
        return self.mode == "split" or (
            self.mode == "auto" and self.outer_size.width >= SPLIT_MIN_WIDTH
        )

    def _relayout(self) -> None:
        """Lay the rows out again, keeping the row at the top in its place."""
        if self._comparison is None:
            return
        ranks = self._layout.ranks
        top = round(self.scroll_y)
        rank = ranks[top] if top < len(ranks) else 0
        self._split = self._wants_split()
        self._set_layout(layout(self._comparison, split=self._split, fold=self.folded))
        self.scroll_to(y=bisect_left(self._layout.ranks, rank), animate=False)

    def _set_layout(self, new: Layout) -> None:
        self._layout = new
        self._change = None
        self._strips.clear()
        self.virtual_size = Size(0, len(new.rows))
        self._show_title()
        self.refresh()

    def _show_title(self) -> None:
        before, after = self._labels
        parts: list[str | tuple[str, str]] = [(before, "bold"), " → ", (after, "bold")]
        if (comparison := self._comparison) is not None:
            parts += ["  ", (f"+{comparison.added}", "$text-success")]
            parts += [" ", (f"−{comparison.removed}", "$text-error")]
            view = "split" if self._split else "unified"
            parts += ["  ", (f"{view} (auto)" if self.mode == "auto" else view, "dim")]
        self.border_title = Content.assemble(*parts)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        rows = self._layout.rows
        if index >= len(rows):
            return Strip.blank(width, self.rich_style)
        strip = self._strips.get((index, width))
        if strip is None:
            segments = self._render_row(rows[index], width).render(self.app.console)
            strip = Strip(segments).adjust_cell_length(width, self.rich_style)
            self._strips[index, width] = strip
        return strip

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"version-diff--{name}")

    def _render_row(self, row: Row, width: int) -> Text:
        if isinstance(row, Note):
            return _cut(Text(f" {row.text}", style=self._style("note")), width)
        digits = self._digits()
        if isinstance(row, Fold):
            gutter = " " * (digits + 2 if self._split else 2 * digits + 3)
            label = f"{gutter}⋯ {row.hidden:,} unchanged lines"
            return _cut(Text(label, style=self._style("fold")), width)
        if not self._split:
            numbers = f" {_number(row.old, digits)} {_number(row.new, digits)} "
            side: Literal["old", "new"] = "new" if row.old is None else "old"
            return self._cell(side, row, numbers, width)
        left = (width - 1) // 2
        return Text.assemble(
            self._half("old", row, digits, left),
            Text("│", style=self._style("number")),
            self._half("new", row, digits, width - 1 - left),
        )

    def _digits(self) -> int:
        assert self._comparison is not None
        return len(str(max(len(self._comparison.old), len(self._comparison.new), 1)))

    def _half(self, side: Literal["old", "new"], row: Line, digits: int, width: int) -> Text:
        index = row.old if side == "old" else row.new
        if index is None:
            return Text(" " * width, style=self._style("empty"))
        return self._cell(side, row, f" {index + 1:>{digits}} ", width)

    def _cell(self, side: Literal["old", "new"], row: Line, numbers: str, width: int) -> Text:
        """A file line with its numbers and marker, coloured for its change, cut to `width`."""
        assert self._comparison is not None
        index = row.old if side == "old" else row.new
        assert index is not None
        line = shown((self._comparison.old if side == "old" else self._comparison.new)[index])
        if not row.changed:
            body = Text(f"  {line}", style=self.rich_style)
            number_style = self._style("number")
        else:
            kind = "removed" if side == "old" else "added"
            body = Text(f"{'-' if side == 'old' else '+'} {line}", style=self._style(kind))
            for start, end in self._emphasis(side, index):
                body.stylize(self._style(f"{kind}-word"), start + 2, end + 2)
            number_style = self._style(f"{kind}-number")
        return Text.assemble(Text(numbers, style=number_style), _cut(body, width - len(numbers)))

    def _emphasis(self, side: Literal["old", "new"], index: int) -> Spans:
        assert self._comparison is not None
        pairs = self._comparison.pairs
        old_index = index if side == "old" else self._comparison.paired.get(index)
        if old_index is None or old_index not in pairs:
            return ()
        spans = self._spans.get(old_index)
        if spans is None:
            old = shown(self._comparison.old[old_index])
            new = shown(self._comparison.new[pairs[old_index]])
            spans = self._spans[old_index] = changed_spans(old, new)
        return spans[0] if side == "old" else spans[1]


def _number(index: int | None, digits: int) -> str:
    return " " * digits if index is None else f"{index + 1:>{digits}}"


def _cut(text: Text, width: int) -> Text:
    """Exactly `width` cells: long lines end in `…`, never wrap; short ones are padded out.

    Returned assembled, its style held as a span: `Text.render` ignores the style of a
    text that has no spans.
    """
    text.truncate(max(width, 0), overflow="ellipsis", pad=True)
    return Text.assemble(text)
