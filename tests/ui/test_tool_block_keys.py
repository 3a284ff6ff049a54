"""Tool blocks from the keyboard: tab reaches them, enter opens and closes them, up and
down walk the calls (a delegated run's too, and those on folded pages)."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.app import App
from textual.containers import VerticalScroll
from textual.widget import Widget

from tests.support.fake_api import FakeAnthropic, text_turn, tool_turn
from tests.support.pilot import chat, make_app, roster_shown, settle, shown_text, until
from tests.ui.test_chat_pages import LogApp
from workbench.engine.events import Event, ToolCallFinished, ToolCallStarted
from workbench.ui.widgets.chat_pages import PAGE_SIZE, ChatPage
from workbench.ui.widgets.prompt_box import PromptBox
from workbench.ui.widgets.tool_block import SPINNER, ToolBlock


def footer_keys(app: App[object]) -> dict[str, str]:
    """What the footer offers: key to description."""
    return {
        key: active.binding.description
        for key, active in app.screen.active_bindings.items()
        if active.binding.show
    }


async def test_shift_tab_from_the_prompt_reaches_the_last_call_and_enter_opens_it(
    api: FakeAnthropic, workspace: Path
) -> None:
    api.script(
        tool_turn(("Read", {"file_path": "docs/tasks/context.md"}), text="Reading first."),
        text_turn("Read it."),
    )
    app = make_app(workspace, agent="indexer-planner")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await settle(pilot)
        view = chat(app)
        box = view.query_one(PromptBox)
        assert app.focused is box
        box.insert("What is the goal?")
        await pilot.press("enter")
        await until(pilot, lambda: not view.working)
        await settle(pilot)
        assert app.focused is box

        await pilot.press("shift+tab")
        [block] = view.query(ToolBlock)
        assert app.focused is block
        keys = footer_keys(app)
        assert keys["enter"] == "Expand" and "v" not in keys and "o" not in keys
        result = block.query(".tool-result")
        assert not result or not result.first().display or result.first().region.height == 0

        await pilot.press("enter")
        await settle(pilot)
        assert block.expanded
        assert "# " in shown_text(block.query_one(".tool-result"))
        assert footer_keys(app)["enter"] == "Collapse"

        await pilot.press("space")
        await settle(pilot)
        assert not block.expanded
        await pilot.press("tab")
        assert app.focused is box


async def test_o_opens_a_cut_result_whole(api: FakeAnthropic, workspace: Path) -> None:
    (workspace / "big.log").write_text("line of log output\n" * 2_000)
    api.script(tool_turn(("Bash", {"command": "cat big.log"})), text_turn("That was long."))
    app = make_app(workspace, agent="backend-implementer", permission_mode="bypassPermissions")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await settle(pilot)
        await pilot.press(*"Show the log", "enter")
        view = chat(app)
        await until(pilot, lambda: not view.working)
        [block] = view.query(ToolBlock)
        block.focus()
        await settle(pilot)
        assert footer_keys(app)["o"] == "Whole result"
        await pilot.press("enter", "o")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "TextViewer"


def call(tool_use_id: str, *scope: str, name: str = "Read") -> list[Event]:
    """A call that started and finished."""
    return [
        ToolCallStarted(
            tool_use_id=tool_use_id, name=name, input={"file_path": "a.md"}, scope=scope
        ),
        ToolCallFinished(
            tool_use_id=tool_use_id,
            name=name,
            content=f"     1\tcontent of {tool_use_id}",
            is_error=False,
            duration_ms=3,
            scope=scope,
        ),
    ]


async def test_up_and_down_walk_the_calls_into_a_delegated_run(tmp_path: Path) -> None:
    app = LogApp(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.log_widget
        for event in [
            *call("first"),
            ToolCallStarted(tool_use_id="agent", name="Agent", input={"prompt": "look"}),
        ]:
            log.handle(event)
        await settle(pilot)
        for event in [*call("inner-1", "agent"), *call("inner-2", "agent"), *call("last")]:
            log.handle(event)
        await settle(pilot)
        blocks = {block.call.tool_use_id: block for block in log.tool_blocks()}
        assert list(blocks) == ["first", "agent", "inner-1", "inner-2", "last"]

        blocks["first"].focus()
        await pilot.press("down", "j")
        assert app.focused is blocks["inner-1"]
        keys = footer_keys(app)
        assert keys["enter"] == "Expand"
        await pilot.press("enter")
        await settle(pilot)
        assert blocks["inner-1"].expanded and blocks["agent"].expanded
        await pilot.press("enter")
        assert not blocks["inner-1"].expanded and blocks["agent"].expanded

        await pilot.press("down", "down")
        assert app.focused is blocks["last"]
        await pilot.press("down")
        assert app.focused is blocks["last"]
        await pilot.press("k", "up", "up", "up", "up")
        assert app.focused is blocks["first"]

        for _ in range(3):
            app.post_message(events.Key("down", None))
        await settle(pilot)
        assert app.focused is blocks["inner-2"], "a held key moves a call per repeat"


async def test_up_reaches_a_call_on_a_folded_page_and_its_page_stays_while_focused(
    tmp_path: Path,
) -> None:
    app = LogApp(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.log_widget
        for number in range(PAGE_SIZE * 4):
            for event in call(f"call-{number}"):
                log.handle(event)
            if number % PAGE_SIZE == PAGE_SIZE - 1:
                await pilot.pause()
        await settle(pilot)
        pages = list(log.query_children(ChatPage))
        assert not pages[0].display
        blocks = list(log.tool_blocks())
        blocks[PAGE_SIZE].focus()
        await settle(pilot)

        await pilot.press("up")
        await settle(pilot)
        target = blocks[PAGE_SIZE - 1]
        assert app.focused is target and pages[0].display
        scroll = app.query_one(VerticalScroll)
        await until(pilot, lambda: target.region.overlaps(scroll.region))

        scroll.scroll_end(animate=False, immediate=True)
        await settle(pilot)
        assert app.focused is target and pages[0].display and not pages[1].display
        await pilot.press("down")
        await settle(pilot)
        assert app.focused is blocks[PAGE_SIZE] and pages[1].display


def screen_lines(app: App[None], widget: Widget) -> list[str]:
    """The screen's text over `widget`'s region, as a person sees it."""
    region = widget.region
    update = app.screen._compositor.render_full_update()
    rows = update.strips[region.y : region.bottom]
    return ["".join(strip.text for strip in row)[region.x : region.right].rstrip() for row in rows]


async def test_a_click_opens_a_call_and_its_line_stays_on_top(tmp_path: Path) -> None:
    app = LogApp(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.log_widget
        started, finished = call("only")
        log.handle(started)
        await settle(pilot)
        [block] = log.tool_blocks()
        [running] = screen_lines(app, block)
        assert running.endswith("Read a.md") and running[0] in SPINNER

        log.handle(finished)
        await settle(pilot)
        assert screen_lines(app, block) == ["✓ Read a.md  · 1 line · 3 ms"]

        await pilot.click(block)
        await settle(pilot)
        assert block.expanded
        shown = screen_lines(app, block)
        assert shown[0] == "✓ Read a.md  · 1 line · 3 ms"
        assert any("content of only" in line for line in shown[1:])

        await pilot.click(block.query_one(".tool-summary"))
        await settle(pilot)
        assert not block.expanded
        assert screen_lines(app, block) == ["✓ Read a.md  · 1 line · 3 ms"]
