"""Pictures of the screens, compared with the approved SVGs in __snapshots__/."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.support.pilot import make_app, roster_shown
from workbench.engine.events import (
    Event,
    PermissionAsked,
    TextDelta,
    ToolCallFinished,
    ToolCallStarted,
)
from workbench.engine.tools.base import FileChange
from workbench.ui.markdown import MarkdownFlow
from workbench.ui.widgets.chat import ChatView
from workbench.ui.widgets.chat_log import ChatLog
from workbench.ui.widgets.prompt_box import PromptBox
from workbench.ui.widgets.roster import RosterPanel
from workbench.ui.widgets.tool_block import ToolBlock

SIZE = (160, 48)


def test_main_screen(snap_compare, workspace: Path) -> None:
    assert snap_compare(make_app(workspace), terminal_size=SIZE, run_before=roster_shown)


@pytest.mark.parametrize("theme", ["workbench-light", "workbench-high-contrast"])
def test_main_screen_in_theme(snap_compare, workspace: Path, theme: str) -> None:
    """The default, workbench-dark, is `test_main_screen`."""
    app = make_app(workspace, theme=theme)
    assert snap_compare(app, terminal_size=SIZE, run_before=roster_shown)


def test_card_with_examples(snap_compare, workspace: Path) -> None:
    async def select_architect(pilot: Pilot[object]) -> None:
        await roster_shown(pilot)
        pilot.app.screen.query_one(RosterPanel).select_name("api-architect")
        await pilot.pause()

    assert snap_compare(make_app(workspace), terminal_size=SIZE, run_before=select_architect)


def test_filtered_roster_and_problem_card(snap_compare, workspace: Path) -> None:
    async def filter_to_problem(pilot: Pilot[object]) -> None:
        await roster_shown(pilot)
        await pilot.press("slash", *"migration", "enter")
        await pilot.pause()

    assert snap_compare(make_app(workspace), terminal_size=SIZE, run_before=filter_to_problem)


def test_help_screen(snap_compare, workspace: Path) -> None:
    async def open_help(pilot: Pilot[object]) -> None:
        await roster_shown(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(workspace), terminal_size=SIZE, run_before=open_help)


def _chat_events(workspace: Path) -> list[Event]:
    """A short run as the engine reports it: text, a read, an edit with its diff."""
    context = workspace / "docs" / "tasks" / "context.md"
    before = context.read_text()
    after = before + "- 2026-11-22 planner: cursor pagination for the read API.\n"
    return [
        TextDelta(block=0, text="I'll read the **context** first, then update the log."),
        ToolCallStarted(
            tool_use_id="t1", name="Read", input={"file_path": "docs/tasks/context.md"}
        ),
        ToolCallFinished(
            tool_use_id="t1",
            name="Read",
            content="     1\t# Project\n     2\tstate\n",
            is_error=False,
            duration_ms=3,
        ),
        ToolCallStarted(
            tool_use_id="t2",
            name="Edit",
            input={"file_path": "docs/tasks/context.md", "old_string": "x", "new_string": "y"},
        ),
        ToolCallFinished(
            tool_use_id="t2",
            name="Edit",
            content="Edited.",
            is_error=False,
            duration_ms=5,
            changes=(FileChange(context, before, after),),
        ),
        ToolCallStarted(tool_use_id="t3", name="Bash", input={"command": "npm test"}),
        ToolCallFinished(
            tool_use_id="t3",
            name="Bash",
            content="1 failing\n[exit code 1]",
            is_error=False,
            duration_ms=1200,
        ),
        TextDelta(block=0, text="The log now records the **decision**:\n\n- cursors\n- indexes"),
    ]


async def _open_chat(pilot: Pilot[object], events: list[Event]) -> ChatView:
    await roster_shown(pilot)
    for _ in range(5):
        await pilot.pause()
    chat = pilot.app.screen.active_chat
    chat.query_one(ChatLog).add_user("Record the read API decision in the context file")
    chat.post_message(ChatView.Batch(events))
    for _ in range(10):
        await pilot.pause(0.05)
    box = chat.query_one(PromptBox)
    box.cursor_blink = False
    chat.focus_prompt()
    await pilot.pause()
    return chat


def test_chat_with_tool_blocks(snap_compare, workspace: Path) -> None:
    async def run(pilot: Pilot[object]) -> None:
        chat = await _open_chat(pilot, _chat_events(workspace))
        for block in chat.query(ToolBlock):
            if block.call.name == "Edit":
                block.expanded = True
        for flow in chat.query(MarkdownFlow):
            await flow.finish()
        await pilot.pause()

    app = make_app(workspace, agent="backend-implementer")
    assert snap_compare(app, terminal_size=SIZE, run_before=run)


async def _ask_permission(pilot: Pilot[object]) -> None:
    question_input = {
        "file_path": ".claude/docs/offchain-plan.md",
        "content": "# Plan\n\n- cursors\n",
    }
    future = asyncio.get_running_loop().create_future()
    events: list[Event] = [
        TextDelta(block=0, text="Writing the plan now."),
        ToolCallStarted(tool_use_id="w1", name="Write", input=question_input),
        PermissionAsked(
            tool_use_id="w1",
            name="Write",
            input=question_input,
            reason="Write asks in default mode",
            always_label="Write",
            future=future,
        ),
    ]
    await _open_chat(pilot, events)


def test_chat_with_a_permission_prompt(snap_compare, workspace: Path) -> None:
    app = make_app(workspace, agent="backend-implementer")
    assert snap_compare(app, terminal_size=SIZE, run_before=_ask_permission)


def test_chat_with_a_permission_prompt_at_80x24(snap_compare, workspace: Path) -> None:
    """The answers two to a row, the status line and the footer's keys all in view."""
    app = make_app(workspace, agent="backend-implementer")
    assert snap_compare(app, terminal_size=(80, 24), run_before=_ask_permission)
