"""Editing an agent file: the text, its problems as you type, and saving without losing work.

Validation runs on a copy of the buffer in a thread, a moment after typing stops, so a
large prompt never slows the keys. Unsaved text goes to a recovery file every few seconds.
A save that would overwrite someone else's change stops and shows both versions. The
request preview builds, from the same copy, the request a run would send. A problem with
a quick fix shows it; `f` applies it to the buffer as one undoable edit, and never saves.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.screen import ModalScreen, Screen
from textual.signal import Signal
from textual.timer import Timer
from textual.widgets import Button, Collapsible, OptionList, Static, TextArea
from textual.widgets.option_list import Option
from textual.widgets.text_area import Edit

from workbench.agentfile.document import AgentDocument, Conflict, DocumentError, Recovery
from workbench.agentfile.lint import check
from workbench.agentfile.parse import parse_agent
from workbench.agentfile.patch import line_change, set_field
from workbench.agentfile.quick_fixes import QuickFix, quick_fixes
from workbench.agentfile.spec import AgentSpec, Diagnostic, Origin, Severity
from workbench.config.models import ModelTable
from workbench.engine.client import MissingCredentials, check_credentials
from workbench.engine.modes import parse_mode
from workbench.engine.request_preview import (
    CHARACTERS_PER_TOKEN,
    RequestPreview,
    count_tokens,
    preview_request,
)
from workbench.safe_text import json_text, printable
from workbench.ui.compositor import FreshMapCompositor
from workbench.ui.screens.confirm import Confirm
from workbench.ui.screens.edit_diff import EditDiffScreen
from workbench.ui.widgets.agent_card import short_path
from workbench.ui.widgets.editor_text import GLYPHS, EditorText, problem_row
from workbench.ui.widgets.footer import Footer
from workbench.ui.widgets.frontmatter_form import FrontmatterForm
from workbench.ui.widgets.search_bar import SearchBar
from workbench.ui.widgets.version_diff import VersionDiff

VALIDATE_AFTER_S = 0.3
KEEP_AFTER_S = 2.0
"""How long typing may go unrecorded: the most a crash can lose."""
MARK_STYLES = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


@dataclass(frozen=True)
class _FormEdit:
    """The form's last edit of the text: the key it set and the edit it made."""

    key: str
    edit: Edit

    def continued_by(self, key: str, area: TextArea) -> bool:
        """Whether a change of `key` continues this edit: nothing has edited the text since."""
        undo_stack = area.history.undo_stack
        return (
            key == self.key
            and bool(undo_stack)
            and len(undo_stack[-1]) == 1
            and undo_stack[-1][0] is self.edit
        )


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
    CSS_PATH = "editor.tcss"
    """Read when the first editor opens (with its conflict and diff screens' rules): the
    workbench's first frame does not wait for it."""
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="editor.save", priority=True),
        # Priority: ctrl+f searches wherever the focus is, ahead of any field's own keys.
        Binding("ctrl+f", "search", "Search", id="editor.search", priority=True),
        Binding("ctrl+o", "external", "External editor", id="editor.external"),
        Binding("ctrl+t", "wrap", "Wrap", id="editor.wrap"),
        Binding("ctrl+r", "preview", "Preview request", id="editor.preview"),
        Binding("ctrl+g", "diff", "Diff", id="editor.diff"),
        Binding("ctrl+n", "run", "Run this version", id="editor.run"),
        Binding("ctrl+b", "compare", "Compare with saved", id="editor.compare", show=False),
        Binding("f", "fix", "Fix", id="editor.fix"),
        Binding("f2", "form", "Form", id="editor.form"),
        Binding("f8", "next_problem", "Next problem", id="editor.next-problem", show=False),
        Binding(
            "shift+f8",
            "previous_problem",
            "Previous problem",
            id="editor.previous-problem",
            show=False,
        ),
        Binding("ctrl+z", "undo", "Undo", id="editor.undo", show=False),
        Binding("escape", "close", "Close", id="editor.close", priority=True),
    ]

    def __init__(
        self,
        path: Path,
        origin: Origin,
        workspace: Path,
        models: ModelTable,
        *,
        model: str | None = None,
        mode: str | None = None,
    ) -> None:
        super().__init__(classes="editor")
        self._compositor = FreshMapCompositor()
        self.path = path
        self._shown_path = printable(short_path(path, workspace))
        """The path as the header shows it, worked out once: the header is checked on
        every keystroke."""
        self.origin = origin
        self.workspace = workspace
        self.models = models
        self.model_override = model
        """The app's `--model`, which a run started from the app would use too."""
        self.mode_override = mode
        self.preview: RequestPreview | None = None
        """The request last shown in the preview, built from the buffer."""
        self._previewed: bytes | None = None
        self.recovery = Recovery(workspace)
        self.document: AgentDocument | None = None
        self._loaded_text = ""
        self._validate_timer: Timer | None = None
        self._header = Text()
        """What the header shows."""
        self._keep_timer: Timer | None = None
        self.closed_signal: Signal[Path] = Signal(self, "closed")
        """Published with the file's path when the editor is closed for good."""
        self._fixes: dict[str, QuickFix] = {}
        """The quick fix of each problem that has one, by the problem's option id."""
        self._diagnostics: tuple[Diagnostic, ...] = ()
        """The problems listed, in the list's order."""
        self._problems_shown: tuple[object, ...] | None = None
        """The problems and fixes the list shows; while typing they rarely change."""
        self._form_edit: _FormEdit | None = None
        """The form's last edit of the text, while its field keeps the focus."""

    def compose(self) -> ComposeResult:
        yield Static("", id="editor-header", markup=False)
        with Horizontal(id="editor-body"):
            with Vertical(id="editor-main"):
                yield SearchBar("#editor-text", id="editor-search")
                yield EditorText(
                    language="markdown",
                    soft_wrap=True,
                    show_line_numbers=True,
                    tab_behavior="indent",
                    id="editor-text",
                )
            with VerticalScroll(id="editor-preview"):
                yield Static("Building the request…", id="preview-summary", markup=False)
                yield Static("", id="preview-size", markup=False)
                yield Static("Tools", classes="preview-heading")
                yield Vertical(id="preview-tools")
                yield Static("System prompt", classes="preview-heading")
                yield Static("", id="preview-system", markup=False)
            with Vertical(id="editor-side"):
                yield FrontmatterForm(self.models, id="editor-form")
                yield Static("Problems", id="editor-problems-title")
                yield OptionList(id="editor-problems")
        yield Footer()

    @property
    def text_area(self) -> EditorText:
        return self.query_one("#editor-text", EditorText)

    @property
    def dirty(self) -> bool:
        return self.document is not None and self.text_area.text != self._loaded_text

    def on_mount(self) -> None:
        try:
            self.document = AgentDocument.open(self.path)
        except DocumentError as error:
            self.notify(str(error), title="Cannot edit", severity="error")
            self._leave()
            return
        self._load(self.document.text)
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
        read_only = self.document is not None and not self.document.writable
        area.read_only = self.query_one(FrontmatterForm).read_only = read_only
        self._show_header()
        self._validate()

    def _show_header(self) -> None:
        # The state comes first: a long path must not push it off a one-line header.
        header = Text()
        if self.document is not None and not self.document.writable:
            header.append("read-only: you can look, not save  ", style="yellow")
        elif self.dirty:
            header.append("● unsaved  ", style="yellow")
        else:
            header.append("saved  ", style="dim")
        if self.previewing:
            header.append("request preview (ctrl+r: back to the text)  ", style="bold")
        header.append(self._shown_path, style="bold")
        header.append(f"  {self.origin.value}", style="dim")
        if header != self._header:
            # Nothing moves when it changes (it is one line high), and it changes on the
            # first keystroke after a save, not on every keystroke.
            self._header = header
            self.query_one("#editor-header", Static).update(header, layout=False)

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
            text = self.text_area.text
            data = document.encode(text)
            self.validate(data, text)
            if self.previewing and data != self._previewed:
                self._previewed = data
                self.build_preview(data)

    @work(thread=True, exclusive=True, group="editor-validate", exit_on_error=False)
    def validate(self, data: bytes, text: str) -> None:
        spec = check(parse_agent(data, self.path, self.origin, named=True), self.models)
        found = quick_fixes(spec, text)
        self.app.call_from_thread(self._validated, text, spec, found)

    def _validated(self, text: str, spec: AgentSpec, found: tuple[QuickFix | None, ...]) -> None:
        """Show what the check found, unless the text changed while it ran: then its form
        values are stale (showing them would take back a field just edited), and the newer
        text's check is already on its way."""
        if text != self.text_area.text:
            return
        self._show_problems(spec.diagnostics, found)
        self.query_one(FrontmatterForm).show(spec)

    @property
    def previewing(self) -> bool:
        return self.has_class("-preview")

    def action_search(self) -> None:
        """Open the search bar above the text (from the request preview, back to the text)."""
        if self.previewing:
            self.action_preview()
        self.query_one(SearchBar).open()

    def action_preview(self) -> None:
        """Switch between the text and the request a run of the buffer would send."""
        self.toggle_class("-preview")
        self._show_header()
        if not self.previewing:
            self.text_area.focus()
            return
        self.query_one("#editor-preview").focus()
        document = self.document
        if document is not None:
            self._previewed = document.encode(self.text_area.text)
            self.build_preview(self._previewed)

    @work(thread=True, exclusive=True, group="editor-preview", exit_on_error=False)
    def build_preview(self, data: bytes) -> None:
        """Parse the buffer as the roster would and build a run's first request from it."""
        try:
            spec = parse_agent(data, self.path, self.origin, named=True)
            mode = parse_mode(self.mode_override) if self.mode_override else None
            preview = preview_request(
                spec, self.workspace, self.models, mode=mode, model=self.model_override
            )
        except Exception as error:
            self.app.call_from_thread(self._preview_failed, str(error))
            return
        counting = _can_count()
        self.app.call_from_thread(self._show_preview, preview, counting)
        if not counting:
            return
        try:
            tokens = asyncio.run(_count(preview))
        except Exception as error:
            note = f"the API could not count ({type(error).__name__}: {error})"
            self.app.call_from_thread(self._show_size, preview, None, note)
            return
        self.app.call_from_thread(self._show_size, preview, tokens, "")

    def _preview_failed(self, reason: str) -> None:
        self.preview = None
        summary = self.query_one("#preview-summary", Static)
        summary.update(Text(f"No request can be built: {printable(reason)}", style="red"))

    def _show_preview(self, preview: RequestPreview, counting: bool) -> None:
        self.preview = preview
        model = Text(printable(preview.model), style="bold")
        written = preview.model_as_written
        if self.model_override:
            model.append(f"  (--model {printable(self.model_override)})", style="dim")
        elif written and written != preview.model:
            model.append(f"  (written as {printable(written)})", style="dim")
        elif not written:
            model.append("  (no model in the file: the default)", style="dim")
        thinking = preview.body.get("thinking")
        thought = Text(printable(str(thinking["type"])) if thinking else "off")
        thought.append(f"   max_tokens {preview.body['max_tokens']}", style="dim")
        rows = [
            ("Model", model),
            ("Permission", Text(printable(preview.mode))),
            ("Tools", Text(printable(", ".join(preview.tool_names)) or "none")),
            ("Thinking", thought),
            ("Cached", Text("the tools and the system prompt (one breakpoint after the system)")),
        ]
        rows += [("▲", Text(printable(notice), style="yellow")) for notice in preview.notices]
        summary = _fields(rows)
        self.query_one("#preview-summary", Static).update(summary)
        note = "counting with the API…" if counting else _NO_KEY
        self._show_size(preview, None, note)
        self._show_tools(preview)
        self.query_one("#preview-system", Static).update(printable(preview.system_text))

    def _show_tools(self, preview: RequestPreview) -> None:
        box = self.query_one("#preview-tools", Vertical)
        expanded = {c.title for c in box.query(Collapsible) if not c.collapsed}
        box.remove_children()
        box.mount_all(
            Collapsible(
                Static(json_text(tool), markup=False),
                title=escape(printable(str(tool.get("name", "?")))),
                collapsed=escape(printable(str(tool.get("name", "?")))) not in expanded,
            )
            for tool in preview.tools
        )

    def _show_size(self, preview: RequestPreview, tokens: int | None, note: str) -> None:
        if preview is not self.preview:
            return
        if tokens is not None:
            size = Text(f"{tokens:,} input tokens", style="bold")
            size.append("  counted by the API (messages.count_tokens)", style="dim")
        else:
            size = Text(f"≈ {preview.estimated_tokens():,} input tokens", style="bold")
            size.append(
                f"  estimate (about {CHARACTERS_PER_TOKEN} characters per token)", style="yellow"
            )
            if note:
                size.append(f"\n{printable(note)}", style="dim")
        placeholder = printable(preview.first_message)
        size.append(f"\nwith {placeholder} as the task", style="dim")
        self.query_one("#preview-size", Static).update(_fields([("Size", size)]))

    def _show_problems(
        self, diagnostics: tuple[Diagnostic, ...], found: tuple[QuickFix | None, ...]
    ) -> None:
        if self._problems_shown == (diagnostics, found):
            return
        self._problems_shown = (diagnostics, found)
        problems = self.query_one("#editor-problems", OptionList)
        highlighted = problems.highlighted
        options = [
            Option(_problem(diagnostic, fix), id=f"line-{diagnostic.line}-{index}")
            for index, (diagnostic, fix) in enumerate(zip(diagnostics, found, strict=True))
        ]
        self._fixes = {
            option.id: fix
            for option, fix in zip(options, found, strict=True)
            if option.id is not None and fix is not None
        }
        problems.set_options(options)
        if highlighted is not None and options:
            problems.highlighted = min(highlighted, len(options) - 1)
        self._diagnostics = diagnostics
        self.text_area.mark_problems(diagnostics)
        title = Text(f"Problems  {len(diagnostics)}" if diagnostics else "Problems  none")
        if diagnostics:
            title.append("  f8 next, shift+f8 previous", style="dim not bold")
        self.query_one("#editor-problems-title", Static).update(title)
        self.refresh_bindings()

    @property
    def highlighted_fix(self) -> QuickFix | None:
        """The quick fix of the highlighted problem, when the problems list has the focus."""
        problems = self.query_one("#editor-problems", OptionList)
        if not problems.has_focus or problems.highlighted is None:
            return None
        option = problems.get_option_at_index(problems.highlighted)
        return self._fixes.get(option.id or "")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "fix":
            return self.highlighted_fix is not None
        return True

    @on(OptionList.OptionHighlighted, "#editor-problems")
    def _problem_highlighted(self) -> None:
        self.refresh_bindings()

    def action_fix(self) -> None:
        """Apply the highlighted problem's fix to the buffer, as one edit `ctrl+z` undoes."""
        fix = self.highlighted_fix
        if fix is None:
            return
        area = self.text_area
        if area.read_only:
            self.notify("This file is read-only; nothing was changed.", severity="warning")
            return
        if any(
            change.line > area.document.line_count
            or area.document.get_line(change.line - 1) != change.before
            for change in fix.changes
        ):
            self.notify("The text changed since it was checked; try again in a moment.")
            return
        area.history.checkpoint()
        for change in fix.changes:
            row = change.line - 1
            area.replace(change.after, (row, 0), (row, len(change.before)))
        area.history.checkpoint()
        area.cursor_location = (fix.changes[0].line - 1, 0)
        area.scroll_cursor_visible(center=True)
        self._fixes.clear()
        self.refresh_bindings()

    def action_undo(self) -> None:
        """Undo in the text from the problems list or the form too, so a fix or a field's
        edit just made can be taken back. A form with the focus shows the result at once,
        in its focused field too, which waiting for the check would leave as typed."""
        area, document = self.text_area, self.document
        area.undo()
        form = self.query_one(FrontmatterForm)
        if document is not None and form.has_focus_within:
            spec = parse_agent(document.encode(area.text), self.path, self.origin, named=True)
            form.show(spec, keep_focused=False)

    def action_form(self) -> None:
        """Move the focus between the text and the frontmatter form."""
        form = self.query_one(FrontmatterForm)
        if form.has_focus_within:
            self.text_area.focus()
        else:
            form.focus_first()

    @on(FrontmatterForm.FieldChanged)
    def _form_changed(self, event: FrontmatterForm.FieldChanged) -> None:
        """Patch the key's lines of the buffer, as one edit `ctrl+z` undoes.

        Typing in a field changes it once a keystroke; while the field keeps the focus
        and nothing else edits the text, each change replaces the field's previous one
        (undone, then patched again from the text before it), so the whole burst is one
        step in the undo history, not one a keystroke.
        """
        area, document = self.text_area, self.document
        if document is None or area.read_only:
            self.notify("This file is read-only; nothing was changed.", severity="warning")
            return
        if self._form_edit is not None and self._form_edit.continued_by(event.key, area):
            area.undo()
        text = area.text
        spec = parse_agent(document.encode(text), self.path, self.origin, named=True)
        newline = area.document.newline
        before = text.split(newline)
        start, stop, lines = line_change(
            before, set_field(text, spec, event.key, event.value).split(newline)
        )
        if start == stop and not lines:
            return
        end = (len(before) - 1, len(before[-1]))
        if stop < len(before):
            replacement, span = "".join(line + "\n" for line in lines), ((start, 0), (stop, 0))
        elif start < stop and (lines or start == 0):
            replacement, span = "\n".join(lines), ((start, 0), end)
        else:
            replacement = "".join("\n" + line for line in lines)
            span = ((start - 1, len(before[start - 1])), end)
        edit = Edit(replacement, *span, maintain_selection_offset=True)
        area.history.checkpoint()
        area.edit(edit)
        area.history.checkpoint()
        self._form_edit = _FormEdit(event.key, edit)
        self.query_one(FrontmatterForm).written(event.key, event.value)

    @on(events.DescendantBlur)
    def _field_left(self) -> None:
        """Leaving a field ends its edit: typing in it again is a new undo step."""
        self._form_edit = None

    @on(OptionList.OptionSelected, "#editor-problems")
    def _go_to_problem(self, event: OptionList.OptionSelected) -> None:
        line = int((event.option.id or "line-1").split("-")[1])
        area = self.text_area
        area.cursor_location = (max(0, line - 1), 0)
        area.scroll_cursor_visible(center=True)
        area.focus()

    def action_next_problem(self) -> None:
        """Put the cursor on the next line with a problem, going round the end."""
        self._step_to_problem(forward=True)

    def action_previous_problem(self) -> None:
        """Put the cursor on the previous line with a problem, going round the start."""
        self._step_to_problem(forward=False)

    def _step_to_problem(self, *, forward: bool) -> None:
        """Move the cursor to a line with a problem; the list highlights its first problem."""
        rows = sorted({problem_row(diagnostic) for diagnostic in self._diagnostics})
        if not rows:
            self.notify("No problems.", timeout=2)
            return
        area = self.text_area
        here = area.cursor_location[0]
        if forward:
            row = next((row for row in rows if row > here), rows[0])
        else:
            row = next((row for row in reversed(rows) if row < here), rows[-1])
        area.cursor_location = (min(row, area.document.line_count - 1), 0)
        area.scroll_cursor_visible(center=True)
        problems = self.query_one("#editor-problems", OptionList)
        problems.highlighted = next(
            index
            for index, diagnostic in enumerate(self._diagnostics)
            if problem_row(diagnostic) == row
        )

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

    def action_diff(self) -> None:
        """The edit against the saved file (`c` in there: against the last commit)."""
        self.app.push_screen(EditDiffScreen(self.path, self._loaded_text, self.text_area.text))

    def action_compare(self) -> None:
        """The file as saved and the text as it stands, each in a chat, given the same
        tasks side by side; closing the comparison comes back here."""
        document = self.document
        if document is None:
            return
        if not self.dirty:
            self.notify("The text is as saved: edit it, then compare the two versions.")
            return
        try:
            on_disk = self.path.read_bytes()
        except OSError as error:
            self.notify(
                f"There is no saved version to compare with: {error.strerror}", severity="warning"
            )
            return
        saved = self._runnable(on_disk, "The saved version")
        edited = self._runnable(document.encode(self.text_area.text), "The edited text")
        if saved is None or edited is None:
            return
        from workbench.ui.screens.compare import CompareScreen

        self.app.push_screen(CompareScreen(saved, edited))

    def _runnable(self, data: bytes, which: str) -> AgentSpec | None:
        """The text as an agent the engine can run, or None once the person was told why not."""
        spec = check(parse_agent(data, self.path, self.origin, named=True), self.models)
        if spec.is_agent:
            return spec
        problem = next(iter(spec.diagnostics), None)
        reason = problem.message if problem is not None else "it is not an agent"
        self.notify(f"{which} cannot run: {printable(reason)}", severity="error")
        return None

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
        # escape is a priority binding, so it reaches this screen before the search bar:
        # while the bar is open, escape closes the bar, not the editor.
        search = self.query_one(SearchBar)
        if search.is_open:
            search.close()
            return
        if not self.dirty:
            self._leave()
            return
        self.app.push_screen(
            Confirm(f"Discard your unsaved changes to {printable(self.path.name)}?"),
            self._close_answered,
        )

    def _close_answered(self, discard: bool | None) -> None:
        if discard:
            self.recovery.drop(self.path)
            self._leave()

    def _leave(self) -> None:
        """Closed for good (not just left for a run): the screen and its buffer go."""
        self.dismiss()
        self.closed_signal.publish(self.path)
        self.app.call_later(self._uninstall)

    def _uninstall(self) -> None:
        if self.app.is_screen_installed(self):
            self.app.uninstall_screen(self)

    async def action_run(self) -> None:
        """Chat with the text as it stands; the editor keeps it, unsaved, for later."""
        document = self.document
        if document is None:
            return
        spec = self._runnable(document.encode(self.text_area.text), "This text")
        if spec is None:
            return
        from workbench.ui.screens.main import MainScreen

        main = self.app.screen_stack[0]
        if isinstance(main, MainScreen):
            self.app.pop_screen()
            await main.run_draft(spec)


_NO_KEY = "exact counting needs ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN) or ANTHROPIC_BASE_URL"


def _fields(rows: list[tuple[str, Text]]) -> Table:
    """Labels in a column of their own, so a value that wraps stays beside its label."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim", no_wrap=True, min_width=10)
    table.add_column()
    for label, value in rows:
        table.add_row(label, value)
    return table


def _can_count() -> bool:
    try:
        check_credentials(None)
    except MissingCredentials:
        return False
    return True


async def _count(preview: RequestPreview) -> int:
    """Counted in the preview's own thread and event loop, so the screen never waits."""
    from workbench.engine.client import make_client

    client = make_client(None)
    try:
        return await count_tokens(client, preview)
    finally:
        await client.close()


def _problem(diagnostic: Diagnostic, fix: QuickFix | None) -> Text:
    mark, style = GLYPHS[diagnostic.severity], MARK_STYLES[diagnostic.severity]
    text = Text.assemble((f"{mark} ", style), (f"{diagnostic.line:>4}  ", "dim"))
    text.append(printable(diagnostic.message))
    text.append(f"  {diagnostic.code}", style="dim")
    if fix is not None:
        text.append(f"\n        fix: {printable(fix.label)}", style="green")
        text.append("  (f)", style="dim")
    return text
