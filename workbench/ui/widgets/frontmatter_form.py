"""The frontmatter as a form beside the editor's text, kept in step with it both ways.

The form never edits the text itself: a control the person changes posts `FieldChanged`
and the editor patches only that key's lines. When the text changes, the editor hands
the form the new spec and `show` sets the controls without posting anything, so the two
never chase each other. A control that has the focus is left alone: the person is
typing in it and the text is catching up with them (unless the editor says the text
moved under them, as an undo does). A read-only file's form shows its values and takes
no edits, as the text does.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select, SelectionList, Static, TextArea
from textual.widgets.selection_list import Selection

from workbench.agentfile.patch import FieldValue, current_value, same_value
from workbench.agentfile.spec import PERMISSION_MODES, AgentSpec
from workbench.agentfile.tool_names import KNOWN, split_tool_list
from workbench.config.models import INHERIT, ModelTable
from workbench.safe_text import printable
from workbench.ui.swatch import CLAUDE_COLORS

TOOL_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("read-only", ("Read", "Grep", "Glob", "LSP", "NotebookRead", "LS")),
    ("edits", ("Edit", "Write", "MultiEdit", "NotebookEdit", "TodoWrite")),
    ("shell", ("Bash", "PowerShell", "Monitor", "BashOutput", "KillShell", "KillBash")),
    ("web", ("WebFetch", "WebSearch")),
    (
        "delegation",
        (
            "Agent",
            "Task",
            "SendMessage",
            "TaskCreate",
            "TaskGet",
            "TaskList",
            "TaskOutput",
            "TaskStop",
            "TaskUpdate",
            "TeamCreate",
            "TeamDelete",
        ),
    ),
)
_GROUPED = frozenset(name for _, names in TOOL_GROUPS for name in names)
TOOL_GROUPS += (("other", tuple(sorted(KNOWN - _GROUPED))),)
GROUP_OF = {name: group for group, names in TOOL_GROUPS for name in names}

CHOICES: dict[str, tuple[str, ...]] = {
    "permissionMode": PERMISSION_MODES,
    "memory": ("user", "project", "local"),
    "effort": ("low", "medium", "high", "xhigh", "max"),
    "isolation": ("worktree",),
}
TEXT_KEYS = ("name", "initialPrompt")
KEYS = (
    "name",
    "description",
    "tools",
    "disallowedTools",
    "model",
    "permissionMode",
    "color",
    "maxTurns",
    "skills",
    "memory",
    "effort",
    "isolation",
    "background",
    "initialPrompt",
)
_AS_WRITTEN = ("mcpServers", "hooks")
_CONTROLS = "Input, TextArea, Select, SelectionList, Checkbox"


class FrontmatterForm(VerticalScroll):
    """Name, description, tools, model and the other known fields of one agent file."""

    read_only: reactive[bool] = reactive(False)
    """The file cannot be written: every control is disabled, and a line says why."""

    class FieldChanged(Message):
        """The person set `key` to `value` in the form (None: remove the key)."""

        def __init__(self, key: str, value: FieldValue) -> None:
            super().__init__()
            self.key = key
            self.value = value

    def __init__(self, models: ModelTable, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.models = models
        self._values: dict[str, FieldValue] = {}
        self._shown: dict[str, FieldValue] = {}
        self._other_keys: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static("read-only file: you can look, not edit", id="fm-read-only", markup=False)
        yield from _label("name")
        yield Input(id="fm-name")
        yield from _label("description")
        yield TextArea(soft_wrap=True, id="fm-description", classes="fm-description")
        yield from _label("tools")
        yield Checkbox("all tools (no tools key)", True, id="fm-tools-all")
        yield from self._checklist("tools")
        yield from _label("disallowedTools", "disallowed tools")
        yield from self._checklist("disallowedTools")
        yield from _label("model")
        yield Select[str](self._model_options(), id="fm-model", prompt="(not set)")
        yield from _label("permissionMode", "permission mode")
        yield Select[str](_options(CHOICES["permissionMode"]), id="fm-permissionMode")
        yield from _label("color")
        yield Select[str](_color_options(), id="fm-color", prompt="(not set)")
        yield from _label("maxTurns", "max turns")
        yield Input(type="integer", id="fm-maxTurns")
        yield from _label("skills", "skills (comma separated)")
        yield Input(id="fm-skills")
        for key in ("memory", "effort", "isolation"):
            yield from _label(key)
            yield Select[str](_options(CHOICES[key]), id=f"fm-{key}", prompt="(not set)")
        yield Checkbox("background (always run in the background)", id="fm-background")
        yield from _label("initialPrompt", "initial prompt")
        yield Input(id="fm-initialPrompt")
        yield Static("", id="fm-kept", markup=False)

    def _checklist(self, key: str) -> Iterable[Widget]:
        for group, names in TOOL_GROUPS:
            yield Static(group, classes="fm-group")
            yield SelectionList[str](
                *(Selection(name, name) for name in names),
                id=f"fm-{key}-{group}",
                classes=f"fm-checklist fm-list-{key}",
            )
        yield Input(
            placeholder="mcp__server__tool, Bash(git *)", id=f"fm-{key}-extra", classes="fm-extra"
        )

    def _model_options(self, extra: str | None = None) -> list[tuple[str | Text, str]]:
        names = [*self.models.aliases, INHERIT, *self.models.served]
        if extra and extra not in names:
            names.insert(0, extra)
        return [(printable(name), name) for name in dict.fromkeys(names)]

    def watch_read_only(self, read_only: bool) -> None:
        self.set_class(read_only, "-read-only")
        for control in self.query(_CONTROLS):
            control.disabled = read_only

    def show(self, spec: AgentSpec, *, keep_focused: bool = True) -> None:
        """Set the controls of the keys the text changed, without posting `FieldChanged`.

        A key whose text is as last shown keeps the form's value: the person may have
        just changed it, and the edit that brings the text in line is still on its way
        (a check of the older text can land in between). `keep_focused=False` sets every
        control, the focused one too: the text changed under the person (an undo),
        rather than catching up with what they type.
        """
        text_values = {key: current_value(spec, key) for key in KEYS}
        changed = [
            key
            for key, value in text_values.items()
            if not keep_focused
            or key not in self._shown
            or not same_value(key, value, self._shown[key])
        ]
        self._shown = text_values
        other_keys = tuple(k for k, _ in spec.fields if k not in KEYS)
        if not changed and other_keys == self._other_keys:
            return  # typing in the prompt: nothing the form shows has changed
        with self.prevent(
            Input.Changed,
            TextArea.Changed,
            Select.Changed,
            SelectionList.SelectedChanged,
            Checkbox.Changed,
        ):
            for key in changed:
                self._values[key] = text_values[key]
                self._show(key, text_values[key], keep_focused)
        self._other_keys = other_keys
        kept = self.query_one("#fm-kept", Static)
        kept.update(
            "Kept as written (edit them in the text): "
            + ", ".join(map(printable, self._other_keys))
            if self._other_keys
            else ""
        )

    def written(self, key: str, value: FieldValue) -> None:
        """The text now holds the form's `value` for `key`: an undo back to the value
        before is then a change of the text, which `show` brings into the form."""
        self._shown[key] = value

    def _show(self, key: str, value: FieldValue, keep_focused: bool) -> None:
        if key in ("tools", "disallowedTools"):
            self._show_tools(key, value, keep_focused)
            return
        widget = self.query_one(f"#fm-{key}")
        if widget.has_focus and keep_focused:
            return
        if isinstance(widget, TextArea):
            if widget.text != (value or ""):
                widget.load_text(str(value or ""))
        elif isinstance(widget, Input):
            text = ", ".join(value) if isinstance(value, tuple) else str(value or "")
            if widget.value != text and not same_value(key, _input_value(key, widget), value):
                widget.value = text
        elif isinstance(widget, Select):
            self._show_choice(key, widget, value)
        elif isinstance(widget, Checkbox):
            widget.value = value is True

    def _show_choice(self, key: str, select: Select[str], value: FieldValue) -> None:
        if not isinstance(value, str):
            select.clear()
            return
        known = {option for _, option in select._options}
        if value not in known:
            if key == "model":
                select.set_options(self._model_options(value))
            elif key == "color":
                select.set_options(_color_options(value))
            else:
                select.set_options(_options(CHOICES[key], value))
        select.value = value

    def _show_tools(self, key: str, value: FieldValue, keep_focused: bool) -> None:
        names = value if isinstance(value, tuple) else ()
        if key == "tools":
            everything = value is None
            self.query_one("#fm-tools-all", Checkbox).value = everything
            self.set_class(everything, "-all-tools")
        for group, _ in TOOL_GROUPS:
            selections = self.query_one(f"#fm-{key}-{group}", SelectionList)
            if selections.has_focus and keep_focused:
                continue
            selections.deselect_all()
            for name in names:
                if GROUP_OF.get(name) == group:
                    selections.select(name)
        extra = self.query_one(f"#fm-{key}-extra", Input)
        written = ", ".join(name for name in names if name not in GROUP_OF)
        if not (extra.has_focus and keep_focused) and extra.value != written:
            extra.value = written

    def _emit(self, key: str, value: FieldValue) -> None:
        if same_value(key, value, self._values.get(key)):
            return
        self._values[key] = value
        self.post_message(self.FieldChanged(key, value))

    def _tools_value(self, key: str) -> tuple[str, ...]:
        """The checked and typed names, in the file's order with new ones at the end."""
        checked: list[str] = []
        for selections in self.query(f"SelectionList.fm-list-{key}").results(SelectionList):
            checked.extend(str(name) for name in selections.selected)
        extra = split_tool_list(self.query_one(f"#fm-{key}-extra", Input).value)
        wanted = set(checked) | set(extra)
        previous = self._values.get(key)
        before = previous if isinstance(previous, tuple) else ()
        kept = [name for name in before if name in wanted]
        return tuple(dict.fromkeys([*kept, *checked, *extra]))

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        event.stop()
        key = (event.input.id or "").removeprefix("fm-")
        if key.endswith("-extra"):
            self._tools_changed(key.removesuffix("-extra"))
        elif key:
            value = _input_value(key, event.input)
            if key != "maxTurns" or value is not None or not event.input.value:
                self._emit(key, value)

    @on(TextArea.Changed, "#fm-description")
    def _description_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._emit("description", event.text_area.text or None)

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        event.stop()
        key = (event.select.id or "").removeprefix("fm-")
        value = event.select.value
        self._emit(key, value if isinstance(value, str) else None)

    @on(SelectionList.SelectedChanged)
    def _checklist_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        event.stop()
        listed = event.selection_list
        self._tools_changed(
            "disallowedTools" if listed.has_class("fm-list-disallowedTools") else "tools"
        )

    def _tools_changed(self, key: str) -> None:
        """Checking or typing a tool means a list of tools: "all tools" goes off."""
        value = self._tools_value(key)
        if key == "tools" and self.has_class("-all-tools"):
            self.set_class(False, "-all-tools")
            with self.prevent(Checkbox.Changed):
                self.query_one("#fm-tools-all", Checkbox).value = False
        self._emit(key, value if value or key == "tools" else None)

    @on(Checkbox.Changed)
    def _checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        if event.checkbox.id == "fm-background":
            self._emit("background", True if event.value else None)
        elif event.checkbox.id == "fm-tools-all":
            self.set_class(event.value, "-all-tools")
            self._emit("tools", None if event.value else self._tools_value("tools"))

    def focus_first(self) -> None:
        """The name field; in a read-only form, the form itself, to scroll through it."""
        if self.read_only:
            self.focus()
        else:
            self.query_one("#fm-name", Input).focus()


def _label(key: str, text: str | None = None) -> Iterable[Widget]:
    yield Static(text or key, classes="fm-label", markup=False)


def _options(names: Iterable[str], extra: str | None = None) -> list[tuple[str | Text, str]]:
    values = list(names)
    if extra and extra not in values:
        values.insert(0, extra)
    return [(printable(name), name) for name in values]


def _color_options(extra: str | None = None) -> list[tuple[str | Text, str]]:
    options: list[tuple[str | Text, str]] = []
    if extra and extra not in CLAUDE_COLORS:
        options.append((Text(f"■ {printable(extra)}"), extra))
    options.extend(
        (Text(f"■ {name}", style=hex_value), name) for name, hex_value in CLAUDE_COLORS.items()
    )
    return options


def _input_value(key: str, widget: Input) -> FieldValue:
    text = widget.value
    if key == "maxTurns":
        try:
            return int(text) if text.strip() else None
        except ValueError:
            return None
    if key == "skills":
        names = tuple(name.strip() for name in text.split(",") if name.strip())
        return names or None
    return text if text.strip() else None
