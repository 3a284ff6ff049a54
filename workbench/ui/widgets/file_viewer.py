"""One workspace file, shown live as agents change it: Markdown rendered, anything else raw.

An agent edits a context file many times a minute while someone reads it, so a change must
not rebuild the view. `MarkdownFlow` is made for text that only grows; a file changes
anywhere. So the Markdown is cut into blocks where CommonMark always starts a new top-level
block (a heading, or a line at the margin after a blank line, outside fences and raw HTML),
and each block goes through MarkdownFlow's own stages (`Settler`, then `Layout`, with the
margin after the block above it), which draws the same picture MarkdownFlow draws for the
whole text. A block whose text did not change keeps its units and lines, so an edit costs
one block. Both views draw only the lines on screen, keep the reader's place across
changes, and tint what changed for a moment.

Every string from the file is made `printable` before it is drawn (the Markdown stages do
this themselves).
"""

from __future__ import annotations

import asyncio
import bisect
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from time import monotonic, perf_counter

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.content import Content
from textual.events import Resize
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

from workbench.safe_text import printable
from workbench.sizes import human_size
from workbench.ui.markdown import MarkdownFlow, styles
from workbench.ui.markdown.layout import Layout
from workbench.ui.markdown.lines import EMPTY, fit
from workbench.ui.markdown.settler import Settler
from workbench.ui.markdown.span_styles import SpanStyles
from workbench.ui.markdown.units import Unit
from workbench.watch.content import RENDER_LIMIT, FileContent, Kind, read_content

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
CHANGED_SECONDS = 2.0
"""How long changed lines stay tinted."""
RELOAD_GAP = 0.05
"""Seconds between two reloads: a file rewritten 100 times a second is shown 20 times."""
STEP_BUDGET = 0.02
"""Seconds of Markdown work in one step before the event loop gets a turn."""
STEP_PAUSE = 0.002
DIFF_LINES = 5000
"""Changed regions longer than this are marked changed whole: difflib would take too long."""
TAB = 4

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_RAW_HTML = re.compile(r" {0,3}<(pre|script|style|textarea)(?:[\s>]|$)", re.IGNORECASE)
_HEADING = re.compile(r"#{1,6}(?:[ \t]|$)")
_ITEM = re.compile(r"(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")
_DEFINITION = re.compile(r" {0,3}\[[^\]]+\]:")

Opcode = tuple[str, int, int, int, int]


class Diff:
    """Where each old line went, and which new lines are new, from difflib's opcodes."""

    def __init__(self, opcodes: list[Opcode], new_length: int) -> None:
        self._opcodes = opcodes
        self._starts = [opcode[1] for opcode in opcodes]
        self.changed = [
            (j1, min(max(j2, j1 + 1), new_length))
            for tag, _, _, j1, j2 in opcodes
            if tag != "equal" and j1 < new_length
        ]
        """Ranges of new lines that changed; a deletion marks the line after it."""

    def moved(self, line: int) -> int:
        """The old line's number in the new text, or where its replacement starts."""
        if not self._opcodes:
            return line
        tag, i1, _, j1, _ = self._opcodes[max(0, bisect.bisect_right(self._starts, line) - 1)]
        return j1 + line - i1 if tag == "equal" else j1


def diff_lines(old: list[str], new: list[str]) -> Diff:
    """difflib on the lines between the common head and tail, which is most of an edit's cost."""
    shortest = min(len(old), len(new))
    head = 0
    while head < shortest and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < shortest - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    before, after = old[head : len(old) - tail], new[head : len(new) - tail]
    middle: list[Opcode] = []
    if before and after and len(before) + len(after) <= DIFF_LINES:
        matcher = difflib.SequenceMatcher(None, before, after)
        middle = [(tag, i1, i2, j1, j2) for tag, i1, i2, j1, j2 in matcher.get_opcodes()]
    elif before or after:
        tag = "replace" if before and after else "delete" if before else "insert"
        middle = [(tag, 0, len(before), 0, len(after))]
    opcodes = [("equal", 0, head, 0, head)] if head else []
    opcodes += [(tag, i1 + head, i2 + head, j1 + head, j2 + head) for tag, i1, i2, j1, j2 in middle]
    if tail:
        opcodes.append(("equal", len(old) - tail, len(old), len(new) - tail, len(new)))
    return Diff(opcodes, len(new))


def block_starts(lines: list[str]) -> tuple[list[int], list[str]]:
    """The lines that start a block of their own, and the link definitions seen.

    A line at the margin after a blank line, or a heading, always starts a top-level block
    (lists are not cut: their next item would start a new list), except inside a fence or
    raw HTML, which can hold blank lines.
    """
    starts = [0]
    definitions: list[str] = []
    closer = ""
    """What ends the fence or raw HTML the current line is in."""
    blank = True
    for number, line in enumerate(lines):
        if closer:
            if _closes(line, closer):
                closer = ""
            blank = False
            continue
        margin = line[:1] not in ("", " ", "\t")
        if number and margin and (blank or _HEADING.match(line)) and not _ITEM.match(line):
            starts.append(number)
        if fence := _FENCE.match(line):
            closer = fence.group(1)
        elif html := _RAW_HTML.match(line):
            end = f"</{html.group(1).lower()}>"
            closer = "" if end in line[html.end() :].lower() else end
        elif (comment := line.find("<!--")) >= 0 and not line[:comment].strip():
            closer = "" if "-->" in line[comment + 4 :] else "-->"
        elif blank and _DEFINITION.match(line):
            definitions.append(line)
        blank = not line.strip()
    return starts, definitions


def _closes(line: str, closer: str) -> bool:
    if closer[0] not in "`~":
        return closer in line.lower()
    fence = _FENCE.match(line)
    return (
        fence is not None
        and fence.group(1)[0] == closer[0]
        and len(fence.group(1)) >= len(closer)
        and not line[fence.end() :].strip()
    )


@dataclass(eq=False)
class _Block:
    """Some top-level Markdown blocks, parsed once and laid out once per width and margin."""

    source: str
    """The text parsed: the block's lines, after the document's link definitions if it
    may use them (definitions first, where no fence or list of the block can take them in)."""
    first: int
    """Its first line in the file."""
    end: int
    units: list[Unit] | None = None
    lines: list[Content] = field(default_factory=list)
    key: tuple[int, Layout, int] | None = None
    """Width, layout and the margin above, which `lines` were laid out for."""
    changed_until: float = 0.0

    def parse(self) -> list[Unit]:
        if self.units is None:
            # All the text at once and final: one parse, nothing held back for more text.
            settler = Settler(lambda _first: None)
            settler.consume(self.source, final=True)
            settler.finish()
            self.units = settler.units
        return self.units


class RenderedView(ScrollView, can_focus=True):
    """Markdown as MarkdownFlow draws it, kept in blocks so that a change redoes one block."""

    COMPONENT_CLASSES = {*styles.COMPONENT_CLASSES, "rendered-view--changed"}

    # MarkdownFlow's own rules, under this widget's name: the same colours and margins.
    DEFAULT_CSS = (
        MarkdownFlow.DEFAULT_CSS.replace("MarkdownFlow {", "RenderedView {", 1)
        + """
    RenderedView {
        height: 1fr;
        scrollbar-gutter: stable;
        & > .rendered-view--changed { background: $warning 20%; }
    }
    """
    )

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._blocks: list[_Block] = []
        self._placed: list[_Block] = []
        """The blocks laid out so far, in order (a prefix of `_blocks`)."""
        self._starts: list[int] = []
        """Where each placed block's lines start in `_lines`."""
        self._lines: list[Content] = []
        self._complete = False
        self._previous: Unit | None = None
        self._marks: list[tuple[int, int]] = []
        self._layout = Layout(ansi=False, dark=True)
        self._styles = SpanStyles(self)
        self._timer: Timer | None = None
        self._refit_pending = False

    def show(self, lines: list[str], diff: Diff | None, *, tint: bool) -> None:
        """Show `lines` as Markdown; given the diff from what was shown, keep the reader's place."""
        anchor = self._anchor(diff)
        starts, definitions = block_starts(lines)
        links = "\n".join(definitions) + "\n\n" if definitions else ""
        spare: dict[str, list[_Block]] = {}
        for block in self._blocks:
            spare.setdefault(block.source, []).append(block)
        blocks: list[_Block] = []
        until = monotonic() + CHANGED_SECONDS
        changed = diff.changed if diff is not None and tint else []
        for first, end in zip(starts, [*starts[1:], len(lines)], strict=True):
            text = "\n".join(lines[first:end]) + "\n"
            source = links + text if links and "[" in text else text
            block = spare[source].pop() if spare.get(source) else _Block(source, first, end)
            block.first, block.end = first, end
            if any(start < end and first < stop for start, stop in changed):
                block.changed_until = until
            blocks.append(block)
        self._blocks = blocks
        self._restart(anchor)
        if changed:
            self.set_timer(CHANGED_SECONDS, self._fade)

    @property
    def complete(self) -> bool:
        """Every block is laid out: the scroll height is final."""
        return self._complete

    def clear(self) -> None:
        self._blocks = []
        self._restart(None)

    def _anchor(self, diff: Diff | None) -> tuple[int, int] | None:
        """The source line of the block at the top of the view, and how far into it."""
        top = round(self.scroll_y)
        if not top or not self._placed:
            return None
        index = bisect.bisect_right(self._starts, top) - 1
        block = self._placed[index]
        return (block.first if diff is None else diff.moved(block.first)), top - self._starts[index]

    def _restart(self, anchor: tuple[int, int] | None) -> None:
        """Lay out the blocks again from the top (unchanged ones cost nothing) and scroll back."""
        self._placed, self._starts, self._lines = [], [], []
        self._previous, self._complete = None, False
        target = 0
        if anchor is not None and self._blocks:
            firsts = [block.first for block in self._blocks]
            target = max(0, bisect.bisect_right(firsts, anchor[0]) - 1)
        self._work(until=target + 1)
        if anchor is not None and target < len(self._placed):
            offset = min(anchor[1], max(0, len(self._placed[target].lines) - 1))
            self.scroll_to(y=self._starts[target] + offset, animate=False)
        self.refresh()

    def _width(self) -> int:
        return self.scrollable_content_region.width

    def _work(self, until: int = 0) -> None:
        """Parse and lay out blocks in order: at least `until` of them, then for at most
        `STEP_BUDGET`; the rest follows in timed steps."""
        width = self._width()
        if width <= 0:
            # Hidden: the work waits until the view is shown (see `_refit`).
            self.virtual_size = Size(0, 0)
            return
        started = perf_counter()
        layout = self._layout
        while len(self._placed) < len(self._blocks):
            if len(self._placed) >= until and perf_counter() - started > STEP_BUDGET:
                break
            block = self._blocks[len(self._placed)]
            units = block.parse()
            key = (width, layout, layout.bottom(self._previous))
            if block.key != key:
                lines: list[Content] = []
                previous = self._previous
                for unit in units:
                    lines.extend(layout.unit(unit, previous, width))
                    previous = unit
                block.lines, block.key = lines, key
            self._starts.append(len(self._lines))
            self._placed.append(block)
            self._lines.extend(block.lines)
            self._previous = units[-1] if units else self._previous
        self._complete = len(self._placed) == len(self._blocks)
        height = len(self._lines) + (layout.bottom(self._previous) if self._complete else 0)
        self.virtual_size = Size(width, height)
        self._mark()
        if not self._complete and self._timer is None:
            self._timer = self.set_timer(STEP_PAUSE, self._step)

    def _step(self) -> None:
        self._timer = None
        self._work()
        self.refresh()

    def _mark(self) -> None:
        now = monotonic()
        self._marks = []
        for start, block in zip(self._starts, self._placed, strict=True):
            if block.changed_until > now:
                # The margin above a block is not part of it.
                skip = next((i for i, line in enumerate(block.lines) if line is not EMPTY), 0)
                self._marks.append((start + skip, start + len(block.lines)))

    def _fade(self) -> None:
        self._mark()
        self.refresh()

    def on_resize(self, event: Resize) -> None:
        self._refit()

    def on_show(self) -> None:
        self._refit()

    def _refit(self) -> None:
        self._refit_pending = False
        if self._blocks and self._width() != self.virtual_size.width:
            self._restart(self._anchor(None))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        if not self.is_mounted:
            return
        layout = Layout(ansi=self.app.native_ansi_color, dark=self.app.current_theme.dark)
        if layout != self._layout:
            # Code colours and fence margins depend on the kind of theme.
            self._layout = layout
            self._restart(self._anchor(None))

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self._width()
        base = self.visual_style
        if self._blocks and width != self.virtual_size.width and not self._refit_pending:
            # Shown again after its parent was hidden: no Resize or Show reaches this widget.
            self._refit_pending = True
            self.call_later(self._refit)
        if index >= len(self._lines):
            return Strip.blank(width, base.rich_style)
        line = self._lines[index]
        if any(start <= index < end for start, end in self._marks):
            line = fit(line, width).stylize_before(self._styles(".rendered-view--changed"))
        segments = [
            Segment(text, style.rich_style)
            for text, style in line.render(base, end="", parse_style=self._styles)
        ]
        return Strip(segments, line.cell_length).crop_extend(0, width, base.rich_style)


class RawView(ScrollView, can_focus=True):
    """The file's text with line numbers, drawn a visible line at a time, however long."""

    COMPONENT_CLASSES = {"raw-view--number", "raw-view--changed"}
    DEFAULT_CSS = """
    RawView {
        height: 1fr;
        scrollbar-gutter: stable;
        & > .raw-view--number { color: $text-muted; }
        & > .raw-view--changed { background: $warning 20%; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines: list[str] = []
        self._digits = 1
        self._marks: list[tuple[int, int, float]] = []
        """Changed lines (start, end) and until when they are tinted."""

    def show(self, lines: list[str], diff: Diff | None, *, tint: bool) -> None:
        """Show `lines`; given the diff from what was shown, keep the same line at the top."""
        top = round(self.scroll_y)
        now = monotonic()
        marks = self._marks
        if diff is not None:
            top = diff.moved(top)
            marks = [(diff.moved(s), diff.moved(e), u) for s, e, u in marks if u > now]
            if tint and diff.changed:
                until = now + CHANGED_SECONDS
                marks += [(start, end, until) for start, end in diff.changed]
                self.set_timer(CHANGED_SECONDS, self._fade)
        self._lines, self._marks = lines, marks
        self._digits = len(str(len(lines)))
        widest = max(map(len, lines), default=0)
        self.virtual_size = Size(self._digits + 2 + widest, len(lines))
        self.scroll_to(y=top, animate=False)
        self.refresh()

    def _fade(self) -> None:
        now = monotonic()
        self._marks = [mark for mark in self._marks if mark[2] > now]
        self.refresh()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= len(self._lines):
            return Strip.blank(width, base)
        now = monotonic()
        if any(start <= index < end and until > now for start, end, until in self._marks):
            base = self.get_component_rich_style("raw-view--changed")
        number = base + RichStyle(color=self.get_component_rich_style("raw-view--number").color)
        gutter = f"{index + 1:>{self._digits}}  "
        room = max(0, width - len(gutter))
        line = self._lines[index]
        # Cut before expanding tabs, which only widen: a megabyte-long line costs one screen.
        shown = line[: scroll_x + room].expandtabs(TAB)[scroll_x : scroll_x + room]
        segments = [Segment(gutter, number), Segment(printable(shown), base)]
        return Strip(segments).crop_extend(0, width, base)


class FileViewer(Widget):
    """A workspace file, kept current by `reload`; Markdown rendered, `r` shows it raw.

    `reload`, `show_version` and `show_live` must be called on the app's event loop.
    """

    BINDINGS = [Binding("r", "toggle_raw", "Raw/rendered", id="viewer.raw")]

    DEFAULT_CSS = """
    FileViewer {
        height: 1fr;
        &.-gone > RenderedView, &.-gone > RawView { text-opacity: 50%; }
        & > #notice {
            display: none;
            padding: 0 1;
            background: $warning 15%;
            color: $text-warning;
        }
        & > #message { display: none; padding: 1 2; color: $text-muted; }
    }
    """

    def __init__(self, path: Path, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.path = path
        self._markdown = path.suffix.lower() in MARKDOWN_SUFFIXES
        self._live: FileContent | None = None
        self._lines: list[str] | None = None
        """The lines on show: the live file's, a version's, or the last read of a deleted file."""
        self._large = False
        self._version: str | None = None
        self._raw = False
        self._waiting: list[asyncio.Future[None]] = []
        self._reloading = False

    def compose(self) -> ComposeResult:
        yield Static(id="notice", markup=False)
        yield Static(id="message", markup=False)
        yield RenderedView()
        yield RawView()

    def on_mount(self) -> None:
        self._choose_view()
        self.reload()

    def reload(self) -> AwaitComplete:
        """Read the file again and show it in place; await the result to wait until it is.

        Calls while a read is under way are served by one more read after it, and reads are
        at least `RELOAD_GAP` apart, so a file rewritten in a tight loop cannot swamp the app.
        """
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(future)
        if not self._reloading:
            self._reloading = True
            self.run_worker(self._reload_loop(), group="file-viewer-reload")
        return AwaitComplete(future)

    async def _reload_loop(self) -> None:
        waiting: list[asyncio.Future[None]] = []
        try:
            while self._waiting:
                waiting, self._waiting = self._waiting, []
                self._live = await asyncio.to_thread(read_content, self.path)
                if self._version is None:
                    self._show_live(tint=True)
                else:
                    self._show_notice()
                for future in waiting:
                    future.set_result(None)
                waiting = []
                await asyncio.sleep(RELOAD_GAP)
        finally:
            # Removed while reading: nothing more will be shown, so nobody waits for it.
            self._reloading = False
            for future in [*waiting, *self._waiting]:
                if not future.done():
                    future.set_result(None)
            self._waiting = []

    def show_version(self, text: str, label: str) -> None:
        """Show an earlier `text` of the file, read-only, under a banner with `label`."""
        self._version = label
        self.remove_class("-gone")
        self._present(text.replace("\r\n", "\n").split("\n"), large=len(text) > RENDER_LIMIT)
        self._show_notice()

    def show_live(self) -> None:
        """Back from a version to the file as it is now."""
        if self._version is not None:
            self._version = None
            self._show_live(tint=False)

    def _show_live(self, *, tint: bool) -> None:
        content = self._live
        if content is None:
            return
        if content.has_text:
            self.remove_class("-gone")
            lines = content.text.split("\n")
            self._present(lines, large=content.kind is Kind.LARGE, tint=tint)
        elif content.kind is Kind.MISSING and self._lines is not None:
            self.add_class("-gone")
        else:
            self._lines = None
            name = printable(self.path.name)
            self.query_one("#message", Static).update(Content(f"{name}: {content.message}"))
        self._choose_view()
        self._show_notice()

    def _present(self, lines: list[str], *, large: bool, tint: bool = False) -> None:
        diff = diff_lines(self._lines, lines) if self._lines is not None else None
        self._lines, self._large = lines, large
        self.query_one(RawView).show(lines, diff, tint=tint)
        rendered = self.query_one(RenderedView)
        if self._renders():
            rendered.show(lines, diff, tint=tint)
        else:
            rendered.clear()
        self._choose_view()

    def _renders(self) -> bool:
        return self._markdown and not self._large

    def _choose_view(self) -> None:
        rendered, raw = self.query_one(RenderedView), self.query_one(RawView)
        had_focus = rendered.has_focus or raw.has_focus
        text = self._lines is not None
        rendered.display = text and self._renders() and not self._raw
        raw.display = text and not rendered.display
        self.query_one("#message").display = not text
        if had_focus:
            (rendered if rendered.display else raw).focus()
        self.refresh_bindings()

    def _show_notice(self) -> None:
        notes = [] if self._version is None else [self._version]
        content = self._live
        if self._version is None and content is not None:
            if content.kind is Kind.MISSING and self._lines is not None:
                notes.append("deleted: showing the last text read until the file is back")
            if content.kind is Kind.LARGE and self._markdown:
                notes.append(
                    f"{human_size(content.size)}: shown as raw text; rendered view is for "
                    f"files under {RENDER_LIMIT // (1024 * 1024)} MB"
                )
            if content.truncated:
                notes.append(
                    f"{human_size(content.size)}: only the first "
                    f"{human_size(content.loaded)} are loaded"
                )
            if content.replaced:
                notes.append("not UTF-8: bytes that are not text show as �")
        notice = self.query_one("#notice", Static)
        notice.update(Content(printable("\n".join(notes))))
        notice.display = bool(notes)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_raw":
            if not self._markdown:
                return False
            return True if self._lines is not None and self._renders() else None
        return True

    def action_toggle_raw(self) -> None:
        self._raw = not self._raw
        self._choose_view()
