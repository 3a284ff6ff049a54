"""A read-only view of a file or of a long tool result, over the current screen."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import TextArea

from workbench.safe_text import printable

MAX_CHARS = 2_000_000
"""Beyond this the view shows the start and says so; the viewer is for looking, not paging."""
_LANGUAGES = {
    ".md": "markdown",
    ".py": "python",
    ".json": "json",
    ".toml": "toml",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".sh": "bash",
    ".js": "javascript",
    ".rs": "rust",
    ".go": "go",
    ".sql": "sql",
    ".html": "html",
    ".css": "css",
}


class TextViewer(ModalScreen[None]):
    CSS_PATH = "text_viewer.tcss"
    BINDINGS = [Binding("escape", "dismiss", "Close", id="viewer.close")]

    def __init__(self, title: str, text: str, language: str | None = None) -> None:
        super().__init__(classes="text-viewer")
        self._title = title
        self._text = text
        self._language = language

    @classmethod
    def of_file(cls, path: Path) -> TextViewer:
        try:
            data = path.read_bytes()[: MAX_CHARS * 4]
        except OSError as error:
            return cls(str(path), f"Cannot read {path}: {error.strerror}")
        if b"\0" in data[:8192]:
            return cls(str(path), f"{path} is a binary file; it is not shown here.")
        return cls(str(path), data.decode("utf-8", "replace"), _LANGUAGES.get(path.suffix))

    def compose(self) -> ComposeResult:
        text = self._text
        if len(text) > MAX_CHARS:
            text = (
                text[:MAX_CHARS] + f"\n[the first {MAX_CHARS:,} of {len(self._text):,} characters]"
            )
        area = TextArea(
            printable(text),
            read_only=True,
            language=self._language,
            show_line_numbers=True,
            soft_wrap=True,
            classes="viewer-text",
        )
        area.border_title = printable(self._title)
        area.border_subtitle = "escape to close"
        yield area
