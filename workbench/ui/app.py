"""The Textual application: options in, the main screen up, the palette filled."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme

from workbench.agentfile.discover import Source
from workbench.agentfile.roster import Roster
from workbench.config.models import ModelTable
from workbench.config.paths import user_cache_dir
from workbench.config.settings import SaveFailed, Settings, save_theme
from workbench.parsed_files import ParsedFiles
from workbench.safe_text import printable
from workbench.ui.heap import COLLECT_AFTER_S, Heap
from workbench.ui.screens.confirm import Confirm
from workbench.ui.screens.help import HelpScreen
from workbench.ui.screens.main import MainScreen
from workbench.ui.stylesheet import CachedStylesheet
from workbench.ui.themes import DEFAULT_THEME, ThemeLibrary, ThemeProblem, theme_folders

if TYPE_CHECKING:
    from workbench.ui.widgets.chat import ChatView
    from workbench.ui.widgets.tool_block import ToolBlock


@dataclass(frozen=True)
class WorkbenchOptions:
    workspace: Path
    sources: tuple[Source, ...]
    """Where agents come from, in precedence order; read again on reload."""
    agent: str | None = None
    permission_mode: str | None = None
    model: str | None = None
    theme: str | None = None
    open_path: str | None = None
    """A file to show at start, relative to the workspace."""
    edit_path: Path | None = None
    """An agent file to open in the editor at start."""


class WorkbenchApp(App[int]):
    TITLE = "agent-workbench"
    CSS_PATH = [
        "app.tcss",
        "screens/main.tcss",
        "widgets/files.tcss",
    ]
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="workbench.help"),
        Binding("ctrl+q", "quit", "Quit", id="workbench.quit", priority=True),
    ]
    LONG_RUN_S = 10.0
    """Runs longer than this announce their end when the terminal is not in focus."""
    THEME_CHECK_S = 1.0
    """How often theme files are looked at for changes."""

    def get_default_screen(self) -> MainScreen:
        return MainScreen()

    def __init__(
        self,
        options: WorkbenchOptions,
        settings: Settings | None = None,
        first_roster: Future[Roster] | None = None,
        kept: ParsedFiles | None = None,
    ) -> None:
        super().__init__()
        self.stylesheet: CachedStylesheet = CachedStylesheet(
            variables=self.get_css_variables(), parses=user_cache_dir() / "css"
        )
        self.options = options
        self.settings = settings or Settings()
        self.kept = kept
        """Parses kept from earlier launches, saved again once start-up is over."""
        self.models: ModelTable = self.settings.models(kept)
        self.first_roster = first_roster
        """A load started before the interface was built; usually done by the first frame."""
        self.roster: Roster | None = None
        self.heap = Heap()
        self.theme_library = ThemeLibrary(theme_folders(), kept)
        themes, self._theme_problems = self.theme_library.load()
        for theme in themes:
            self.register_theme(theme)
        self._remembered_theme = ""

    def on_load(self) -> None:
        # Before any CSS is parsed, so the first frame's styles are parsed once, in these colours.
        wanted = self.options.theme or DEFAULT_THEME
        self.theme = wanted if wanted in self.available_themes else DEFAULT_THEME

    def on_mount(self) -> None:
        self.sub_title = self.options.workspace.name
        for problem in self.settings.problems:
            self.notify(problem, title="Configuration", severity="warning", timeout=10)
        for theme_problem in self._theme_problems:
            self._theme_problem(theme_problem)
        wanted = self.options.theme or DEFAULT_THEME
        if wanted not in self.available_themes:
            self.notify(
                f"No theme named {wanted!r}, so {DEFAULT_THEME} is used; "
                f"available: {', '.join(sorted(self.available_themes))}",
                severity="warning",
            )
        self._remembered_theme = self.theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        self.set_interval(self.THEME_CHECK_S, self._reload_themes)

    def use_css(self, path: Path) -> None:
        """Add a stylesheet the first frame does not need, once what it styles appears."""
        if not self.stylesheet.has_source(str(path), ""):
            self.stylesheet.read(path)
            self.refresh_css(animate=False)

    def _remember_theme(self, theme: Theme) -> None:
        """A theme chosen while the app runs is the one it starts with next time."""
        if theme.name == self._remembered_theme:
            return
        self._remembered_theme = theme.name
        try:
            save_theme(theme.name)
        except SaveFailed as error:
            self.notify(f"The theme is not remembered: {error}", severity="warning")

    def _reload_themes(self) -> None:
        themes, problems = self.theme_library.changed()
        for problem in problems:
            self._theme_problem(problem)
        for theme in themes:
            self.register_theme(theme)
            if theme.name == self.theme:
                # Same name, new colors: run the theme's watcher again to apply them.
                self.mutate_reactive(App.theme)

    def _theme_problem(self, problem: ThemeProblem) -> None:
        self.notify(
            f"{problem}. The file is ignored until it is fixed.",
            title="Theme file",
            severity="warning",
            timeout=10,
        )

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "Keys and what the workbench shows", self.action_help)
        if isinstance(screen, MainScreen):
            yield SystemCommand("Filter agents", "Type to narrow the roster", screen.action_filter)
            yield SystemCommand(
                "Toggle problems only",
                "Show only agents with errors or warnings, or all agents",
                screen.action_problems,
            )
            yield SystemCommand(
                "Switch card view",
                "Show the selected agent's prompt, or its overview",
                screen.action_toggle_card,
            )
            yield SystemCommand(
                "Reload agents", "Read every agent file again", screen.action_reload
            )
            yield SystemCommand(
                "Edit agent", "Open the selected agent's file in the editor", screen.action_edit
            )
            yield SystemCommand(
                "Earlier runs", "Open a past conversation of this workspace", screen.action_runs
            )
            yield SystemCommand("Close chat", "Close the active chat tab", screen.action_close_chat)
            yield from _agent_file_commands(screen)
            chat = screen.active_chat
            if chat is not None and chat.working:
                yield SystemCommand(
                    "Interrupt run", "Stop the active chat's run", chat.action_interrupt
                )
        from workbench.ui.screens.editor import EditorScreen

        if isinstance(screen, EditorScreen):
            yield SystemCommand(
                "Compare with saved",
                "Give the saved and the edited version the same task, side by side",
                screen.action_compare,
            )

    def on_tool_block_open_result(self, message: ToolBlock.OpenResult) -> None:
        """A long tool result opens whole, from a chat on any screen."""
        from workbench.ui.screens.text_viewer import TextViewer

        self.push_screen(TextViewer(message.title, message.content))

    def first_screen_up(self) -> None:
        """Start-up is over: what it left behind is collected, and the CSS and the files it
        parsed are kept for the next launch."""
        self.heap.settle()
        self.stylesheet.save_parses()
        if self.kept is not None:
            self.kept.save()

    @property
    def runs_working(self) -> int:
        """Runs going on in any chat of any screen: while there are some, frames are paced."""
        return self.heap.runs

    def run_started(self) -> None:
        self.heap.run_started()

    def run_ended(self, chat: ChatView, elapsed_s: float) -> None:
        """Make the collection the run held off, and tell a person who looked away that a
        long run is done."""
        if self.heap.run_ended():
            self.set_timer(COLLECT_AFTER_S, self.heap.collect_idle)
        if elapsed_s < self.LONG_RUN_S or self.app_focus:
            return
        self.notify(f"{chat.spec.display_name} finished.", title="Run finished")
        if self.settings.bell:
            self.bell()

    async def action_quit(self) -> None:
        """Quitting while agents work asks first; their runs then end with a valid record."""
        working: list[ChatView] = [
            chat
            for screen in self.screen_stack
            for chat in getattr(screen, "chats", ())
            if chat.working
        ]
        main = self.screen_stack[0]
        editors = main.editors.values() if isinstance(main, MainScreen) else ()
        unsaved = [editor for editor in editors if editor.dirty]
        if unsaved and not working:
            names = ", ".join(printable(s.path.name) for s in unsaved)
            await self.push_screen(
                Confirm(f"Unsaved changes to {names}. Quit and lose them?"),
                lambda quit_anyway: self.exit() if quit_anyway else None,
            )
            return
        if not working:
            self.exit()
            return

        async def answered(quit_anyway: bool | None) -> None:
            if not quit_anyway:
                return
            runs = [chat.run for chat in working if chat.run is not None]
            for run in runs:
                run.cancel()
            for run in runs:
                await run.ended()
            self.exit()

        names = ", ".join(chat.spec.display_name for chat in working)
        await self.push_screen(
            Confirm(f"{names} still working. Quit anyway? Their runs stop and are recorded."),
            answered,
        )

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        ours = {
            active.binding.id: active.binding
            for active in self.screen.active_bindings.values()
            if (active.binding.id or "").startswith("workbench.")
        }
        keys = [
            (binding.key_display or self.get_key_display(binding), binding.description)
            for binding in ours.values()
        ]
        keys += [
            ("↑ ↓", "Move through the roster"),
            ("tab", "Next pane"),
            ("shift+tab", "From the prompt box to the last tool call"),
            ("↑ ↓ enter v o", "On a tool call: move, expand, open its version, whole result"),
            ("ctrl+p", "Command palette"),
        ]
        self.push_screen(HelpScreen(keys))


def _agent_file_commands(screen: MainScreen) -> Iterable[SystemCommand]:
    # Imported when the palette opens: the first frame does not need the forms.
    from workbench.ui.screens.manage import AgentFiles

    files = AgentFiles(screen)
    yield SystemCommand(
        "New agent",
        "Create an agent file from a template, in the project or user folder",
        files.new,
    )
    yield SystemCommand(
        "Duplicate agent",
        "Copy the selected agent under a new name, to try a variant",
        files.duplicate,
    )
    yield SystemCommand(
        "Rename agent", "Rename the selected agent's file and name together", files.rename
    )
    yield SystemCommand(
        "Delete agent", "Move the selected agent's file to .workbench/trash/", files.delete
    )
    yield SystemCommand(
        "Restore deleted agent", "Put an agent from .workbench/trash/ back", files.restore
    )
