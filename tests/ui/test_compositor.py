"""A frame that brings a new widget lays the screen out once, not twice."""

from __future__ import annotations

from typing import Any

import pytest
from textual._compositor import Compositor
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import OptionList, Static

from workbench.ui.compositor import FreshMapCompositor


class ChatLike(Screen[None]):
    """A long flow of blocks, and beside it a list with a scroll bar, as in the chat."""

    DEFAULT_CSS = "OptionList { height: 5; }"

    def __init__(self, compositor: type[Compositor]) -> None:
        super().__init__()
        self._compositor = compositor()

    def compose(self) -> ComposeResult:
        yield OptionList(*(f"file {number}" for number in range(20)))
        with VerticalScroll():
            yield from (Static(f"block {number}") for number in range(200))


class ChatLikeApp(App[None]):
    def __init__(self, compositor: type[Compositor]) -> None:
        super().__init__()
        self.compositor = compositor

    def on_mount(self) -> None:
        self.push_screen(ChatLike(self.compositor))


async def layouts_for_one_new_block(compositor: type[Compositor]) -> int:
    """How many times the whole screen is laid out for the frame that shows a new block."""
    app = ChatLikeApp(compositor)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        scroll = screen.query_one(VerticalScroll)
        # Scrolling lays out only what is visible, and marks the full map out of date.
        scroll.scroll_end(animate=False, immediate=True)
        await screen.wait_for_refresh()
        layouts = 0
        arrange = screen._compositor._arrange_root

        def counted(*args: Any, **kwargs: Any) -> Any:
            nonlocal layouts
            layouts += 1
            return arrange(*args, **kwargs)

        screen._compositor._arrange_root = counted  # type: ignore[method-assign]
        block = Static("the new block")
        await scroll.mount(block)
        await screen.wait_for_refresh()
        assert block.region.height == 1  # shown, at the end of the flow
        return layouts


async def test_a_new_block_is_laid_out_once() -> None:
    assert await layouts_for_one_new_block(FreshMapCompositor) == 1


@pytest.mark.xfail(reason="Textual 8.2 lays the screen out again after a reflow", strict=True)
async def test_textual_lays_the_screen_out_once() -> None:
    assert await layouts_for_one_new_block(Compositor) == 1
