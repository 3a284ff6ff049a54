"""The editor's gutter marks each line with a problem, and F8 walks from one to the next."""

from __future__ import annotations

import re
from pathlib import Path

from textual.app import App
from textual.color import Color
from textual.widgets import OptionList

from tests.support.pilot import make_app, shown_text, until
from tests.ui.test_editor import AGENT, open_editor, problems
from workbench.ui.widgets.editor_text import EditorText

GUTTER_MARK = re.compile(r"^ *(\d+)([✖▲●]) ")


def marked_lines(area: EditorText) -> dict[int, str]:
    """The line numbers shown with a mark beside them, and the mark."""
    found = (GUTTER_MARK.match(row) for row in shown_text(area).split("\n"))
    return {int(match[1]): match[2] for match in found if match}


def row_of(area: EditorText, number: int) -> str:
    """The screen row that starts line `number`, gutter included."""
    return next(row for row in shown_text(area).split("\n") if re.match(rf"^ *{number}\D", row))


def mark_color(area: EditorText, number: int) -> str:
    """The colour the gutter shows line `number`'s mark in."""
    rows = shown_text(area).split("\n")
    y = next(i for i, row in enumerate(rows) if re.match(rf"^ *{number}\D", row))
    segment = next(s for s in area.render_line(y) if GUTTER_MARK.match(s.text + " "))
    assert segment.style is not None and segment.style.color is not None
    assert segment.style.color.triplet is not None
    return segment.style.color.triplet.hex


def theme_color(app: App[object], name: str) -> str:
    return Color.parse(app.get_css_variables()[name]).hex.lower()


def with_problems(workspace: Path, tail: str = "") -> None:
    path = workspace / AGENT
    text = path.read_text().replace("tools: Read, Grep, Glob, Write", "tools: Read, Grpe")
    path.write_text(text.replace("model: haiku", "model: gpt-4") + tail)


async def test_a_line_with_a_problem_is_marked_in_the_gutter_in_its_severity_colour(
    workspace: Path,
) -> None:
    with_problems(workspace)
    app = make_app(workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_editor(pilot, workspace)
        area = screen.query_one(EditorText)
        await until(pilot, lambda: marked_lines(area) == {4: "▲", 5: "▲"})
        assert "tools: Read, Grpe" in row_of(area, 4)
        assert mark_color(area, 4) == theme_color(app, "warning")
        area.replace("title", (1, 0), (1, len("name")))
        await until(pilot, lambda: marked_lines(area).get(1) == "✖")
        assert mark_color(area, 1) == theme_color(app, "error")
        area.replace("tools: Read, Grep", (3, 0), (3, len("tools: Read, Grpe")))
        await until(pilot, lambda: 4 not in marked_lines(area))
        assert marked_lines(area)[5] == "▲"


async def test_marks_stay_beside_their_lines_with_soft_wrap_on_and_off_and_scrolled(
    workspace: Path,
) -> None:
    filler = "".join(f"Step {n}: " + "read the plan again " * 12 + "\n" for n in range(40))
    with_problems(workspace, filler + "Keep each plan under 10Â² lines.\n")
    last = len((workspace / AGENT).read_text().split("\n")) - 1
    app = make_app(workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_editor(pilot, workspace)
        area = screen.query_one(EditorText)
        assert area.soft_wrap
        await until(pilot, lambda: marked_lines(area) == {4: "▲", 5: "▲"})
        assert "tools: Read, Grpe" in row_of(area, 4), "below a description that wraps"
        area.scroll_end(animate=False)
        await until(pilot, lambda: marked_lines(area) == {last: "▲"})
        assert "10Â² lines" in row_of(area, last)
        await pilot.press("ctrl+t")
        assert not area.soft_wrap
        area.scroll_home(animate=False)
        await until(pilot, lambda: marked_lines(area) == {4: "▲", 5: "▲"})
        assert "tools: Read, Grpe" in row_of(area, 4)
        area.scroll_end(animate=False)
        await until(pilot, lambda: marked_lines(area) == {last: "▲"})
        assert "10Â² lines" in row_of(area, last)


async def test_f8_and_shift_f8_go_round_the_problems_and_the_list_follows(
    workspace: Path,
) -> None:
    with_problems(workspace, "Keep each plan under 10Â² lines.\n")
    last = len((workspace / AGENT).read_text().split("\n")) - 1
    app = make_app(workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_editor(pilot, workspace)
        area = screen.query_one(EditorText)
        listed = screen.query_one("#editor-problems", OptionList)
        await until(pilot, lambda: len(problems(app)) == 3)

        def highlighted() -> str:
            assert listed.highlighted is not None
            return problems(app)[listed.highlighted]

        area.focus()
        area.cursor_location = (0, 0)
        await pilot.press("f8")
        assert area.cursor_location == (3, 0) and "Grpe" in highlighted()
        await pilot.press("f8")
        assert area.cursor_location == (4, 0) and "gpt-4" in highlighted()
        await pilot.press("f8")
        assert area.cursor_location == (last - 1, 0) and "mojibake" in highlighted()
        await pilot.press("f8")
        assert area.cursor_location == (3, 0), "past the last problem, back to the first"
        await pilot.press("shift+f8")
        assert area.cursor_location == (last - 1, 0), "before the first, round to the last"
        await pilot.press("shift+f8")
        assert area.cursor_location == (4, 0) and "gpt-4" in highlighted()
        assert area.has_focus
