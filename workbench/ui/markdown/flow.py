"""The `MarkdownFlow` widget: streamed Markdown drawn by lines, in timed steps.

Appends only queue text; a timer takes it in steps of about `STEP_BUDGET`, so a backlog never
blocks the event loop for long, and lays out the tail at most every `MIN_INTERVAL` (longer
when that gets expensive). Settled units are laid out once per width and kind of theme; only
the lines on screen become strips.
"""

from __future__ import annotations

import asyncio
from time import perf_counter

from rich.segment import Segment
from textual.await_complete import AwaitComplete
from textual.content import Content
from textual.geometry import Size
from textual.selection import Selection
from textual.strip import Strip
from textual.style import Style
from textual.timer import Timer
from textual.widget import Widget

from workbench.ui.markdown import styles
from workbench.ui.markdown.layout import Layout
from workbench.ui.markdown.lines import EMPTY
from workbench.ui.markdown.settler import Settler
from workbench.ui.markdown.span_styles import SpanStyles
from workbench.ui.markdown.units import Unit

MIN_INTERVAL = 0.05
"""Seconds between renders of the tail while text streams in."""
MAX_INTERVAL = 0.5
"""The longest the tail waits, however expensive it has become to render."""
COST_FACTOR = 4
"""The tail waits this many times its last render's cost: rendering stays under ~20% of the time."""
STEP_BUDGET = 0.02
"""Seconds of work in one step before the event loop gets a turn; bounds the stalls."""
STEP_PAUSE = 0.002
"""Seconds before the next step when there is work now (a backlog, or `finish`); not 0, which
Textual's timers cannot take."""
SLICE_CHARS = 1024
"""Text taken from the backlog at a time, so a step can stop on its budget."""


class MarkdownFlow(Widget):
    """Streamed Markdown that looks like Textual's `Markdown` and stays fast as it grows.

    Call `append` for every piece of text as it arrives and `finish` when the stream ends.
    Both must be called on the app's event loop (from a thread, use `call_from_thread`).
    """

    COMPONENT_CLASSES = set(styles.COMPONENT_CLASSES)

    DEFAULT_CSS = """
    MarkdownFlow {
        width: 1fr;
        height: auto;
        padding: 0 2;
        color: $foreground;
        & > .markdown-flow--em { text-style: italic; }
        & > .markdown-flow--strong { text-style: bold; }
        & > .markdown-flow--s { text-style: strike; }
        & > .markdown-flow--link { text-style: underline; }
        &:dark > .markdown-flow--code-inline { background: $warning 10%; color: $text-warning 95%; }
        &:light > .markdown-flow--code-inline { background: $error 5%; color: $text-error 95%; }
        &:ansi > .markdown-flow--code-inline { background: ansi_default; }
        & > .markdown-flow--bullet { color: $text-primary; }
        &:light > .markdown-flow--bullet { color: $text-secondary; }
        & > .markdown-flow--quote { background: $boost; }
        & > .markdown-flow--quote-border { color: $text-primary 50%; }
        &:light > .markdown-flow--quote-border { color: $text-secondary; }
        & > .markdown-flow--fence { color: rgb(210,210,210); background: black 10%; }
        &:light > .markdown-flow--fence { background: white 30%; }
        &:ansi > .markdown-flow--fence { background: transparent; }
        & > .markdown-flow--rule { color: $secondary; }
        &:light > .markdown-flow--table { background: white 30%; }
        & > .markdown-flow--table-header { color: $primary; }
        & > .markdown-flow--keyline { color: $foreground 20%; }
        & > .markdown-flow--h1 {
            color: $markdown-h1-color;
            background: $markdown-h1-background;
            text-style: $markdown-h1-text-style;
        }
        & > .markdown-flow--h2 {
            color: $markdown-h2-color;
            background: $markdown-h2-background;
            text-style: $markdown-h2-text-style;
        }
        & > .markdown-flow--h3 {
            color: $markdown-h3-color;
            background: $markdown-h3-background;
            text-style: $markdown-h3-text-style;
        }
        & > .markdown-flow--h4 {
            color: $markdown-h4-color;
            background: $markdown-h4-background;
            text-style: $markdown-h4-text-style;
        }
        & > .markdown-flow--h5 {
            color: $markdown-h5-color;
            background: $markdown-h5-background;
            text-style: $markdown-h5-text-style;
        }
        & > .markdown-flow--h6 {
            color: $markdown-h6-color;
            background: $markdown-h6-background;
            text-style: $markdown-h6-text-style;
        }
    }
    """

    def __init__(
        self,
        *,
        end_margin: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """`end_margin`: end with the last block's bottom margin, as Markdown does; a flow
        among other widgets spaced by their own margins leaves it out."""
        super().__init__(name=name, id=id, classes=classes)
        self._end_margin = end_margin
        self._pieces: list[str] = []
        self._pending: list[str] = []
        self._finished = False
        self._settler = Settler(self._lay_out_from)
        self._tail_units: list[Unit] = []
        self._width = 0
        """The width `_lines` were laid out for; 0 before the first layout."""
        self._lines: list[Content] = []
        self._starts: list[int] = []
        """The first line of each settled unit, in `_lines`."""
        self._tail_lines: list[Content] = []
        self._layout = Layout(ansi=False, dark=True)
        self._styles = SpanStyles(self)
        self._timer: Timer | None = None
        self._interval = MIN_INTERVAL
        self._complete = False
        """The final form is laid out (or the widget is gone): nothing more will be drawn."""
        self._completion: asyncio.Future[None] | None = None
        self._renders = 0

    @property
    def source(self) -> str:
        """All text appended so far, exactly as it was given."""
        if len(self._pieces) > 1:
            self._pieces[:] = ["".join(self._pieces)]
        return self._pieces[0] if self._pieces else ""

    @property
    def finished(self) -> bool:
        """True once `finish` was called."""
        return self._finished

    @property
    def render_count(self) -> int:
        """How many times pending text was parsed and laid out (for tests and benchmarks)."""
        return self._renders

    def append(self, text: str) -> None:
        """Add the next piece of the reply. Cheap: the text is drawn on a timer.

        Raises:
            RuntimeError: after `finish`.
        """
        if self._finished:
            raise RuntimeError("MarkdownFlow.append after finish: start a new MarkdownFlow")
        if not text:
            return
        self._pieces.append(text)
        self._pending.append(text)
        self._schedule(self._interval)

    def flush(self) -> None:
        """Draw all pending text now, however long it takes, rather than in timed steps."""
        if self.is_mounted and self._pending and not self._complete:
            self._cancel_timer()
            self._step(budget=None)

    def finish(self) -> AwaitComplete:
        """The stream has ended: draw what is left, in its final form.

        Returns immediately; a long backlog is still drawn in steps. Await the result to wait
        until the final form is laid out.
        """
        if not self._finished:
            self._finished = True
            self._cancel_timer()
            self._schedule(STEP_PAUSE)
        if self._completion is None:
            self._completion = asyncio.get_running_loop().create_future()
            if self._complete:
                self._completion.set_result(None)
        return AwaitComplete(self._completion)

    def on_mount(self) -> None:
        """Text that came before the mount is taken at once, so the frame that first shows
        the flow shows its text too, rather than a blank line for a frame."""
        self._layout = self._current_layout()
        if self._pending or self._finished:
            self._step(budget=STEP_BUDGET)
            if self._pending:
                # `is_mounted` only turns true after this handler, so `_schedule` would wait.
                self._start_timer(STEP_PAUSE)

    def on_unmount(self) -> None:
        # Nobody will draw the rest; whoever awaits `finish` must not wait forever.
        self._set_complete()

    def _set_complete(self) -> None:
        self._complete = True
        if self._completion is not None and not self._completion.done():
            self._completion.set_result(None)

    def _schedule(self, delay: float) -> None:
        if self.is_mounted:
            self._start_timer(delay)

    def _start_timer(self, delay: float) -> None:
        if self._timer is None and not self._complete:
            self._timer = self.set_timer(delay, self._on_timer, name="markdown-flow")

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _on_timer(self) -> None:
        self._timer = None
        self._step(budget=STEP_BUDGET)

    def _current_layout(self) -> Layout:
        return Layout(ansi=self.app.native_ansi_color, dark=self.app.current_theme.dark)

    def _step(self, budget: float | None) -> None:
        """Take pending text until the budget is spent, then draw the tail once."""
        if self._complete:
            return
        started = perf_counter()
        self._renders += 1
        height = len(self._lines) + len(self._tail_lines)
        while self._pending and (budget is None or perf_counter() - started < budget):
            self._settler.consume(self._take(SLICE_CHARS))
        final = self._finished and not self._pending
        if final:
            self._settler.finish()
            self._tail_units = []
        else:
            self._tail_units = self._settler.live_units()
        if self._width:
            self._tail_lines = self._lay_out_tail(self._width)
        self.refresh(layout=not self._width or height != len(self._lines) + len(self._tail_lines))
        cost = perf_counter() - started
        self._interval = min(MAX_INTERVAL, max(MIN_INTERVAL, cost * COST_FACTOR))
        if final:
            self._set_complete()
        elif self._pending:
            self._schedule(STEP_PAUSE)

    def _take(self, size: int) -> str:
        text = "".join(self._pending)
        self._pending.clear()
        if len(text) > size:
            self._pending.append(text[size:])
            text = text[:size]
        return text

    def _lay_out_from(self, first: int) -> None:
        """Lay out the settled units from `first` on: they are new, or they changed."""
        if not self._width:
            return
        if first < len(self._starts):
            del self._lines[self._starts[first] :]
            del self._starts[first:]
        units = self._settler.units
        for index in range(len(self._starts), len(units)):
            previous = units[index - 1] if index else None
            self._starts.append(len(self._lines))
            self._lines.extend(self._layout.unit(units[index], previous, self._width))

    def _lay_out_tail(self, width: int) -> list[Content]:
        lines: list[Content] = []
        units = self._settler.units
        previous = units[-1] if units else None
        for unit in self._tail_units:
            lines.extend(self._layout.unit(unit, previous, width))
            previous = unit
        if self._end_margin:
            lines.extend([EMPTY] * self._layout.bottom(previous))
        return lines

    def _lay_out(self, width: int) -> None:
        if width == self._width:
            return
        self._width = width
        self._lines = []
        self._starts = []
        self._lay_out_from(0)
        self._tail_lines = self._lay_out_tail(width) if width else []

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._lay_out(width)
        return len(self._lines) + len(self._tail_lines)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        if not self.is_mounted:
            return
        layout = self._current_layout()
        if layout != self._layout:
            # Code colours and fence margins depend on the kind of theme.
            self._layout = layout
            width, self._width = self._width, 0
            self._lay_out(width)
            self.refresh(layout=True)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        self._lay_out(width)
        base = self.visual_style
        if 0 <= y < len(self._lines):
            line = self._lines[y]
        elif 0 <= y - len(self._lines) < len(self._tail_lines):
            line = self._tail_lines[y - len(self._lines)]
        else:
            return Strip.blank(width, base.rich_style)
        selection = self.text_selection
        if selection is not None and (span := selection.get_span(y)) is not None:
            start, end = span
            selected = Style.from_styles(self.screen.get_component_styles("screen--selection"))
            line = line.stylize(selected, start, len(line.plain) if end == -1 else end)
        segments = [
            Segment(text, style.rich_style)
            for text, style in line.render(base, end="", parse_style=self._styles)
        ]
        strip = Strip(segments, line.cell_length)
        return strip.crop_extend(0, width, base.rich_style).apply_offsets(0, y)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        lines = [*self._lines, *self._tail_lines]
        return selection.extract("\n".join(line.plain.rstrip() for line in lines)), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()
