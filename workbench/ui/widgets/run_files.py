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
        self._render_list()

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
            touch = self._files.setdefault(path, _Touch())
            touch.read |= name in READS
            touch.written |= name in WRITES
        self._render_list()

    def _resolve(self, raw: str) -> Path:
        given = Path(raw)
        return (given if given.is_absolute() else self.workspace / given).resolve()

    def _render_list(self) -> None:
        files = self.query_one(OptionList)
        options = []
        for path, touch in self._files.items():
            mark = Text(
                "W " if touch.written else "R ", style="bold yellow" if touch.written else "dim"
            )
            options.append(Option(mark + Text(printable(self._label(path))), id=str(path)))
        files.set_options(options)
        files.display = bool(options)
        self.query_one(".empty", Static).display = not options

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
