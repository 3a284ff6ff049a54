"""A line updated in place shows its new text, and still grows or shrinks when the new text
wraps to another height."""

from __future__ import annotations

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
