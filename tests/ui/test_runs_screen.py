"""The earlier-runs picker, in a bare app, over transcripts the engine really wrote."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.app import App
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from tests.support.engine import agent_file, collect, conversation, roster_with
from tests.support.fake_api import FakeAnthropic, Usage, http_error, text_turn
from workbench.engine.transcript import runs_dir
from workbench.ui.screens.runs import EMPTY, RunsScreen, ago, first_line


class Host(App[None]):
    """Shows the screen at once and keeps what it was dismissed with."""

    def __init__(self, workspace: Path) -> None:
        super().__init__()
        self.workspace = workspace
        self.results: list[str | None] = []

    def on_mount(self) -> None:
        self.push_screen(RunsScreen(self.workspace), self.results.append)


async def shown(pilot: Pilot[None]) -> DataTable[object]:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(pilot.app.screen, RunsScreen)
    table: DataTable[object] = pilot.app.screen.query_one("#runs-table", DataTable)
    return table


def rows(table: DataTable[object]) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def note(app: App[None]) -> str:
    return str(app.screen.query_one("#runs-note", Static).render())


def shown_text(app: App[None], selector: str) -> str:
    """What the widget shows on screen, line by line."""
    widget = app.screen.query_one(selector)
    lines = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return "\n".join(line.text.rstrip() for line in lines)


async def make_runs(fake_api: FakeAnthropic, workspace: Path, *tasks: tuple[str, str]) -> list[str]:
    """One conversation per (agent, task), oldest first; their session ids."""
    folder = workspace / ".claude" / "agents"
    for name in {agent for agent, _ in tasks}:
        agent_file(folder, name, tools="Read", model="haiku")
    roster = roster_with(workspace)
    ids = []
    for name, task in tasks:
        spec = roster.get(name)
        assert spec is not None
        fake_api.script(text_turn("ok", usage=Usage(input_tokens=1000, output_tokens=100)))
        chat = conversation(fake_api, workspace, spec)
        await collect(chat.send(task))
        chat.close()
        ids.append(chat.session_id)
        await asyncio.sleep(0.01)
    return ids


async def test_rows_are_newest_first_with_their_fields(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    ids = await make_runs(
        fake_api,
        tmp_path,
        ("planner", "Plan the indexer\nwith details below"),
        ("reviewer", "Review the backend " + "very " * 20 + "carefully"),
    )
    app = Host(tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        table = await shown(pilot)
        cells = rows(table)
        assert [row[0] for row in cells] == ["reviewer", "planner"]
        assert cells[1][1] == "Plan the indexer"
        assert cells[0][1].startswith("Review the backend very") and cells[0][1].endswith("…")
        assert cells[1][2] == "just now"
        assert cells[1][3].startswith(datetime.now().strftime("%Y-%m-%d"))
        assert cells[1][4] == "1" and cells[1][5] == "success"
        assert cells[1][6].startswith("$0.0")
        assert note(app) == "2 runs"
        await pilot.press("enter")
    assert app.results == [ids[1]]


async def test_filter_narrows_by_agent_or_task_and_enter_opens_the_match(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    ids = await make_runs(
        fake_api,
        tmp_path,
        ("planner", "Plan the indexer"),
        ("reviewer", "Review the indexer"),
        ("reviewer", "Review the API"),
    )
    app = Host(tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        table = await shown(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"indexer")
        await pilot.pause()
        assert [row[1] for row in rows(table)] == ["Review the indexer", "Plan the indexer"]
        assert note(app) == "2 of 3 runs"
        await pilot.press("down")
        assert isinstance(app.focused, Input)
        await pilot.press("ctrl+a", "ctrl+k", *"PLANNER")
        await pilot.pause()
        assert [row[0] for row in rows(table)] == ["planner"]
        await pilot.press("backspace", "backspace", "x")
        await pilot.pause()
        assert table.row_count == 0 and note(app) == "No run matches “plannx”."
        await pilot.press("ctrl+a", "ctrl+k", *"API", "enter")
    assert app.results == [ids[2]]


async def test_escape_dismisses_with_none(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    await make_runs(fake_api, tmp_path, ("planner", "Plan"))
    app = Host(tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await shown(pilot)
        await pilot.press("escape")
    assert app.results == [None]


async def test_one_click_on_a_row_opens_it(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    ids = await make_runs(fake_api, tmp_path, ("planner", "Plan"), ("reviewer", "Review"))
    app = Host(tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        await shown(pilot)
        await pilot.click("#runs-table", offset=(4, 2))
        await pilot.pause()
    assert app.results == [ids[0]]


async def test_an_empty_workspace_says_so(tmp_path: Path) -> None:
    app = Host(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        table = await shown(pilot)
        assert table.row_count == 0 and not table.display
        assert note(app) == EMPTY
        assert EMPTY in shown_text(app, "#runs-note")
        await pilot.press("enter")
        assert isinstance(app.screen, RunsScreen)
        await pilot.press("escape")
    assert app.results == [None]


async def test_broken_transcripts_are_listed_last_as_unreadable(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    ids = await make_runs(fake_api, tmp_path, ("planner", "Plan"))
    folder = runs_dir(tmp_path)
    (folder / "aaa-broken.jsonl").write_text("{not json\n")
    (folder / "zzz-empty.jsonl").write_text("")
    app = Host(tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        table = await shown(pilot)
        cells = rows(table)
        assert [row[0] for row in cells] == ["planner", "unreadable", "unreadable"]
        assert cells[1][1].startswith("aaa-broken.jsonl: ")
        assert note(app) == "1 run · 2 unreadable transcripts"
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, RunsScreen)
        await pilot.press("up", "enter")
    assert app.results == [ids[0]]


async def test_escape_sequences_and_markup_in_a_task_are_shown_as_text(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    await make_runs(fake_api, tmp_path, ("planner", "\x1b]0;owned\x07[bold]fix[/bold] \x1b[2J it"))
    app = Host(tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        table = await shown(pilot)
        task = rows(table)[0][1]
        assert task == "␛]0;owned␇[bold]fix[/bold] ␛[2J it"
        drawn = shown_text(app, "#runs-table")
        assert "\x1b" not in drawn and "␛]0;owned␇[bold]fix[/bold]" in drawn


async def test_a_failed_run_shows_its_outcome(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    agent_file(tmp_path / ".claude" / "agents", "pal", tools="Read")
    spec = roster_with(tmp_path).get("pal")
    assert spec is not None
    fake_api.script(http_error(401, "authentication_error", "bad key"))
    chat = conversation(fake_api, tmp_path, spec)
    await collect(chat.send("Hello"))
    chat.close()
    app = Host(tmp_path)
    async with app.run_test(size=(160, 40)) as pilot:
        table = await shown(pilot)
        assert rows(table)[0][5] == "failed"
        assert rows(table)[0][6] == "$0.0000"


def test_relative_times_read_as_a_person_says_them() -> None:
    now = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    assert ago(now - timedelta(seconds=20), now) == "just now"
    assert ago(now - timedelta(minutes=3, seconds=5), now) == "3 min ago"
    assert ago(now - timedelta(hours=5), now) == "5 h ago"
    assert ago(now - timedelta(days=1, hours=2), now) == "yesterday"
    assert ago(now - timedelta(days=9), now) == "9 days ago"
    assert ago(now - timedelta(minutes=59, seconds=50), now) == "1 h ago"
    assert ago(now - timedelta(days=40), now) == "1 month ago"
    assert ago(now - timedelta(days=75), now) == "2 months ago"
    assert ago(now - timedelta(days=800), now) == "2 years ago"
    assert ago(now + timedelta(minutes=5), now) == "just now"


def test_first_line_skips_blank_lines_and_cuts_long_ones() -> None:
    assert first_line("\n\n  Fix it  \nmore") == "Fix it"
    assert first_line("x" * 100, width=10) == "x" * 9 + "…"
    assert first_line("") == ""
