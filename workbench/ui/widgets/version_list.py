"""The versions of one file, newest first, with who made each one."""

from __future__ import annotations

import time

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from workbench.safe_text import printable
from workbench.sizes import human_size
from workbench.watch.history import Version


class VersionList(OptionList):
    """`enter` shows a version, `d` what it changed, `space` marks two to compare."""

    BINDINGS = [
        Binding("d", "diff_previous", "What changed", id="history.diff"),
        Binding("space", "mark", "Mark to compare", id="history.mark"),
        Binding("g", "go_to_call", "Go to tool call", id="history.call"),
    ]

    class Show(Message):
        def __init__(self, version: Version) -> None:
            super().__init__()
            self.version = version

    class Compare(Message):
        def __init__(self, older: Version | None, newer: Version) -> None:
            super().__init__()
            self.older = older
            self.newer = newer

    class GoToCall(Message):
        def __init__(self, version: Version) -> None:
            super().__init__()
            self.version = version

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._versions: list[Version] = []
        self._marked: list[int] = []

    def show(self, versions: list[Version]) -> None:
        """List `versions` (oldest first, as history keeps them), keeping the cursor's."""
        current = self.current
        self._versions = list(reversed(versions))
        known = {v.number for v in versions}
        self._marked = [n for n in self._marked if n in known]
        self._redraw()
        if current is not None:
            self.select_number(current.number)

    def select_number(self, number: int) -> None:
        for index, version in enumerate(self._versions):
            if version.number == number:
                self.highlighted = index
                return

    @property
    def current(self) -> Version | None:
        index = self.highlighted
        return self._versions[index] if index is not None and index < len(self._versions) else None

    def previous_of(self, version: Version) -> Version | None:
        older = [v for v in self._versions if v.number < version.number]
        return older[0] if older else None

    def _redraw(self) -> None:
        highlighted = self.highlighted
        self.set_options(Option(self._label(v), id=str(v.number)) for v in self._versions)
        if highlighted is not None and self._versions:
            self.highlighted = min(highlighted, len(self._versions) - 1)

    def _label(self, version: Version) -> Text:
        mark = "◆ " if version.number in self._marked else "  "
        text = Text(mark, style="bold yellow")
        text.append(f"v{version.number}", style="bold")
        text.append(f"  {when(version.at)}", style="dim")
        if version.deleted:
            text.append("  deleted", style="red")
        else:
            text.append(f"  {human_size(version.size)}", style="dim")
        author = version.author
        text.append("  ")
        text.append(printable(author.label), style="dim italic" if author.outside else "bold cyan")
        return text

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        version = self.current
        if version is not None:
            self.post_message(self.Show(version))

    def action_diff_previous(self) -> None:
        version = self.current
        if version is not None:
            self.post_message(self.Compare(self.previous_of(version), version))

    def action_mark(self) -> None:
        version = self.current
        if version is None:
            return
        if version.number in self._marked:
            self._marked.remove(version.number)
        else:
            self._marked = [*self._marked[-1:], version.number]
        self._redraw()
        if len(self._marked) == 2:
            chosen = sorted(
                (v for v in self._versions if v.number in self._marked), key=lambda v: v.number
            )
            self.post_message(self.Compare(chosen[0], chosen[1]))

    def action_go_to_call(self) -> None:
        version = self.current
        if version is None or version.author.outside:
            self.notify("This version was not written by a run.", timeout=2)
            return
        self.post_message(self.GoToCall(version))


def when(at: float) -> str:
    """A time of today as `14:02:11`; an earlier day with its date."""
    moment = time.localtime(at)
    if time.strftime("%Y-%m-%d", moment) == time.strftime("%Y-%m-%d"):
        return time.strftime("%H:%M:%S", moment)
    return time.strftime("%b %d %H:%M", moment)
