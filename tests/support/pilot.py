"""Driving the app in tests: start it on a workspace and wait until the roster is shown."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import OptionList

from workbench.agentfile.discover import sources
from workbench.ui.app import WorkbenchApp, WorkbenchOptions
from workbench.ui.widgets.chat import ChatView
from workbench.ui.widgets.prompt_box import PromptBox


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
    size = widget.size + widget.styles.gutter.totals
    lines = widget.render_lines(Region(0, 0, *size))
    return "\n".join(line.text.rstrip() for line in lines)


def chat(app: WorkbenchApp) -> ChatView:
    """The chat in the active tab."""
    view = app.screen.active_chat  # type: ignore[attr-defined]
    assert isinstance(view, ChatView)
    return view


async def type_and_send(pilot: Pilot[object], text: str) -> None:
    box = chat(pilot.app).query_one(PromptBox)  # type: ignore[arg-type]
    box.focus()
    box.insert(text)
    await pilot.press("enter")


async def until(
    pilot: Pilot[object], condition: Callable[[], object], timeout: float = 5.0
) -> None:
    """Let the app run until `condition` holds; fail when it never does."""
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the condition never held")
