"""Pictures of the screens, compared with the approved SVGs in __snapshots__/."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from tests.support.pilot import make_app, roster_shown

SIZE = (160, 48)


def test_main_screen(snap_compare, workspace: Path) -> None:
    assert snap_compare(make_app(workspace), terminal_size=SIZE, run_before=roster_shown)


def test_card_with_examples(snap_compare, workspace: Path) -> None:
    app = make_app(workspace, agent="api-architect")
    assert snap_compare(app, terminal_size=SIZE, run_before=roster_shown)


def test_filtered_roster_and_problem_card(snap_compare, workspace: Path) -> None:
    async def filter_to_problem(pilot: Pilot[object]) -> None:
        await roster_shown(pilot)
        await pilot.press("slash", *"migration", "enter")
        await pilot.pause()

    assert snap_compare(make_app(workspace), terminal_size=SIZE, run_before=filter_to_problem)


def test_help_screen(snap_compare, workspace: Path) -> None:
    async def open_help(pilot: Pilot[object]) -> None:
        await roster_shown(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(workspace), terminal_size=SIZE, run_before=open_help)
