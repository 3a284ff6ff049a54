"""Running the editor's text before saving it, and coming back to the same buffer."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import TextArea

from tests.support.pilot import chat, make_app, until
from workbench.ui.screens.editor import EditorScreen
from workbench.ui.screens.main import MainScreen

AGENT = ".claude/agents/indexer-planner.md"


async def test_ctrl_n_chats_with_the_unsaved_text_and_e_returns_to_it(workspace: Path) -> None:
    path = workspace / AGENT
    before = path.read_bytes()
    app = make_app(workspace, edit_path=path)
    async with app.run_test(size=(140, 40)) as pilot:
        await until(
            pilot, lambda: isinstance(app.screen, EditorScreen) and bool(app.screen.query(TextArea))
        )
        area = app.screen.query_one("#editor-text", TextArea)
        await until(pilot, lambda: area.text.startswith("---"))
        area.insert("Always answer in haiku.\n", area.document.end)
        await pilot.press("ctrl+n")
        await until(pilot, lambda: isinstance(app.screen, MainScreen))
        view = chat(app)
        assert view.spec.path == path and "Always answer in haiku." in view.spec.body
        main = app.screen
        assert isinstance(main, MainScreen)
        main.load_roster()  # a reload must not swap the draft for the file on disk
        await pilot.pause(0.3)
        assert "Always answer in haiku." in chat(app).spec.body
        main.query_one("#roster-list").focus()
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EditorScreen))
        assert app.screen.query_one("#editor-text", TextArea).text.endswith("haiku.\n")
    assert path.read_bytes() == before


async def test_text_that_is_not_an_agent_does_not_run(workspace: Path) -> None:
    path = workspace / AGENT
    app = make_app(workspace, edit_path=path)
    async with app.run_test(size=(140, 40)) as pilot:
        await until(
            pilot, lambda: isinstance(app.screen, EditorScreen) and bool(app.screen.query(TextArea))
        )
        area = app.screen.query_one("#editor-text", TextArea)
        await until(pilot, lambda: area.text.startswith("---"))
        area.load_text("Just some notes, no frontmatter.\n")
        await pilot.press("ctrl+n")
        await pilot.pause(0.2)
        assert isinstance(app.screen, EditorScreen)
        assert "cannot run" in str([n.message for n in app._notifications])
