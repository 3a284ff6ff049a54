"""A long conversation in the chat log: pages far from the view fold away, and come back
when a person scrolls to them."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

from tests.support.pilot import settle, shown_text
from workbench.engine.events import TextDelta, ToolCallFinished, ToolCallStarted
from workbench.ui.markdown import MarkdownFlow
from workbench.ui.widgets.chat_log import ChatLog
from workbench.ui.widgets.chat_pages import PAGE_SIZE, ChatPage, PageBlank


class LogApp(App[None]):
    CSS_PATH = Path(__file__).parents[2] / "workbench" / "ui" / "widgets" / "chat.tcss"

    def __init__(self, workspace: Path) -> None:
        super().__init__()
        self.log_widget = ChatLog(workspace)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="chat-scroll"):
            yield self.log_widget

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).anchor()


async def test_far_pages_fold_and_come_back_when_scrolled_to(tmp_path: Path) -> None:
    app = LogApp(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.log_widget
        for number in range(PAGE_SIZE * 4):
            log.add_line(f"line {number}")
            if number % PAGE_SIZE == PAGE_SIZE - 1:
                await pilot.pause()
        log.add_line("the last line")
        await pilot.pause()
        pages = list(log.query_children(ChatPage))
        assert [page.display for page in pages] == [False, False, False, True, True]
        last = pages[-1].children[-1]
        assert "the last line" in shown_text(last) and last.region.height == 1
        # The three folded pages stand in as one blank, as tall as the three of them.
        blanks = [blank for blank in log.query_children(PageBlank) if blank.display]
        assert len(blanks) == 1 and blanks[0].outer_size.height == 3 * PAGE_SIZE

        scroll = app.query_one(VerticalScroll)
        height = scroll.virtual_size.height
        scroll.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        await pilot.pause()
        assert pages[0].display and scroll.virtual_size.height == height
        first = pages[0].children[0]
        assert "line 0" in shown_text(first)
        assert first.region.overlaps(scroll.region)


async def test_pages_fold_again_after_the_terminal_is_resized(tmp_path: Path) -> None:
    app = LogApp(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.log_widget
        for number in range(PAGE_SIZE * 4):
            log.add_line(f"line {number}")
        log.add_line("the last line")
        await pilot.pause()
        await pilot.pause()
        pages = list(log.query_children(ChatPage))
        assert [page.display for page in pages] == [False, False, False, True, True]
        # Folded heights hold for one width: the pages come back, and once laid out at
        # the new width the far ones fold again, though nobody scrolled.
        await pilot.resize_terminal(100, 30)
        for _ in range(4):
            await pilot.pause()
        # The taller view reaches into the third page.
        assert [page.display for page in pages] == [False, False, True, True, True]
        last = pages[-1].children[-1]
        assert "the last line" in shown_text(last)


async def test_blocks_are_one_blank_line_apart(tmp_path: Path) -> None:
    """A reply followed by a tool call, a reply and the end of the log: each gap is one
    line, with no blank left over from the reply's last paragraph."""
    app = LogApp(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.log_widget
        log.add_user("Plan it")
        for event in (
            TextDelta(block=0, text="Writing the plan."),
            ToolCallStarted(tool_use_id="t1", name="Read", input={"file_path": "a.md"}),
            ToolCallFinished(
                tool_use_id="t1", name="Read", content="     1\tx", is_error=False, duration_ms=3
            ),
            TextDelta(block=0, text="Done: the plan is **written**."),
        ):
            log.handle(event)
        log.finish_all()
        for flow in log.query(MarkdownFlow):
            await flow.finish()
        await settle(pilot)
        blocks = list(log.query_one(ChatPage).children)
        assert [shown_text(block).strip() for block in blocks] == [
            "█ Plan it",
            "Writing the plan.",
            "✓ Read a.md  · 1 line · 3 ms",
            "Done: the plan is written.",
        ]
        # Every block ends on a line it draws: the gaps are the blocks' margins alone.
        assert all(shown_text(block).split("\n")[-1].strip() for block in blocks)
        gaps = [after.region.y - before.region.bottom for before, after in pairwise(blocks)]
        assert gaps == [1, 1, 1]
        assert log.region.bottom - blocks[-1].region.bottom == 1
