"""A line updated in place shows its new text, and still grows or shrinks when the new text
wraps to another height."""

from __future__ import annotations

from typing import Any, Self

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import Static

from tests.support.pilot import shown_text
from workbench.ui.widgets.in_place import update_in_place


class LineApp(App[None]):
    CSS = "Static { width: 30; height: auto; } #below { height: 1; }"

    def compose(self) -> ComposeResult:
        yield Static("working… 1 turn", id="line")
        yield Static("below", id="below")


async def test_same_height_text_is_shown_and_taller_text_pushes_the_next_line_down() -> None:
    app = LineApp()
    async with app.run_test(size=(40, 10)) as pilot:
        line = app.query_one("#line", Static)
        below = app.query_one("#below", Static)
        assert below.region.y == 1

        update_in_place(line, "working… 2 turns")
        await pilot.pause()
        assert shown_text(line) == "working… 2 turns"
        assert below.region.y == 1

        update_in_place(line, "a status long enough to wrap onto a second line")
        await pilot.pause()
        assert line.size.height == 2
        assert below.region.y == 2
        assert "second line" in shown_text(line)

        update_in_place(line, "done")
        await pilot.pause()
        assert shown_text(line) == "done"
        assert below.region.y == 1


class CountedLine(Static):
    """A line that counts the repaints asked of it."""

    def __init__(self) -> None:
        super().__init__(Text("3 turns · $0.0120", style="dim"))
        self.refreshes = 0

    def refresh(self, *args: Any, **kwargs: Any) -> Self:
        self.refreshes += 1
        return super().refresh(*args, **kwargs)


class CountedApp(App[None]):
    def compose(self) -> ComposeResult:
        yield CountedLine()


async def test_the_same_text_again_asks_for_no_repaint() -> None:
    """A status refreshed after every batch of a stream mostly says what it said."""
    app = CountedApp()
    async with app.run_test(size=(40, 5)) as pilot:
        line = app.query_one(CountedLine)
        await pilot.pause()
        before = line.refreshes
        update_in_place(line, Text("3 turns · $0.0120", style="dim"))
        assert line.refreshes == before
        update_in_place(line, Text("3 turns · $0.0120", style="bold"))
        assert line.refreshes > before
        await pilot.pause()
        assert shown_text(line) == "3 turns · $0.0120"
