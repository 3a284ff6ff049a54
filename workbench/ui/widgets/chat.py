"""A chat with one agent: its header, the conversation, the inline permission question,
the agent's checklist, the prompt box and a status line.

The conversation runs in an async worker that hands the engine's events over in batches;
the handlers here own every widget change.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widget import AwaitMount, Widget
from textual.widgets import Static

from workbench.agentfile.roster import Roster
from workbench.agentfile.spec import AgentSpec
from workbench.engine.client import MissingCredentials, check_credentials
from workbench.engine.conversation import Conversation, RunConfig
from workbench.engine.events import (
    Event,
    PermissionAsked,
    PermissionDecided,
    RunFailed,
    RunFinished,
    RunStarted,
    ToolCallFinished,
    ToolCallStarted,
    UsageUpdated,
)
from workbench.engine.modes import Mode, parse_mode
from workbench.engine.preview import proposed_change
from workbench.engine.prompt import choose_model
from workbench.engine.replay import replay
from workbench.engine.run import Run
from workbench.engine.toolbox import select_tools
from workbench.engine.usage import Usage
from workbench.plurals import counted
from workbench.safe_text import printable
from workbench.ui.diff_text import diff_text
from workbench.ui.swatch import agent_color
from workbench.ui.widgets.chat_log import ChatLog
from workbench.ui.widgets.in_place import update_in_place
from workbench.ui.widgets.permission_prompt import PermissionPrompt
from workbench.ui.widgets.prompt_box import PromptBox
from workbench.ui.widgets.run_files import RunFiles
from workbench.ui.widgets.todo_list import TodoList
from workbench.ui.widgets.tool_block import ToolBlock

if TYPE_CHECKING:
    from workbench.ui.app import WorkbenchApp

NO_CREDENTIALS = (
    "Running an agent needs the Anthropic API or a server that speaks it, and neither is "
    "configured.\n\n"
    "  • For the API: set ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN) in the shell you start "
    "the workbench from, e.g.  export ANTHROPIC_API_KEY=sk-ant-…\n"
    "  • For a proxy or a local server that speaks the Messages API: set ANTHROPIC_BASE_URL, "
    "e.g.  export ANTHROPIC_BASE_URL=http://localhost:8080\n\n"
    "Then start the workbench again. Everything else works without them."
)
HELP = (
    "Enter sends; ctrl+j starts a new line; ↑/↓ walk earlier prompts. esc interrupts a run. "
    "Commands: /agent NAME (another agent: a new conversation), /model MODEL, "
    "/mode MODE (permission mode), /clear (new conversation), /resume (an earlier run), "
    "/cost, /help."
)


@dataclass(frozen=True)
class ChatState:
    working: bool = False
    asking: bool = False
    failed: bool = False


CHAT_CSS = Path(__file__).with_name("chat.tcss")
"""The chat's styles, read when the first chat opens rather than before the first frame."""


class ChatView(Vertical):
    BINDINGS = [
        Binding("escape", "interrupt", "Interrupt", id="chat.interrupt"),
    ]

    class Batch(Message):
        def __init__(self, events: list[Event]) -> None:
            super().__init__()
            self.events = events

    class StateChanged(Message):
        def __init__(self, chat: ChatView) -> None:
            super().__init__()
            self.chat = chat

    class PickAgent(Message):
        def __init__(self, chat: ChatView, name: str) -> None:
            super().__init__()
            self.chat = chat
            self.name = name

    class ResumeRequested(Message):
        def __init__(self, chat: ChatView) -> None:
            super().__init__()
            self.chat = chat

    class FilesWritten(Message):
        """A tool call changed files: history records them as its work."""

        def __init__(self, chat: ChatView, event: ToolCallFinished) -> None:
            super().__init__()
            self.chat = chat
            self.event = event

    def __init__(self, spec: AgentSpec, files: RunFiles, *, id: str) -> None:
        super().__init__(id=id, classes="chat")
        self.spec = spec
        self.files = files
        self.conversation: Conversation | None = None
        self.run: Run | None = None
        self.state = ChatState()
        self.model_override: str | None = None
        self.mode_override: Mode | None = None
        self._log = ChatLog(files.workspace)
        self._todo_inputs: dict[str, object] = {}
        self._run_started_at = 0.0
        self._turns = 0
        self._usage = Usage()
        self._cost: float | None = None
        self._newer: AgentSpec | None = None
        """The agent's file as changed on disk while a conversation used the old one."""
        self._status_waits: asyncio.Task[None] | None = None

    @property
    def workbench(self) -> WorkbenchApp:
        return cast("WorkbenchApp", self.app)

    @property
    def working(self) -> bool:
        return self.run is not None

    def compose(self) -> ComposeResult:
        yield Static("", classes="chat-header", markup=False)
        with VerticalScroll(classes="chat-scroll"):
            yield self._log
        yield TodoList()
        yield Vertical(classes="chat-ask")
        yield PromptBox(self.workbench.options.workspace)
        yield Static("", classes="chat-status", markup=False)

    def on_mount(self) -> None:
        self.query_one(".chat-scroll", VerticalScroll).anchor()
        self._show_header()
        self._show_status()
        self._refresh_completions()
        self.set_interval(1.0, self._tick)
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._show_header())

    def focus_prompt(self) -> None:
        self.query_one(PromptBox).focus()

    # sending

    @on(PromptBox.Submitted)
    def _submitted(self, event: PromptBox.Submitted) -> None:
        event.stop()
        self.send(event.text)

    def send(self, text: str) -> None:
        if self.working:
            self._log.add_line("A run is still working: wait for it, or press esc to interrupt.")
            return
        try:
            check_credentials(None)
        except MissingCredentials:
            self._log.add_user(text)
            self._log.add_line(NO_CREDENTIALS, "yellow")
            return
        conversation = self.conversation or self._new_conversation()
        self._log.add_user(text)
        self.run = conversation.send(text)
        self._run_started_at = time.monotonic()
        self.workbench.run_started()
        self._set_state(ChatState(working=True))
        self._drive(self.run)

    @work(exclusive=True, exit_on_error=False)
    async def _drive(self, run: Run) -> None:
        async for events in run.batches():
            self.post_message(self.Batch(events))

    def _new_conversation(self) -> Conversation:
        app = self.workbench
        config = RunConfig(
            spec=self.spec,
            workspace=app.options.workspace,
            roster=app.roster,
            mode=self._mode(),
            model=self.model_override or app.options.model,
            models=app.models,
        )
        self.conversation = Conversation(config)
        self.files.clear()
        self._show_header()
        return self.conversation

    def _mode(self) -> Mode | None:
        if self.mode_override is not None:
            return self.mode_override
        chosen = self.workbench.options.permission_mode
        return parse_mode(chosen) if chosen else None

    # events

    @on(Batch)
    def _batch(self, message: Batch) -> None:
        message.stop()
        for event in message.events:
            self._log.handle(event)
            self._side_effects(event)
        newest = self._log.newest_block()
        if newest is None or newest.is_mounted:
            self._show_status()
        elif self._status_waits is None:
            self._status_waits = asyncio.create_task(self._show_status_with(newest))

    async def _show_status_with(self, block: Widget) -> None:
        """Show the status line in the frame that first shows `block`.

        Updated at once, the line takes a frame of its own before the block has mounted,
        and the block then waits a whole frame interval (16 ms) for the next one: a third
        of what a message at the end of a long conversation takes to appear.
        """
        try:
            if isinstance(block.parent, Widget):
                async with asyncio.timeout(1):
                    await AwaitMount(block.parent, [block])
        except TimeoutError:
            pass
        finally:
            self._status_waits = None
        if self.is_attached:
            self._show_status()

    def _side_effects(self, event: Event) -> None:
        if isinstance(event, ToolCallStarted):
            self.files.started(event)
            if event.name == "TodoWrite" and not event.scope:
                self._todo_inputs[event.tool_use_id] = event.input.get("todos")
        elif isinstance(event, ToolCallFinished):
            self.files.finished(event)
            if event.changes:
                self.post_message(self.FilesWritten(self, event))
            todos = self._todo_inputs.pop(event.tool_use_id, None)
            if todos is not None and not event.is_error:
                self.query_one(TodoList).show(todos)
        elif isinstance(event, PermissionAsked):
            self._ask(event)
        elif isinstance(event, PermissionDecided):
            self._clear_question(event.tool_use_id)
        elif isinstance(event, UsageUpdated) and not event.scope:
            self._usage = event.conversation
            self._cost = event.cost_usd
            self._turns += 1
        elif isinstance(event, RunStarted) and not event.scope:
            self._turns = 0
        elif isinstance(event, (RunFinished, RunFailed)) and not event.scope:
            self._run_ended(event)

    def _run_ended(self, event: RunFinished | RunFailed) -> None:
        self.run = None
        self.files.flush()
        self.query_one(".chat-ask").remove_children()
        self.query_one(TodoList).display = False
        self._set_state(ChatState(failed=isinstance(event, RunFailed)))
        elapsed = time.monotonic() - self._run_started_at
        self.workbench.run_ended(self, elapsed)

    def _ask(self, question: PermissionAsked) -> None:
        preview = None
        proposed = None
        if self.conversation is not None:
            proposed = proposed_change(question.name, question.input, self.conversation.jail)
        if proposed is not None:
            preview = diff_text(proposed.before, proposed.after, proposed.label)
        elif question.name == "Bash":
            preview = Text(printable(str(question.input.get("command", ""))), style="bold")
        area = self.query_one(".chat-ask")
        area.remove_children()
        area.mount(PermissionPrompt(question, preview))
        tool = self._log.tool(question.tool_use_id)
        if tool is not None:
            tool.wait_for_answer()
        self._set_state(ChatState(working=True, asking=True))

    @on(PermissionPrompt.Answered)
    def _answered(self, message: PermissionPrompt.Answered) -> None:
        message.stop()
        if not message.question.future.done():
            message.question.future.set_result(message.reply)
        self.query_one(".chat-ask").remove_children()
        self._set_state(ChatState(working=self.working))
        self.focus_prompt()

    def _clear_question(self, tool_use_id: str) -> None:
        """Only the question area is searched: every tool call decides its permission, and a
        query of the whole chat would walk every block of a long conversation each time."""
        for prompt in self.query_one(".chat-ask").query_children(PermissionPrompt):
            if prompt.question.tool_use_id == tool_use_id:
                prompt.remove()

    @on(ChatLog.RetryRequested)
    def _retry(self, message: ChatLog.RetryRequested) -> None:
        message.stop()
        self.send(message.task)

    # steering

    def action_interrupt(self) -> None:
        if self.run is not None:
            self.run.cancel()
            self._log.add_line("interrupting…")

    @on(PromptBox.Command)
    def _command(self, message: PromptBox.Command) -> None:
        message.stop()
        name, argument = message.name, message.argument.strip()
        if name == "agent":
            self.post_message(self.PickAgent(self, argument))
        elif name == "resume":
            self.post_message(self.ResumeRequested(self))
        elif name == "clear":
            self.start_over("New conversation.")
        elif name == "model":
            self._set_model(argument)
        elif name == "mode":
            self._set_mode(argument)
        elif name == "cost":
            self._log.add_line(self._cost_line(), "")
        else:
            self._log.add_line(HELP, "")

    def start_over(self, why: str) -> None:
        """A new conversation in this tab; the old one stays in its transcript."""
        if self.working:
            self._log.add_line("A run is still working: interrupt it first (esc).")
            return
        if self.conversation is not None:
            self.conversation.close()
        self.conversation = None
        if self._newer is not None:
            self.spec, self._newer = self._newer, None
        self._usage, self._cost = Usage(), None
        self._log.add_line(why, "bold")
        self.files.clear()
        self._show_header()
        self._show_status()

    def tool_block(self, tool_use_id: str) -> ToolBlock | None:
        return self._log.tool(tool_use_id)

    def roster_reloaded(self, roster: Roster) -> None:
        """Take the agent's file as it is now, unless a conversation already runs on it."""
        fresh = next((s for s in roster.specs if s.path == self.spec.path), None)
        if fresh is None or fresh.content_hash == self.spec.content_hash:
            return
        if self.conversation is None:
            self.spec = fresh
            self._show_header()
            return
        if self._newer is None or fresh.content_hash != self._newer.content_hash:
            self._newer = fresh
            self._log.add_line(
                f"{printable(self.spec.display_name)}'s file changed on disk. This "
                "conversation keeps the prompt it started with; /clear starts one with the "
                "new prompt.",
                "yellow",
            )

    def change_agent(self, spec: AgentSpec) -> None:
        self.spec = spec
        self.start_over(f"New conversation with {spec.display_name}.")
        self._refresh_completions()

    def _set_model(self, model: str) -> None:
        if not model:
            self._log.add_line(f"Model: {self._model_id()}. Change it with /model MODEL.")
            return
        self.model_override = model
        if self.conversation is not None and self.conversation.messages:
            self.start_over(f"New conversation with model {self._model_id()}.")
        else:
            self.conversation = None
            self._show_header()

    def _set_mode(self, text: str) -> None:
        try:
            mode = parse_mode(text)
        except ValueError as error:
            self._log.add_line(str(error), "yellow")
            return
        self.mode_override = mode
        if self.conversation is not None:
            self.conversation.mode = mode
            self.conversation.policy.mode = mode
        self._log.add_line(f"Permission mode: {mode.value}.")
        self._show_header()

    def resume(self, session_id: str) -> None:
        """Show an earlier conversation as it happened, and continue it from here."""
        app = self.workbench
        config = RunConfig(
            spec=self.spec,
            workspace=app.options.workspace,
            roster=app.roster,
            mode=self._mode(),
            model=self.model_override or app.options.model,
            models=app.models,
        )
        conversation = Conversation.resume(config, session_id)
        self.conversation = conversation
        self.files.clear()
        for event in replay(conversation.path):
            if isinstance(event, RunStarted) and not event.scope:
                self._log.add_user(event.task)
            self._log.handle(event)
            if isinstance(event, (ToolCallStarted, ToolCallFinished)):
                self._side_effects(event)
        self._log.finish_all()
        self._log.add_line(f"Resumed conversation {session_id}; type to continue it.", "bold")
        self.call_after_refresh(self._log.refold)
        self._usage = conversation.usage
        self._cost = conversation.price_of(conversation.usage)
        self._show_header()
        self._show_status()

    # presentation

    def _set_state(self, state: ChatState) -> None:
        self.state = state
        self.set_class(state.asking, "-asking")
        self.post_message(self.StateChanged(self))
        self._show_status()

    def _model_id(self) -> str:
        if self.conversation is not None:
            return self.conversation.model.id
        override = self.model_override or self.workbench.options.model
        return choose_model(self.spec, self.workbench.models, override).id

    def _show_header(self) -> None:
        spec = self.spec
        title = Text()
        color = agent_color(spec.color, self.app.current_theme)
        title.append(printable(spec.display_name), style=Style(bold=True, color=color))
        title.append(f"  {self._model_id()}", style="bold")
        mode = self.conversation.mode if self.conversation else (self._mode() or _agent_mode(spec))
        title.append(f"  mode {mode.value}", style="dim")
        tools = self.conversation.toolset.names if self.conversation else select_tools(spec).names
        title.append(f"\ntools: {printable(', '.join(tools)) or 'none'}", style="dim")
        self.query_one(".chat-header", Static).update(title)

    def _show_status(self) -> None:
        usage = self._usage
        parts = [printable(self.spec.display_name), self._model_id()]
        if self.working:
            parts.append(f"{time.monotonic() - self._run_started_at:.0f} s")
        parts.append(counted(self._turns, "turn"))
        parts.append(
            f"{_k(usage.input_tokens)} in / {_k(usage.output_tokens)} out / "
            f"{_k(usage.cache_read_tokens + usage.cache_write_tokens)} cache"
        )
        parts.append(f"${self._cost:.4f}" if self._cost is not None else "cost —")
        text = Text(" · ".join(parts), style="dim")
        if self.state.asking:
            text.append(" · ", style="dim")
            text.append("? waiting for your answer", style="bold yellow")
        elif self.working:
            text.append(" · ", style="dim")
            text.append("● working… (esc interrupts)", style="bold")
        update_in_place(self.query_one(".chat-status", Static), text)

    def _cost_line(self) -> str:
        usage = self._usage
        cost = (
            f"${self._cost:.4f}" if self._cost is not None else "unknown (no prices for this model)"
        )
        return (
            f"This conversation: {usage.input_tokens:,} input, {usage.output_tokens:,} output, "
            f"{usage.cache_write_tokens:,} cache-write and {usage.cache_read_tokens:,} cache-read "
            f"tokens; cost {cost}."
        )

    def _tick(self) -> None:
        if self.working:
            self._show_status()

    def _refresh_completions(self) -> None:
        app = self.workbench
        agents = (
            sorted({s.display_name for s in app.roster.agents if s.active}) if app.roster else []
        )
        box = self.query_one(PromptBox)
        box.completions = {
            "agent": agents,
            "model": sorted({*app.models.aliases, *app.models.served}),
            "mode": [mode.value for mode in Mode],
        }


def _agent_mode(spec: AgentSpec) -> Mode:
    try:
        return parse_mode(spec.permission_mode) if spec.permission_mode else Mode.DEFAULT
    except ValueError:
        return Mode.DEFAULT


def _k(tokens: int) -> str:
    return f"{tokens / 1000:.1f}k" if tokens >= 1000 else str(tokens)
