"""The box where a person types a task for the agent, or a slash command for the workbench.

Enter sends; ctrl+j (or shift+enter where the terminal reports it) breaks the line. Up on
the top row and down on the bottom row walk the workspace's earlier prompts, like a shell.
A leading `/` names a workbench command, completed with tab or right; `//` escapes it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from textual import events
from textual.actions import SkipAction
from textual.binding import Binding
from textual.message import Message

from workbench.prompt_history import PromptHistory
from workbench.safe_text import printable
from workbench.ui.widgets.text_area import UndoSafeTextArea

COMMANDS = ("agent", "model", "mode", "clear", "resume", "cost", "help")
"""Slash commands, in the order completion offers them."""
TAKES_ARGUMENT = frozenset({"agent", "model", "mode", "resume"})
"""Commands whose completion ends with a space, ready for the argument."""
PLACEHOLDER = "Give the agent a task… (Enter sends, ctrl+j new line, / for commands)"

_SLASH = re.compile(r"/(\S*)(.*)", re.DOTALL)
_COMMAND_SHAPED = re.compile(r"[A-Za-z][\w-]*")
"""`/tmp` looks like a command someone mistyped; `/src/app.py` or `/*` is text."""


class _FromPromptBox(Message):
    def __init__(self, prompt_box: PromptBox | None) -> None:
        super().__init__()
        self.prompt_box = prompt_box

    @property
    def control(self) -> PromptBox | None:
        """The box that sent it, so `@on(PromptBox.Submitted, "#prompt")` can match."""
        return self.prompt_box


class PromptBox(UndoSafeTextArea):
    """Posts `Submitted` for a task, `Command` for a slash command, `UnknownCommand` for a typo.

    `completions` maps a command name (`"agent"`, `"model"`, `"mode"`, or any other in
    `COMMANDS`) to the values offered for its argument; the owner may replace it at any time.
    """

    DEFAULT_CSS = """
    PromptBox {
        height: auto;
        max-height: 10;  /* eight lines inside the tall border, then it scrolls */
        &.-textual-compact {
            max-height: 8;
        }
    }
    """

    BINDINGS = [
        # Shown in the footer; `_on_key` acts on it, in order with the typed characters.
        Binding("enter", "submit", "Send", id="prompt.submit"),
        Binding("ctrl+j,shift+enter", "newline", "New line", id="prompt.newline"),
        Binding("tab", "complete", "Complete", id="prompt.complete", show=False),
    ]

    class Submitted(_FromPromptBox):
        """A task for the agent: the box's text without trailing whitespace."""

        def __init__(self, text: str, *, prompt_box: PromptBox | None = None) -> None:
            super().__init__(prompt_box)
            self.text = text

    class Command(_FromPromptBox):
        """A known slash command: `/agent offchain-planner` is `("agent", "offchain-planner")`."""

        def __init__(
            self, name: str, argument: str, *, prompt_box: PromptBox | None = None
        ) -> None:
            super().__init__(prompt_box)
            self.name = name
            self.argument = argument
            """Everything after the command name, stripped; empty when nothing followed."""

    class UnknownCommand(_FromPromptBox):
        """`/name` that is no command; the text stays in the box and the person was told."""

        def __init__(self, name: str, text: str, *, prompt_box: PromptBox | None = None) -> None:
            super().__init__(prompt_box)
            self.name = name
            self.text = text

    def __init__(
        self,
        history: PromptHistory | Path | None = None,
        *,
        completions: Mapping[str, Sequence[str]] | None = None,
        placeholder: str = PLACEHOLDER,
        compact: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        """`history` is a `PromptHistory`, or a workspace folder whose history to keep.

        `None` keeps prompts in memory only.
        """
        super().__init__(
            soft_wrap=True,
            tab_behavior="focus",
            show_line_numbers=False,
            highlight_cursor_line=False,
            compact=compact,
            placeholder=placeholder,
            name=name,
            id=id,
            classes=classes,
            disabled=disabled,
        )
        if isinstance(history, Path):
            history = PromptHistory.for_workspace(history)
        self.prompt_history = history if history is not None else PromptHistory(None)
        """Earlier prompts (`history` is taken: it is TextArea's undo history)."""
        self._completions: Mapping[str, Sequence[str]] = completions or {}
        self._history_index: int | None = None
        """Which entry is shown while walking history; None while editing the draft."""
        self._draft = ""

    @property
    def completions(self) -> Mapping[str, Sequence[str]]:
        """Argument values per command name, e.g. `{"agent": ["offchain-planner"]}`."""
        return self._completions

    @completions.setter
    def completions(self, completions: Mapping[str, Sequence[str]]) -> None:
        self._completions = completions
        self.update_suggestion()

    # --- Sending

    def action_submit(self) -> None:
        """Post the text as a task or a command, remember it and empty the box."""
        text = self.text.rstrip()
        if self.read_only or not text.strip():
            return
        message = self._message_for(text)
        if isinstance(message, PromptBox.UnknownCommand):
            self._report(message.name)
            self.post_message(message)
            return
        self.prompt_history.append(text)
        self._history_index = None
        self._draft = ""
        self.clear()
        self.post_message(message)

    def _message_for(self, text: str) -> Message:
        if text.startswith("//"):
            return PromptBox.Submitted(text[1:], prompt_box=self)
        match = _SLASH.fullmatch(text)
        if match is None:
            return PromptBox.Submitted(text, prompt_box=self)
        word, rest = match.groups()
        if word.lower() in COMMANDS:
            return PromptBox.Command(word.lower(), rest.strip(), prompt_box=self)
        if not word or _COMMAND_SHAPED.fullmatch(word):
            return PromptBox.UnknownCommand(word, text, prompt_box=self)
        return PromptBox.Submitted(text, prompt_box=self)

    def _report(self, name: str) -> None:
        known = ", ".join(f"/{command}" for command in COMMANDS)
        problem = f"/{printable(name)} is not a command." if name else "Type a command after /."
        self.notify(
            f"{problem} Commands: {known}. Start with // to send the text as a task.",
            title="Unknown command",
            severity="warning",
            markup=False,
        )

    def action_newline(self) -> None:
        """Break the line at the cursor (replacing any selection)."""
        if not self.read_only:
            self.replace("\n", *self.selection, maintain_selection_offset=False)

    async def _on_key(self, event: events.Key) -> None:
        """Enter sends, handled here rather than by a priority binding.

        A priority binding runs as soon as the app receives the key, ahead of characters
        typed just before it that this widget has not inserted yet: text and Enter that
        arrive together (a fast typist, a terminal multiplexer) would send an empty box.
        """
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.action_submit()
            return
        await super()._on_key(event)

    async def _on_paste(self, event: events.Paste) -> None:
        # One edit however large the paste; control characters (ESC from coloured output)
        # are made visible so they cannot act on the terminal.
        event.prevent_default()
        if self.read_only:
            return
        text = printable(event.text.replace("\r\n", "\n").replace("\r", "\n"))
        result = self.replace(text, *self.selection, maintain_selection_offset=False)
        self.move_cursor(result.end_location)
        self.focus()

    # --- History

    def action_cursor_up(self, select: bool = False) -> None:
        if select or not self._on_top_row() or not self._walk(-1):
            super().action_cursor_up(select)

    def action_cursor_down(self, select: bool = False) -> None:
        if select or not self._on_bottom_row() or not self._walk(+1):
            super().action_cursor_down(select)

    def _on_top_row(self) -> bool:
        return self.wrapped_document.location_to_offset(self.cursor_location).y == 0

    def _on_bottom_row(self) -> bool:
        row = self.wrapped_document.location_to_offset(self.cursor_location).y
        return row >= self.wrapped_document.height - 1

    def _walk(self, step: int) -> bool:
        """Show the entry `step` away; past the newest is the draft. False at either end.

        Edits to a recalled entry are dropped when walking on; the draft is kept.
        """
        if self.read_only:
            return False
        entries = self.prompt_history.entries
        current = len(entries) if self._history_index is None else self._history_index
        target = current + step
        if not 0 <= target <= len(entries):
            return False
        if self._history_index is None:
            self._draft = self.text
        if target == len(entries):
            self._history_index = None
            self._show(self._draft, at_end=True)
        else:
            self._history_index = target
            # Older: cursor on the top row so the next up goes on; newer: on the bottom row.
            self._show(entries[target], at_end=step > 0)
        return True

    def _show(self, text: str, *, at_end: bool) -> None:
        self.replace(text, (0, 0), self.document.end, maintain_selection_offset=False)
        top_row_end = (0, len(self.document[0]))
        self.move_cursor(self.document.end if at_end else top_row_end)

    # --- Completion

    def watch_selection(self) -> None:
        self.update_suggestion()

    def update_suggestion(self) -> None:
        """Ghost text completing the command name or its argument, when typing at the end."""
        self.suggestion = self._completion()

    def _completion(self) -> str:
        document = self.document
        if document.line_count != 1 or not self.selection.is_empty:
            return ""
        line = document[0]
        if self.cursor_location != (0, len(line)):
            return ""
        if not line.startswith("/") or line.startswith("//"):
            return ""
        word, space, partial = line[1:].partition(" ")
        if not space:
            return _rest_of_first(word, COMMANDS)
        if " " in partial or word not in COMMANDS:
            return ""
        return _rest_of_first(partial, self._completions.get(word, ()))

    def action_complete(self) -> None:
        """Accept the ghost text, then a space if the command takes an argument.

        Skipped (tab moves focus as usual) when there is nothing to complete.
        """
        if self.read_only:
            raise SkipAction()
        completed = False
        if self.suggestion:
            self.insert(self.suggestion)
            completed = True
        line = self.document[0] if self.document.line_count == 1 else ""
        at_end = self.cursor_location == (0, len(line))
        if line.startswith("/") and line[1:] in TAKES_ARGUMENT and at_end:
            self.insert(" ")
            completed = True
        if not completed:
            raise SkipAction()


def _rest_of_first(prefix: str, candidates: Sequence[str]) -> str:
    """What completes `prefix` to the first candidate; nothing when it already is one."""
    if prefix in candidates:
        return ""
    for candidate in candidates:
        if candidate.startswith(prefix):
            return candidate[len(prefix) :]
    return ""
