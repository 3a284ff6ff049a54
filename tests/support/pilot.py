"""Driving the app in tests: start it on a workspace and wait until the roster is shown."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
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


async def settle(pilot: Pilot[object], rounds: int = 5) -> None:
    """Let mounts and the messages they cause run their course."""
    for _ in range(rounds):
        await pilot.pause()


def shown_text(widget: Widget) -> str:
    """What `widget` shows on screen, line by line, trailing spaces removed."""
    lines = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return "\n".join(line.text.rstrip() for line in lines)
