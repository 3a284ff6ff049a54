"""A long conversation kept in pages, with the pages far from the view folded away.

Textual lays out every displayed widget of the screen whenever anything changes size, so
a chat of thousands of blocks would pay for all of them on every new line. Blocks go into
pages of `PAGE_SIZE`; a page away from the view is hidden, and each run of hidden pages
stands in as one blank as tall as the run, so a frame costs what the visible pages and a
few blanks cost, whatever the length of the conversation. A page comes back as soon as
the view nears it, or when a block in it is to take focus; the page holding the focus is
never folded.
"""

from __future__ import annotations

from textual.containers import ScrollableContainer, Vertical
from textual.geometry import Size
from textual.widget import Widget

PAGE_SIZE = 50
"""Blocks per page: enough that a screen shows few pages, few enough to fold cheaply."""
LIVE_PAGES = 2
"""The last pages are never folded: that is where a run writes."""


class ChatPage(Vertical):
    """Consecutive blocks of a conversation."""

    def __init__(self) -> None:
        super().__init__(classes="chat-page")
        self.blocks = 0


class PageBlank(Widget):
    """Where a run of folded pages starts: blank, and exactly as tall as the run."""

    def __init__(self) -> None:
        super().__init__(classes="chat-page-blank")
        self.display = False
        self.lines = 0

    def stand_in(self, lines: int) -> None:
        """Show as `lines` blank lines."""
        if lines != self.lines:
            self.lines = lines
            self.refresh(layout=True)
        self.display = True

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.lines


class Pages:
    """The pages of one chat log, in order, each with the blank that stands in for it."""

    def __init__(self, log: Widget) -> None:
        self._log = log
        self._pages: list[tuple[ChatPage, PageBlank]] = []
        self._folded: list[int | None] = []
        """Each page's height when it was folded; None while it is shown."""
        self._width = 0

    def add(self, widget: Widget) -> None:
        """Put `widget` at the end of the conversation."""
        if not self._pages or self._pages[-1][0].blocks >= PAGE_SIZE:
            page, blank = ChatPage(), PageBlank()
            self._pages.append((page, blank))
            self._folded.append(None)
            self._log.mount(page, blank)
            self.refold()
        page = self._pages[-1][0]
        if not page.is_attached:
            return  # the log is being taken down (the app quits): nothing is shown any more
        page.blocks += 1
        page.mount(widget)

    def last_block(self) -> Widget | None:
        if not self._pages or not self._pages[-1][0].children:
            return None
        return self._pages[-1][0].children[-1]

    def refold(self) -> None:
        """Fold the pages away from the view and unfold those near it (the view's height
        above and below counts as near)."""
        window = self._window()
        if window is None:
            return
        top, height = window
        near_top, near_bottom = top - height, top + 2 * height
        y = 0
        last = len(self._pages) - LIVE_PAGES
        focused = self._focused_page()
        for index, (page, _blank) in enumerate(self._pages):
            folded = self._folded[index]
            lines = page.outer_size.height if folded is None else folded
            near = index >= last or page is focused or (y < near_bottom and y + lines > near_top)
            if near:
                self._folded[index] = None
            elif folded is None and lines:
                self._folded[index] = lines
            y += lines
        self._show()

    def _show(self) -> None:
        """Show the unfolded pages, and the first blank of each run of folded ones as tall
        as the run."""
        run: PageBlank | None = None
        lines = 0
        for (page, blank), folded in zip(self._pages, self._folded, strict=True):
            page.display = folded is None
            if folded is not None and run is None:
                run, lines = blank, folded
                continue
            if folded is not None:
                lines += folded
            elif run is not None:
                run.stand_in(lines)
                run = None
            blank.display = False
        if run is not None:
            run.stand_in(lines)

    def unfold(self, widget: Widget) -> None:
        """Show the page holding `widget`, so that it can be focused and scrolled to."""
        page = _page_of(widget)
        for index, (shown, _blank) in enumerate(self._pages):
            if shown is page and self._folded[index] is not None:
                self._folded[index] = None
                self._show()

    def _focused_page(self) -> ChatPage | None:
        """Folding the page that holds the focus would take the focus away."""
        focused = self._log.screen.focused
        return None if focused is None else _page_of(focused)

    def resized(self, width: int) -> bool:
        """Folded heights hold for one width only: at another, every page comes back (until
        the caller refolds them once they are laid out at it). Whether the width changed."""
        if width == self._width:
            return False
        self._width = width
        self._folded = [None] * len(self._pages)
        self._show()
        return True

    def _window(self) -> tuple[float, int] | None:
        """The scrolled view's top and height in the log's lines, if the log scrolls."""
        holder = self._log.parent
        if not isinstance(holder, ScrollableContainer) or not holder.size.height:
            return None
        return holder.scroll_y, holder.size.height


def _page_of(widget: Widget) -> ChatPage | None:
    for node in widget.ancestors:
        if isinstance(node, ChatPage):
            return node
    return None
