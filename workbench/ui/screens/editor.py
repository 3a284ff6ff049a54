"""Editing an agent file: the text, its problems as you type, and saving without losing work.

Validation runs on a copy of the buffer in a thread, a moment after typing stops, so a
large prompt never slows the keys. Unsaved text goes to a recovery file every few seconds.
A save that would overwrite someone else's change stops and shows both versions.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Button, Footer, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from workbench.agentfile.document import AgentDocument, Conflict, DocumentError, Recovery
from workbench.agentfile.lint import check
from workbench.agentfile.parse import parse_agent
from workbench.agentfile.spec import Diagnostic, Origin, Severity
from workbench.config.models import ModelTable
from workbench.safe_text import printable
from workbench.ui.screens.confirm import Confirm
from workbench.ui.widgets.version_diff import VersionDiff

VALIDATE_AFTER_S = 0.3
KEEP_AFTER_S = 2.0
"""How long typing may go unrecorded: the most a crash can lose."""
MARKS = {Severity.ERROR: ("✖", "bold red"), Severity.WARNING: ("▲", "yellow")}


class ConflictScreen(ModalScreen[str]):
    """The file changed on disk: the person's text against the disk's, and a decision."""

    BINDINGS = [
        Binding("o", "dismiss('overwrite')", "Overwrite", id="conflict.overwrite"),
        Binding("r", "dismiss('reload')", "Reload from disk", id="conflict.reload"),
        Binding("k,escape", "dismiss('keep')", "Keep editing", id="conflict.keep"),
    ]

    def __init__(self, path: Path, disk: str | None, mine: str) -> None:
        super().__init__(classes="conflict")
        self._path, self._disk, self._mine = path, disk, mine

    def compose(self) -> ComposeResult:
        with Vertical(classes="conflict-box"):
            state = "was deleted" if self._disk is None else "changed on disk"
            yield Static(
                f"{printable(str(self._path))} {state} since you opened it. "
                "Left: the disk's version; right: yours.",
                markup=False,
            )
            yield VersionDiff(
                self._disk, self._mine, before_label="on disk", after_label="your version"
            )
            with Horizontal(classes="conflict-buttons"):
                yield Button("o  overwrite with mine", id="overwrite", variant="error")
                yield Button("r  reload the disk's", id="reload")
                yield Button("k  keep editing", id="keep", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "keep")


class EditorScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="editor.save", priority=True),
        Binding("ctrl+o", "external", "External editor", id="editor.external"),
        Binding("ctrl+t", "wrap", "Wrap", id="editor.wrap"),
        Binding("escape", "close", "Close", id="editor.close", priority=True),
    ]

    def __init__(self, path: Path, origin: Origin, workspace: Path, models: ModelTable) -> None:
        super().__init__(classes="editor")
        self.path = path
        self.origin = origin
        self.models = models
        self.recovery = Recovery(workspace)
        self.document: AgentDocument | None = None
        self._loaded_text = ""
        self._validate_timer: Timer | None = None
        self._keep_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="editor-header", markup=False)
        with Horizontal(id="editor-body"):
            yield TextArea(
                language="markdown",
                soft_wrap=True,
                show_line_numbers=True,
                tab_behavior="indent",
                id="editor-text",
            )
            with Vertical(id="editor-side"):
                yield Static("Problems", id="editor-problems-title")
                yield OptionList(id="editor-problems")
        yield Footer()

    @property
    def text_area(self) -> TextArea:
        return self.query_one("#editor-text", TextArea)

    @property
    def dirty(self) -> bool:
        return self.document is not None and self.text_area.text != self._loaded_text

    def on_mount(self) -> None:
        try:
            self.document = AgentDocument.open(self.path)
        except DocumentError as error:
            self.notify(str(error), title="Cannot edit", severity="error")
            self.dismiss()
            return
        self._load(self.document.text)
        self.text_area.read_only = not self.document.writable
        self.text_area.focus()
        recovered = self.recovery.find(self.path)
        if recovered is not None and recovered.text != self.document.text:
            self.app.push_screen(
                Confirm(
                    f"Unsaved edits of {printable(self.path.name)} were kept when the "
                    "workbench last stopped. Restore them?"
                ),
                self._restore_answered,
            )

    def _restore_answered(self, restore: bool | None) -> None:
        recovered = self.recovery.find(self.path)
        if restore and recovered is not None:
            self.text_area.load_text(recovered.text)
            self._changed()
        else:
            self.recovery.drop(self.path)

    def _load(self, text: str) -> None:
        area = self.text_area
        area.load_text(text)
        self._loaded_text = area.text
        self._show_header()
        self._validate()

    def _show_header(self) -> None:
        header = Text(printable(str(self.path)), style="bold")
        header.append(f"  {self.origin.value}", style="dim")
        if self.document is not None and not self.document.writable:
            header.append("  read-only: you can look, not save", style="yellow")
        elif self.dirty:
            header.append("  ● unsaved", style="yellow")
        else:
            header.append("  saved", style="dim")
        self.query_one("#editor-header", Static).update(header)

    @on(TextArea.Changed, "#editor-text")
    def _changed(self) -> None:
        self._show_header()
        if self._validate_timer is not None:
            self._validate_timer.stop()
        self._validate_timer = self.set_timer(VALIDATE_AFTER_S, self._validate)
        if self.dirty and self._keep_timer is None:
            self._keep_timer = self.set_timer(KEEP_AFTER_S, self._keep)

    def _keep(self) -> None:
        self._keep_timer = None
        if self.document is not None and self.dirty:
            self.recovery.keep(self.document, self.text_area.text)

    def _validate(self) -> None:
        self._validate_timer = None
        document = self.document
        if document is not None:
            self.validate(document.encode(self.text_area.text))

    @work(thread=True, exclusive=True, group="editor-validate", exit_on_error=False)
    def validate(self, data: bytes) -> None:
        spec = check(parse_agent(data, self.path, self.origin, named=True), self.models)
        self.app.call_from_thread(self._show_problems, spec.diagnostics)

    def _show_problems(self, diagnostics: tuple[Diagnostic, ...]) -> None:
        problems = self.query_one("#editor-problems", OptionList)
        problems.set_options(
            Option(_problem(diagnostic), id=f"line-{diagnostic.line}-{index}")
            for index, diagnostic in enumerate(diagnostics)
        )
        title = f"Problems  {len(diagnostics)}" if diagnostics else "Problems  none"
        self.query_one("#editor-problems-title", Static).update(title)

    @on(OptionList.OptionSelected, "#editor-problems")
    def _go_to_problem(self, event: OptionList.OptionSelected) -> None:
        line = int((event.option.id or "line-1").split("-")[1])
        area = self.text_area
        area.cursor_location = (max(0, line - 1), 0)
        area.scroll_cursor_visible(center=True)
        area.focus()

    def action_save(self) -> None:
        self._save(overwrite=False)

    def _save(self, *, overwrite: bool) -> None:
        document = self.document
        if document is None:
            return
        if not document.writable:
            self.notify("This file is read-only; nothing was saved.", severity="warning")
            return
        text = self.text_area.text
        try:
            self.document = document.save(text, overwrite=overwrite)
        except Conflict as conflict:
            self.app.push_screen(
                ConflictScreen(self.path, conflict.disk_text, text), self._conflict_answered
            )
            return
        except DocumentError as error:
            self.notify(f"{error}. Your text is still here.", title="Not saved", severity="error")
            return
        self._loaded_text = text
        self.recovery.drop(self.path)
        self._show_header()
        self.notify(f"Saved {printable(self.path.name)}.", timeout=2)
        self._reload_roster()

    def _conflict_answered(self, choice: str | None) -> None:
        if choice == "overwrite":
            self._save(overwrite=True)
        elif choice == "reload":
            try:
                self.document = AgentDocument.open(self.path)
            except DocumentError as error:
                self.notify(str(error), severity="error")
                return
            self.recovery.drop(self.path)
            self._load(self.document.text)

    def _reload_roster(self) -> None:
        from workbench.ui.screens.main import MainScreen

        for screen in self.app.screen_stack:
            if isinstance(screen, MainScreen):
                screen.load_roster()

    def action_wrap(self) -> None:
        self.text_area.soft_wrap = not self.text_area.soft_wrap

    def action_external(self) -> None:
        if self.dirty:
            self.notify(
                "Save first (ctrl+s): the external editor opens the file as it is on disk.",
                severity="warning",
            )
            return
        command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not command:
            self.notify("Set $VISUAL or $EDITOR to edit in another editor.", severity="warning")
            return
        try:
            with self.app.suspend():
                subprocess.run([*shlex.split(command), str(self.path)], check=False)
        except FileNotFoundError:
            self.notify(f"{command!r} is not installed.", severity="error")
            return
        except Exception as error:
            self.notify(f"Cannot open {command!r} here: {error}", severity="error")
            return
        try:
            self.document = AgentDocument.open(self.path)
        except DocumentError as error:
            self.notify(str(error), severity="error")
            return
        self._load(self.document.text)
        self._reload_roster()

    def action_close(self) -> None:
        if not self.dirty:
            self.dismiss()
            return
        self.app.push_screen(
            Confirm(f"Discard your unsaved changes to {printable(self.path.name)}?"),
            self._close_answered,
        )

    def _close_answered(self, discard: bool | None) -> None:
        if discard:
            self.recovery.drop(self.path)
            self.dismiss()


def _problem(diagnostic: Diagnostic) -> Text:
    mark, style = MARKS.get(diagnostic.severity, ("●", "blue"))
    text = Text.assemble((f"{mark} ", style), (f"{diagnostic.line:>4}  ", "dim"))
    text.append(printable(diagnostic.message))
    text.append(f"  {diagnostic.code}", style="dim")
    return text
