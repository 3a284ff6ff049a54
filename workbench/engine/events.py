"""What a run reports as it goes: one typed event per thing a person might watch.

The app turns these into widgets and the headless CLI into lines or JSON; neither looks
inside the engine. A permission question is an event carrying a future the consumer
answers. Events from a delegated agent carry `scope`: the tool-call ids that lead to it.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from pathlib import Path
from typing import Any

from workbench.engine.tools.base import FileChange
from workbench.engine.usage import Usage


@dataclass(frozen=True, kw_only=True)
class Event:
    scope: tuple[str, ...] = ()
    """Tool-call ids from the top-level run down to the delegated run that sent this."""

    @property
    def kind(self) -> str:
        return _KINDS[type(self)]

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.kind}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "future":
                continue
            data[item.name] = _plain(value)
        return data


@dataclass(frozen=True, kw_only=True)
class RunStarted(Event):
    session_id: str
    run: int
    """Which user message of the conversation this run answers, from 1."""
    agent: str
    agent_path: Path
    model: str
    mode: str
    task: str
    tools: tuple[str, ...]
    sandboxed: bool
    transcript_path: Path


@dataclass(frozen=True, kw_only=True)
class TextDelta(Event):
    block: int
    text: str


@dataclass(frozen=True, kw_only=True)
class ThinkingDelta(Event):
    block: int
    text: str


@dataclass(frozen=True, kw_only=True)
class ToolCallStarted(Event):
    tool_use_id: str
    name: str
    input: dict[str, Any]
    server: bool = False
    """Run by the API inside the response (web search, web fetch), never locally."""


class Answer(StrEnum):
    ALLOW_ONCE = "allow_once"
    ALLOW_ALWAYS = "allow_always"
    """For the rest of this conversation: the tool, or for Bash the command's prefix."""
    DENY = "deny"


@dataclass(frozen=True)
class Reply:
    answer: Answer
    message: str = ""
    """With a denial: words passed to the agent, such as what to do instead."""


@dataclass(frozen=True, kw_only=True)
class PermissionAsked(Event):
    tool_use_id: str
    name: str
    input: dict[str, Any]
    reason: str
    always_label: str
    """What "allow always" would cover, e.g. `Edit` or `Bash(npm test:*)`."""
    future: asyncio.Future[Reply] = field(compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class PermissionDecided(Event):
    tool_use_id: str
    name: str
    allowed: bool
    by: str
    """Who decided: `rule`, `mode`, `session`, `person` or `headless`."""
    message: str = ""


@dataclass(frozen=True, kw_only=True)
class ToolCallFinished(Event):
    tool_use_id: str
    name: str
    content: str
    is_error: bool
    duration_ms: int
    changes: tuple[FileChange, ...] = ()
    server: bool = False


@dataclass(frozen=True, kw_only=True)
class UsageUpdated(Event):
    turn: Usage
    run: Usage
    conversation: Usage
    cost_usd: float | None
    """Cost of the conversation so far, or None when the model's prices are unknown."""


@dataclass(frozen=True, kw_only=True)
class Retrying(Event):
    attempt: int
    delay_s: float
    reason: str
    discarded_output: bool
    """The failed attempt had already streamed text: a consumer should drop it."""


@dataclass(frozen=True, kw_only=True)
class Notice(Event):
    message: str
    level: str = "info"


class Outcome(StrEnum):
    """How a run ended, named as Claude Code's headless result names it."""

    SUCCESS = "success"
    MAX_TURNS = "error_max_turns"
    ERROR = "error_during_execution"
    REFUSAL = "refusal"
    CANCELLED = "cancelled"


@dataclass(frozen=True, kw_only=True)
class RunFinished(Event):
    outcome: Outcome
    stop_reason: str
    final_text: str
    turns: int
    usage: Usage
    cost_usd: float | None
    duration_ms: int
    message: str = ""
    """Why the run ended, when that is not simply the model being done."""


@dataclass(frozen=True, kw_only=True)
class RunFailed(Event):
    error: str
    """A short error type, e.g. `authentication_error`, `overloaded_error`, `connection`."""
    message: str
    partial_text: str
    turns: int
    usage: Usage
    cost_usd: float | None
    duration_ms: int


def _plain(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Usage):
        return value.to_json()
    if isinstance(value, FileChange):
        return {"path": str(value.path), "before": value.before, "after": value.after}
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, StrEnum):
        return value.value
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    return value


_KINDS: dict[type[Event], str] = {
    RunStarted: "run_started",
    TextDelta: "text_delta",
    ThinkingDelta: "thinking_delta",
    ToolCallStarted: "tool_call_started",
    PermissionAsked: "permission_asked",
    PermissionDecided: "permission_decided",
    ToolCallFinished: "tool_call_finished",
    UsageUpdated: "usage",
    Retrying: "retry",
    Notice: "notice",
    RunFinished: "run_finished",
    RunFailed: "run_failed",
}
