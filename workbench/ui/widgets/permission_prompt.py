"""The inline question a run waits on: what the tool would do, and y / a / n / e.

It sits at the bottom of the chat, not in a modal, so the conversation that led to the
question stays in view. On a short terminal the question scrolls and the answers stay.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Resize
from textual.message import Message
from textual.widgets import Button, Input, Static

from workbench.engine.events import Answer, PermissionAsked, Reply
from workbench.safe_text import printable


class PermissionPrompt(Vertical, can_focus=True):
    BINDINGS = [
        Binding("y", "answer('allow_once')", "Allow once", id="permission.allow_once"),
        Binding("a", "answer('allow_always')", "Allow always", id="permission.allow_always"),
        Binding("n", "answer('deny')", "Deny", id="permission.deny"),
        Binding("e", "explain", "Deny and say why", id="permission.deny_with_message"),
        Binding("escape", "back", "Back to the answers", id="permission.back"),
    ]

    class Answered(Message):
        def __init__(self, question: PermissionAsked, reply: Reply) -> None:
            super().__init__()
            self.question = question
            self.reply = reply

    def __init__(self, question: PermissionAsked, preview: RenderableType | None = None) -> None:
        super().__init__(classes="permission-prompt")
        self.question = question
        self._preview = preview

    def compose(self) -> ComposeResult:
        question = self.question
        heading = Text()
        heading.append("Allow ", style="bold")
        heading.append(printable(question.name), style="bold reverse")
        target = _target(question)
        if target:
            heading.append(" " + printable(target), style="bold")
        heading.append("?")
        parts: list[RenderableType] = [heading]
        if question.reason:
            parts.append(Text(printable(question.reason), style="dim"))
        if self._preview is not None:
            parts.append(self._preview)
        with VerticalScroll(classes="permission-scroll"):
            yield Static(Group(*parts), classes="permission-question", markup=False)
        with Vertical(classes="permission-actions"):
            with Horizontal(classes="permission-buttons"):
                yield Button("y allow", id="allow_once", variant="success", compact=True)
                if question.always_label:
                    label = f"a always: {printable(question.always_label)}"
                    yield Button(label, id="allow_always", variant="primary", compact=True)
                yield Button("n deny", id="deny", variant="error", compact=True)
                yield Button("e deny, say why", id="explain", compact=True)
            yield Input(
                placeholder="Tell the agent why (Enter sends, esc goes back)",
                classes="permission-why",
                compact=True,
            )

    def on_mount(self) -> None:
        self.query_one(".permission-why", Input).display = False
        self.border_title = "Permission needed"
        self.focus()

    def on_resize(self, event: Resize) -> None:
        """Answers that do not fit in one row take two columns, and one when two do not
        fit either, so that none is cut off."""
        row = self.query_one(".permission-buttons")
        widths = [_natural_width(button) for button in row.query_children(Button)]
        room = self.content_size.width
        # Two columns: y and n on the left, as wide as the wider of them; a and e beside.
        left = max(widths[0::2], default=0)
        single = left + max(widths[1::2], default=0) > room
        self.set_class(sum(widths) > room, "-stacked")
        self.set_class(single, "-single")
        row.styles.grid_columns = "1fr" if single else f"{left} 1fr"

    def action_answer(self, answer: str) -> None:
        choice = Answer(answer)
        if choice is Answer.ALLOW_ALWAYS and not self.question.always_label:
            return
        self._send(Reply(choice))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`esc` leaves the reason field only while it is open; otherwise it goes on to
        the chat, where it interrupts the run."""
        if action == "back":
            return self._explaining
        return True

    @property
    def _explaining(self) -> bool:
        return bool(self.query_one(".permission-why", Input).display)

    def action_explain(self) -> None:
        """The reason field takes the answers' place, so the question keeps its room."""
        self._explain(True)

    def action_back(self) -> None:
        self._explain(False)

    def _explain(self, explaining: bool) -> None:
        why = self.query_one(".permission-why", Input)
        why.display = explaining
        self.query_one(".permission-buttons").display = not explaining
        if explaining:
            why.focus()
        else:
            self.focus()
        self.refresh_bindings()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "explain":
            self.action_explain()
        elif event.button.id:
            self.action_answer(event.button.id)

    @on(Input.Submitted, ".permission-why")
    def _explained(self, event: Input.Submitted) -> None:
        event.stop()
        self._send(Reply(Answer.DENY, event.value.strip()))

    def _send(self, reply: Reply) -> None:
        self.post_message(self.Answered(self.question, reply))


def _natural_width(button: Button) -> int:
    """A button's width in a row: its label padded, at least its minimum, and its margin."""
    least = button.styles.min_width
    minimum = int(least.resolve(button.size, button.app.size)) if least is not None else 0
    return max(cell_len(str(button.label)) + 2, minimum) + button.styles.margin.width


def _target(question: PermissionAsked) -> str:
    tool_input = question.input
    for key in ("file_path", "path", "url", "command", "pattern"):
        value = tool_input.get(key)
        if isinstance(value, str):
            return value if key != "command" else f"`{value}`"
    return ""
