"""The flow of one conversation: the person's messages, streamed replies, thinking, tool
calls, notices and outcomes, built from the engine's events.

The same events come from a live run or from a replayed transcript, so both look alike.
A delegated agent's events arrive scoped to the tool call that started it and are shown
in a nested log inside that call's block. With a tool block focused, up and down (or k
and j) move to the previous and next call, through delegated runs and folded pages alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual.actions import SkipAction
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer, Vertical
from textual.events import Resize
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Collapsible, Static

from workbench.engine.events import (
    Event,
    Notice,
    Outcome,
    PermissionDecided,
    Retrying,
    RunFailed,
    RunFinished,
    RunStarted,
    TextDelta,
    ThinkingDelta,
    ToolCallFinished,
    ToolCallStarted,
    UsageUpdated,
)
from workbench.safe_text import printable
from workbench.ui.markdown import MarkdownFlow
from workbench.ui.widgets.chat_pages import Pages
from workbench.ui.widgets.tool_block import ToolBlock

DELEGATES = ("Agent", "Task")


class ThinkingBlock(Collapsible):
    """The model's summarized reasoning, folded away unless someone wants it."""

    def __init__(self) -> None:
        self._body = Static("", classes="thinking-text", markup=False)
        super().__init__(self._body, title="Thinking…", collapsed=True, classes="thinking")
        self._text: list[str] = []
        self._pending = False

    def append(self, text: str) -> None:
        self._text.append(text)
        if not self._pending:
            self._pending = True
            self.set_timer(0.1, self._show)

    def _show(self) -> None:
        self._pending = False
        self._body.update(Text(printable("".join(self._text)), style="italic"))


class ChatLog(Vertical):
    """Vertical flow of blocks; the scrolling container belongs to whoever holds it."""

    BINDINGS = [
        Binding("up,k", "step(-1)", "Previous call", show=False, id="chat.previous_call"),
        Binding("down,j", "step(1)", "Next call", show=False, id="chat.next_call"),
    ]

    class RetryRequested(Message):
        def __init__(self, task: str) -> None:
            super().__init__()
            self.task = task

    def __init__(self, workspace: Path, *, nested: bool = False) -> None:
        super().__init__(classes="chat-log -nested" if nested else "chat-log")
        self._workspace = workspace.resolve()
        self._nested = nested
        self._texts: dict[int, MarkdownFlow] = {}
        self._thinking: dict[int, ThinkingBlock] = {}
        self._tools: dict[str, ToolBlock] = {}
        self._last_task = ""
        self._pages = None if nested else Pages(self)

    def add_user(self, text: str) -> None:
        self._last_task = text
        self._add(Static(Text(printable(text)), classes="user-message", markup=False))

    def add_line(self, text: str, style: str = "dim") -> None:
        self._add(Static(Text(printable(text), style=style), classes="chat-line", markup=False))

    def _add(self, widget: Widget) -> None:
        if self._pages is None:
            self.mount(widget)
        else:
            self._pages.add(widget)

    def newest_block(self) -> Widget | None:
        """The block added last to this conversation (not to a delegated run inside it)."""
        return None if self._pages is None else self._pages.last_block()

    def on_mount(self) -> None:
        holder = self.parent
        if self._pages is not None and isinstance(holder, ScrollableContainer):
            self.watch(holder, "scroll_y", self.refold, init=False)

    def refold(self) -> None:
        """The view has moved: show the pages near it, fold the others."""
        if self._pages is not None:
            self._pages.refold()

    def on_resize(self, event: Resize) -> None:
        if self._pages is not None and self._pages.resized(event.size.width):
            # Laid out at the new width, the pages away from the view fold again: a
            # conversation just resumed, or a terminal just resized, has not scrolled yet.
            self.call_after_refresh(self.refold)

    def tool(self, tool_use_id: str) -> ToolBlock | None:
        return self._tools.get(tool_use_id)

    def tool_blocks(self) -> Iterator[ToolBlock]:
        """Every call in the order it started, a delegated run's calls after the call that
        started them."""
        for block in self._tools.values():
            yield block
            if block.nested is not None:
                yield from block.nested.tool_blocks()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The outermost log moves between calls, the nested ones' included."""
        return not (action == "step" and self._nested)

    def action_step(self, step: int) -> None:
        """Focus the call `step` away from the focused one; past either end the key scrolls
        the log as usual."""
        focused = self.screen.focused
        blocks = list(self.tool_blocks())
        if not isinstance(focused, ToolBlock) or focused not in blocks:
            raise SkipAction()
        index = blocks.index(focused) + step
        if not 0 <= index < len(blocks):
            raise SkipAction()
        target = blocks[index]
        if self._pages is not None:
            self._pages.unfold(target)
        # At once, not with `focus()` (which waits a turn): a held key's next repeat must
        # start from this block.
        self.screen.set_focus(target, scroll_visible=False)
        self.call_after_refresh(self._show_focused, target)

    def _show_focused(self, block: ToolBlock) -> None:
        """Scrolled to once laid out: the block may be on a page that was folded a moment
        ago, with no place on screen yet."""
        screen = self.screen
        if screen.focused is block and not screen.can_view_entire(block):
            screen.scroll_to_center(block, origin_visible=True)

    def handle(self, event: Event) -> None:
        if event.scope:
            block = self._tools.get(event.scope[0])
            if block is not None and block.nested is not None:
                block.nested.handle(replace(event, scope=event.scope[1:]))
            return
        if isinstance(event, TextDelta):
            self._text_block(event.block).append(event.text)
        elif isinstance(event, ThinkingDelta):
            self._thinking_block(event.block).append(event.text)
        elif isinstance(event, ToolCallStarted):
            self._close_blocks()
            self._start_tool(event)
        elif isinstance(event, ToolCallFinished):
            block = self._tools.get(event.tool_use_id)
            if block is not None:
                block.finish(event)
        elif isinstance(event, PermissionDecided):
            block = self._tools.get(event.tool_use_id)
            if block is not None:
                block.note(_decision(event))
        elif isinstance(event, Retrying):
            if event.discarded_output:
                self._discard_blocks()
            self.add_line(
                f"retrying in {event.delay_s:.1f} s (attempt {event.attempt + 1}): {event.reason}"
            )
        elif isinstance(event, Notice):
            self.add_line(event.message, "dim yellow" if event.level == "warning" else "dim")
        elif isinstance(event, RunStarted):
            self._run_started(event)
        elif isinstance(event, RunFinished):
            self._close_blocks()
            self._run_finished(event)
        elif isinstance(event, RunFailed):
            self._close_blocks()
            self._run_failed(event)
        elif isinstance(event, UsageUpdated):
            self._close_blocks()

    def finish_all(self) -> None:
        """Render every open text block in its final form (a replay has been loaded)."""
        self._close_blocks()

    def _text_block(self, index: int) -> MarkdownFlow:
        flow = self._texts.get(index)
        if flow is None:
            # Blocks in the log are spaced by their own margins.
            flow = MarkdownFlow(end_margin=False, classes="assistant-text")
            self._texts[index] = flow
            self._add(flow)
        return flow

    def _thinking_block(self, index: int) -> ThinkingBlock:
        block = self._thinking.get(index)
        if block is None:
            block = ThinkingBlock()
            self._thinking[index] = block
            self._add(block)
        return block

    def _close_blocks(self) -> None:
        for flow in self._texts.values():
            flow.finish()
        self._texts.clear()
        self._thinking.clear()

    def _discard_blocks(self) -> None:
        """A failed attempt's partial output: the retry will stream it again."""
        for widget in (*self._texts.values(), *self._thinking.values()):
            widget.remove()
        self._texts.clear()
        self._thinking.clear()

    def _start_tool(self, event: ToolCallStarted) -> None:
        delegated = event.name in DELEGATES and not event.server
        nested = ChatLog(self._workspace, nested=True) if delegated else None
        block = ToolBlock(event, self._workspace, nested=nested)
        if nested is not None:
            block.expanded = True
        self._tools[event.tool_use_id] = block
        self._add(block)

    def _run_started(self, event: RunStarted) -> None:
        if self._nested:
            title = Text()
            title.append(printable(event.agent), style=Style(bold=True))
            title.append(f"  {printable(event.model)}", style="dim")
            self._add(Static(title, classes="nested-title", markup=False))
            self.add_user(event.task)

    def _run_finished(self, event: RunFinished) -> None:
        if event.outcome is Outcome.CANCELLED:
            self.add_line("interrupted", "bold yellow")
        elif event.message:
            self.add_line(f"stopped: {event.message}", "yellow")

    def _run_failed(self, event: RunFailed) -> None:
        self._add(
            Static(Text(f"✖ {printable(event.message)}", style="bold red"), classes="run-error")
        )
        if not self._nested and self._last_task:
            self._add(
                Horizontal(Button("Retry", classes="retry", variant="warning"), classes="retry-row")
            )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.has_class("retry"):
            event.stop()
            row = event.button.parent
            if isinstance(row, Widget):
                row.remove()
            self.post_message(self.RetryRequested(self._last_task))


def _decision(event: PermissionDecided) -> str:
    if event.allowed:
        return f"allowed ({event.by})" if event.by in ("person", "session", "rule") else ""
    return f"denied ({event.by}): {event.message}" if event.message else f"denied ({event.by})"
