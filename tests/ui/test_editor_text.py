"""The editor's text area draws a long prompt exactly as Textual's TextArea does, wherever
the view is and after edits, although it highlights only the lines near the view."""

from __future__ import annotations

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import TextArea

from workbench.ui.widgets.editor_text import HIGHLIGHT_MARGIN, EditorText

OPTIONS = {"language": "markdown", "soft_wrap": True, "show_line_numbers": True}


def long_prompt() -> str:
    """Headings, lists, code fences and emphasis, far more lines than the margin."""
    parts = ["---\nname: long-prompt\ndescription: A long one.\n---\n"]
    for number in range(HIGHLIGHT_MARGIN * 3):
        parts.append(f"## Step {number}\n\nRead **the plan** and `check` item {number}.\n")
        if number % 7 == 0:
            parts.append("```python\ndef step():\n    return 'done'\n```\n")
        if number % 5 == 0:
            parts.append("- first\n- *second*\n")
    return "".join(parts)


class SideBySide(App[None]):
    AUTO_FOCUS = None
    """Neither side draws a cursor."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield EditorText(text=self.text, id="ours", **OPTIONS)
            yield TextArea(text=self.text, id="plain", **OPTIONS)


def drawn(area: TextArea) -> list[Strip]:
    return [area.render_line(y) for y in range(area.size.height)]


async def same_everywhere(app: SideBySide, rows: list[int]) -> None:
    ours, plain = app.query_one("#ours", EditorText), app.query_one("#plain", TextArea)
    for row in rows:
        ours.scroll_to(y=row, animate=False, immediate=True)
        plain.scroll_to(y=row, animate=False, immediate=True)
        assert ours.scroll_offset == plain.scroll_offset
        assert drawn(ours) == drawn(plain), f"the views differ at row {row}"


async def test_a_long_prompt_is_drawn_as_textual_draws_it_at_the_top_middle_and_end() -> None:
    app = SideBySide(long_prompt())
    async with app.run_test(size=(160, 30)) as pilot:
        await pilot.pause()
        height = app.query_one("#plain", TextArea).virtual_size.height
        assert height > HIGHLIGHT_MARGIN * 8
        await same_everywhere(app, [0, height // 2, height - 20, HIGHLIGHT_MARGIN * 2, 0])


async def test_edits_far_down_and_back_up_are_highlighted_as_textual_highlights_them() -> None:
    app = SideBySide(long_prompt())
    async with app.run_test(size=(160, 30)) as pilot:
        ours, plain = app.query_one("#ours", EditorText), app.query_one("#plain", TextArea)
        last = ours.document.line_count - 1
        for area in (ours, plain):
            area.insert("\n## A new heading with **bold**\n```\ncode\n```\n", (last, 0))
            area.insert("# Top heading\n", (5, 0))
        await pilot.pause()
        height = plain.virtual_size.height
        await same_everywhere(app, [height - 20, 0, height // 3])


async def test_typing_that_changes_lines_above_and_below_is_drawn_as_textual_draws_it() -> None:
    """An opened fence restyles every line below it; `===` under a paragraph makes the
    paragraph, above the edit, a heading."""
    text = long_prompt()
    paragraph = text.split("\n").index("Read **the plan** and `check` item 0.")
    keys = [((12, 0), "`"), ((12, 1), "`"), ((12, 2), "`")]
    keys += [((paragraph, 37), "\n"), ((paragraph + 1, 0), "=")]
    keys += [((paragraph + 1, 1), "="), ((paragraph + 1, 2), "=")]
    app = SideBySide(text)
    async with app.run_test(size=(160, 30)) as pilot:
        ours, plain = app.query_one("#ours", EditorText), app.query_one("#plain", TextArea)
        await same_everywhere(app, [0])
        for location, character in keys:
            for area in (ours, plain):
                area.insert(character, location)
            await pilot.pause()
            assert drawn(ours) == drawn(plain), f"the views differ after {character!r}"
        assert ours.text == plain.text
        assert ours.document.get_line(paragraph + 1) == "==="
        await same_everywhere(app, [0, 200])


async def test_the_cursor_line_and_a_selection_are_drawn_as_textual_draws_them() -> None:
    keys = ["down", "down", "down", "end", "x", "shift+down", "shift+down", "shift+left"]
    keys += ["y", "up", "up", "shift+up", "backspace", "pagedown", "z", "ctrl+z", "home"]
    app = SideBySide(long_prompt())
    async with app.run_test(size=(160, 30)) as pilot:
        seen: dict[str, list[list[Strip]]] = {}
        for area in app.query(TextArea):
            area.cursor_blink = False  # the cursor always drawn, on both sides alike
            area.focus()
            await pilot.pause()
            seen[area.id or ""] = frames = []
            for key in keys:
                await pilot.press(key)
                frames.append(drawn(area))
            app.set_focus(None)
            await pilot.pause()
        assert seen["ours"] == seen["plain"]


class Alone(App[None]):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield EditorText(text=self.text, **OPTIONS)


def on_screen(area: EditorText) -> list[Strip]:
    """The rows as the screen shows them: each drawn again only when the area asked."""
    return area.render_lines(Region(0, 0, *area.outer_size))


def redrawn(area: EditorText) -> list[Strip]:
    area._styles_cache.clear()
    return on_screen(area)


@pytest.mark.parametrize(
    "text",
    [long_prompt(), "".join(f"plain line {number}\n" for number in range(200))],
    ids=["markdown", "plain"],
)
async def test_what_each_key_repaints_leaves_the_screen_as_a_full_redraw_would(
    text: str,
) -> None:
    """The area repaints only the rows a key changed; no row may be left showing the old
    text, the old cursor, an old selection or an old bracket match."""
    keys = ["down"] * 6 + ["end", "x", "enter", "y", "backspace", "backspace", "up", "home"]
    keys += ["(", "a", ")", "left", "left", "left", "right", "shift+down", "shift+down", "z"]
    keys += ["ctrl+z", "ctrl+y", "ctrl+z", "pagedown", "q", "ctrl+home", "`", "`", "`", "down"]
    keys += ["backspace", "end", *"a long line that wraps once it is longer than the area"]
    keys += ["shift+up", "shift+up", "delete", "ctrl+z", "down", "down", "down"]
    app = Alone(text)
    async with app.run_test(size=(70, 20)) as pilot:
        area = app.query_one(EditorText)
        area.cursor_blink = False
        area.focus()
        await pilot.pause()
        for number, key in enumerate(keys):
            await pilot.press(key)
            await pilot.pause()
            assert on_screen(area) == redrawn(area), f"stale rows after key {number} ({key!r})"
        app.post_message(events.Paste("pasted\nover\nthree lines"))
        await pilot.pause()
        assert on_screen(area) == redrawn(area), "stale rows after a paste"
        area.soft_wrap = False
        await pilot.pause()
        assert on_screen(area) == redrawn(area), "stale rows after turning soft wrap off"
