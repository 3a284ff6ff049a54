"""The workspace files a run read and wrote, updated as its tool calls finish."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.css.styles import RulesMap
from textual.geometry import Size
from textual.message import Message
from textual.timer import Timer
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from workbench.config.paths import real_path
from workbench.engine.events import ToolCallFinished, ToolCallStarted
from workbench.safe_text import printable

READS = ("Read",)
WRITES = ("Write", "Edit", "MultiEdit")
GATHER_S = 0.25
"""How long a new row waits for others: each addition to the list lays the screen out again,
and a run's calls finish in bursts."""


@dataclass
class _Touch:
    read: bool = False
    written: bool = False


class FileRows(OptionList):
    """An option list that measures only the rows added since it was last measured.

    The list is as tall as its rows, so the layout asks its height on every frame, and
    OptionList adds up the height of every row each time: a run that had read two thousand
    files spent a sixth of each frame measuring them again.
    """

    def __init__(self, *, classes: str) -> None:
        super().__init__(classes=classes)
        self._measured: tuple[int, int, Option | None, int] = (0, 0, None, 0)
        """The width, the rows measured, the last of them, and their height (a divider
        below the last row is not drawn)."""

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        options = self.options
        known_width, known, last, height = self._measured
        if (
            known_width != width
            or known > len(options)
            or (known and options[known - 1] is not last)
        ):
            known, height = 0, 0
        rows = options[known:]
        if rows:
            rules = cast(RulesMap, self.styles)
            padding = self.get_component_styles("option-list--option").padding.width
            if known:
                height += options[known - 1]._divider  # no longer the last row
            height += sum(self._get_visual(row).get_height(rules, width - padding) for row in rows)
            height += sum(row._divider for row in rows[:-1])
        self._measured = (width, len(options), options[-1] if options else None, height)
        return height

    def _clear_caches(self) -> None:
        """A row's text changed (or the width did): measure every row again."""
        self._measured = (0, 0, None, 0)
        super()._clear_caches()


class RunFiles(Vertical):
    class Open(Message):
        def __init__(self, path: Path) -> None:
            super().__init__()
            self.path = path

    def __init__(self, workspace: Path, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.workspace = workspace.resolve()
        self._files: dict[Path, _Touch] = {}
        self._inputs: dict[str, tuple[str, str]] = {}
        self._new: list[Path] = []
        """Files touched for the first time, not yet in the list."""
        self._gathering: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static("Files this run touched", classes="title")
        yield Static("Files the agent reads and writes appear here.", classes="empty")
        yield FileRows(classes="files")

    def on_mount(self) -> None:
        self.query_one(OptionList).display = False

    def clear(self) -> None:
        self._files.clear()
        self._inputs.clear()
        self._new.clear()
        if self._gathering is not None:
            self._gathering.stop()
            self._gathering = None
        self.query_one(OptionList).clear_options()
        self._show_list()

    def started(self, event: ToolCallStarted) -> None:
        path = event.input.get("file_path")
        if event.name in (*READS, *WRITES) and isinstance(path, str) and not event.scope:
            self._inputs[event.tool_use_id] = (event.name, path)

    def finished(self, event: ToolCallFinished) -> None:
        called = self._inputs.pop(event.tool_use_id, None)
        if called is None or event.is_error:
            return
        name, raw = called
        changed = [change.path for change in event.changes]
        for path in changed or [self._resolve(raw)]:
            self._touch(path, read=name in READS, written=name in WRITES)
        if self._new and self._gathering is None:
            self._gathering = self.set_timer(GATHER_S, self.flush)

    def flush(self) -> None:
        """List the files touched since the last time, all at once."""
        if self._gathering is not None:
            self._gathering.stop()
            self._gathering = None
        if self._new:
            files = self._files
            rows = [Option(self._prompt(path, files[path]), id=str(path)) for path in self._new]
            self._new.clear()
            self.query_one(OptionList).add_options(rows)
        self._show_list()

    def _resolve(self, raw: str) -> Path:
        given = Path(raw)
        return real_path(given if given.is_absolute() else self.workspace / given)

    def _touch(self, path: Path, *, read: bool, written: bool) -> None:
        """Note a new file for the next `flush`, or redraw its row when its mark changes; the
        other rows stay, so a run touching thousands of files costs one row per call, not
        the whole list."""
        touch = self._files.get(path)
        if touch is None:
            self._files[path] = _Touch(read, written)
            self._new.append(path)
            return
        newly_written = written and not touch.written
        touch.read |= read
        touch.written |= written
        if newly_written and path not in self._new:
            self.query_one(OptionList).replace_option_prompt(str(path), self._prompt(path, touch))

    def _show_list(self) -> None:
        listed = bool(self.query_one(OptionList).option_count)
        self.query_one(OptionList).display = listed
        self.query_one(".empty", Static).display = not listed

    def _prompt(self, path: Path, touch: _Touch) -> Text:
        mark = Text(
            "W " if touch.written else "R ", style="bold yellow" if touch.written else "dim"
        )
        return mark + Text(printable(self._label(path)))

    def _label(self, path: Path) -> str:
        return (
            str(path.relative_to(self.workspace))
            if path.is_relative_to(self.workspace)
            else (str(path))
        )

    @on(OptionList.OptionSelected)
    def _open(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.Open(Path(event.option.id)))
