"""The agent editor: open, type, see problems, save, conflicts, closing and recovery."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import OptionList, Static, TextArea

from tests.support.pilot import make_app, roster_shown, shown_text, until
from workbench.ui.app import WorkbenchApp
from workbench.ui.screens import editor as editor_module
from workbench.ui.screens.compare import CompareScreen
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
        await until(
            pilot, lambda: isinstance(app.screen, EditorScreen) and app.screen.query(TextArea)
        )
        area = editor(app).query_one(TextArea)
        await until(pilot, lambda: area.text.endswith("Body\n"))
        assert "explicit" in header(app)


def fix_shown(app: WorkbenchApp) -> bool:
    """Whether the footer offers `f`: the problems list has the focus and a fix highlighted."""
    binding = app.active_bindings.get("f")
    return binding is not None and binding.enabled and binding.binding.action == "fix"


async def highlight_problem(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    """Focus the problems list and highlight the first problem whose row holds `text`."""
    await until(pilot, lambda: any(text in problem for problem in problems(pilot.app)))
    found = editor(pilot.app).query_one("#editor-problems", OptionList)
    found.focus()
    found.highlighted = next(i for i, row in enumerate(problems(pilot.app)) if text in row)
    await pilot.pause()


async def test_f_puts_the_closest_tool_name_in_and_ctrl_z_takes_it_back(workspace: Path) -> None:
    path = workspace / AGENT
    before = path.read_bytes()
    app = make_app(workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_editor(pilot, workspace)
        area = screen.query_one(TextArea)
        assert not fix_shown(app), "no `f` while the text has the focus"
        area.replace("tools: Read, Grpe, Glob", (3, 0), (3, len(area.document.get_line(3))))
        typed = area.text
        await highlight_problem(pilot, "fix: Grpe → Grep")
        await until(pilot, lambda: fix_shown(app))
        await pilot.press("f")
        assert area.document.get_line(3) == "tools: Read, Grep, Glob"
        assert area.text.split("\n")[:3] == typed.split("\n")[:3]
        assert area.text.split("\n")[4:] == typed.split("\n")[4:]
        await until(pilot, lambda: not any("Grpe" in problem for problem in problems(app)))
        assert not fix_shown(app)
        assert path.read_bytes() == before, "a fix changes the buffer, not the file"
        await pilot.press("ctrl+z")
        assert area.text == typed
        await until(pilot, lambda: any("fix: Grpe → Grep" in row for row in problems(app)))


async def test_f_keeps_a_yaml_tool_list_a_list(workspace: Path) -> None:
    path = workspace / AGENT
    text = path.read_text().replace("tools: Read, Grep, Glob, Write", "tools:\n  - Read\n  - Wrte")
    path.write_text(text.replace("model: haiku", "model: gpt-4"))
    app = make_app(workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_editor(pilot, workspace)
        area = screen.query_one(TextArea)
        await highlight_problem(pilot, "unknown model 'gpt-4'")
        assert not fix_shown(app), "a problem without a fix offers no `f`"
        await highlight_problem(pilot, "fix: Wrte → Write")
        assert fix_shown(app)
        await pilot.press("f")
        assert area.text.split("\n")[3:6] == ["tools:", "  - Read", "  - Write"]


async def test_f_repairs_mojibake_on_its_line_only(workspace: Path) -> None:
    path = workspace / AGENT
    original = path.read_text()
    path.write_text(original + "Keep each plan under 10Â² lines.\n")
    before = path.read_bytes()
    app = make_app(workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_editor(pilot, workspace)
        area = screen.query_one(TextArea)
        await highlight_problem(pilot, "fix: repair mojibake")
        await pilot.press("f")
        assert area.text == original + "Keep each plan under 10² lines.\n"
        await until(pilot, lambda: not any("mojibake" in row for row in problems(app)))
        assert path.read_bytes() == before
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "unsaved" not in header(app))
    assert path.read_text() == original + "Keep each plan under 10² lines.\n"


async def test_f_quotes_a_description_strict_yaml_rejects(workspace: Path) -> None:
    path = workspace / AGENT
    lines = path.read_text().split("\n")
    lines[2] = "description: Use it when: the plan's scope changes."
    path.write_text("\n".join(lines))
    before = path.read_bytes()
    app = make_app(workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_editor(pilot, workspace)
        area = screen.query_one(TextArea)
        await highlight_problem(pilot, "fix: quote the description")
        await pilot.press("f")
        expected = "description: 'Use it when: the plan''s scope changes.'"
        assert area.text.split("\n") == [*lines[:2], expected, *lines[3:]]
        await until(pilot, lambda: not any("yaml-invalid" in row for row in problems(app)))
        assert path.read_bytes() == before, "nothing is saved before ctrl+s"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "unsaved" not in header(app))
    assert path.read_text().split("\n")[2] == expected


async def test_enter_on_a_problem_with_a_fix_still_jumps_to_its_line(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_editor(pilot, workspace)
        area = screen.query_one(TextArea)
        area.replace("tools: Read, Grpe", (3, 0), (3, len(area.document.get_line(3))))
        area.cursor_location = (0, 0)
        await highlight_problem(pilot, "fix: Grpe → Grep")
        await pilot.press("enter")
        assert area.has_focus and area.cursor_location == (3, 0)
        assert area.document.get_line(3) == "tools: Read, Grpe"


async def test_the_palette_offers_compare_with_saved(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_editor(pilot, workspace)
        screen.text_area.insert("Always answer in haiku.\n", screen.text_area.document.end)
        await pilot.press("ctrl+p", *"compare with saved")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, CompareScreen))
