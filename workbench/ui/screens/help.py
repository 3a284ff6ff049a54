"""`?`: what the workbench shows and which keys do what."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

GUIDE = (
    "The roster lists every agent this workspace can use: agents given with --agents, "
    "the workspace's .claude/agents, your own ~/.claude/agents, and the bundled ones, in "
    "that order of precedence. When two agents share a name, the first wins and the other "
    "is marked shadowed.\n\n"
    "✖ counts errors (Claude Code would skip the file), ▲ warnings. The card shows the "
    "agent's description, examples, tools, model and every problem with its line; the "
    "Prompt tab shows what the model is told, numbered as in the file.\n\n"
    "Every action is also in the command palette (ctrl+p)."
)


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="help.close"),
        Binding("question_mark", "dismiss", "Close", show=False, id="help.close_again"),
    ]

    def __init__(self, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self._keys = keys

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for key, description in self._keys:
            table.add_row(key, description)
        with VerticalScroll(id="help-body"):
            yield Static(Text(GUIDE), id="help-guide")
            yield Static(table, id="help-keys")

    def on_mount(self) -> None:
        self.query_one("#help-body").border_title = "agent-workbench help"
        self.query_one("#help-body").border_subtitle = "escape to close"
