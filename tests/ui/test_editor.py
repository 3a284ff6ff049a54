"""The agent editor: open, type, see problems, save, conflicts, closing and recovery."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import OptionList, Static, TextArea

from tests.support.pilot import make_app, roster_shown, shown_text, until
from workbench.ui.app import WorkbenchApp
from workbench.ui.screens import editor as editor_module
from workbench.ui.screens.confirm import Confirm
from workbench.ui.screens.editor import ConflictScreen, EditorScreen
from workbench.ui.widgets.roster import RosterPanel

AGENT = ".claude/agents/indexer-planner.md"


def editor(app: WorkbenchApp) -> EditorScreen:
    screen = app.screen
    assert isinstance(screen, EditorScreen), screen
    return screen


def header(app: WorkbenchApp) -> str:
    return shown_text(editor(app).query_one("#editor-header", Static))


def problems(app: WorkbenchApp) -> list[str]:
    found = editor(app).query_one("#editor-problems", OptionList)
    return [str(found.get_option_at_index(i).prompt) for i in range(found.option_count)]


async def open_editor(pilot, workspace: Path):  # type: ignore[no-untyped-def]
    await roster_shown(pilot)
    pilot.app.screen.query_one(RosterPanel).select_name("indexer-planner")
    await pilot.pause()
    pilot.app.screen.query_one("#roster-list").focus()
    await pilot.press("e")
    await until(pilot, lambda: isinstance(pilot.app.screen, EditorScreen))
    screen = editor(pilot.app)
    await until(pilot, lambda: "Problems" in shown_text(screen.query_one("#editor-problems-title")))
    return screen


async def test_e_opens_the_agent_and_problems_follow_the_typing(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_editor(pilot, workspace)
        area = screen.query_one(TextArea)
        assert area.text == (workspace / AGENT).read_text()
        assert "saved" in header(app) and "unsaved" not in header(app)
        area.replace("tools: Read, Grpe", (3, 0), (3, len(area.document.get_line(3))))
        await until(pilot, lambda: "unsaved" in header(app))
        await until(pilot, lambda: any("Grpe" in problem for problem in problems(app)))
        assert "Grpe" not in (workspace / AGENT).read_text(), "nothing is saved before ctrl+s"


async def test_ctrl_s_saves_exactly_the_buffer(workspace: Path) -> None:
    path = workspace / AGENT
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    app = make_app(workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_editor(pilot, workspace)
        area = screen.query_one(TextArea)
        area.move_cursor(area.document.end)
        area.insert("One more line.\r\n")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "unsaved" not in header(app))
    data = path.read_bytes()
    assert data.endswith(b"One more line.\r\n")
    assert b"\n" not in data.replace(b"\r\n", b""), "every line keeps its CRLF"


async def test_a_change_on_disk_stops_the_save_and_asks(workspace: Path) -> None:
    path = workspace / AGENT
    app = make_app(workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_editor(pilot, workspace)
        area = screen.query_one(TextArea)
        area.insert("Mine.\n", area.document.end)
        path.write_text(path.read_text() + "Theirs.\n")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConflictScreen))
        await pilot.press("k")
        assert isinstance(app.screen, EditorScreen) and "Theirs." in path.read_text()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConflictScreen))
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, EditorScreen))
        assert area.text == path.read_text() and "Mine." not in area.text
        area.insert("Mine again.\n", area.document.end)
        path.write_text("---\nname: indexer-planner\n---\nReplaced.\n")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConflictScreen))
        await pilot.press("o")
        await until(pilot, lambda: "Mine again." in path.read_text())
        assert "Replaced." not in path.read_text()


async def test_closing_with_unsaved_changes_asks(workspace: Path) -> None:
    path = workspace / AGENT
    before = path.read_bytes()
    app = make_app(workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_editor(pilot, workspace)
        screen.query_one(TextArea).insert("draft ")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("n")
        assert isinstance(app.screen, EditorScreen)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await until(pilot, lambda: not isinstance(app.screen, (EditorScreen, Confirm)))
        await pilot.press("ctrl+q")
    assert path.read_bytes() == before


async def test_quitting_with_unsaved_changes_asks(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_editor(pilot, workspace)
        screen.query_one(TextArea).insert("draft ")
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("n")
        assert app.is_running and isinstance(app.screen, EditorScreen)


async def test_unsaved_text_survives_a_crash(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(editor_module, "KEEP_AFTER_S", 0.1)
    app = make_app(workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_editor(pilot, workspace)
        screen.query_one(TextArea).insert("Words typed before the crash.\n")
        recovery = screen.recovery
        await until(pilot, lambda: recovery.find(workspace / AGENT) is not None)
        app.exit()  # no save, no question: as if the terminal were closed
    assert "Words typed" not in (workspace / AGENT).read_text()
    again = make_app(workspace)
    async with again.run_test(size=(140, 40)) as pilot:
        await roster_shown(pilot)
        again.screen.query_one(RosterPanel).select_name("indexer-planner")
        again.screen.query_one("#roster-list").focus()
        await pilot.press("e")
        await until(pilot, lambda: isinstance(again.screen, Confirm))
        await pilot.press("y")
        await until(pilot, lambda: isinstance(again.screen, EditorScreen))
        area = again.screen.query_one(TextArea)
        await until(pilot, lambda: area.text.startswith("Words typed before the crash."))
        assert "unsaved" in header(again)


async def test_the_edit_option_opens_a_file_straight_away(workspace: Path) -> None:
    path = workspace / "loose-agent.txt"
    path.write_text("---\nname: loose\ndescription: x\n---\nBody\n")
    app = make_app(workspace, edit_path=path)
    async with app.run_test(size=(140, 40)) as pilot:
        await until(pilot, lambda: bool(app.screen.query(TextArea)))
        area = editor(app).query_one(TextArea)
        await until(pilot, lambda: area.text.endswith("Body\n"))
        assert "explicit" in header(app)
