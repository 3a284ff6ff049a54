"""The edit compared with the saved file and with git's last commit, one key away."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static, TextArea

from tests.support.pilot import make_app, shown_text, until
from workbench.git_files import NotCommitted, committed_text
from workbench.ui.app import WorkbenchApp
from workbench.ui.screens.edit_diff import EditDiffScreen
from workbench.ui.screens.editor import EditorScreen
from workbench.ui.widgets.version_diff import VersionDiff

AGENT = ".claude/agents/indexer-planner.md"


def git(folder: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
    )


async def edited(pilot: Pilot[None], app: WorkbenchApp) -> TextArea:
    await until(
        pilot, lambda: isinstance(app.screen, EditorScreen) and bool(app.screen.query(TextArea))
    )
    area = app.screen.query_one("#editor-text", TextArea)
    await until(pilot, lambda: area.text.startswith("---"))
    area.insert("An edit.\n", area.document.end)
    return area


def diff_shown(app: WorkbenchApp) -> tuple[str, VersionDiff] | None:
    screen = app.screen
    if not isinstance(screen, EditDiffScreen) or not screen.query(VersionDiff):
        return None
    return shown_text(screen.query_one("#edit-diff-title", Static)), screen.query_one(VersionDiff)


async def test_ctrl_g_compares_the_edit_with_the_saved_file(workspace: Path) -> None:
    path = workspace / AGENT
    app = make_app(workspace, edit_path=path)
    async with app.run_test(size=(140, 40)) as pilot:
        area = await edited(pilot, app)
        await pilot.press("ctrl+g")
        await until(pilot, lambda: diff_shown(app) is not None)
        title, diff = diff_shown(app)  # type: ignore[misc]
        assert "saved → your edit" in title
        assert diff.before == path.read_text() and diff.after == area.text
        await pilot.press("c")
        await until(pilot, lambda: "not in a git repository" in str(list(app._notifications)))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, EditorScreen))


async def test_c_compares_with_the_last_commit(workspace: Path) -> None:
    path = workspace / AGENT
    git(workspace, "init", "-q")
    git(workspace, "add", AGENT)
    git(workspace, "commit", "-q", "-m", "agents")
    committed = path.read_text()
    path.write_text(committed.replace("indexer", "INDEXER", 1))
    app = make_app(workspace, edit_path=path)
    async with app.run_test(size=(140, 40)) as pilot:
        await edited(pilot, app)
        await pilot.press("ctrl+g")
        await until(pilot, lambda: diff_shown(app) is not None)
        await pilot.press("c")
        await until(pilot, lambda: "last commit" in (diff_shown(app) or ("",))[0])
        _title, diff = diff_shown(app)  # type: ignore[misc]
        assert diff.before == committed and "An edit." in (diff.after or "")


def test_files_without_a_commit_say_why(tmp_path: Path) -> None:
    loose = tmp_path / "a.md"
    loose.write_text("x")
    with pytest.raises(NotCommitted, match="not in a git repository"):
        committed_text(loose)
    git(tmp_path, "init", "-q")
    with pytest.raises(NotCommitted, match="no commit yet"):
        committed_text(loose)
    (tmp_path / "other.md").write_text("y")
    git(tmp_path, "add", "other.md")
    git(tmp_path, "commit", "-q", "-m", "other")
    with pytest.raises(NotCommitted, match="never been committed"):
        committed_text(loose)
    git(tmp_path, "add", "a.md")
    git(tmp_path, "commit", "-q", "-m", "a")
    loose.write_text("changed")
    assert committed_text(loose) == "x"
