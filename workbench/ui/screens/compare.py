"""The saved and the edited version of an agent given the same task, side by side.

Each side is a whole chat (stream, tool blocks, permission questions, the files it touched)
with its own conversation; one prompt box under both sends every task to each. Both runs
work in the same workspace, so a file one version writes is there for the other to read:
the header says so, since it matters when the agent writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static

from workbench.agentfile.spec import AgentSpec
from workbench.safe_text import printable
from workbench.ui.pacing import PacedFrames
from workbench.ui.widgets.chat import CHAT_CSS, ChatView
from workbench.ui.widgets.prompt_box import PromptBox
from workbench.ui.widgets.run_files import RunFiles
from workbench.ui.widgets.tool_block import ToolBlock

if TYPE_CHECKING:
    from workbench.ui.app import WorkbenchApp

SIDES = (("saved", "saved version (the file on disk)"), ("edited", "edited version (the buffer)"))


class ComparedChat(ChatView):
    """A chat whose tasks come from the comparison's box, not a box of its own."""

    def focus_prompt(self) -> None:
        self.screen.query_one("#compare-prompt", PromptBox).focus()


class CompareScreen(PacedFrames):
    CSS_PATH = "compare.tcss"
    BINDINGS = [
        Binding("escape", "stop_or_close", "Interrupt both / close", id="compare.escape"),
    ]

    def __init__(self, saved: AgentSpec, edited: AgentSpec) -> None:
        super().__init__()
        self.specs = {"saved": saved, "edited": edited}

    @property
    def workbench(self) -> WorkbenchApp:
        return cast("WorkbenchApp", self.app)

    @property
    def chats(self) -> list[ChatView]:
        return list(self.query(ComparedChat))

    def compose(self) -> ComposeResult:
        self.workbench.use_css(CHAT_CSS)
        workspace = self.workbench.options.workspace
        name = printable(self.specs["edited"].display_name)
        yield Static(
            f"Comparing {name}: each task goes to both versions. Both work in this "
            "workspace, so what one writes the other can read.",
            id="compare-header",
            markup=False,
        )
        with Horizontal(id="compare-sides"):
            for side, title in SIDES:
                with Vertical(classes="compare-side"):
                    yield Static(title, classes="compare-title", markup=False)
                    files = RunFiles(workspace, id=f"compare-files-{side}")
                    yield ComparedChat(self.specs[side], files, id=f"compare-{side}")
                    yield files
        yield PromptBox(
            workspace,
            placeholder="A task for both versions… (Enter sends, ctrl+j new line)",
            id="compare-prompt",
        )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#compare-prompt", PromptBox).focus()

    @on(PromptBox.Submitted, "#compare-prompt")
    def _send(self, message: PromptBox.Submitted) -> None:
        message.stop()
        for chat in self.chats:
            chat.send(message.text)

    @on(PromptBox.Command, "#compare-prompt")
    @on(PromptBox.UnknownCommand, "#compare-prompt")
    def _command(self, message: PromptBox.Command | PromptBox.UnknownCommand) -> None:
        message.stop()
        self.notify(
            "Commands act on one chat; here the box only sends tasks to both versions.",
            severity="warning",
        )

    def action_stop_or_close(self) -> None:
        """Like esc in a chat while the versions work; once they are done, back to where the
        comparison was started."""
        if any(chat.working for chat in self.chats):
            for chat in self.chats:
                chat.action_interrupt()
            return
        for chat in self.chats:
            if chat.conversation is not None:
                chat.conversation.close()
        self.dismiss()

    def on_chat_view_files_written(self, message: ChatView.FilesWritten) -> None:
        """The workbench's file history records which run wrote what, here as anywhere."""
        main = self.app.screen_stack[0]
        handler = getattr(main, "on_chat_view_files_written", None)
        if handler is not None:
            handler(message)

    def on_run_files_open(self, message: RunFiles.Open) -> None:
        from workbench.ui.screens.text_viewer import TextViewer

        self.app.push_screen(TextViewer.of_file(message.path))

    def on_tool_block_open_version(self, message: ToolBlock.OpenVersion) -> None:
        """There are no file tabs here to hold the file's history: it shows as it is now."""
        from workbench.ui.screens.text_viewer import TextViewer

        path = self.workbench.options.workspace / message.version.path
        self.app.push_screen(TextViewer.of_file(path))
