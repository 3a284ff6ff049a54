"""Search in the editor's text: ctrl+f, typing, next and previous, wrapping, escape."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Static, TextArea
from textual.widgets.text_area import Selection

from tests.support.pilot import make_app, shown_text, until
from tests.ui.test_editor import open_editor
from workbench.ui.screens.editor import EditorScreen
from workbench.ui.widgets.search_bar import Match, SearchBar, find

TEXT = "alpha beta\nGamma alpha\nALPHA end\n"


def shown_note(bar: SearchBar) -> str:
    return shown_text(bar.query_one(".search-note", Static))


def test_find_is_smart_case_and_wraps_both_ways() -> None:
    lines = TEXT.split("\n")
    assert find(lines, "alpha", (0, 0)) == Match((0, 0), (0, 5), wrapped=False)
    assert find(lines, "alpha", (0, 5)) == Match((1, 6), (1, 11), wrapped=False)
    assert find(lines, "alpha", (2, 5)) == Match((0, 0), (0, 5), wrapped=True)
    assert find(lines, "ALPHA", (0, 0)) == Match((2, 0), (2, 5), wrapped=False)
    assert find(lines, "alpha", (1, 6), backward=True) == Match((0, 0), (0, 5), wrapped=False)
    assert find(lines, "alpha", (0, 0), backward=True) == Match((2, 0), (2, 5), wrapped=True)
    assert find(lines, "a.b", (0, 0)) is None, "the query is literal text, not a pattern"
    assert find(lines, "", (0, 0)) is None


async def open_search(pilot, workspace: Path) -> tuple[EditorScreen, TextArea, SearchBar]:  # type: ignore[no-untyped-def]
    screen = await open_editor(pilot, workspace)
    area = screen.query_one("#editor-text", TextArea)
    area.load_text(TEXT)
    await pilot.press("ctrl+f")
    bar = screen.query_one(SearchBar)
    assert bar.is_open and isinstance(pilot.app.focused, Input)
    return screen, area, bar


async def test_typing_selects_the_next_match_and_enter_moves_on_wrapping(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        _, area, bar = await open_search(pilot, workspace)
        await pilot.press(*"alp")
        assert area.selection == Selection((0, 0), (0, 3))
        await pilot.press(*"ha")
        assert area.selection == Selection((0, 0), (0, 5))
        assert area.text == TEXT, "the text never changes"
        await pilot.press("enter")
        assert area.selection == Selection((1, 6), (1, 11))
        await pilot.press("enter")
        assert area.selection == Selection((2, 0), (2, 5)), "case is ignored: all lower case"
        assert bar.note == ""
        await pilot.press("enter")
        assert area.selection == Selection((0, 0), (0, 5))
        assert bar.note == "wrapped"
        await pilot.pause()
        assert "wrapped" in shown_note(bar)


async def test_shift_enter_and_up_go_back_and_a_capital_matches_case(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        _, area, bar = await open_search(pilot, workspace)
        await pilot.press(*"alpha")
        await pilot.press("shift+enter")
        assert area.selection == Selection((2, 0), (2, 5))
        assert bar.note == "wrapped"
        await pilot.press("up")
        assert area.selection == Selection((1, 6), (1, 11))
        assert bar.note == ""
        bar.input.value = ""
        await pilot.press(*"ALPHA")
        assert area.selection == Selection((2, 0), (2, 5))
        await pilot.press("enter")
        assert area.selection == Selection((2, 0), (2, 5)), "the only match, found again"
        assert bar.note == "wrapped"


async def test_no_match_is_said_plainly(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        _, area, bar = await open_search(pilot, workspace)
        await pilot.press(*"beta")
        assert area.selection == Selection((0, 6), (0, 10))
        await pilot.press(*"zz")
        assert bar.note == "no match"
        assert area.selection == Selection((0, 6), (0, 10)), "the last match stays selected"
        await until(pilot, lambda: "no match" in shown_note(bar))


async def test_escape_closes_the_bar_not_the_editor_and_keeps_the_match(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        screen, area, bar = await open_search(pilot, workspace)
        await pilot.press(*"gamma")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen, "escape on the bar closes the bar only"
        assert not bar.is_open and not bar.display
        assert app.focused is area
        assert area.selection == Selection((1, 0), (1, 5))
        assert area.selected_text == "Gamma"
        await pilot.press("ctrl+f")
        assert bar.input.value == "gamma" and bar.input.selected_text == "gamma", (
            "the last query comes back, selected, so typing replaces it"
        )
