"""The workbench's home: roster, agent card, and the area runs and live files will use."""

from __future__ import annotations

from concurrent.futures import Future
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, OptionList, Static

from workbench.agentfile.roster import Roster, load_roster
from workbench.ui.widgets.agent_card import AgentCard
from workbench.ui.widgets.roster import RosterPanel

if TYPE_CHECKING:
    from workbench.ui.app import WorkbenchApp

ACTIVITY_NOTE = (
    "Nothing here yet.\n\n"
    "The chat and the live files agents read and write will appear in this column. "
    "Until then, agents run from the command line:\n\n"
    '  workbench run NAME "task"\n\n'
    "(see workbench run --help)."
)


class RosterLoaded(Message):
    def __init__(self, roster: Roster) -> None:
        super().__init__()
        self.roster = roster


class MainScreen(Screen[None]):
    AUTO_FOCUS = "#roster-list"
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="workbench.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="workbench.clear_filter"),
        Binding("p", "problems", "Problems only", id="workbench.problems"),
        Binding("t", "toggle_card", "Overview/Prompt", id="workbench.card_view"),
        Binding("ctrl+r", "reload", "Reload", id="workbench.reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._pending_agent: str | None = None

    @property
    def workbench(self) -> WorkbenchApp:
        return cast("WorkbenchApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="columns"):
            yield RosterPanel(id="roster")
            yield AgentCard(self.workbench.options.workspace, id="card")
            yield Static(ACTIVITY_NOTE, id="activity", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#activity").border_title = "Runs & live files"
        self._pending_agent = self.workbench.options.agent
        first, self.workbench.first_roster = self.workbench.first_roster, None
        if first is not None and first.done() and first.exception() is None:
            self._roster_loaded(RosterLoaded(first.result()))
        else:
            self.load_roster(first)

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
    def _roster_loaded(self, message: RosterLoaded) -> None:
        self.workbench.roster = message.roster
        panel = self.query_one(RosterPanel)
        panel.show(message.roster)
        wanted, self._pending_agent = self._pending_agent, None
        if wanted and not panel.select_name(wanted):
            self.notify(f"No agent named {wanted!r} in the roster.", severity="warning")

    @on(RosterPanel.Highlighted)
    def _show_agent(self, message: RosterPanel.Highlighted) -> None:
        app = self.workbench
        if app.roster is not None:
            card = self.query_one(AgentCard)
            card.show(message.spec, app.roster, app.models, app.options.model)

    def action_filter(self) -> None:
        self.query_one("#roster-filter", Input).focus()

    def action_clear_filter(self) -> None:
        self.query_one("#roster-filter", Input).value = ""
        self.query_one("#roster-list", OptionList).focus()

    def action_toggle_card(self) -> None:
        self.query_one(AgentCard).toggle_view()

    def action_problems(self) -> None:
        panel = self.query_one(RosterPanel)
        panel.problems_only = not panel.problems_only

    def action_reload(self) -> None:
        self.load_roster()
        self.notify("Agents reloaded.", timeout=2)
