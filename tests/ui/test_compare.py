"""Comparing the saved and the edited version of an agent: one task, two chats side by side."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import TextArea

from tests.support.fake_api import FakeAnthropic, stall, text_turn
from tests.support.pilot import make_app, shown_text, until
from workbench.ui.markdown import MarkdownFlow
from workbench.ui.screens.compare import CompareScreen
from workbench.ui.screens.confirm import Confirm
from workbench.ui.screens.editor import EditorScreen
from workbench.ui.widgets.chat import ChatView
from workbench.ui.widgets.prompt_box import PromptBox

AGENT = ".claude/agents/indexer-planner.md"
EDIT = "Always answer in haiku.\n"


def reply(chat: ChatView) -> str:
    return "".join(flow.source for flow in chat.query(MarkdownFlow))


async def open_editor(pilot) -> TextArea:  # type: ignore[no-untyped-def]
    app = pilot.app
    await until(
        pilot, lambda: isinstance(app.screen, EditorScreen) and bool(app.screen.query(TextArea))
    )
    area = app.screen.query_one("#editor-text", TextArea)
    await until(pilot, lambda: area.text.startswith("---"))
    return area


async def compare_an_edit(pilot) -> CompareScreen:  # type: ignore[no-untyped-def]
    """Edit the agent in the editor, then compare the edit with the saved file."""
    area = await open_editor(pilot)
    area.insert(EDIT, area.document.end)
    await pilot.press("ctrl+b")
    await until(pilot, lambda: isinstance(pilot.app.screen, CompareScreen))
    screen = pilot.app.screen
    assert isinstance(screen, CompareScreen)
    return screen


async def test_ctrl_b_gives_both_versions_the_same_task_side_by_side(
    api: FakeAnthropic, workspace: Path
) -> None:
    path = workspace / AGENT
    before = path.read_bytes()
    api.script(text_turn("first answer"), text_turn("second answer"))
    app = make_app(workspace, edit_path=path)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await compare_an_edit(pilot)
        saved, edited = (
            screen.query_one("#compare-saved", ChatView),
            screen.query_one("#compare-edited", ChatView),
        )
        assert EDIT.strip() in edited.spec.body and EDIT.strip() not in saved.spec.body
        box = screen.query_one("#compare-prompt", PromptBox)
        assert box.has_focus
        box.insert("What is the goal?")
        await pilot.press("enter")
        await until(pilot, lambda: not saved.working and not edited.working and reply(saved))
        answers = {"first answer", "second answer"}
        assert {reply(saved), reply(edited)} == answers
        requests = api.message_requests
        assert len(requests) == 2
        for request, answer in zip(requests, ["first answer", "second answer"], strict=True):
            system = json.dumps(request.json["system"])
            side = edited if EDIT.strip() in system else saved
            assert reply(side) == answer
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, EditorScreen))
        assert app.screen.query_one("#editor-text", TextArea).text.endswith(EDIT)
    assert path.read_bytes() == before


async def test_compare_needs_an_edit_and_a_saved_version(workspace: Path) -> None:
    path = workspace / AGENT
    app = make_app(workspace, edit_path=path)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        area = await open_editor(pilot)
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert isinstance(app.screen, EditorScreen)
        area.insert(EDIT, area.document.end)
        path.unlink()
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert isinstance(app.screen, EditorScreen)
        said = " ".join(str(notice.message) for notice in app._notifications)
        assert "edit it, then compare" in said
        assert "no saved version to compare with" in said


async def test_quitting_while_a_compared_version_works_asks_first(
    api: FakeAnthropic, workspace: Path
) -> None:
    path = workspace / AGENT
    api.script(
        stall(text_turn("slow answer", chunks=3), after_events=3, seconds=3),
        stall(text_turn("slow answer", chunks=3), after_events=3, seconds=3),
    )
    app = make_app(workspace, edit_path=path)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await compare_an_edit(pilot)
        screen.query_one("#compare-prompt", PromptBox).insert("Go")
        await pilot.press("enter")
        await until(pilot, lambda: all(chat.working for chat in screen.query(ChatView)))
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        assert "still working" in shown_text(app.screen.query_one(".confirm-box Static"))
        await pilot.press("y")
        await until(pilot, lambda: not any(chat.working for chat in screen.query(ChatView)))
