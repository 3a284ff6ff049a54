"""Undoing a large paste restores the text instead of crashing the app."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import TextArea

from workbench.ui.widgets.editor_text import EditorText
from workbench.ui.widgets.prompt_box import PromptBox
from workbench.ui.widgets.text_area import UndoSafeTextArea

PASTED = "\n".join(f"line {number}" for number in range(50))


class AreaApp(App[None]):
    def __init__(self, area: TextArea) -> None:
        super().__init__()
        self.area = area

    def compose(self) -> ComposeResult:
        yield self.area

    def on_mount(self) -> None:
        self.area.styles.height = "auto"
        self.area.styles.max_height = 10
        self.area.focus()


async def paste_and_undo(area: TextArea) -> str:
    app = AreaApp(area)
    async with app.run_test() as pilot:
        await pilot.press(*"see ")
        app.post_message(events.Paste(PASTED))
        await pilot.pause()
        assert area.text == "see " + PASTED
        await pilot.press("ctrl+z")
        await pilot.pause()
        return area.text


@pytest.mark.parametrize(
    "make",
    [
        lambda: UndoSafeTextArea(soft_wrap=True),
        lambda: PromptBox(),
        lambda: EditorText(language="markdown", soft_wrap=True, show_line_numbers=True),
    ],
    ids=["text-area", "prompt-box", "editor"],
)
async def test_undoing_a_paste_taller_than_the_box_gives_back_the_text_before_it(
    make: Callable[[], TextArea],
) -> None:
    assert await paste_and_undo(make()) == "see "


@pytest.mark.xfail(
    strict=True, raises=ValueError, reason="Textual 8.2 crashes here (Textual issue #6686)"
)
async def test_textual_text_area_crashes_undoing_the_paste() -> None:
    assert await paste_and_undo(TextArea(soft_wrap=True)) == "see "
