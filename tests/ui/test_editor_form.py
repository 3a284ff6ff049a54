"""The frontmatter form beside the editor's text: edits go both ways, one key's lines at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Input, Select, SelectionList, TextArea

from tests.support.pilot import make_app, shown_text, until
from tests.ui.test_editor import AGENT, header, open_editor
from workbench.agentfile.document import AgentDocument
from workbench.agentfile.lint import check
from workbench.agentfile.parse import parse_agent
from workbench.agentfile.quick_fixes import quick_fixes
from workbench.agentfile.spec import Origin
from workbench.config.models import builtin_models
from workbench.ui.screens.editor import EditorScreen
from workbench.ui.widgets.frontmatter_form import FrontmatterForm


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    a, b = before.split("\n"), after.split("\n")
    assert len(a) == len(b), (a, b)
    return [(x, y) for x, y in zip(a, b, strict=True) if x != y]


async def form_shows(pilot, form: FrontmatterForm, key: str, value: object) -> None:  # type: ignore[no-untyped-def]
    await until(pilot, lambda: form._values.get(key) == value)


class Editing(NamedTuple):
    pilot: Pilot[object]
    screen: EditorScreen
    area: TextArea
    form: FrontmatterForm


@asynccontextmanager
async def editing(
    workspace: Path, key: str = "model", value: object = "haiku"
) -> AsyncIterator[Editing]:
    """The sample agent open in the editor, once its form shows `key` as `value`."""
    app = make_app(workspace)
    async with app.run_test(size=(140, 50)) as pilot:
        screen = await open_editor(pilot, workspace)
        form = screen.query_one(FrontmatterForm)
        await form_shows(pilot, form, key, value)
        yield Editing(pilot, screen, screen.query_one("#editor-text", TextArea), form)


async def test_changing_the_model_in_the_form_changes_only_the_model_line(workspace: Path) -> None:
    async with editing(workspace) as (pilot, screen, area, _form):
        before = area.text
        area.cursor_location = (12, 3)
        screen.query_one("#fm-model", Select).value = "opus"
        await until(pilot, lambda: area.text != before)
        assert changed_lines(before, area.text) == [("model: haiku", "model: opus")]
        assert area.cursor_location == (12, 3), "the cursor elsewhere stays put"
        area.undo()
        await pilot.pause()
        assert area.text == before, "one ctrl+z takes the form's edit back"


async def test_undoing_a_form_edit_in_the_text_at_once_shows_in_the_form(
    workspace: Path,
) -> None:
    async with editing(workspace) as (pilot, screen, area, _form):
        before = area.text
        model = screen.query_one("#fm-model", Select)
        model.value = "opus"
        await until(pilot, lambda: area.text != before)
        area.focus()
        area.undo()  # before the check of the form's edit has run
        assert area.text == before
        await until(pilot, lambda: model.value == "haiku")


async def test_typing_the_description_in_the_text_shows_in_the_form(workspace: Path) -> None:
    async with editing(workspace) as (pilot, _screen, area, form):
        line = area.document.get_line(2)
        area.replace("description: Plans indexer changes.", (2, 0), (2, len(line)))
        shown = form.query_one("#fm-description", TextArea)
        await until(pilot, lambda: shown.text == "Plans indexer changes.")
        assert form.query_one("#fm-name", Input).value == "indexer-planner"
        before = area.text
        await pilot.pause(0.5)
        assert area.text == before, "showing the new spec posts no edit back"


async def test_unchecking_a_tool_keeps_the_tools_line_style(workspace: Path) -> None:
    path = workspace / AGENT
    path.write_text(
        path.read_text().replace(
            "tools: Read, Grep, Glob, Write", "tools: [Read, Grep, Glob, Write]"
        )
    )
    async with editing(workspace, "tools", ("Read", "Grep", "Glob", "Write")) as (
        pilot,
        _screen,
        area,
        form,
    ):
        before = area.text
        form.query_one("#fm-tools-read-only", SelectionList).deselect("Grep")
        await until(pilot, lambda: area.text != before)
        assert changed_lines(before, area.text) == [
            ("tools: [Read, Grep, Glob, Write]", "tools: [Read, Glob, Write]")
        ]
        form.query_one("#fm-tools-extra", Input).value = "mcp__github__get_issue"
        await until(pilot, lambda: "mcp__github__get_issue" in area.text)
        assert "tools: [Read, Glob, Write, mcp__github__get_issue]\n" in area.text


async def test_a_form_edit_of_invalid_yaml_changes_only_that_key(workspace: Path) -> None:
    path = workspace / AGENT
    text = path.read_text()
    start = text.index("description:")
    end = text.index("\n", start)
    path.write_text(text[:start] + "description: Plans things. Use it: when asked" + text[end:])
    async with editing(workspace, "description", "Plans things. Use it: when asked") as (
        pilot,
        screen,
        area,
        form,
    ):
        before = area.text
        screen.query_one("#fm-color", Select).value = "purple"
        await until(pilot, lambda: area.text != before)
        assert changed_lines(before, area.text) == [("color: green", "color: purple")]
        before = area.text
        form.query_one("#fm-name", Input).value = "indexer-planner-2"
        await until(pilot, lambda: area.text != before)
        assert changed_lines(before, area.text) == [
            ("name: indexer-planner", "name: indexer-planner-2")
        ]


async def test_f2_moves_the_focus_between_text_and_form(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(140, 50)) as pilot:
        screen = await open_editor(pilot, workspace)
        area = screen.query_one("#editor-text", TextArea)
        area.focus()
        await pilot.press("f2")
        assert screen.query_one("#fm-name", Input).has_focus
        await pilot.press("f2")
        assert area.has_focus


async def test_a_read_only_file_shows_a_form_that_takes_no_edits(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = AgentDocument.open
    monkeypatch.setattr(AgentDocument, "open", lambda path: replace(opened(path), writable=False))
    async with editing(workspace) as (pilot, _screen, area, form):
        note = form.query_one("#fm-read-only")
        assert note.region.height and "read-only file" in shown_text(note)
        name = form.query_one("#fm-name", Input)
        assert name.value == "indexer-planner" and name.disabled
        assert all(control.disabled for control in form.query("Input, Select, SelectionList"))
        before = area.text
        await pilot.press("f2")
        assert not name.has_focus and form.has_focus_within
        await pilot.press("x", "end", "space")
        await pilot.pause(0.5)
        assert area.text == before and name.value == "indexer-planner"
        await pilot.press("f2")
        assert area.has_focus


async def test_typing_in_a_field_is_one_undo_step_and_the_form_follows_it_back(
    workspace: Path,
) -> None:
    async with editing(workspace) as (pilot, _screen, area, form):
        name = form.query_one("#fm-name", Input)
        before = area.text
        await pilot.press("f2")
        assert name.has_focus
        await pilot.press("end", "a", "b", "c")
        await until(pilot, lambda: "name: indexer-plannerabc\n" in area.text)
        assert changed_lines(before, area.text) == [
            ("name: indexer-planner", "name: indexer-plannerabc")
        ]
        await pilot.press("ctrl+z")
        assert area.text == before, "one ctrl+z takes the whole burst back"
        assert name.value == "indexer-planner", "the focused field follows the text back"
        await pilot.press("end", "x", "f2", "f2", "end", "y")
        await until(pilot, lambda: "name: indexer-plannerxy\n" in area.text)
        await pilot.press("ctrl+z")
        assert "name: indexer-plannerx\n" in area.text, "leaving the field ended its edit"
        await pilot.press("ctrl+z")
        assert area.text == before


async def test_a_save_right_after_typing_in_the_form_writes_what_was_typed(
    workspace: Path,
) -> None:
    async with editing(workspace) as (pilot, _, _, _):
        await pilot.press("f2", "end", "-", "v", "2", "ctrl+s")
        app = pilot.app
        await until(pilot, lambda: "unsaved" not in header(app) and "saved" in header(app))
    assert "\nname: indexer-planner-v2\n" in (workspace / AGENT).read_text()


async def test_a_check_of_older_text_does_not_take_back_a_field_just_edited(
    workspace: Path,
) -> None:
    async with editing(workspace, "tools", ("Read", "Grep", "Glob", "Write")) as (
        pilot,
        screen,
        area,
        form,
    ):
        before = area.text
        # The check of the text as it was, finishing only after the form changed it.
        document = screen.document
        assert document is not None
        parsed = parse_agent(document.encode(before), screen.path, screen.origin)
        stale = check(parsed, screen.models)
        form.query_one("#fm-tools-read-only", SelectionList).deselect("Grep")
        await until(pilot, lambda: "tools: Read, Glob, Write" in area.text)
        screen._validated(before, stale, quick_fixes(stale, before))
        for _ in range(3):
            await pilot.pause()
        assert "tools: Read, Glob, Write\n" in area.text
        assert "Grep" not in form.query_one("#fm-tools-read-only", SelectionList).selected


class FormApp(App[None]):
    """The form alone: what it posts is kept, and nothing edits a text from it."""

    def __init__(self) -> None:
        super().__init__()
        self.posted: list[tuple[str, object]] = []

    def compose(self) -> ComposeResult:
        yield FrontmatterForm(builtin_models())

    def on_frontmatter_form_field_changed(self, event: FrontmatterForm.FieldChanged) -> None:
        self.posted.append((event.key, event.value))


async def test_a_check_landing_before_the_text_catches_up_keeps_the_persons_change(
    workspace: Path,
) -> None:
    path = workspace / AGENT
    spec = parse_agent(path.read_bytes(), path, Origin.PROJECT)
    app = FormApp()
    async with app.run_test(size=(100, 60)) as pilot:
        form = app.query_one(FrontmatterForm)
        form.show(spec)
        listed = form.query_one("#fm-tools-read-only", SelectionList)
        listed.deselect("Grep")
        await until(pilot, lambda: app.posted)
        assert app.posted == [("tools", ("Read", "Glob", "Write"))]
        # The text has not been patched yet: a check of it shows the old tools.
        form.show(spec)
        await pilot.pause()
        assert "Grep" not in listed.selected
        form.query_one("#fm-tools-extra", Input).value = "mcp__github__get_issue"
        await until(pilot, lambda: len(app.posted) == 2)
        assert app.posted[1] == ("tools", ("Read", "Glob", "Write", "mcp__github__get_issue"))
        # A key the text did change is shown, though the tools wait for their edit.
        text = path.read_text().replace("model: haiku", "model: opus")
        form.show(parse_agent(text.encode(), path, Origin.PROJECT))
        await pilot.pause()
        assert form.query_one("#fm-model", Select).value == "opus"
        assert "Grep" not in listed.selected
