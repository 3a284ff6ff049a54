"""The workbench shell as a person uses it: roster, filter, card, help, palette."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

from textual.geometry import Region
from textual.widgets import Input, OptionList, Static, TabbedContent, TextArea

from tests.support.files import agent_text, write_agent
from tests.support.pilot import make_app, roster_rows, roster_shown, settle, shown_text, until
from workbench.agentfile.discover import Source, sources
from workbench.agentfile.roster import Roster, load_in_background, load_roster
from workbench.agentfile.spec import Origin
from workbench.ui.app import WorkbenchApp, WorkbenchOptions
from workbench.ui.screens.help import HelpScreen
from workbench.ui.widgets.roster import RosterPanel


def card_text(app, widget_id: str) -> str:
    """What the widget shows on screen, line by line, trailing spaces removed."""
    widget = app.screen.query_one(f"#{widget_id}")
    lines = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return "\n".join(line.text.rstrip() for line in lines)


async def select(pilot, name: str) -> None:
    """Highlight `name` in the roster, as arrow keys would; the card shows it."""
    assert pilot.app.screen.query_one(RosterPanel).select_name(name)
    await pilot.pause()


def highlighted_name(app) -> str:
    option = app.screen.query_one("#roster-list", OptionList).highlighted_option
    return str(option.prompt).split()[1]


async def test_roster_shows_project_and_bundled_agents_grouped(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        rows = roster_rows(app)
        assert rows[0].startswith("Project")
        names = [row.split()[1] for row in rows if row.startswith(("●", "○"))]
        assert names == [
            "backend-reviewer",
            "indexer-planner",
            "migration-helper",
            "api-architect",
            "backend-implementer",
            "backend-reviewer",
            "offchain-planner",
            "standards-engineer",
        ]
        assert "Bundled" in rows
        shadowed = [row for row in rows if "shadowed" in row]
        assert len(shadowed) == 1 and "backend-reviewer" in shadowed[0]
        assert "▲1" in next(row for row in rows if "migration-helper" in row)
        count = str(app.screen.query_one("#roster-count", Static).render())
        assert count == "8 agents · 2 with problems"
        assert highlighted_name(app) == "backend-reviewer"
        assert "backend-reviewer" in card_text(app, "card-title")


async def test_keys_pressed_while_the_screen_is_built_change_nothing_and_break_nothing(
    workspace: Path,
) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        # The tabs, the card and the files arrive a frame after the roster. With one tab,
        # stepping through tabs stays on the card (the card's own tabs are not stepped to).
        await pilot.press("ctrl+f", "ctrl+w", "ctrl+pagedown", "ctrl+pageup", "escape")
        await roster_shown(pilot)
        await until(pilot, lambda: bool(app.screen.query("#card-title")))
        assert "backend-reviewer" in card_text(app, "card-title")
        assert app.screen.query_one("#center", TabbedContent).active == "card-pane"


async def test_filter_narrows_the_roster_and_escape_clears_it(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await pilot.press("slash")
        assert app.focused is app.screen.query_one("#roster-filter", Input)
        await pilot.press(*"plan")
        await pilot.pause()
        names = [row.split()[1] for row in roster_rows(app) if row.startswith(("●", "○"))]
        assert names == ["indexer-planner", "offchain-planner"]
        assert str(app.screen.query_one("#roster-count", Static).render()) == (
            "2 of 8 agents · 2 with problems"
        )
        assert "indexer-planner" in card_text(app, "card-title")
        await pilot.press("enter")
        assert app.focused is app.screen.query_one("#roster-list", OptionList)
        await pilot.press("down")
        assert "offchain-planner" in card_text(app, "card-title")
        await pilot.press("escape")
        await pilot.pause()
        assert len([r for r in roster_rows(app) if r.startswith(("●", "○"))]) == 8
        assert highlighted_name(app) == "offchain-planner"


async def test_filter_that_matches_nothing_says_so(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await pilot.press("slash", *"zzzz")
        await pilot.pause()
        assert roster_rows(app) == []
        assert (
            str(app.screen.query_one("#roster-count", Static).render())
            == "No agent matches the filter"
        )


async def test_problems_only(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await pilot.press("p")
        await pilot.pause()
        names = [row.split()[1] for row in roster_rows(app) if row.startswith(("●", "○"))]
        assert names == ["migration-helper", "backend-reviewer"]
        await pilot.press("p")
        await pilot.pause()
        assert len([r for r in roster_rows(app) if r.startswith(("●", "○"))]) == 8


async def test_card_shows_examples_tools_model_and_problems(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await select(pilot, "api-architect")
        assert highlighted_name(app) == "api-architect"
        meta = card_text(app, "card-meta")
        assert "sonnet → claude-sonnet-5-5" in meta
        assert "all tools (no `tools` key)" in meta
        assert "bundled/api-architect.md" in meta
        examples = card_text(app, "card-examples")
        assert "Example 1" in examples and "Example 2" in examples
        assert "user › We need an endpoint that lists the transfers of a wallet" in examples
        assert "none found" in card_text(app, "card-diagnostics")
        app.screen.query_one("#roster-list", OptionList).highlighted = 3
        await pilot.pause()
        assert "migration-helper" in card_text(app, "card-title")
        problems = card_text(app, "card-diagnostics")
        assert "line 3" in problems and "yaml-invalid" in problems
        assert not app.screen.query_one("#card-examples").display


async def test_model_override_is_shown_as_effective(workspace: Path) -> None:
    app = make_app(workspace, model="opus")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await select(pilot, "indexer-planner")
        assert "claude-opus-5-5  (--model opus); the file says haiku" in card_text(app, "card-meta")


async def test_prompt_tab_shows_the_body_with_file_line_numbers(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await select(pilot, "migration-helper")
        await pilot.press("t")
        await pilot.pause()
        assert app.screen.query_one("#card-tabs", TabbedContent).active == "card-prompt"
        body = app.screen.query_one("#card-body", TextArea)
        assert body.line_number_start == 8
        assert "You write SQLite schema migrations" in body.text
        await pilot.press("t")
        assert app.screen.query_one("#card-tabs", TabbedContent).active == "card-overview"


async def test_unknown_agent_at_start_is_reported(workspace: Path) -> None:
    app = make_app(workspace, agent="nobody")
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await roster_shown(pilot)
        messages = [n.message for n in app._notifications]
        assert "No agent named 'nobody' in the roster." in messages


async def test_an_agents_folder_without_agent_files_is_named(
    workspace: Path, tmp_path: Path
) -> None:
    saved_as_text = tmp_path / "saved-as-text"
    write_agent(saved_as_text, "planner.txt", agent_text("planner"))
    named = tmp_path / "planner.txt"
    named.write_text(agent_text("named-planner"), encoding="utf-8")
    found = (Source(saved_as_text, Origin.EXPLICIT), Source(named, Origin.EXPLICIT))
    app = WorkbenchApp(WorkbenchOptions(workspace, sources=found + tuple(sources(workspace))))
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await roster_shown(pilot)
        await until(pilot, lambda: bool(app._notifications))
        messages = [n.message for n in app._notifications]
        assert messages == [
            f"No agent files (*.md) in {saved_as_text}; a file with another extension counts "
            "when it is named itself."
        ]
        assert any("named-planner" in row for row in roster_rows(app))


async def test_a_long_name_keeps_its_dot_in_a_narrow_roster(workspace: Path) -> None:
    long_name = "backend-offchain-engineer-with-a-long-name"
    write_agent(workspace / ".claude" / "agents", "long.md", agent_text(long_name))
    app = make_app(workspace)
    # Short enough that the list scrolls, and its scroll bar takes room from the rows.
    async with app.run_test(size=(100, 20)) as pilot:
        await roster_shown(pilot)
        await settle(pilot)
        roster = app.screen.query_one("#roster-list", OptionList)
        assert roster.show_vertical_scrollbar
        lines = shown_text(roster).splitlines()
        [line] = [line for line in lines if "backend-offchain" in line]
        assert line.startswith("○ backend-offchain-engin…")


async def test_reload_picks_up_files_changed_on_disk(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        write_agent(workspace / ".claude" / "agents", "broken.md", "---\ndescription: x\n---\n")
        write_agent(workspace / ".claude" / "agents", "zeta.md", agent_text("zeta", model="haiku"))
        first = app.roster
        await pilot.press("ctrl+r")
        for _ in range(100):
            await pilot.pause(0.02)
            if app.roster is not first:
                break
        await pilot.pause()
        rows = roster_rows(app)
        assert any("zeta" in row for row in rows)
        assert any(row.startswith("○ broken") and "✖1" in row for row in rows)


async def test_control_sequences_in_agent_files_are_shown_harmlessly(workspace: Path) -> None:
    write_agent(
        workspace / ".claude" / "agents",
        "evil.md",
        '---\nname: evil\ndescription: "Hi\\e]0;owned\\a there"\n---\nBody \x1b[2J\n',
    )
    app = make_app(workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await select(pilot, "evil")
        summary = card_text(app, "card-summary")
        assert "\x1b" not in summary and "\x07" not in summary
        assert "Hi␛]0;owned␇ there" in summary
        await pilot.press("t")
        await until(pilot, lambda: bool(app.screen.query("#card-body")))
        assert "\x1b" not in app.screen.query_one("#card-body", TextArea).text


async def test_help_lists_the_keys_and_closes(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = card_text(app, "help-keys")
        for description in (
            "Filter",
            "Problems only",
            "Reload",
            "Quit",
            "Overview/Prompt",
            "tool call",
        ):
            assert description in keys
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_every_action_is_in_the_command_palette(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {
            "Help",
            "Filter agents",
            "Toggle problems only",
            "Switch card view",
            "Reload agents",
        } <= titles
        await pilot.press("ctrl+p")
        await pilot.press(*"problems")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        names = [row.split()[1] for row in roster_rows(app) if row.startswith(("●", "○"))]
        assert names == ["migration-helper", "backend-reviewer"]


async def test_every_binding_has_an_id(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        ours = [
            b
            for b in app.screen.active_bindings.values()
            if b.binding.action
            in {"filter", "clear_filter", "problems", "toggle_card", "reload", "help", "quit"}
        ]
        assert ours and all(b.binding.id for b in ours)


async def test_unknown_theme_is_reported_and_a_known_one_applies(workspace: Path) -> None:
    app = make_app(workspace, theme="nord")
    async with app.run_test(size=(160, 48)):
        assert app.theme == "nord"
    app = make_app(workspace, theme="no-such-theme")
    async with app.run_test(size=(160, 48), notifications=True):
        assert any("No theme named 'no-such-theme'" in n.message for n in app._notifications)


async def test_a_roster_loaded_before_start_is_shown_with_the_first_frame(workspace: Path) -> None:
    app = make_app(workspace)
    app.first_roster = load_in_background(app.options.sources)
    app.first_roster.result()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert app.roster is not None
        assert any("api-architect" in row for row in roster_rows(app))


async def test_quitting_at_the_first_frame_quits_cleanly(workspace: Path) -> None:
    """ctrl+q as the roster appears comes before the card and files are mounted."""
    app = make_app(workspace)
    app.first_roster = load_in_background(app.options.sources)
    app.first_roster.result()
    async with app.run_test(size=(160, 48)) as pilot:
        assert roster_rows(app)
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_a_roster_still_loading_at_start_appears_when_ready(workspace: Path) -> None:
    pending: Future[Roster] = Future()
    app = make_app(workspace)
    app.first_roster = pending
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert str(app.screen.query_one("#roster-count", Static).render()) == "Loading agents…"
        pending.set_result(load_roster(app.options.sources))
        await roster_shown(pilot)
        assert any("api-architect" in row for row in roster_rows(app))


async def test_a_failed_load_is_reported_not_fatal(workspace: Path) -> None:
    failed: Future[Roster] = Future()
    failed.set_exception(OSError("disk on fire"))
    app = make_app(workspace)
    app.first_roster = failed
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        for _ in range(50):
            await pilot.pause(0.02)
            if app._notifications:
                break
        messages = [n.message for n in app._notifications]
        assert "Could not load the agents: disk on fire" in messages
        assert app.is_running


async def test_bad_files_appear_with_their_problems_and_nothing_crashes(workspace: Path) -> None:
    agents = workspace / ".claude" / "agents"
    write_agent(agents, "a-empty.md", "")
    write_agent(agents, "b-binary.md", b"\x89PNG\x00\x00\x01")
    latin1 = "---\nname: caf\xe9\ndescription: d\n---\nx\n".encode("latin-1")
    write_agent(agents, "c-latin1.md", latin1)
    write_agent(agents, "d-list.md", "---\n- a\n- b\n---\nbody\n")
    write_agent(agents, "e-notes.md", "# Notes\n\nNot an agent.\n")
    huge = "---\nname: huge\ndescription: big\n---\n" + ("lorem ipsum dolor " * 8 + "\n") * 70_000
    write_agent(agents, "f-huge.md", huge)
    before = sorted(p.name for p in agents.iterdir())
    app = make_app(workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        rows = roster_rows(app)
        for name in ("a-empty", "b-binary", "caf\ufffd", "d-list", "e-notes", "huge"):
            assert any(name in row for row in rows), name
        option_list = app.screen.query_one("#roster-list", OptionList)
        for index, option in enumerate(option_list.options):
            if option.disabled:
                continue
            option_list.highlighted = index
            await pilot.pause()
        assert app.screen.query_one(RosterPanel).select_name("huge")
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        shown = app.screen.query_one("#card-body", TextArea).text
        assert len(shown) < 250_000
        assert shown.rstrip().endswith("MB prompt]")
        assert app.is_running
    assert sorted(p.name for p in agents.iterdir()) == before


async def test_a_symlink_loop_among_the_agents_is_listed_with_its_problem(
    workspace: Path,
) -> None:
    agents = workspace / ".claude" / "agents"
    (agents / "loop-a.md").symlink_to(agents / "loop-b.md")
    (agents / "loop-b.md").symlink_to(agents / "loop-a.md")
    app = make_app(workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        app.screen.query_one(RosterPanel).select_path(str(agents / "loop-a.md"))
        await settle(pilot)
        meta = shown_text(app.screen.query_one("#card-meta"))
        problems = " ".join(shown_text(app.screen.query_one("#card-diagnostics")).split())
        assert ".claude/agents/loop-a.md" in meta
        assert "Too many levels of symbolic links" in problems


async def test_a_roster_of_one_counts_one_agent(workspace: Path, tmp_path: Path) -> None:
    only = write_agent(tmp_path, "solo.md", agent_text("solo"))
    app = WorkbenchApp(WorkbenchOptions(workspace, sources=(Source(only, Origin.EXPLICIT),)))
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        assert str(app.screen.query_one("#roster-count", Static).render()) == "1 agent"


async def test_a_broken_project_agent_leaves_its_name_to_the_bundled_one(workspace: Path) -> None:
    (workspace / ".claude" / "agents" / "backend-reviewer.md").write_text(
        "---\nname: backend-reviewer\n---\nNo description.\n", encoding="utf-8"
    )
    app = make_app(workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        rows = [row for row in roster_rows(app) if row[2:].startswith("backend-reviewer ")]
        assert len(rows) == 2
        project, bundled = rows
        assert project.endswith("✖1 skipped")
        assert "shadowed" not in bundled and "skipped" not in bundled
        assert (
            app.roster is not None and app.roster.get("backend-reviewer").origin is Origin.BUNDLED
        )
