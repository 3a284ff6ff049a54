"""One tool call through its life: a spinner while it runs, then a one-line outcome that
expands to the full input and result (or the diff a Write or Edit made).

A delegated run (Agent/Task) gets a nested chat log inside its block, streaming live.
A block takes focus, so everything a click does is also a key away.

A block draws its summary line itself for as long as it holds nothing else, which is most
of a long run's calls: one widget per call lays out and paints in far less time than a
container and its line. Once it holds more (its details, a versions line, a delegated
run), the line moves into a child at its top.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static

from workbench.engine.calls import describe
from workbench.engine.events import ToolCallFinished, ToolCallStarted
from workbench.plurals import counted
from workbench.safe_text import printable
from workbench.ui.diff_text import change_counts, diff_text
from workbench.ui.widgets.in_place import height_holds, update_in_place
from workbench.watch.history import Version

if TYPE_CHECKING:
    from workbench.ui.widgets.chat_log import ChatLog

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
RESULT_PREVIEW_CHARS = 20_000
"""Results longer than this show their start and an `open` link to see all of it."""
_READ_LINE = re.compile(r"^\s*\d+\t", re.MULTILINE)
_EXIT = re.compile(r"\[exit code (\d+)\]")


class ToolBlock(Widget, can_focus=True):
    BINDINGS = [
        Binding("enter,space", "expand", "Expand", id="tool.expand"),
        Binding("enter,space", "collapse", "Collapse", id="tool.collapse"),
        Binding("v", "open_versions", "Open version", id="tool.open_version"),
        Binding("o", "open_result", "Whole result", id="tool.open_result"),
    ]
    expanded: reactive[bool] = reactive(False, toggle_class="-expanded")

    class OpenResult(Message):
        """The person asked to see a long result whole."""

        def __init__(self, title: str, content: str) -> None:
            super().__init__()
            self.title = title
            self.content = content

    class OpenVersion(Message):
        """The person asked to see the file version this call wrote."""

        def __init__(self, version: Version) -> None:
            super().__init__()
            self.version = version

    def __init__(
        self, event: ToolCallStarted, workspace: Path, *, nested: ChatLog | None = None
    ) -> None:
        super().__init__(classes="tool-block -line")
        self.call = event
        self._workspace = workspace
        self.nested = nested
        self.finished: ToolCallFinished | None = None
        self._frame = 0
        self._note = ""
        self._waiting = False
        self._timer: Timer | None = None
        self._summary_line: Static | None = None
        self._versions_line: Static | None = None
        self._details: Vertical | None = None
        self._result_view: Static | None = None
        self._versions: list[Version] = []
        self._composed = False

    def compose(self) -> ComposeResult:
        """The versions line and the details are made when first needed: most calls write
        no file and are never opened, and a long run has thousands of them."""
        self._composed = True
        if self._versions_line is None and not self.expanded and self.nested is None:
            return
        yield self._make_summary_line()
        if self._versions_line is not None:
            yield self._versions_line
        if self.expanded:
            yield self._make_details()
        if self.nested is not None:
            yield self.nested

    def render(self) -> RenderableType:
        return self._summary() if self._summary_line is None else ""

    def _make_summary_line(self) -> Static:
        if self._summary_line is None:
            self._summary_line = Static(self._summary(), classes="tool-summary", markup=False)
            self.remove_class("-line")
        return self._summary_line

    def _mount_below(self, widget: Widget, after: Widget | None) -> None:
        """Add `widget` after `after` (by default the summary line, which first moves into
        a child of its own if the block still draws it)."""
        if self._summary_line is None:
            self.mount(self._make_summary_line(), widget)
        else:
            self.mount(widget, after=after or self._summary_line)

    def watch_expanded(self, expanded: bool) -> None:
        if expanded and self._composed and self._details is None:
            self._mount_below(self._make_details(), after=self._versions_line)
        self._keys_changed()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only the focused block answers its keys: a block around it (a delegated run)
        must not act on a key meant for the call inside it."""
        if action not in ("expand", "collapse", "open_versions", "open_result"):
            return True
        if self.screen.focused is not self:
            return False
        if action == "expand":
            return not self.expanded
        if action == "collapse":
            return self.expanded
        if action == "open_versions":
            return bool(self._versions)
        return self._result_is_cut()

    def _keys_changed(self) -> None:
        """The footer shows this block's keys while it has focus; they depend on its state."""
        if self.has_focus:
            self.refresh_bindings()

    def _make_details(self) -> Vertical:
        if self._details is None:
            result = self._result() if self.finished is not None else ""
            self._result_view = Static(result, classes="tool-result", markup=False)
            self._details = Vertical(
                Static(_input_text(self.call.input), classes="tool-input", markup=False),
                self._result_view,
                classes="tool-details",
            )
        return self._details

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """Measured as if the log had no height: the block's height depends on its width
        alone, and Textual keeps an arrangement by the size it was made for, so the block
        is measured once rather than again each time the conversation grows."""
        return super().get_content_height(Size(container.width, 0), viewport, width)

    def on_mount(self) -> None:
        if self.finished is None:
            self._timer = self.set_interval(0.1, self._spin)

    def note(self, text: str) -> None:
        """A short line under the call: a permission decision."""
        self._waiting = False
        self._note = text
        self._refresh_summary()

    def link_versions(self, versions: list[Version]) -> None:
        """Name the file versions this call produced; a click opens what it changed."""
        self._versions = versions
        text = Text("  ")
        for version in versions:
            text.append(f"↗ v{version.number} of {printable(version.path)}", style="underline")
            text.append("  ")
        if self._versions_line is None:
            self._versions_line = Static(text, classes="tool-versions", markup=False)
            if self._composed:
                self._mount_below(self._versions_line, after=None)
        else:
            self._versions_line.update(text)
        self._versions_line.display = bool(versions)
        self._keys_changed()

    def wait_for_answer(self) -> None:
        """Nothing runs while a person decides: a question mark instead of a spinner."""
        self._waiting = True
        self._note = "waiting for your answer"
        self._refresh_summary()

    def finish(self, event: ToolCallFinished) -> None:
        self.finished = event
        if self._timer is not None:
            self._timer.stop()
        self.set_class(event.is_error, "-error")
        self._refresh_summary()
        if self._result_view is not None:
            self._result_view.update(self._result())
        self._keys_changed()

    def _spin(self) -> None:
        if not self._waiting:
            self._frame = (self._frame + 1) % len(SPINNER)
            self._refresh_summary()

    def _refresh_summary(self) -> None:
        if self._summary_line is not None:
            update_in_place(self._summary_line, self._summary())
        elif self.is_mounted:
            self.refresh(layout=not height_holds(self, self._summary()))

    def _summary(self) -> Text:
        call = self.call
        text = Text()
        if self.finished is None:
            text.append("? " if self._waiting else f"{SPINNER[self._frame]} ", style="bold")
        elif self.finished.is_error:
            text.append("✖ ", style="bold red")
        else:
            text.append("✓ ", style="bold green")
        text.append(call.name, style="bold")
        target = describe(call.name, call.input, width=80)
        if target:
            text.append(f" {printable(target)}")
        if call.server:
            text.append("  (runs at the API)", style="dim")
        if self.finished is not None:
            text.append(f"  · {self._outcome()}", style="red" if self.finished.is_error else "dim")
        if self._note:
            text.append(f"\n  {printable(self._note)}", style="dim italic")
        return text

    def _outcome(self) -> str:
        result = self.finished
        assert result is not None
        took = (
            f"{result.duration_ms / 1000:.1f} s"
            if result.duration_ms >= 100
            else (f"{result.duration_ms} ms")
        )
        if result.is_error:
            first = result.content.strip().splitlines()[0] if result.content.strip() else "failed"
            return printable(first[:160])
        if result.changes:
            added = removed = 0
            for change in result.changes:
                plus, minus = change_counts(change.before, change.after)
                added, removed = added + plus, removed + minus
            created = any(change.before is None for change in result.changes)
            return f"{'created' if created else 'edited'} +{added} −{removed} · {took}"
        name = self.call.name
        if name == "Read":
            lines = len(_READ_LINE.findall(result.content))
            partial = " (partial)" if "[Partial view" in result.content else ""
            return f"{counted(lines, 'line')}{partial} · {took}"
        if name == "Bash":
            code = _EXIT.search(result.content)
            return f"exit {code.group(1) if code else 0} · {took}"
        first = result.content.strip().splitlines()[0] if result.content.strip() else "done"
        return (
            f"{printable(first[:80])} · {took}" if not self.call.server else printable(first[:80])
        )

    def _result(self) -> RenderableType:
        result = self.finished
        assert result is not None
        if result.changes:
            return Group(
                *(
                    diff_text(change.before, change.after, _relative(change.path, self._workspace))
                    for change in result.changes
                )
            )
        content = result.content
        if len(content) <= RESULT_PREVIEW_CHARS:
            return Text(printable(content), style="red" if result.is_error else "")
        shown = Text(printable(content[:RESULT_PREVIEW_CHARS]))
        shown.append(
            f"\n… {len(content) - RESULT_PREVIEW_CHARS:,} more characters. Click here to open "
            "the whole result.",
            style="bold underline",
        )
        return shown

    def _result_is_cut(self) -> bool:
        return self.finished is not None and len(self.finished.content) > RESULT_PREVIEW_CHARS

    def on_click(self, event: Click) -> None:
        """A click on the summary line, the block's own while it draws it, opens or closes
        the call."""
        line = self if self._summary_line is None else self._summary_line
        if event.widget is line:
            event.stop()
            self.expanded = not self.expanded

    @on(Click, ".tool-versions")
    def _versions_clicked(self, event: Click) -> None:
        event.stop()
        self.action_open_versions()

    @on(Click, ".tool-result")
    def _result_clicked(self, event: Click) -> None:
        event.stop()
        self.action_open_result()

    def action_expand(self) -> None:
        self.expanded = True

    def action_collapse(self) -> None:
        self.expanded = False

    def action_open_versions(self) -> None:
        """Every file the call wrote opens at the version it made, each in its tab."""
        for version in self._versions:
            self.post_message(self.OpenVersion(version))

    def action_open_result(self) -> None:
        result = self.finished
        if result is not None and self._result_is_cut():
            title = f"{self.call.name} {describe(self.call.name, self.call.input)}"
            self.post_message(self.OpenResult(title, result.content))


def _relative(path: Path, workspace: Path) -> str:
    return str(path.relative_to(workspace)) if path.is_relative_to(workspace) else str(path)


def _input_text(tool_input: dict[str, Any]) -> Text:
    """The call's input, one key per line; long values cut, strings shown as written."""
    text = Text()
    for key, value in tool_input.items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        if len(shown) > 2000:
            shown = shown[:2000] + f"… ({len(shown):,} characters)"
        text.append(f"{printable(str(key))}: ", style="bold")
        text.append(printable(shown) + "\n")
    text.rstrip()
    return text
