"""The roster column: a filter box over every agent, grouped by where it was found."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.theme import Theme
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from workbench.agentfile.roster import Roster
from workbench.agentfile.spec import AgentSpec, Origin, Severity
from workbench.plurals import counted
from workbench.safe_text import printable
from workbench.ui.swatch import agent_color

ERROR_STYLE = Style(color="#e5534b", bold=True)
WARNING_STYLE = Style(color="#d4a72c", bold=True)
_GROUPS = {
    Origin.EXPLICIT: "From --agents",
    Origin.PROJECT: "Project  .claude/agents",
    Origin.USER: "User  ~/.claude/agents",
    Origin.BUNDLED: "Bundled",
}
_NAME_WIDTH = 24
_MIN_NAME_WIDTH = 8
_MODEL_WIDTH = 8
_SWATCH_WIDTH = 2


@dataclass(frozen=True)
class _Entry:
    spec: AgentSpec
    haystack: str
    problems: bool


class RosterPanel(Vertical):
    """Emits `Highlighted` as the cursor moves and `Chosen` on Enter."""

    class Highlighted(Message):
        def __init__(self, spec: AgentSpec) -> None:
            super().__init__()
            self.spec = spec

    class Chosen(Message):
        def __init__(self, spec: AgentSpec) -> None:
            super().__init__()
            self.spec = spec

    filter_text: reactive[str] = reactive("")
    problems_only: reactive[bool] = reactive(False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._entries: dict[str, _Entry] = {}
        self._roster: Roster | None = None
        self._narrow_width: int | None = None
        """The room for a name on a line of its own, in a column too narrow for a row on
        one line; None in a wide enough column."""

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._rebuild())

    def on_resize(self) -> None:
        """A column too narrow for a row on one line gives the name the first line, cut
        to fit, and the model and counts the second (left to wrap, a long name would push
        its colour dot onto a line of its own)."""
        option_list = self.query_one(OptionList)
        # The scroll bar's room is kept whether or not it shows: it comes and goes with
        # the number of rows, and no resize says so.
        room = option_list.size.width - option_list.styles.scrollbar_size_vertical
        one_line = _SWATCH_WIDTH + _NAME_WIDTH + 1 + _MODEL_WIDTH
        width = None if room >= one_line else max(_MIN_NAME_WIDTH, room - _SWATCH_WIDTH)
        if room > 0 and width != self._narrow_width:
            self._narrow_width = width
            self._rebuild()

    def compose(self) -> ComposeResult:
        yield Input(placeholder="/ to filter agents", id="roster-filter", compact=True)
        yield OptionList(id="roster-list")
        yield Static("Loading agents…", id="roster-count")

    @property
    def selected(self) -> AgentSpec | None:
        option = self.query_one(OptionList).highlighted_option
        entry = self._entries.get(option.id or "") if option else None
        return entry.spec if entry else None

    def show(self, roster: Roster) -> None:
        """Replace the roster, keeping the selection when the same file is still there."""
        keep = self._selected_path()
        self._roster = roster
        self._entries = {
            f"agent-{index}": _Entry(spec, _haystack(spec), _has_problems(spec))
            for index, spec in enumerate(roster.specs)
        }
        self._rebuild(keep)

    def select_name(self, name: str) -> bool:
        """Select the active agent called `name`, clearing a filter that would hide it."""
        spec = self._roster.get(name) if self._roster else None
        if spec is None:
            return False
        self.query_one("#roster-filter", Input).value = ""
        self.problems_only = False
        self._rebuild(str(spec.path))
        return True

    def select_path(self, path: str) -> None:
        """Select the row of the file at `path`, clearing a filter that would hide it."""
        self.query_one("#roster-filter", Input).value = ""
        self.problems_only = False
        self._rebuild(path)

    def watch_filter_text(self) -> None:
        self._rebuild()

    def watch_problems_only(self) -> None:
        self._rebuild()

    @on(Input.Changed, "#roster-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value

    @on(Input.Submitted, "#roster-filter")
    def _filter_submitted(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionHighlighted, "#roster-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        entry = self._entries.get(event.option.id or "")
        if entry:
            self.post_message(self.Highlighted(entry.spec))

    def _selected_path(self) -> str | None:
        spec = self.selected
        return str(spec.path) if spec else None

    @on(OptionList.OptionSelected, "#roster-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        entry = self._entries.get(event.option.id or "")
        if entry:
            self.post_message(self.Chosen(entry.spec))

    def _rebuild(self, target: str | None = None) -> None:
        if self._roster is None:
            return
        option_list = self.query_one(OptionList)
        target = target or self._selected_path()
        terms = self.filter_text.lower().split()
        theme = self.app.current_theme
        options: list[Option] = []
        shown: list[_Entry] = []
        group: Origin | None = None
        for option_id, entry in self._entries.items():
            if self.problems_only and not entry.problems:
                continue
            if not all(term in entry.haystack for term in terms):
                continue
            if entry.spec.origin is not group:
                group = entry.spec.origin
                options.append(Option(Text(_GROUPS[group], style="bold dim"), disabled=True))
            options.append(Option(_row(entry.spec, theme, self._narrow_width), id=option_id))
            shown.append(entry)
        option_list.set_options(options)
        self._update_count(shown)
        paths = [str(self._entries[o.id].spec.path) if o.id else None for o in options]
        first = next((i for i, o in enumerate(options) if not o.disabled), None)
        option_list.highlighted = paths.index(target) if target and target in paths else first

    def _update_count(self, shown: list[_Entry]) -> None:
        total = sum(1 for e in self._entries.values() if e.spec.is_agent)
        agents = sum(1 for e in shown if e.spec.is_agent)
        problems = sum(1 for e in self._entries.values() if e.problems)
        text = (
            counted(total, "agent")
            if agents == total
            else f"{agents:,} of {counted(total, 'agent')}"
        )
        if problems:
            text += f" · {problems} with problems"
        if not shown:
            text = "No agent matches the filter" if self._entries else "No agents found"
        self.query_one("#roster-count", Static).update(text)


def _haystack(spec: AgentSpec) -> str:
    parts = [
        spec.display_name,
        spec.summary,
        spec.model or "",
        spec.origin.value,
        " ".join(spec.tools or ()),
    ]
    return " ".join(parts).lower()


def _has_problems(spec: AgentSpec) -> bool:
    return any(d.severity is not Severity.INFO for d in spec.diagnostics)


def _row(spec: AgentSpec, theme: Theme, narrow_width: int | None) -> Text:
    """The agent's row: on one line, or on two with the name first cut to `narrow_width`."""
    color = agent_color(spec.color, theme)
    swatch = Text("● ", style=Style(color=color)) if color else Text("○ ", style="dim")
    name = _cut(printable(spec.display_name), narrow_width or _NAME_WIDTH)
    name_style = "bold" if spec.active and spec.is_agent else "dim strike"
    if narrow_width is None:
        name = set_cell_size(name, _NAME_WIDTH)
    row = Text.assemble(swatch, (name, name_style))
    row.append("\n" if narrow_width else " ")
    model = _cut(printable(spec.model or "—"), _MODEL_WIDTH)
    row.append(set_cell_size(model, _MODEL_WIDTH), style="dim")
    errors = sum(d.severity is Severity.ERROR for d in spec.diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in spec.diagnostics)
    if errors:
        row.append(f" ✖{errors}", style=ERROR_STYLE)
    if warnings:
        row.append(f" ▲{warnings}", style=WARNING_STYLE)
    if not spec.is_agent:
        row.append(" not an agent", style="dim italic")
    elif spec.has_errors:
        row.append(" skipped", style="dim italic")
    elif not spec.active:
        row.append(" shadowed", style="dim italic")
    return row


def _cut(text: str, width: int) -> str:
    """`text` if it fits in `width` cells, else its start and an ellipsis in that width."""
    return text if cell_len(text) <= width else set_cell_size(text, width - 1) + "…"
