"""New, duplicate, rename, delete and restore agents from the command palette.

The forms try the change themselves and stay open on a refusal, showing why, so a name
that clashes can be corrected without typing the rest again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from workbench.agentfile import manage
from workbench.agentfile.manage import ManageRefused, TrashEntry
from workbench.agentfile.roster import Roster
from workbench.agentfile.spec import AgentSpec, Origin
from workbench.config import paths
from workbench.safe_text import printable
from workbench.ui.screens.confirm import Confirm
from workbench.ui.widgets.roster import RosterPanel

if TYPE_CHECKING:
    from workbench.ui.screens.main import MainScreen

T = TypeVar("T")
R = TypeVar("R")

FORM_CSS = """
.manage {
    align: center middle;
}
.manage-box {
    width: 76;
    height: auto;
    max-height: 90%;
    border: round $primary;
    background: $surface;
    padding: 1 2;
}
.manage-box Input, .manage-box RadioSet {
    margin: 1 0 0 0;
}
.manage-box OptionList {
    height: auto;
    max-height: 16;
    margin: 1 0 0 0;
}
.manage-error {
    color: $error;
    margin: 1 0 0 0;
}
.manage-buttons {
    height: auto;
    margin: 1 0 0 0;
}
.manage-buttons Button {
    margin: 0 2 0 0;
}
"""


@dataclass(frozen=True)
class NewAgent:
    name: str
    description: str
    user: bool
    """True for the user's folder, False for the project's."""


class _Attempt(ModalScreen[R], Generic[T, R]):
    """A form whose answer is tried at once: a refusal is shown and the form stays open."""

    DEFAULT_CSS = FORM_CSS
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="manage.cancel")]

    def __init__(self, attempt: Callable[[T], R]) -> None:
        super().__init__(classes="manage")
        self._attempt = attempt

    def _try(self, answer: T) -> None:
        try:
            result = self._attempt(answer)
        except ManageRefused as refused:
            error = self.query_one(".manage-error", Static)
            error.update(printable(str(refused)))
            error.display = True
            return
        self.dismiss(result)

    def _error(self) -> Static:
        error = Static("", classes="manage-error", markup=False)
        error.display = False
        return error

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class NameForm(_Attempt[str, R]):
    """Ask for one agent name."""

    def __init__(
        self, title: str, default: str, attempt: Callable[[str], R], *, action: str
    ) -> None:
        super().__init__(attempt)
        self._title = title
        self._default = default
        self._action = action

    def compose(self) -> ComposeResult:
        with Vertical(classes="manage-box"):
            yield Static(self._title, markup=False)
            yield Input(self._default, placeholder="name, like code-reviewer", id="name")
            yield self._error()
            with Horizontal(classes="manage-buttons"):
                yield Button(self._action, id="ok", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _submit(self) -> None:
        self._try(self.query_one("#name", Input).value.strip())


class NewAgentForm(_Attempt[NewAgent, R]):
    """Ask for a name, a description and the folder a new agent goes in."""

    def __init__(self, project: Path, user: Path, attempt: Callable[[NewAgent], R]) -> None:
        super().__init__(attempt)
        self._project = project
        self._user = user

    def compose(self) -> ComposeResult:
        with Vertical(classes="manage-box"):
            yield Static("New agent", markup=False)
            yield Input(placeholder="name, like code-reviewer", id="name")
            yield Input(placeholder="description: when should Claude use it?", id="description")
            with RadioSet(id="where"):
                yield RadioButton(f"project: {printable(str(self._project))}", True, id="project")
                yield RadioButton(f"user: {printable(str(self._user))}", id="user")
            yield self._error()
            with Horizontal(classes="manage-buttons"):
                yield Button("Create", id="ok", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    @on(Input.Submitted, "#name")
    def _next(self) -> None:
        self.query_one("#description", Input).focus()

    @on(Input.Submitted, "#description")
    @on(Button.Pressed, "#ok")
    def _submit(self) -> None:
        self._try(
            NewAgent(
                self.query_one("#name", Input).value.strip(),
                self.query_one("#description", Input).value,
                self.query_one("#user", RadioButton).value,
            )
        )


class TrashPicker(_Attempt[TrashEntry, R]):
    """Choose a deleted agent to put back, newest first."""

    def __init__(
        self, entries: list[TrashEntry], workspace: Path, attempt: Callable[[TrashEntry], R]
    ) -> None:
        super().__init__(attempt)
        self._entries = entries
        self._workspace = workspace

    def compose(self) -> ComposeResult:
        with Vertical(classes="manage-box"):
            yield Static("Restore a deleted agent (enter puts it back)", markup=False)
            yield OptionList(
                *(
                    Option(self._label(entry), id=str(index))
                    for index, entry in enumerate(self._entries)
                ),
                id="trash",
            )
            yield self._error()

    def _label(self, entry: TrashEntry) -> str:
        when = entry.deleted_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        name = entry.name or entry.original.stem
        return printable(f"{name}  deleted {when}  from {shown(entry.original, self._workspace)}")

    @on(OptionList.OptionSelected, "#trash")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self._try(self._entries[int(event.option.id or 0)])


def shown(path: Path, workspace: Path) -> str:
    """A path as a person would write it: relative to the workspace, or from `~`."""
    for base, prefix in ((workspace, ""), (Path.home(), "~/")):
        try:
            return prefix + str(path.relative_to(base))
        except ValueError:
            continue
    return str(path)


class AgentFiles:
    """The palette's agent-file commands, for the main screen they act on."""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen
        self.workspace = screen.workbench.options.workspace

    @property
    def roster(self) -> Roster:
        return self.screen.workbench.roster or Roster(())

    @property
    def project_folder(self) -> Path:
        return self.workspace / ".claude" / "agents"

    def _say(self, message: str, *, warning: bool = False) -> None:
        self.screen.notify(
            printable(message), severity="warning" if warning else "information", markup=False
        )

    def _selected(self, doing: str) -> AgentSpec | None:
        spec = self.screen.query_one(RosterPanel).selected
        if spec is None:
            self._say(f"Select an agent in the roster to {doing}.", warning=True)
        return spec

    def new(self) -> None:
        project, user = self.project_folder, paths.user_agents_dir()

        def attempt(new: NewAgent) -> Path:
            folder = user if new.user else project
            return manage.create(
                folder, new.name, new.description, roster=self.roster, make_folder=True
            )

        def created(path: Path | None) -> None:
            if path is not None:
                self._say(f"Created {path.stem} in {shown(path, self.workspace)}.")
                self.screen.show_agent(path, edit=True)

        self.screen.app.push_screen(NewAgentForm(project, user, attempt), created)

    def duplicate(self) -> None:
        spec = self._selected("duplicate")
        if spec is None:
            return
        bundled = spec.origin is Origin.BUNDLED
        folder = self.project_folder if bundled else None

        def attempt(name: str) -> Path:
            return manage.duplicate(spec, name, folder=folder, roster=self.roster)

        def copied(path: Path | None) -> None:
            if path is not None:
                self._say(
                    f"Copied {spec.display_name} to {path.stem} in {shown(path, self.workspace)}."
                )
                self.screen.show_agent(path, edit=True)

        where = " into the project's .claude/agents/" if bundled else ""
        form = NameForm(
            f"Duplicate {printable(spec.display_name)}{where}: name of the copy",
            self._free_name(spec, folder or spec.path.parent),
            attempt,
            action="Duplicate",
        )
        self.screen.app.push_screen(form, copied)

    def _free_name(self, spec: AgentSpec, folder: Path) -> str:
        """`<name>-variant`, numbered when that is taken."""
        try:
            manage.check_name(spec.name or "")
            base = f"{spec.name}-variant"
        except ManageRefused:
            base = f"{spec.path.stem}-variant"
        candidate, number = base, 2
        while self.roster.get(candidate) or (folder / f"{candidate}.md").exists():
            candidate, number = f"{base}-{number}", number + 1
        return candidate

    def rename(self) -> None:
        spec = self._selected("rename")
        if spec is None:
            return
        if spec.origin is Origin.BUNDLED:
            self._say(
                f"{spec.display_name} is bundled with the workbench and cannot be renamed; "
                "duplicate it instead (Duplicate agent).",
                warning=True,
            )
            return

        def attempt(name: str) -> Path:
            return manage.rename(spec, name, self.roster)

        def renamed(path: Path | None) -> None:
            if path is not None:
                self._say(
                    f"Renamed {spec.display_name} to {path.stem} ({shown(path, self.workspace)})."
                )
                self.screen.show_agent(path)

        form = NameForm(
            f"Rename {printable(spec.display_name)} (the file and its name line)",
            spec.name or spec.path.stem,
            attempt,
            action="Rename",
        )
        self.screen.app.push_screen(form, renamed)

    def delete(self) -> None:
        spec = self._selected("delete")
        if spec is None:
            return
        if spec.origin is Origin.BUNDLED:
            self._say(
                f"{spec.display_name} is bundled with the workbench and cannot be deleted.",
                warning=True,
            )
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                entry = manage.delete(spec, self.workspace)
            except ManageRefused as refused:
                self._say(f"Not deleted: {refused}", warning=True)
                return
            self._say(
                f"Deleted {spec.display_name}: moved to {shown(entry.file, self.workspace)}. "
                "Restore deleted agent (ctrl+p) brings it back."
            )
            self.screen.load_roster()

        question = (
            f"Delete {printable(spec.display_name)}? Its file "
            f"{printable(shown(spec.path, self.workspace))} goes to .workbench/trash/, "
            "from where Restore deleted agent puts it back."
        )
        self.screen.app.push_screen(Confirm(question), answered)

    def restore(self) -> None:
        entries = manage.trash_entries(self.workspace)
        if not entries:
            self._say("The trash (.workbench/trash/) is empty: nothing to restore.")
            return

        def restored(path: Path | None) -> None:
            if path is not None:
                self._say(f"Restored {path.stem} to {shown(path, self.workspace)}.")
                self.screen.show_agent(path)

        picker = TrashPicker(entries, self.workspace, manage.restore)
        self.screen.app.push_screen(picker, restored)
