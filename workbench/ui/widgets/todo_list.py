"""The agent's TodoWrite checklist, pinned above the prompt while the run lasts."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from workbench.safe_text import printable

_MARKS = {"completed": ("☑", "dim strike"), "in_progress": ("◐", "bold"), "pending": ("☐", "")}


class TodoList(Static):
    def __init__(self) -> None:
        super().__init__("", classes="todo-list", markup=False)
        self.display = False

    def show(self, todos: Any) -> None:
        """The list as the last TodoWrite call set it; anything malformed is skipped."""
        text = Text()
        for item in todos if isinstance(todos, list) else ():
            if not isinstance(item, dict):
                continue
            status = str(item.get("status", "pending"))
            mark, style = _MARKS.get(status, _MARKS["pending"])
            words = item.get("activeForm") if status == "in_progress" else item.get("content")
            text.append(f"{mark} {printable(str(words or item.get('content', '')))}\n", style=style)
        text.rstrip()
        self.update(text)
        self.display = bool(text)
