"""The workbench's home: the roster, then the agent card with one tab per chat and per
open file, then the workspace's live files above those the active chat's run touched.

The first frame pays only for the roster: the tabs with the card, and the live files (with
the watcher behind them) are imported and mounted a frame later; chats, file tabs and the
screens they open, when first used.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Future
from itertools import count
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, cast

from rich.markup import escape
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import (
    ContentSwitcher,
    Header,
    Input,
    OptionList,
    Static,
)

from workbench.agentfile.discover import empty_folders
from workbench.agentfile.roster import Roster, load_roster
from workbench.agentfile.spec import AgentSpec, Origin
from workbench.safe_text import printable
from workbench.ui.compositor import FreshMapCompositor
from workbench.ui.pacing import PacedFrames
from workbench.ui.widgets.footer import Footer
from workbench.ui.widgets.roster import RosterPanel
from workbench.watch.areas import Area, WatchSet, referenced_paths

if TYPE_CHECKING:
    from textual.widgets import TabbedContent

    from workbench.ui.app import WorkbenchApp
    from workbench.ui.screens.editor import EditorScreen
    from workbench.ui.widgets.agent_card import AgentCard
    from workbench.ui.widgets.chat import ChatView
    from workbench.ui.widgets.file_tab import FileTab
    from workbench.ui.widgets.live_files import LiveFilesPane
    from workbench.ui.widgets.run_files import RunFiles
    from workbench.ui.widgets.tool_block import ToolBlock
    from workbench.watch.live import FileUpdate, LiveFiles

SIDE_NOTE = (
    "Pick an agent and press Enter to chat with it; the files its run reads and writes "
    "are listed here."
)


_ON_TABS_AND_FILES = frozenset(
    {"toggle_card", "toggle_files", "close_chat", "next_tab", "previous_tab"}
)


def _loaded(pending: Future[Roster] | None) -> Roster | None:
    """The roster of a load started before the screen, if it is done and did not fail."""
    if pending is None or not pending.done() or pending.exception() is not None:
        return None
    return pending.result()


class RosterLoaded(Message):
    def __init__(self, roster: Roster, *, shown: bool = False) -> None:
        super().__init__()
        self.roster = roster
        self.shown = shown
        """Already in the roster panel."""


class FilesChanged(Message):
    def __init__(self, updates: list[FileUpdate]) -> None:
        super().__init__()
        self.updates = updates


class MainScreen(PacedFrames):
    AUTO_FOCUS = "#roster-list"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-medium"), (150, "-wide")]
    """Narrow terminals show the files column in place of the roster, on request."""
    BINDINGS = [
        Binding("slash", "filter", "Filter", id="workbench.filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="workbench.clear_filter"),
        Binding("p", "problems", "Problems only", id="workbench.problems"),
        Binding("t", "toggle_card", "Overview/Prompt", id="workbench.card_view"),
        Binding("e", "edit", "Edit agent", id="workbench.edit"),
        Binding("ctrl+r", "reload", "Reload", id="workbench.reload"),
        Binding("ctrl+w", "close_chat", "Close chat", id="workbench.close_chat"),
        Binding("ctrl+f", "toggle_files", "Files", id="workbench.files", priority=True),
        Binding("ctrl+pagedown", "next_tab", "Next tab", show=False, id="workbench.next_tab"),
        Binding(
            "ctrl+pageup", "previous_tab", "Previous tab", show=False, id="workbench.previous_tab"
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._compositor = FreshMapCompositor()
        self._pending_agent: str | None = None
        self._show_after_load: tuple[Path, bool] | None = None
        """A file to select (and maybe edit) once a reload has it: see `show_agent`."""
        self._numbers = count(1)
        self.live: LiveFiles | None = None
        self._file_tabs: dict[str, str] = {}
        """Open files by workspace-relative path, to their tab's id."""
        self._stop_watching = asyncio.Event()
        self.editors: dict[Path, EditorScreen] = {}
        """Open editors by file, including ones left for a run of their text."""
        self._drafts: set[str] = set()
        """Chats whose agent is an editor's text, not the file on disk."""
        self._early_roster: RosterLoaded | None = None
        self._shown_before = False

    @property
    def workbench(self) -> WorkbenchApp:
        return cast("WorkbenchApp", self.app)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The tabs, the card and the files arrive a frame after the roster; until then the
        keys that act on them wait."""
        return action not in _ON_TABS_AND_FILES or bool(self.query("#center"))

    @property
    def _center(self) -> TabbedContent:
        return cast("TabbedContent", self.query_one("#center"))

    @property
    def _card(self) -> AgentCard:
        return cast("AgentCard", self.query_one("#card"))

    @property
    def _files(self) -> LiveFilesPane:
        return cast("LiveFilesPane", self.query_one("#live-files"))

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="columns"):
            yield RosterPanel(id="roster")
            yield Vertical(id="center-slot")
            with Vertical(id="side"), ContentSwitcher(id="run-side", initial="side-note"):
                yield Static(SIDE_NOTE, id="side-note", markup=False)
        yield Footer()

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        """Shown for the first time, every widget was styled a moment ago as it mounted, and
        Textual would style them all again before the first frame (about a tenth of its
        work); from then on, styles may have changed while another screen was on top."""
        if not self._shown_before:
            self._shown_before = True
            event.refresh_styles = False

    def on_mount(self) -> None:
        self.query_one("#run-side").border_title = "This run"
        self._pending_agent = self.workbench.options.agent
        first, self.workbench.first_roster = self.workbench.first_roster, None
        loaded = _loaded(first)
        if loaded is not None:
            # Shown now rather than by message: the first frame then has the agents in it.
            self.query_one(RosterPanel).show(loaded)
        self.call_after_refresh(self._mount_card_and_files, first)

    async def _mount_card_and_files(self, first: Future[Roster] | None) -> None:
        """The tabs with the card, and the live files, come a frame after the roster, which
        is what a person looks for first; the roster's messages wait for them."""
        from textual.widgets import TabbedContent, TabPane

        from workbench.ui.widgets.agent_card import AgentCard
        from workbench.ui.widgets.live_files import LiveFilesPane

        if not self.is_attached:
            return  # the person quit as the first frame came up
        slot = self.query_one("#center-slot")
        center = TabbedContent(id="center")
        await self.query_one("#columns").mount(center, after=slot)
        await slot.remove()
        card = AgentCard(self.workbench.options.workspace, id="card")
        await center.add_pane(TabPane("Agent", card, id="card-pane"))
        await self.query_one("#side").mount(LiveFilesPane(id="live-files"), before="#run-side")
        loaded = _loaded(first)
        if loaded is not None:
            self.post_message(RosterLoaded(loaded, shown=True))
        else:
            self.load_roster(first)
        if self._early_roster is not None:
            self.post_message(self._early_roster)
            self._early_roster = None

    # the roster

    @work(thread=True, exclusive=True, group="roster", exit_on_error=False)
    def load_roster(self, pending: Future[Roster] | None = None) -> None:
        """Wait for a load already under way, or read every source again."""
        app = self.workbench
        try:
            if pending is not None:
                roster = pending.result()
            else:
                roster = load_roster(app.options.sources, app.models, kept=app.kept)
        except Exception as error:
            app.call_from_thread(
                self.notify, f"Could not load the agents: {error}", severity="error"
            )
            app.call_from_thread(app.first_screen_up)
            return
        self.post_message(RosterLoaded(roster))

    @on(RosterLoaded)
    async def _roster_loaded(self, message: RosterLoaded) -> None:
        if not self.query("#card"):
            # A reload asked for before the card was mounted: taken up once it is.
            self._early_roster = message
            return
        first = self.workbench.roster is None
        self.workbench.roster = message.roster
        panel = self.query_one(RosterPanel)
        if message.shown:
            self._show_agent(panel.selected)
        else:
            panel.show(message.roster)
        for chat in self.chats:
            if chat.id not in self._drafts:
                chat.roster_reloaded(message.roster)
        self._watch_for(message.roster)
        if first:
            self.call_after_refresh(self.workbench.first_screen_up)
            self._say_empty(message.roster)
        if first and self.workbench.options.open_path:
            await self.open_file(self.workbench.options.open_path)
        if first and self.workbench.options.edit_path:
            self.edit(self.workbench.options.edit_path)
        self._show_loaded(message.roster)
        wanted, self._pending_agent = self._pending_agent, None
        if not wanted:
            return
        spec = message.roster.get(wanted)
        if spec is None or not panel.select_name(wanted):
            self.notify(f"No agent named {wanted!r} in the roster.", severity="warning")
            return
        await self.open_chat(spec)

    def _say_empty(self, roster: Roster) -> None:
        """A folder given with --agents that holds no agent file is named, so a wrong path
        (or agents saved as .txt) is not taken for a folder of nothing."""
        named = [
            source.path
            for source in self.workbench.options.sources
            if source.origin is Origin.EXPLICIT
        ]
        for folder in empty_folders(named, roster.specs):
            self.notify(
                f"No agent files (*.md) in {printable(str(folder))}; a file with another "
                "extension counts when it is named itself.",
                title="--agents",
                severity="warning",
                timeout=10,
                markup=False,
            )

    @on(RosterPanel.Highlighted)
    def _highlighted(self, message: RosterPanel.Highlighted) -> None:
        self._show_agent(message.spec)

    def _show_agent(self, spec: AgentSpec | None) -> None:
        app = self.workbench
        if app.roster is not None and spec is not None:
            self._card.show(spec, app.roster, app.models, app.options.model)

    @on(RosterPanel.Chosen)
    async def _chosen(self, message: RosterPanel.Chosen) -> None:
        if message.spec.is_agent and message.spec.name:
            await self.open_chat(message.spec)

    # live files

    def _watch_for(self, roster: Roster) -> None:
        """Watch what the settings name and what the roster's prompts refer to; a change to
        that set restarts the watcher, anything else leaves it running."""
        app = self.workbench
        settings = app.settings.watch
        bodies = (spec.body for spec in roster.agents if spec.active and spec.is_agent)
        watch_set = WatchSet.build(
            configured=settings.paths,
            referenced=referenced_paths(bodies, app.options.workspace),
            defaults=settings.defaults,
        )
        if self.live is not None and self.live.watch_set.globs == watch_set.globs:
            return
        from workbench.watch.history import FileHistory
        from workbench.watch.live import LiveFiles

        history = self.live.history if self.live else FileHistory(app.options.workspace)
        if history.problem:
            self.notify(history.problem, severity="warning")
        self.live = LiveFiles(
            app.options.workspace, watch_set, history, force_polling=settings.force_polling
        )
        self._files.watching(watch_set)
        self.watch_files(self.live)

    @work(exclusive=True, group="watch", exit_on_error=False)
    async def watch_files(self, live: LiveFiles) -> None:
        from workbench.watch.live import WatchFailed

        pane = self._files
        self._stop_watching.set()
        self._stop_watching = stop = asyncio.Event()
        pane.running()
        updates = await asyncio.to_thread(live.scan)
        self.post_message(FilesChanged(updates))
        try:
            await live.watch(self._post_changes, stop)
        except WatchFailed as error:
            pane.failed(str(error))

    def _post_changes(self, updates: list[FileUpdate]) -> None:
        self.post_message(FilesChanged(updates))

    def on_unmount(self) -> None:
        self._stop_watching.set()
        self.workbench.heap.release()
        self.workbench.stylesheet.save_parses()

    @on(FilesChanged)
    async def _files_changed(self, message: FilesChanged) -> None:
        live = self.live
        if live is None:
            return
        pane = self._files
        active = self._center.active
        changed = {update.file.rel for update in message.updates}
        for rel in changed:
            tab_id = self._file_tabs.get(rel)
            if tab_id is None:
                continue
            self._file_tab(tab_id).changed()
            if tab_id == active:
                live.seen(rel)
        pane.show([file for rel in changed if (file := live.get(rel)) is not None])
        if any(update.file.area is Area.AGENTS for update in message.updates):
            self.load_roster()

    def _looked_at(self, rel: str) -> None:
        if self.live is None:
            return
        self.live.seen(rel)
        file = self.live.get(rel)
        if file is not None:
            self._files.show([file])

    async def open_file(self, rel: str, version: int | None = None) -> FileTab | None:
        """Show `rel` in its own tab (the one already open, if any)."""
        live = self.live
        if live is None:
            return None
        tabs = self._center
        tab_id = self._file_tabs.get(rel)
        if tab_id is None:
            tab_id = f"file-{next(self._numbers)}"
            from textual.widgets import TabPane

            from workbench.ui.widgets.file_tab import FileTab

            tab = FileTab(rel, live, id=f"{tab_id}-tab")
            await tabs.add_pane(TabPane(_title(PurePosixPath(rel).name, ""), tab, id=tab_id))
            self._file_tabs[rel] = tab_id
        tab = self._file_tab(tab_id)
        tabs.active = tab_id
        self._looked_at(rel)
        self._files.select(rel)
        if version is not None:
            await tab.show_change(version)
        tab.focus_content()
        return tab

    async def on_live_files_pane_open(self, message: LiveFilesPane.Open) -> None:
        await self.open_file(message.rel)

    def on_live_files_pane_dismiss(self, message: LiveFilesPane.Dismiss) -> None:
        if self.live is not None:
            self.live.dismiss(message.rel)
            self._files.forget(message.rel)

    def on_live_files_pane_restart(self) -> None:
        if self.live is not None:
            self.watch_files(self.live)

    def on_chat_view_files_written(self, message: ChatView.FilesWritten) -> None:
        chat = message.chat
        live = self.live
        if live is None or chat.conversation is None:
            return
        versions = live.history.record_call(
            message.event, chat.conversation.session_id, chat.spec.display_name
        )
        block = chat.tool_block(message.event.tool_use_id)
        if block is not None:
            block.link_versions(versions)

    async def on_tool_block_open_version(self, message: ToolBlock.OpenVersion) -> None:
        await self.open_file(message.version.path, message.version.number)

    def on_file_tab_go_to_call(self, message: FileTab.GoToCall) -> None:
        author = message.version.author
        for chat in self.chats:
            block = chat.tool_block(author.tool_use_id)
            if block is not None:
                number = (chat.id or "").removeprefix("chat-")
                self._center.active = f"pane-{number}"
                block.expanded = True
                chat.call_after_refresh(block.scroll_visible, top=True)
                return
        self.notify(
            f"That {author.tool} call belongs to run {author.session_id}, which is not open "
            "here; open it from Earlier runs (ctrl+p).",
            timeout=6,
        )

    # chats

    async def open_chat(self, spec: AgentSpec) -> ChatView:
        """Chat with `spec`: in the active chat if it has not started, else in a new tab."""
        current = self.active_chat
        if current is not None and current.conversation is None and not current.working:
            if current.spec.content_hash != spec.content_hash:
                current.change_agent(spec)
                self._label(current)
            current.focus_prompt()
            return current
        number = next(self._numbers)
        from textual.widgets import TabPane

        from workbench.ui.widgets.chat import CHAT_CSS, ChatView
        from workbench.ui.widgets.run_files import RunFiles

        self.workbench.use_css(CHAT_CSS)
        files = RunFiles(self.workbench.options.workspace, id=f"files-{number}")
        chat = ChatView(spec, files, id=f"chat-{number}")
        await self.query_one("#run-side", ContentSwitcher).mount(files)
        tabs = self._center
        pane = TabPane(_title(spec.display_name, ""), chat, id=f"pane-{number}")
        await tabs.add_pane(pane)
        tabs.active = pane.id or ""
        chat.focus_prompt()
        return chat

    @property
    def active_chat(self) -> ChatView | None:
        if not self.query("#center"):
            return None
        tabs = self._center
        if not tabs.active.startswith("pane-"):
            return None
        return cast("ChatView", self.query_one(f"#chat-{tabs.active.removeprefix('pane-')}"))

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.tabbed_content.id != "center":
            return
        pane = event.pane.id or ""
        if pane.startswith("pane-"):
            self.query_one(
                "#run-side", ContentSwitcher
            ).current = f"files-{pane.removeprefix('pane-')}"
        elif pane.startswith("file-"):
            self._looked_at(self._file_tab(pane).rel)

    def on_chat_view_state_changed(self, message: ChatView.StateChanged) -> None:
        self._label(message.chat)

    def _label(self, chat: ChatView) -> None:
        state = chat.state
        mark = "? " if state.asking else "● " if state.working else "✖ " if state.failed else ""
        number = (chat.id or "").removeprefix("chat-")
        tab = self._center.get_tab(f"pane-{number}")
        tab.label = _title(chat.spec.display_name, mark)

    def on_chat_view_pick_agent(self, message: ChatView.PickAgent) -> None:
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

    def on_chat_view_resume_requested(self, message: ChatView.ResumeRequested) -> None:
        self.action_runs()

    def action_runs(self) -> None:
        from workbench.ui.screens.runs import RunsScreen

        self.app.push_screen(RunsScreen(self.workbench.options.workspace), self._resume)

    async def _resume(self, session_id: str | None) -> None:
        if not session_id:
            return
        from workbench.engine.replay import list_runs

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

    async def on_run_files_open(self, message: RunFiles.Open) -> None:
        rel = self.live.history.relative(message.path) if self.live else None
        if rel is None:
            from workbench.ui.screens.text_viewer import TextViewer

            self.app.push_screen(TextViewer.of_file(message.path))
        else:
            await self.open_file(rel)

    def action_close_chat(self) -> None:
        tabs = self._center
        if tabs.active.startswith("file-"):
            tab = self._file_tab(tabs.active)
            del self._file_tabs[tab.rel]
            tabs.remove_pane(tabs.active)
            return
        chat = self.active_chat
        if chat is None:
            return
        if chat.working:
            self.notify("That chat is still working: interrupt it first (esc).")
            return
        if chat.conversation is not None:
            chat.conversation.close()
        number = (chat.id or "").removeprefix("chat-")
        self._center.remove_pane(f"pane-{number}")
        self.query_one(f"#files-{number}").remove()

    def action_edit(self) -> None:
        spec = self.query_one(RosterPanel).selected
        if spec is None:
            self.notify("Select an agent to edit.", timeout=2)
            return
        self.edit(spec.path)

    def edit(self, path: Path) -> None:
        """Open `path` in the editor; agents found in the roster keep their origin."""
        roster = self.workbench.roster
        found = next((s for s in roster.specs if s.path == path), None) if roster else None
        origin = found.origin if found is not None else Origin.EXPLICIT
        app = self.workbench
        options = app.options
        editor = self.editors.get(path)
        if editor is None:
            # Imported on first use: the editor pulls in the engine's request building,
            # which the first frame does not need.
            from workbench.ui.screens.editor import EditorScreen

            # Kept after it is left for a run of its text, so unsaved edits wait there.
            editor = EditorScreen(
                path,
                origin,
                options.workspace,
                app.models,
                model=options.model,
                mode=options.permission_mode,
            )
            self.editors[path] = editor
            editor.closed_signal.subscribe(self, lambda closed: self.editors.pop(closed, None))
            self.app.install_screen(editor, f"editor-{next(self._numbers)}")
        self.app.push_screen(editor)

    async def run_draft(self, spec: AgentSpec) -> None:
        """A chat with the editor's text as it stands, saved or not."""
        self.query_one(RosterPanel).select_path(str(spec.path))
        chat = await self.open_chat(spec)
        self._drafts.add(chat.id or "")
        self.notify(
            f"Chatting with the edited {printable(spec.display_name)}, saved or not. Your "
            "text stays in the editor: e on the agent's row goes back to it.",
            timeout=6,
        )

    def action_toggle_files(self) -> None:
        """Into the files tree (showing its column if it was hidden), or back out of it.

        On wide terminals the column is shown by default, so leaving it hides it to widen
        the chat; on narrow ones it stands in for the roster until it is left.
        """
        tree = self._files.file_tree
        narrow = self.has_class("-narrow")
        hidden = self.has_class("-side-toggled") != narrow
        if hidden or not tree.has_focus:
            self.set_class(narrow, "-side-toggled")
            tree.focus()
            return
        self.set_class(not narrow, "-side-toggled")
        self._focus_center()

    def _focus_center(self) -> None:
        chat = self.active_chat
        if chat is not None:
            chat.focus_prompt()
        else:
            self.query_one("#roster-list", OptionList).focus()

    def action_next_tab(self) -> None:
        self._step_tab(1)

    def action_previous_tab(self) -> None:
        self._step_tab(-1)

    def _step_tab(self, step: int) -> None:
        tabs = self._center
        # Its own panes only: the card's Overview and Prompt are panes too, further down.
        panes = [pane.id or "" for pane in tabs.get_child_by_type(ContentSwitcher).children]
        if tabs.active in panes:
            tabs.active = panes[(panes.index(tabs.active) + step) % len(panes)]

    # roster actions

    def action_filter(self) -> None:
        self.query_one("#roster-filter", Input).focus()

    def action_clear_filter(self) -> None:
        self.query_one("#roster-filter", Input).value = ""
        self.query_one("#roster-list", OptionList).focus()

    def action_toggle_card(self) -> None:
        self._center.active = "card-pane"
        self._card.toggle_view()

    def action_problems(self) -> None:
        panel = self.query_one(RosterPanel)
        panel.problems_only = not panel.problems_only

    def action_reload(self) -> None:
        self.load_roster()
        self.notify("Agents reloaded.", timeout=2)

    def show_agent(self, path: Path, *, edit: bool = False) -> None:
        """Reload the roster, then select the agent at `path` and, with `edit`, edit it."""
        self._show_after_load = (path, edit)
        self.load_roster()

    def _show_loaded(self, roster: Roster) -> None:
        if self._show_after_load is None:
            return
        path, edit = self._show_after_load
        spec = next((s for s in roster.specs if s.path == path), None)
        if spec is None:
            return  # a load that started before the change; the next one has it
        self._show_after_load = None
        self.query_one(RosterPanel).select_path(str(path))
        if edit:
            self.edit(path)

    @property
    def chats(self) -> list[ChatView]:
        return cast("list[ChatView]", list(self.query("ChatView")))

    def _file_tab(self, tab_id: str) -> FileTab:
        return cast("FileTab", self.query_one(f"#{tab_id}-tab"))


def _title(name: str, mark: str) -> str:
    """A tab label; tab labels take markup, so square brackets are escaped."""
    return escape(f"{mark}{printable(name)}")
