"""Earlier conversations from their transcripts: a list of them, and each one replayed.

`list_runs` summarises every transcript of a workspace for a picker; `replay` turns one
back into the typed events a live run emits, so whatever renders a live run renders a
past one the same way, delegated runs included.

What a transcript cannot give back exactly:

- Text comes back in the coalesced pieces the transcript holds (per block, or per ~100 ms),
  one `TextDelta` each, not as the deltas the model sent; the text is the same.
- Only the answers to permission questions are recorded: a replay has `PermissionDecided`
  and never `PermissionAsked`.
- Notices given as a run starts (unknown tools, ignored rules, no sandbox) are not
  recorded. Web tools withheld by the rules come back as a notice without the reason.
- `ToolCallFinished.changes` is empty: the transcript names the files a call changed but
  not their contents, and a change without contents would read as a new empty file.
- An attempt that failed and was retried is replayed as it happened live: its text, then
  `Retrying` with `discarded_output`, so a consumer drops that text the same way.
- A resumed conversation keeps the header it started with, so runs after resuming with
  another agent, model or mode replay under the first agent, model and mode.
- A run whose records stop without an outcome (the process was killed, or it is still
  going) ends with a `RunFailed` whose error is `unfinished`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from workbench.config.models import ModelTable, Price, builtin_models
from workbench.engine.events import (
    Event,
    Notice,
    Outcome,
    PermissionDecided,
    Retrying,
    RunFailed,
    RunFinished,
    RunStarted,
    TextDelta,
    ThinkingDelta,
    ToolCallFinished,
    ToolCallStarted,
    UsageUpdated,
)
from workbench.engine.permissions import WEB_TOOLS
from workbench.engine.transcript import read_records, runs_dir
from workbench.engine.usage import Usage

UNFINISHED = "unfinished"
"""The outcome of a conversation whose last run has no outcome: killed, or still running."""
_SERVER_ID_PREFIX = "srvtoolu_"
_WEB_PERMISSION_ID = "web"
"""The id the engine asks web access under, in place of a tool call's id."""


class TranscriptError(ValueError):
    """A file that cannot be read as a workbench transcript; the message says why."""


@dataclass(frozen=True)
class RunSummary:
    """One conversation as a list of earlier runs shows it."""

    session_id: str
    path: Path
    agent: str
    """The agent's name as its file gave it when the conversation started."""
    agent_path: Path
    model: str
    task: str
    """The conversation's first message from the person."""
    runs: int
    """How many messages the person sent, each one a run."""
    started: datetime
    updated: datetime
    """When the last record was written."""
    outcome: str
    """The last run's `Outcome` value, `error_during_execution` for a failed run, or
    `UNFINISHED` when the file stops without one."""
    cost_usd: float | None
    """Of this conversation and every run it delegated to; None when a price is unknown."""
    tokens: int
    """Input, output and cache tokens of this conversation and its delegated runs."""
    parent: str | None
    """The session that delegated this conversation, or None for one a person started."""


@dataclass(frozen=True)
class UnreadableTranscript:
    """A file in the runs folder that is not a readable transcript, and why."""

    path: Path
    reason: str


class RunListing(NamedTuple):
    """`runs, problems = list_runs(workspace)`."""

    runs: list[RunSummary]
    """Newest activity first."""
    problems: list[UnreadableTranscript]
    """Files in the runs folder that could not be read, by name."""


def list_runs(
    workspace: Path, *, include_children: bool = False, models: ModelTable | None = None
) -> RunListing:
    """Every conversation recorded in the workspace, newest activity first.

    Delegated conversations are left out unless `include_children`, except those whose
    parent transcript is missing, so none disappears. A file that cannot be read is never
    an error here: it is listed in `problems` with the reason.
    """
    table = models or builtin_models()
    folder = runs_dir(workspace)
    own: dict[str, tuple[RunSummary, Usage]] = {}
    problems: list[UnreadableTranscript] = []
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        try:
            summary, usage = _summarise(path, table)
        except TranscriptError as error:
            problems.append(UnreadableTranscript(path, str(error)))
            continue
        if summary.session_id in own:
            problems.append(
                UnreadableTranscript(path, f"repeats session {summary.session_id} of another file")
            )
            continue
        own[summary.session_id] = (summary, usage)
    children: dict[str, list[str]] = {}
    for summary, _ in own.values():
        if summary.parent is not None:
            children.setdefault(summary.parent, []).append(summary.session_id)
    runs = [
        _with_delegated(summary, own, children)
        for summary, _ in own.values()
        if include_children or summary.parent not in own
    ]
    runs.sort(key=lambda summary: (summary.updated, summary.session_id), reverse=True)
    return RunListing(runs, problems)


def replay(path: Path, *, models: ModelTable | None = None) -> list[Event]:
    """The conversation in `path` as the events its runs emitted, in order.

    Delegated runs are found by their transcripts' headers in the same folder and put
    between the delegating call's start and finish, scoped by its id, as they were live.
    Raises `TranscriptError` when the file cannot be read as a transcript.
    """
    table = models or builtin_models()
    replayer = _Replayer(path, table, _delegations(path.parent), scope=(), seen=frozenset())
    return replayer.replay()


# reading


@dataclass(frozen=True)
class _Header:
    session_id: str
    agent: str
    agent_path: Path
    model: str
    mode: str
    tools: tuple[str, ...]
    sandboxed: bool
    parent: tuple[str, str] | None
    """The delegating session and tool call."""
    time: float


def _load(path: Path) -> tuple[_Header, list[dict[str, Any]]]:
    try:
        records = list(read_records(path))
    except FileNotFoundError as error:
        raise TranscriptError(f"there is no transcript at {path}") from error
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        raise TranscriptError(f"the file cannot be read: {error}") from error
    if not records:
        try:
            empty = path.stat().st_size == 0
        except OSError:
            empty = False
        raise TranscriptError(
            "the file is empty" if empty else "the file holds no complete JSON record"
        )
    return _header(records[0], path), records[1:]


def _header(record: dict[str, Any], path: Path) -> _Header:
    if record.get("type") != "header":
        raise TranscriptError("not a workbench transcript: it does not start with a header")
    agent = record.get("agent")
    when = _number(record.get("time"))
    if not isinstance(agent, dict) or when is None:
        raise TranscriptError("the header is damaged: it lacks the agent or the time")
    agent_path = Path(_text(agent.get("path")))
    parent = record.get("parent")
    link = None
    if isinstance(parent, dict):
        link = (_text(parent.get("session_id")), _text(parent.get("tool_use_id")))
    tools = record.get("tools")
    return _Header(
        session_id=_text(record.get("session_id")) or path.stem,
        agent=_text(agent.get("name")) or agent_path.stem,
        agent_path=agent_path,
        model=_text(record.get("model")),
        mode=_text(record.get("mode")),
        tools=tuple(str(tool) for tool in tools) if isinstance(tools, list) else (),
        sandboxed=bool(record.get("sandboxed")),
        parent=link,
        time=when,
    )


def _summarise(path: Path, models: ModelTable) -> tuple[RunSummary, Usage]:
    """The file's own summary (delegated runs not yet counted) and its own usage."""
    header, records = _load(path)
    usage = Usage()
    task: str | None = None
    runs = 0
    outcome = UNFINISHED
    updated = header.time
    for record in records:
        when = _number(record.get("time"))
        if when is not None:
            updated = max(updated, when)
        kind = record.get("type")
        if kind == "user":
            runs += 1
            outcome = UNFINISHED
            if task is None:
                task = _text(record.get("text"))
        elif kind == "usage":
            usage = usage + _usage(record.get("turn"))
        elif kind == "outcome":
            outcome = _outcome_name(record)
    summary = RunSummary(
        session_id=header.session_id,
        path=path,
        agent=header.agent,
        agent_path=header.agent_path,
        model=header.model,
        task=task or "",
        runs=runs,
        started=_datetime(header.time),
        updated=_datetime(updated),
        outcome=outcome,
        cost_usd=usage.cost(models.price(header.model)),
        tokens=_tokens(usage),
        parent=header.parent[0] if header.parent else None,
    )
    return summary, usage


def _with_delegated(
    summary: RunSummary,
    own: dict[str, tuple[RunSummary, Usage]],
    children: dict[str, list[str]],
) -> RunSummary:
    """The summary with the cost and tokens of every run it delegated, at any depth."""
    cost: float | None = 0.0
    tokens = 0
    pending = [summary.session_id]
    seen: set[str] = set()
    while pending:
        session = pending.pop()
        if session in seen:
            continue
        seen.add(session)
        part, usage = own[session]
        tokens += _tokens(usage)
        cost = None if cost is None or part.cost_usd is None else cost + part.cost_usd
        pending.extend(children.get(session, ()))
    return replace(summary, cost_usd=cost, tokens=tokens)


def _delegations(folder: Path) -> dict[tuple[str, str], Path]:
    """Delegated transcripts in `folder`, by the session and tool call that started them."""
    found: dict[tuple[str, str], Path] = {}
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        try:
            with path.open(encoding="utf-8") as handle:
                first = json.loads(handle.readline())
            header = _header(first, path) if isinstance(first, dict) else None
        except (OSError, UnicodeDecodeError, ValueError, RecursionError, TranscriptError):
            continue
        if header is not None and header.parent is not None:
            found.setdefault(header.parent, path)
    return found


# replaying


class _Replayer:
    """Walks one transcript's records, keeping what each event needs of what came before."""

    def __init__(
        self,
        path: Path,
        models: ModelTable,
        delegations: dict[tuple[str, str], Path],
        scope: tuple[str, ...],
        seen: frozenset[Path],
    ) -> None:
        self.header, self.records = _load(path)
        self.path = path
        self.models = models
        self.price: Price | None = models.price(self.header.model)
        self.delegations = delegations
        self.scope = scope
        self.seen = seen | {path.resolve()}
        self.events: list[Event] = []
        self.usage = Usage()
        """Of the conversation: its own turns only, as the live conversation counts."""
        self._open = False
        self._run_usage = Usage()
        self._started_at = 0.0
        self._last_time = self.header.time
        self._turns = 0
        """Turns begun in the current run, as far as the records show."""
        self._completed = 0
        self._final_text = ""
        self._attempt_text = ""
        """Text streamed by the current attempt at a turn."""
        self._asked_web = False
        self._unanswered: list[str] = []
        """Calls started but not finished, whose delegated runs are not yet inserted."""
        self._server_ids = {
            _text(record.get("id"))
            for record in self.records
            if record.get("type") == "tool_result" and record.get("server")
        }

    def replay(self) -> list[Event]:
        for number, record in enumerate(self.records, start=2):
            when = _number(record.get("time"))
            if when is not None:
                self._last_time = when
            try:
                self._record(record)
            except (KeyError, TypeError, ValueError, AttributeError):
                self._emit(
                    Notice(
                        message=f"record {number} ({_text(record.get('type'))}) could not "
                        "be replayed: it is damaged",
                        level="warning",
                    )
                )
        if self._open:
            self._unfinished()
        return self.events

    def _emit(self, event: Event) -> None:
        self.events.append(replace(event, scope=self.scope) if self.scope else event)

    def _record(self, record: dict[str, Any]) -> None:
        kind = record.get("type")
        if kind == "user":
            self._user(record)
        elif kind in ("text", "thinking"):
            self._text(kind, record)
        elif kind == "tool_call":
            self._tool_call(record)
        elif kind == "permission":
            self._permission(record)
        elif kind == "tool_result":
            self._tool_result(record)
        elif kind == "usage":
            self._usage(record)
        elif kind == "retry":
            self._emit(
                Retrying(
                    attempt=int(record["attempt"]),
                    delay_s=round(float(record.get("delay_s", 0.0)), 3),
                    reason=str(record.get("reason", "")),
                    discarded_output=bool(self._attempt_text),
                )
            )
            self._attempt_text = ""
        elif kind == "web_access":
            self._web_access(record)
        elif kind == "outcome":
            self._outcome(record)

    def _user(self, record: dict[str, Any]) -> None:
        header = self.header
        started = RunStarted(
            session_id=header.session_id,
            run=int(record["run"]),
            agent=header.agent,
            agent_path=header.agent_path,
            model=header.model,
            mode=header.mode,
            task=str(record["text"]),
            tools=header.tools,
            sandboxed=header.sandboxed,
            transcript_path=self.path,
        )
        if self._open:
            self._unfinished()
        self._open = True
        self._run_usage = Usage()
        self._started_at = self._last_time
        self._turns = 0
        self._completed = 0
        self._final_text = ""
        self._attempt_text = ""
        self._asked_web = False
        self._emit(started)

    def _text(self, kind: str, record: dict[str, Any]) -> None:
        block = int(record["block"])
        text = str(record["text"])
        self._turns = max(self._turns, int(record.get("turn", 0)))
        if kind == "text":
            self._attempt_text += text
            self._emit(TextDelta(block=block, text=text))
        else:
            self._emit(ThinkingDelta(block=block, text=text))

    def _tool_call(self, record: dict[str, Any]) -> None:
        call_id = str(record["id"])
        server = call_id in self._server_ids or call_id.startswith(_SERVER_ID_PREFIX)
        tool_input = record.get("input")
        self._emit(
            ToolCallStarted(
                tool_use_id=call_id,
                name=str(record["name"]),
                input=tool_input if isinstance(tool_input, dict) else {},
                server=server,
            )
        )
        if not server:
            self._unanswered.append(call_id)

    def _permission(self, record: dict[str, Any]) -> None:
        call_id = str(record["id"])
        if call_id == _WEB_PERMISSION_ID:
            self._asked_web = True
        self._emit(
            PermissionDecided(
                tool_use_id=call_id,
                name=str(record["name"]),
                allowed=bool(record["allowed"]),
                by=str(record.get("by", "")),
                message=str(record.get("message", "")),
            )
        )

    def _tool_result(self, record: dict[str, Any]) -> None:
        call_id = _text(record.get("id"))
        server = bool(record.get("server"))
        if not server and call_id in self._unanswered:
            self._unanswered.remove(call_id)
            self._delegated(call_id, count_usage=True)
        self._emit(
            ToolCallFinished(
                tool_use_id=call_id,
                name=str(record["name"]),
                content=str(record.get("content", "")),
                is_error=bool(record.get("is_error")),
                duration_ms=int(record.get("duration_ms", 0)),
                server=server,
            )
        )

    def _delegated(self, call_id: str, *, count_usage: bool) -> None:
        """Insert the run a call delegated to, as its events arrived inside the call."""
        path = self.delegations.get((self.header.session_id, call_id))
        if path is None or path.resolve() in self.seen:
            return
        scope = (*self.scope, call_id)
        try:
            child = _Replayer(path, self.models, self.delegations, scope, self.seen)
            self.events.extend(child.replay())
        except TranscriptError as error:
            message = f"the delegated run's transcript {path.name} cannot be read: {error}"
            self.events.append(Notice(message=message, level="warning", scope=scope))
            return
        if count_usage:
            self._run_usage = self._run_usage + child.usage

    def _usage(self, record: dict[str, Any]) -> None:
        turn = _usage(record["turn"])
        self._run_usage = self._run_usage + turn
        self.usage = self.usage + turn
        self._completed += 1
        self._turns = max(self._turns, self._completed)
        if self._attempt_text:
            self._final_text = self._attempt_text
        self._attempt_text = ""
        self._emit(
            UsageUpdated(
                turn=turn,
                run=self._run_usage,
                conversation=self.usage,
                cost_usd=self.usage.cost(self.price),
            )
        )

    def _web_access(self, record: dict[str, Any]) -> None:
        if record.get("allowed") or self._asked_web:
            return
        label = " and ".join(tool for tool in self.header.tools if tool in WEB_TOOLS)
        self._emit(Notice(message=f"{label or 'web tools'} not offered", level="warning"))

    def _outcome(self, record: dict[str, Any]) -> None:
        self._insert_unanswered()
        usage = _usage(record.get("usage"))
        common: dict[str, Any] = {
            "turns": int(record.get("turns", 0)),
            "usage": usage,
            "cost_usd": _number(record.get("cost_usd")),
            "duration_ms": int(record.get("duration_ms", 0)),
        }
        if "outcome" in record:
            self._emit(
                RunFinished(
                    outcome=Outcome(record["outcome"]),
                    stop_reason=str(record.get("stop_reason", "")),
                    final_text=str(record.get("final_text", "")),
                    message=str(record.get("message", "")),
                    **common,
                )
            )
        else:
            self._emit(
                RunFailed(
                    error=str(record["error"]),
                    message=str(record.get("message", "")),
                    partial_text=str(record.get("partial_text", "")),
                    **common,
                )
            )
        self._open = False

    def _unfinished(self) -> None:
        self._insert_unanswered()
        self._emit(
            RunFailed(
                error=UNFINISHED,
                message="the run did not finish: its transcript stops before an outcome "
                "(the process was stopped, or the run is still going)",
                partial_text=self._final_text,
                turns=self._turns,
                usage=self._run_usage,
                cost_usd=self._run_usage.cost(self.price),
                duration_ms=max(0, int((self._last_time - self._started_at) * 1000)),
            )
        )
        self._open = False

    def _insert_unanswered(self) -> None:
        """Calls the run never answered (it was stopped) may still have delegated."""
        for call_id in self._unanswered:
            self._delegated(call_id, count_usage=False)
        self._unanswered.clear()


# small parts


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _number(value: object) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _usage(value: object) -> Usage:
    if not isinstance(value, dict):
        return Usage()
    counts = {
        item.name: value[item.name]
        for item in fields(Usage)
        if isinstance(value.get(item.name), int) and not isinstance(value.get(item.name), bool)
    }
    return Usage(**counts)


def _tokens(usage: Usage) -> int:
    return (
        usage.input_tokens
        + usage.output_tokens
        + usage.cache_write_tokens
        + usage.cache_read_tokens
    )


def _outcome_name(record: dict[str, Any]) -> str:
    if "outcome" not in record:
        return Outcome.ERROR.value
    value = _text(record.get("outcome"))
    return value if value in _OUTCOMES else Outcome.ERROR.value


def _datetime(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


_OUTCOMES: frozenset[str] = frozenset(outcome.value for outcome in Outcome)
