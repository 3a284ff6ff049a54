"""New, duplicate, rename, delete and restore, driven from the command palette."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, Static

from tests.support.pilot import make_app, roster_shown, shown_text, until
from workbench.agentfile.manage import trash_entries
from workbench.ui.app import WorkbenchApp
from workbench.ui.screens.confirm import Confirm
from workbench.ui.screens.editor import EditorScreen
from workbench.ui.screens.main import MainScreen
from workbench.ui.screens.manage import AgentFiles, NameForm, NewAgentForm, TrashPicker
from workbench.ui.widgets.roster import RosterPanel

AGENTS = ".claude/agents"


async def palette(pilot: Pilot[object], command: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.press(*command)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await pilot.pause()


async def select(pilot: Pilot[object], name: str) -> MainScreen:
    await roster_shown(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    assert screen.query_one(RosterPanel).select_name(name)
    await pilot.pause()
    return screen


def selected_name(app: WorkbenchApp) -> str | None:
    spec = app.screen_stack[0].query_one(RosterPanel).selected
    return spec.name if spec else None


async def test_new_agent_in_the_project_folder_opens_in_the_editor(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        await roster_shown(pilot)
        await palette(pilot, "New agent")
        await until(pilot, lambda: isinstance(app.screen, NewAgentForm))
        await pilot.press(*"doc-writer", "enter")
        await pilot.press(*"Writes docs: short ones.", "enter")
        await until(pilot, lambda: isinstance(app.screen, EditorScreen))
        path = workspace / AGENTS / "doc-writer.md"
        assert app.screen.path == path  # type: ignore[attr-defined]
        assert "name: doc-writer\n" in path.read_text()
        assert '"Writes docs: short ones."' in path.read_text()
        assert selected_name(app) == "doc-writer"


async def test_duplicate_opens_the_editor_on_the_copy(workspace: Path) -> None:
    original = workspace / AGENTS / "indexer-planner.md"
    before = original.read_bytes()
    app = make_app(workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await select(pilot, "indexer-planner")
        AgentFiles(screen).duplicate()
        await until(pilot, lambda: isinstance(app.screen, NameForm) and app.screen.query(Input))
        assert app.screen.query_one(Input).value == "indexer-planner-variant"
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, EditorScreen))
        copy = workspace / AGENTS / "indexer-planner-variant.md"
        assert app.screen.path == copy  # type: ignore[attr-defined]
    assert copy.read_bytes() == before.replace(
        b"name: indexer-planner\n", b"name: indexer-planner-variant\n"
    )
    assert original.read_bytes() == before


async def test_rename_refuses_a_clash_and_keeps_the_form(workspace: Path) -> None:
    folder = workspace / AGENTS
    files = {path.name: path.read_bytes() for path in folder.iterdir()}
    app = make_app(workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await select(pilot, "indexer-planner")
        AgentFiles(screen).rename()
        await until(pilot, lambda: isinstance(app.screen, NameForm) and app.screen.query(Input))
        field = app.screen.query_one(Input)
        field.value = "backend-reviewer"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, NameForm)
        error = shown_text(app.screen.query_one(".manage-error", Static))
        assert "already exists" in error and "backend-reviewer" in error
        field.value = "index-planner"
        await pilot.press("enter")
        await until(pilot, lambda: selected_name(app) == "index-planner")
    assert not (folder / "indexer-planner.md").exists()
    assert (folder / "index-planner.md").read_bytes() == files["indexer-planner.md"].replace(
        b"name: indexer-planner\n", b"name: index-planner\n"
    )


async def test_delete_then_restore_from_the_palette(workspace: Path) -> None:
    path = workspace / AGENTS / "migration-helper.md"
    before = path.read_bytes()
    app = make_app(workspace)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await select(pilot, "migration-helper")
        await palette(pilot, "Delete agent")
        await until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await until(pilot, lambda: not path.exists())
        [entry] = trash_entries(workspace)
        assert entry.file.read_bytes() == before
        await until(
            pilot, lambda: app.roster is not None and not app.roster.get("migration-helper")
        )
        await palette(pilot, "Restore deleted agent")
        await until(pilot, lambda: isinstance(app.screen, TrashPicker))
        await pilot.press("enter")
        await until(pilot, lambda: selected_name(app) == "migration-helper")
        messages = [n.message for n in app._notifications]
        assert any("moved to .workbench/trash/" in m for m in messages)
        assert any("Restored migration-helper" in m for m in messages)
    assert path.read_bytes() == before and trash_entries(workspace) == []


async def test_bundled_agents_are_not_renamed_or_deleted(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(140, 40), notifications=True) as pilot:
        await roster_shown(pilot)
        assert app.roster is not None
        bundled = next(s for s in app.roster.agents if s.origin.value == "bundled" and s.active)
        screen = await select(pilot, bundled.name or "")
        AgentFiles(screen).rename()
        AgentFiles(screen).delete()
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        messages = [n.message for n in app._notifications]
        assert any("cannot be renamed" in m for m in messages)
        assert any("cannot be deleted" in m for m in messages)
        assert bundled.path.exists()
