"""The footer's keys are rebuilt on every focus change; the old ones must go."""

from __future__ import annotations

import gc
import weakref

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Button
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

from workbench.ui.widgets.footer import Footer


class Left(Button):
    BINDINGS = [Binding("l", "press", "Left key")]


class Right(Button):
    BINDINGS = [Binding("r", "press", "Right key"), Binding("x", "press", "Extra")]


class FocusApp(App[None]):
    def __init__(self, footer: type[TextualFooter]) -> None:
        super().__init__()
        self.footer = footer

    def compose(self) -> ComposeResult:
        yield Left("left")
        yield Right("right")
        yield self.footer()


async def keys_alive_after_focus_changes(footer: type[TextualFooter]) -> tuple[int, int]:
    """Keys the footer showed at some point and that are still in memory, and those it
    shows now, after 30 focus changes."""
    app = FocusApp(footer)
    shown_once: list[weakref.ref[FooterKey]] = []
    async with app.run_test() as pilot:
        for _ in range(30):
            await pilot.press("tab")
            await pilot.pause()
            shown_once += [weakref.ref(key) for key in app.query(FooterKey)]
        gc.collect()
        alive = {id(key) for ref in shown_once if (key := ref()) is not None}
        shown = len(app.query(FooterKey))
    return len(alive), shown


async def test_old_keys_are_freed_when_the_footer_is_rebuilt() -> None:
    alive, shown = await keys_alive_after_focus_changes(Footer)
    assert shown >= 2
    assert alive == shown


@pytest.mark.xfail(reason="Textual 8.2 keeps every rebuilt key (issue #6666)", strict=True)
async def test_textual_footer_keeps_its_old_keys() -> None:
    alive, shown = await keys_alive_after_focus_changes(TextualFooter)
    assert alive == shown


async def test_keys_are_rebuilt_only_when_what_they_show_changes() -> None:
    app = FocusApp(Footer)
    async with app.run_test() as pilot:
        await pilot.pause()
        keys = list(app.query(FooterKey))
        before = [key.description for key in keys]
        for _ in range(5):
            app.screen.refresh_bindings()
            await pilot.pause()
        assert list(app.query(FooterKey)) == keys
        await pilot.press("tab")
        await pilot.pause()
        after = [key.description for key in app.query(FooterKey)]
        # Focus moved to the other button: its key is shown instead.
        assert ("Left key" in before) != ("Left key" in after)
        assert ("Right key" in before) != ("Right key" in after)
