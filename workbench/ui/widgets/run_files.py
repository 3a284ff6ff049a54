"""The workspace files a run read and wrote, updated as its tool calls finish."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from workbench.engine.events import ToolCallFinished, ToolCallStarted
from workbench.safe_text import printable

READS = ("Read",)
WRITES = ("Write", "Edit", "MultiEdit")


@dataclass
class _Touch:
    read: bool = False
    written: bool = False


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

    def compose(self) -> ComposeResult:
        yield Static("Files this run touched", classes="title")
        yield Static("Files the agent reads and writes appear here.", classes="empty")
        yield OptionList(classes="files")

    def on_mount(self) -> None:
        self.query_one(OptionList).display = False

    def clear(self) -> None:
        self._files.clear()
        self._inputs.clear()
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
        self._show_list()

    def _resolve(self, raw: str) -> Path:
        given = Path(raw)
        return (given if given.is_absolute() else self.workspace / given).resolve()

    def _touch(self, path: Path, *, read: bool, written: bool) -> None:
        """Add the file's row, or redraw it when its mark changes; the other rows stay, so a
        run touching thousands of files costs one row per call, not the whole list."""
        files = self.query_one(OptionList)
        touch = self._files.get(path)
        if touch is None:
            touch = self._files[path] = _Touch(read, written)
            files.add_option(Option(self._prompt(path, touch), id=str(path)))
        else:
            newly_written = written and not touch.written
            touch.read |= read
            touch.written |= written
            if newly_written:
                files.replace_option_prompt(str(path), self._prompt(path, touch))

    def _show_list(self) -> None:
        listed = bool(self._files)
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
