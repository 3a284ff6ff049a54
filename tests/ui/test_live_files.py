"""The live files pane, file tabs and history, driven by real changes on disk and real runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import TabbedContent, Tree

from tests.support.fake_api import FakeAnthropic, text_turn, tool_turn
from tests.support.pilot import chat, make_app, roster_shown, settle, type_and_send, until
from workbench.agentfile.spec import Origin
from workbench.ui.app import WorkbenchApp
from workbench.ui.widgets.file_tab import FileTab
from workbench.ui.widgets.live_files import LiveFilesPane
from workbench.ui.widgets.tool_block import ToolBlock
from workbench.ui.widgets.version_diff import VersionDiff
from workbench.ui.widgets.version_list import VersionList


def pane(app: WorkbenchApp) -> LiveFilesPane:
    return app.screen.query_one(LiveFilesPane)


def tree_lines(app: WorkbenchApp) -> list[str]:
    """The pane's tree as a person reads it: each visible row's text."""
    tree: Tree[str] = pane(app).query_one(Tree)
    return [str(line.node.label) for line in tree._tree_lines]


def row(app: WorkbenchApp, label: str) -> str:
    return next((line for line in tree_lines(app) if line.startswith(label)), "")


def _project_agents(app: WorkbenchApp) -> list[object]:
    assert app.roster is not None
    return [spec for spec in app.roster.agents if spec.origin is Origin.PROJECT]


def _watching(app: WorkbenchApp) -> bool:
    return any(worker.group == "watch" and not worker.is_finished for worker in app.workers)


def file_tab(app: WorkbenchApp) -> FileTab:
    tabs = app.screen.query_one("#center", TabbedContent)
    return app.screen.query_one(f"#{tabs.active}-tab", FileTab)


async def test_the_pane_lists_watched_files_by_area(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await until(pilot, lambda: bool(row(app, "context.md")))
        lines = tree_lines(app)
        areas = [line.split("  ")[0] for line in lines if line.split("  ")[0] in AREA_NAMES]
        assert areas == [
            "Context",
            "Tasks",
            "Plans",
            "Standards",
            "Skills",
            "Agents",
            "Named in prompts",
        ]
        assert row(app, "src/transfer_indexer/ingest.py"), "indexer-planner names that folder"
        assert row(app, "ingest-plan.md") and row(app, "context_session_1.md")
        assert "KB" in row(app, "context.md") or "bytes" in row(app, "context.md")
        assert "new" not in " ".join(lines), "files found at start are not badged"
        title = str(pane(app).query_one(".watch-globs").title)  # type: ignore[attr-defined]
        assert title.startswith("Watching ") and "patterns" in title


AREA_NAMES = {"Context", "Tasks", "Plans", "Standards", "Skills", "Agents", "Named in prompts"}


async def test_a_file_written_by_another_process_appears_badged_new(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await until(pilot, lambda: bool(row(app, "context.md")))
        (workspace / ".claude/tasks/context_session_2.md").write_text("# Session 2\n\nNotes.\n")
        await until(pilot, lambda: "new" in row(app, "context_session_2.md"))
        pane(app).select(".claude/tasks/context_session_2.md")
        pane(app).query_one(Tree).focus()
        await pilot.press("enter")
        await until(pilot, lambda: "new" not in row(app, "context_session_2.md"))
        assert file_tab(app).rel == ".claude/tasks/context_session_2.md"


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_ctrl_f_goes_into_the_files_and_back(workspace: Path, size: tuple[int, int]) -> None:
    app = make_app(workspace)
    async with app.run_test(size=size) as pilot:
        await roster_shown(pilot)
        await until(pilot, lambda: bool(row(app, "context.md")))
        tree = pane(app).query_one(Tree)
        await pilot.press("ctrl+f")
        assert tree.has_focus and tree.region.width > 0, "the files column is shown and focused"
        await pilot.press("down", "down", "enter")
        await until(pilot, lambda: "file-" in app.screen.query_one("#center", TabbedContent).active)
        assert file_tab(app).rel == "docs/tasks/context.md"
        await pilot.press("ctrl+f")
        assert tree.has_focus, "from the open file, ctrl+f goes back to the files"
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert not tree.has_focus
        roster = app.screen.query_one("#roster")
        if size[0] < 120:
            assert tree.region.width == 0 and roster.region.width > 0, "the roster is back"
        else:
            assert tree.region.width == 0, "on a wide screen leaving the files hides them"
            await pilot.press("ctrl+f")
            assert tree.has_focus and tree.region.width > 0


async def test_an_outside_edit_updates_the_open_file(workspace: Path) -> None:
    app = make_app(workspace, open_path="docs/tasks/context.md")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await until(pilot, lambda: "file-" in app.screen.query_one("#center", TabbedContent).active)
        tab = file_tab(app)
        assert tab.rel == "docs/tasks/context.md"
        context = workspace / "docs/tasks/context.md"
        context.write_text(context.read_text() + "\nA line added in an editor.\n")
        history = tab.query_one(VersionList)
        await until(pilot, lambda: history.option_count == 2)
        assert "outside" in str(history.get_option_at_index(0).prompt)
        assert "changed" not in row(app, "context.md"), "the open, visible file is seen"


async def test_deleted_files_stay_until_dismissed(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await until(pilot, lambda: bool(row(app, "ingest-plan.md")))
        (workspace / ".claude/docs/ingest-plan.md").unlink()
        await until(pilot, lambda: "deleted" in row(app, "ingest-plan.md"))
        pane(app).select(".claude/docs/ingest-plan.md")
        pane(app).query_one(Tree).focus()
        await pilot.press("x")
        await until(pilot, lambda: not row(app, "ingest-plan.md"))


async def test_a_runs_writes_are_attributed_and_its_edit_is_in_history(
    api: FakeAnthropic, workspace: Path
) -> None:
    context = workspace / "docs/tasks/context.md"
    before = context.read_text()
    last_line = before.rstrip("\n").splitlines()[-1]
    api.script(
        tool_turn(("Read", {"file_path": "docs/tasks/context.md"})),
        tool_turn(
            (
                "Edit",
                {
                    "file_path": "docs/tasks/context.md",
                    "old_string": last_line,
                    "new_string": last_line + "\n- offchain-planner: plan in offchain-plan.md",
                },
            ),
            (
                "Write",
                {"file_path": ".claude/docs/offchain-plan.md", "content": "# Plan\n\nGoal.\n"},
            ),
        ),
        text_turn("Plan saved to offchain-plan.md. Read before proceeding."),
    )
    app = make_app(workspace, agent="offchain-planner", permission_mode="acceptEdits")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await until(pilot, lambda: bool(row(app, "context.md")))
        await settle(pilot)
        await type_and_send(pilot, "Plan the indexer")
        view = chat(app)
        await until(pilot, lambda: not view.working and bool(row(app, "offchain-plan.md")))
        assert "new" in row(app, "offchain-plan.md")

        history = app.screen.live.history  # type: ignore[attr-defined]
        (plan,) = history.versions(".claude/docs/offchain-plan.md")
        assert plan.author.agent == "offchain-planner" and plan.author.tool == "Write"
        edits = history.versions("docs/tasks/context.md")
        assert [v.author.outside for v in edits] == [True, False]
        assert history.text(edits[0]) == before
        assert "offchain-planner: plan" in (history.text(edits[1]) or "")

        edit_id = edits[1].author.tool_use_id
        block = view.tool_block(edit_id)
        assert block is not None
        link = block.query_one(".tool-versions")
        assert "v2 of docs/tasks/context.md" in str(link.render())
        link.scroll_visible(animate=False)
        await settle(pilot)
        await until(pilot, lambda: app.screen.get_widget_at(*link.region.offset)[0] is link)
        await pilot.click(link)
        await settle(pilot)
        await until(pilot, lambda: _diff_shown(app))
        diff = file_tab(app).query_one(VersionDiff)
        assert diff.before == before and "offchain-planner: plan" in (diff.after or "")
        listed = file_tab(app).query_one(VersionList)
        assert "offchain-planner · Edit" in str(listed.get_option_at_index(0).prompt)

        listed.focus()
        listed.highlighted = 0
        await pilot.press("g")
        await settle(pilot)
        assert app.screen.query_one("#center", TabbedContent).active == "pane-1"
        assert block.expanded


async def test_v_on_a_focused_call_opens_the_version_it_wrote(
    api: FakeAnthropic, workspace: Path
) -> None:
    api.script(
        tool_turn(("Write", {"file_path": ".claude/docs/offchain-plan.md", "content": "# Plan\n"})),
        text_turn("Saved."),
    )
    app = make_app(workspace, agent="offchain-planner", permission_mode="acceptEdits")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await until(pilot, lambda: bool(row(app, "context.md")))
        await settle(pilot)
        await type_and_send(pilot, "Plan the indexer")
        view = chat(app)
        await until(pilot, lambda: not view.working and bool(row(app, "offchain-plan.md")))
        await settle(pilot)
        await pilot.press("shift+tab")
        block = app.focused
        assert isinstance(block, ToolBlock) and block.call.name == "Write"
        await until(pilot, lambda: "v" in app.screen.active_bindings)
        assert app.screen.active_bindings["v"].binding.description == "Open version"
        await pilot.press("v")
        await until(pilot, lambda: _diff_shown(app))
        diff = file_tab(app).query_one(VersionDiff)
        assert diff.before is None and diff.after == "# Plan\n"


def _diff_shown(app: WorkbenchApp) -> bool:
    tabs = app.screen.query_one("#center", TabbedContent)
    if not tabs.active.startswith("file-"):
        return False
    return bool(file_tab(app).query(VersionDiff))


async def test_an_agent_file_changed_on_disk_reloads_the_roster(
    api: FakeAnthropic, workspace: Path
) -> None:
    api.script(text_turn("Started."))
    app = make_app(workspace, agent="indexer-planner")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await settle(pilot)
        await type_and_send(pilot, "Begin")
        view = chat(app)
        await until(pilot, lambda: not view.working)
        agent = workspace / ".claude/agents/indexer-planner.md"
        agent.write_text(agent.read_text().replace("color: green", "color: chartreuse"))
        await until(pilot, lambda: "changed on disk" in _log_text(view))
        roster = app.roster
        assert roster is not None
        spec = roster.get("indexer-planner")
        assert spec is not None and any(d.code == "unknown-color" for d in spec.diagnostics)
        assert view.conversation is not None
        assert view.conversation.config.spec.color == "green", "the running prompt is kept"


def _log_text(view: object) -> str:
    from textual.widgets import Static

    return "\n".join(str(s.render()) for s in view.query(".chat-line").results(Static))  # type: ignore[attr-defined]


def test_open_outside_the_workspace_is_refused(workspace: Path) -> None:
    from workbench import cli

    status = cli.main([str(workspace), "--open", "../../etc/passwd"])
    assert status == 2


async def test_a_failed_watcher_says_so_and_restarts(workspace: Path, tmp_path: Path) -> None:
    backup = tmp_path / "backup"
    shutil.copytree(workspace, backup)
    app = make_app(workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await until(pilot, lambda: bool(row(app, "context.md")))
        assert not pane(app).query(".watch-failed")
        shutil.rmtree(workspace)
        # The agents' files went too, so the roster reloads and watching restarts (and fails).
        await until(pilot, lambda: app.roster is not None and not _project_agents(app))
        await until(pilot, lambda: not _watching(app) and bool(pane(app).query("#watch-restart")))
        assert "no longer exists" in str(pane(app).query_one(".watch-problem").render())
        # Everything but the agents comes back: nothing restarts until the button is pressed.
        shutil.copytree(backup, workspace, ignore=shutil.ignore_patterns("agents"))
        await until(pilot, lambda: pane(app).query_one("#watch-restart").region.width > 0)
        await pilot.click("#watch-restart")
        await until(pilot, lambda: not pane(app).query(".watch-failed"))
        (workspace / ".claude/tasks/after.md").write_text("watching again\n")
        await until(pilot, lambda: "new" in row(app, "after.md"))
