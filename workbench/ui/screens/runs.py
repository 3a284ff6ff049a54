"""The workspace's earlier runs, newest first, to pick one to open again.

Dismisses with the chosen conversation's session id, or None. Every string from a
transcript is made printable and shown as plain text: a task can hold escape sequences
or square brackets that Rich would read as markup.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.coordinate import Coordinate
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from workbench.engine.replay import (
    UNFINISHED,
    RunListing,
    RunSummary,
    UnreadableTranscript,
    list_runs,
)
from workbench.plurals import counted
from workbench.safe_text import printable

COLUMNS = {
    "agent": "Agent",
    "task": "Task",
    "when": "When",
    "at": "Last activity",
    "runs": "Runs",
    "outcome": "Outcome",
    "cost": "Cost",
}
TASK_WIDTH = (16, 72)
"""The task column's narrowest and widest; it takes the room the other columns leave."""
EMPTY = "There are no earlier runs in this workspace."
KEYS = "enter open · / filter · escape close"
_CELL_PADDING = 2
"""DataTable's default padding: one cell either side of each column."""
_SCROLLBAR = 2
_OUTCOMES = {
    "success": ("success", "green"),
    "error_max_turns": ("max turns", "yellow"),
    "refusal": ("refused", "red"),
    "cancelled": ("cancelled", "yellow"),
    "error_during_execution": ("failed", "red"),
    UNFINISHED: ("unfinished", "dim"),
}


def ago(then: datetime, now: datetime) -> str:
    """How long ago, rounded to the unit a person would say: `3 min ago`, `yesterday`."""
    seconds = max(0.0, (now - then).total_seconds())
    if seconds < 45:
        return "just now"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min ago"
    hours = round(seconds / 3600)
    if hours < 24:
        return f"{hours} h ago"
    days = round(seconds / 86400)
    if days == 1:
        return "yesterday"
    if days < 31:
        return f"{days} days ago"
    months = round(days / 30)
    if months < 12:
        return f"{months} month{'s' if months > 1 else ''} ago"
    years = round(days / 365)
    return f"{years} year{'s' if years > 1 else ''} ago"


def first_line(text: str, width: int = TASK_WIDTH[1]) -> str:
    """The first non-blank line, cut to `width` characters with an ellipsis."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


class RunsLoaded(Message):
    def __init__(self, listing: RunListing | None, error: str = "") -> None:
        super().__init__()
        self.listing = listing
        self.error = error


class _RunTable(DataTable[Text]):
    """A table where one click on a row chooses it, as a picker should."""

    class Resized(Message):
        """The table's width changed: the task column may take more or less room."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._width = 0

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._width:
            self._width = event.size.width
            self.post_message(self.Resized())

    def on_click(self, event: events.Click) -> None:
        # Runs before DataTable's own handler, which selects a row clicked while under
        # the cursor: moving the cursor there first makes the first click choose it.
        row = event.style.meta.get("row")
        column = event.style.meta.get("column")
        if isinstance(row, int) and isinstance(column, int) and row >= 0 and column >= 0:
            self.cursor_coordinate = Coordinate(row, column)


class RunsScreen(ModalScreen[str | None]):
    CSS_PATH = "runs.tcss"
    AUTO_FOCUS = "#runs-table"
    BINDINGS = [
        Binding("escape", "close", "Close", id="runs.close"),
        Binding("enter", "open", "Open", id="runs.open"),
        Binding("slash", "filter", "Filter", id="runs.filter"),
        Binding("down", "move(1)", "Next", show=False, id="runs.next"),
        Binding("up", "move(-1)", "Previous", show=False, id="runs.previous"),
    ]

    def __init__(self, workspace: Path) -> None:
        super().__init__(classes="-loading")
        self._workspace = workspace
        self._listing = RunListing([], [])
        self._rows: dict[str, str | None] = {}
        """Row key to session id; None for a transcript that cannot be read."""
        self._reasons: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="runs-body"):
            yield Input(placeholder="Filter by agent or task", id="runs-filter")
            yield _RunTable(id="runs-table", cursor_type="row", zebra_stripes=True)
            yield Static("Reading transcripts…", id="runs-note", markup=False)
            yield Static(KEYS, id="runs-keys", markup=False)

    def on_mount(self) -> None:
        body = self.query_one("#runs-body")
        body.border_title = "Earlier runs"
        body.border_subtitle = printable(str(self._workspace))
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load(self) -> None:
        try:
            listing = list_runs(self._workspace)
        except OSError as error:
            self.post_message(RunsLoaded(None, f"The runs could not be listed: {error}"))
            return
        self.post_message(RunsLoaded(listing))

    @on(RunsLoaded)
    def _loaded(self, message: RunsLoaded) -> None:
        self.remove_class("-loading")
        if message.listing is None:
            self.query_one("#runs-note", Static).update(printable(message.error))
            return
        self._listing = message.listing
        self._fill()

    @on(Input.Changed, "#runs-filter")
    @on(_RunTable.Resized)
    def _refill(self) -> None:
        if not self.has_class("-loading"):
            self._fill()

    @on(Input.Submitted, "#runs-filter")
    def _submitted(self) -> None:
        self.action_open()

    @on(DataTable.RowSelected, "#runs-table")
    def _selected(self, message: DataTable.RowSelected) -> None:
        message.stop()
        if message.row_key.value is not None:
            self._open(message.row_key.value)

    def action_open(self) -> None:
        key = self._highlighted(self.query_one(_RunTable))
        if key is not None:
            self._open(key)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_filter(self) -> None:
        if not self.has_class("-empty"):
            self.query_one("#runs-filter", Input).focus()

    def action_move(self, step: int) -> None:
        table = self.query_one(_RunTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def _open(self, key: str) -> None:
        session_id = self._rows.get(key)
        if session_id is not None:
            self.dismiss(session_id)
        elif key in self._reasons:
            self.notify(
                f"That transcript cannot be opened: {self._reasons[key]}", severity="warning"
            )

    def _fill(self) -> None:
        query = self.query_one("#runs-filter", Input).value.strip().casefold()
        now = datetime.now().astimezone()
        self._rows.clear()
        self._reasons.clear()
        entries: list[tuple[str, dict[str, Text]]] = []
        for run in self._listing.runs:
            if _matches(query, run.agent, run.task):
                key = f"run:{run.session_id}"
                self._rows[key] = run.session_id
                entries.append((key, _run_cells(run, now)))
        problems = 0
        for problem in self._listing.problems:
            if _matches(query, problem.path.name, problem.reason):
                key = f"file:{problem.path.name}"
                self._rows[key] = None
                self._reasons[key] = printable(problem.reason)
                entries.append((key, _problem_cells(problem)))
                problems += 1
        table = self.query_one(_RunTable)
        highlighted = self._highlighted(table)
        columns, task_width = _layout([cells for _, cells in entries], table.size.width)
        table.clear(columns=True)
        for column in columns:
            table.add_column(
                COLUMNS[column], key=column, width=task_width if column == "task" else None
            )
        for key, cells in entries:
            row = [cells[column] for column in columns]
            if "task" in columns:
                task = cells["task"]
                row[columns.index("task")] = Text(first_line(task.plain, task_width), task.style)
            table.add_row(*row, key=key)
        if highlighted in self._rows:
            table.move_cursor(row=table.get_row_index(highlighted))
        total = self._listing
        empty = not total.runs and not total.problems
        self.set_class(empty, "-empty")
        self.query_one("#runs-keys", Static).update("escape close" if empty else KEYS)
        note = self._note(query, len(entries) - problems, problems)
        self.query_one("#runs-note", Static).update(note)

    def _highlighted(self, table: _RunTable) -> str | None:
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0))
        return row_key.value

    def _note(self, query: str, runs: int, problems: int) -> str:
        total = self._listing
        if not total.runs and not total.problems:
            return EMPTY
        if not runs and not problems:
            return f"No run matches “{printable(query)}”."
        shown = f"{runs} of {len(total.runs)}" if query else str(len(total.runs))
        note = f"{shown} {'run' if len(total.runs) == 1 else 'runs'}"
        if problems:
            note += f" · {counted(problems, 'unreadable transcript')}"
        return note


def _matches(query: str, *texts: str) -> bool:
    return not query or any(query in text.casefold() for text in texts)


def _layout(rows: list[dict[str, Text]], width: int) -> tuple[list[str], int]:
    """The columns that fit `width`, and the task's width; the absolute time goes first."""
    low, high = TASK_WIDTH
    if width <= 0:
        return list(COLUMNS), high
    for dropped in ((), ("at",)):
        columns = [column for column in COLUMNS if column not in dropped]
        fixed = sum(
            max([len(COLUMNS[column]), *(row[column].cell_len for row in rows)])
            for column in columns
            if column != "task"
        )
        room = width - fixed - _CELL_PADDING * len(columns) - _SCROLLBAR
        if room >= low:
            break
    return columns, max(low, min(high, room))


def _run_cells(run: RunSummary, now: datetime) -> dict[str, Text]:
    label, style = _OUTCOMES.get(run.outcome, (run.outcome, ""))
    updated = run.updated.astimezone(now.tzinfo)
    cost = "—" if run.cost_usd is None else f"${run.cost_usd:.4f}"
    return {
        "agent": Text(printable(run.agent), style="bold"),
        "task": Text(first_line(printable(run.task)) or "(no task)"),
        "when": Text(ago(updated, now)),
        "at": Text(updated.strftime("%Y-%m-%d %H:%M"), style="dim"),
        "runs": Text(str(run.runs), justify="right"),
        "outcome": Text(printable(label), style=style),
        "cost": Text(cost, justify="right"),
    }


def _problem_cells(problem: UnreadableTranscript) -> dict[str, Text]:
    reason = f"{problem.path.name}: {problem.reason}"
    return {
        "agent": Text("unreadable", style="red"),
        "task": Text(first_line(printable(reason)), style="dim"),
        "when": Text(""),
        "at": Text(""),
        "runs": Text(""),
        "outcome": Text("unreadable", style="red"),
        "cost": Text("—", justify="right"),
    }
