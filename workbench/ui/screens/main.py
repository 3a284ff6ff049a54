"""The workbench's home: the roster, then the agent card and one tab per chat, then the
files the active chat's run touched.
"""

from __future__ import annotations

from concurrent.futures import Future
from itertools import count
from typing import TYPE_CHECKING, cast

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    ContentSwitcher,
    Footer,
    Header,
    Input,
    OptionList,
    Static,
    TabbedContent,
    TabPane,
)

from workbench.agentfile.roster import Roster, load_roster
from workbench.agentfile.spec import AgentSpec
from workbench.engine.replay import list_runs
from workbench.safe_text import printable
from workbench.ui.screens.runs import RunsScreen
from workbench.ui.screens.text_viewer import TextViewer
from workbench.ui.widgets.agent_card import AgentCard
from workbench.ui.widgets.chat import ChatView
from workbench.ui.widgets.roster import RosterPanel
from workbench.ui.widgets.run_files import RunFiles
from workbench.ui.widgets.tool_block import ToolBlock

if TYPE_CHECKING:
    from workbench.ui.app import WorkbenchApp

SIDE_NOTE = (
    "Pick an agent and press Enter to chat with it.\n\n"
    "The files each run reads and writes are listed here while it works."
)


class RosterLoaded(Message):
    def __init__(self, roster: Roster) -> None:
        super().__init__()
        self.roster = roster


class MainScreen(Screen[None]):
    AUTO_FOCUS = "#roster-list"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-medium"), (150, "-wide")]
    """Narrow terminals show the files column in place of the roster, on request."""
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="workbench.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="workbench.clear_filter"),
        Binding("p", "problems", "Problems only", id="workbench.problems"),
        Binding("t", "toggle_card", "Overview/Prompt", id="workbench.card_view"),
        Binding("ctrl+r", "reload", "Reload", id="workbench.reload"),
        Binding("ctrl+w", "close_chat", "Close chat", id="workbench.close_chat"),
        Binding("ctrl+f", "toggle_files", "Files", id="workbench.files"),
        Binding("ctrl+pagedown", "next_tab", "Next tab", show=False, id="workbench.next_tab"),
        Binding(
            "ctrl+pageup", "previous_tab", "Previous tab", show=False, id="workbench.previous_tab"
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._pending_agent: str | None = None
        self._numbers = count(1)

    @property
    def workbench(self) -> WorkbenchApp:
        return cast("WorkbenchApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="columns"):
            yield RosterPanel(id="roster")
            with TabbedContent(id="center"), TabPane("Agent", id="card-pane"):
                yield AgentCard(self.workbench.options.workspace, id="card")
            with ContentSwitcher(id="side", initial="side-note"):
                yield Static(SIDE_NOTE, id="side-note", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#side-note").border_title = "Runs & files"
        self._pending_agent = self.workbench.options.agent
        first, self.workbench.first_roster = self.workbench.first_roster, None
        if first is not None and first.done() and first.exception() is None:
            self.post_message(RosterLoaded(first.result()))
        else:
            self.load_roster(first)

    # the roster

    @work(thread=True, exclusive=True, group="roster", exit_on_error=False)
    def load_roster(self, pending: Future[Roster] | None = None) -> None:
        """Wait for a load already under way, or read every source again."""
        app = self.workbench
        try:
            roster = pending.result() if pending else load_roster(app.options.sources, app.models)
        except Exception as error:
            app.call_from_thread(
                self.notify, f"Could not load the agents: {error}", severity="error"
            )
            return
        self.post_message(RosterLoaded(roster))

    @on(RosterLoaded)
    async def _roster_loaded(self, message: RosterLoaded) -> None:
        self.workbench.roster = message.roster
        panel = self.query_one(RosterPanel)
        panel.show(message.roster)
        wanted, self._pending_agent = self._pending_agent, None
        if not wanted:
            return
        spec = message.roster.get(wanted)
        if spec is None or not panel.select_name(wanted):
            self.notify(f"No agent named {wanted!r} in the roster.", severity="warning")
            return
        await self.open_chat(spec)

    @on(RosterPanel.Highlighted)
    def _show_agent(self, message: RosterPanel.Highlighted) -> None:
        app = self.workbench
        if app.roster is not None:
            card = self.query_one(AgentCard)
            card.show(message.spec, app.roster, app.models, app.options.model)

    @on(RosterPanel.Chosen)
    async def _chosen(self, message: RosterPanel.Chosen) -> None:
        if message.spec.is_agent and message.spec.name:
            await self.open_chat(message.spec)

    # chats

    async def open_chat(self, spec: AgentSpec) -> ChatView:
        """Chat with `spec`: in the active chat if it has not started, else in a new tab."""
        current = self.active_chat
        if current is not None and current.conversation is None and not current.working:
            if current.spec.path != spec.path:
                current.change_agent(spec)
                self._label(current)
            current.focus_prompt()
            return current
        number = next(self._numbers)
        files = RunFiles(self.workbench.options.workspace, id=f"files-{number}")
        chat = ChatView(spec, files, id=f"chat-{number}")
        await self.query_one("#side", ContentSwitcher).mount(files)
        tabs = self.query_one("#center", TabbedContent)
        pane = TabPane(_title(spec.display_name, ""), chat, id=f"pane-{number}")
        await tabs.add_pane(pane)
        tabs.active = pane.id or ""
        chat.focus_prompt()
        return chat

    @property
    def active_chat(self) -> ChatView | None:
        tabs = self.query_one("#center", TabbedContent)
        if not tabs.active.startswith("pane-"):
            return None
        return self.query_one(f"#chat-{tabs.active.removeprefix('pane-')}", ChatView)

    @on(TabbedContent.TabActivated, "#center")
    def _tab_changed(self, event: TabbedContent.TabActivated) -> None:
        pane = event.pane.id or ""
        side = self.query_one("#side", ContentSwitcher)
        side.current = (
            f"files-{pane.removeprefix('pane-')}" if pane.startswith("pane-") else ("side-note")
        )

    @on(ChatView.StateChanged)
    def _chat_state(self, message: ChatView.StateChanged) -> None:
        self._label(message.chat)

    def _label(self, chat: ChatView) -> None:
        state = chat.state
        mark = "? " if state.asking else "● " if state.working else "✖ " if state.failed else ""
        number = (chat.id or "").removeprefix("chat-")
        tab = self.query_one("#center", TabbedContent).get_tab(f"pane-{number}")
        tab.label = _title(chat.spec.display_name, mark)

    @on(ChatView.PickAgent)
    def _pick(self, message: ChatView.PickAgent) -> None:
        roster = self.workbench.roster
        spec = roster.get(message.name) if roster and message.name else None
        if spec is None:
            self.notify(f"No agent named {message.name!r} in the roster.", severity="warning")
            return
        if message.chat.working:
            self.notify("That chat is still working: interrupt it first (esc).")
            return
        message.chat.change_agent(spec)
        self._label(message.chat)

    @on(ChatView.ResumeRequested)
    def _resume_requested(self, message: ChatView.ResumeRequested) -> None:
        self.action_runs()

    def action_runs(self) -> None:
        self.app.push_screen(RunsScreen(self.workbench.options.workspace), self._resume)

    async def _resume(self, session_id: str | None) -> None:
        if not session_id:
            return
        summaries, _ = list_runs(self.workbench.options.workspace)
        summary = next((s for s in summaries if s.session_id == session_id), None)
        roster = self.workbench.roster
        spec = roster.get(summary.agent) if summary and roster and summary.agent else None
        if spec is None:
            self.notify("The agent of that run is no longer in the roster.", severity="warning")
            return
        chat = await self.open_chat(spec)
        try:
            chat.resume(session_id)
        except (OSError, ValueError) as error:
            self.notify(f"Could not resume {session_id}: {error}", severity="error")
        self._label(chat)

    @on(RunFiles.Open)
    def _open_file(self, message: RunFiles.Open) -> None:
        self.app.push_screen(TextViewer.of_file(message.path))

    @on(ToolBlock.OpenResult)
    def _open_result(self, message: ToolBlock.OpenResult) -> None:
        self.app.push_screen(TextViewer(message.title, message.content))

    def action_close_chat(self) -> None:
        chat = self.active_chat
        if chat is None:
            return
        if chat.working:
            self.notify("That chat is still working: interrupt it first (esc).")
            return
        if chat.conversation is not None:
            chat.conversation.close()
        number = (chat.id or "").removeprefix("chat-")
        self.query_one("#center", TabbedContent).remove_pane(f"pane-{number}")
        self.query_one(f"#files-{number}").remove()

    def action_toggle_files(self) -> None:
        self.toggle_class("-side-toggled")

    def action_next_tab(self) -> None:
        self._step_tab(1)

    def action_previous_tab(self) -> None:
        self._step_tab(-1)

    def _step_tab(self, step: int) -> None:
        tabs = self.query_one("#center", TabbedContent)
        panes = [pane.id or "" for pane in tabs.query(TabPane)]
        if tabs.active in panes:
            tabs.active = panes[(panes.index(tabs.active) + step) % len(panes)]

    # roster actions

    def action_filter(self) -> None:
        self.query_one("#roster-filter", Input).focus()

    def action_clear_filter(self) -> None:
        self.query_one("#roster-filter", Input).value = ""
        self.query_one("#roster-list", OptionList).focus()

    def action_toggle_card(self) -> None:
        self.query_one("#center", TabbedContent).active = "card-pane"
        self.query_one(AgentCard).toggle_view()

    def action_problems(self) -> None:
        panel = self.query_one(RosterPanel)
        panel.problems_only = not panel.problems_only

    def action_reload(self) -> None:
        self.load_roster()
        self.notify("Agents reloaded.", timeout=2)

    @property
    def chats(self) -> list[ChatView]:
        return list(self.query(ChatView))


def _title(name: str, mark: str) -> str:
    """A tab label; tab labels take markup, so square brackets are escaped."""
    return escape(f"{mark}{printable(name)}")
