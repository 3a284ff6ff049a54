"""Driving the app in tests: start it on a workspace and wait until the roster is shown."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import OptionList

from workbench.agentfile.discover import sources
from workbench.ui.app import WorkbenchApp, WorkbenchOptions


def make_app(workspace: Path, **options: object) -> WorkbenchApp:
    found = tuple(sources(workspace))
    return WorkbenchApp(WorkbenchOptions(workspace=workspace, sources=found, **options))  # type: ignore[arg-type]


async def roster_shown(pilot: Pilot[object]) -> None:
    """Wait for the roster worker to finish and the list to be filled."""
    app = pilot.app
    for _ in range(200):
        if (
            getattr(app, "roster", None) is not None
            and app.screen.query_one(OptionList).option_count
        ):
            await pilot.pause()
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the roster never appeared")


def roster_rows(app: WorkbenchApp) -> list[str]:
    option_list = app.screen.query_one("#roster-list", OptionList)
    return [str(option.prompt) for option in option_list.options]
