"""`workbench run`: one agent, one task, no screen; output for people or pipelines.

`text` streams the answer and one line per tool call to stdout, notices to stderr;
`json` prints one result object shaped like Claude Code's headless result; `stream-json`
prints every event as a JSON line, then that result.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from typing import Any, TextIO

from workbench.engine.calls import describe
from workbench.engine.conversation import Conversation
from workbench.engine.events import (
    Answer,
    Event,
    Notice,
    Outcome,
    PermissionAsked,
    PermissionDecided,
    Reply,
    Retrying,
    RunFailed,
    RunFinished,
    TextDelta,
    ToolCallFinished,
    ToolCallStarted,
)
from workbench.safe_text import json_text, printable
from workbench.watch.history import FileHistory


def result_object(conversation: Conversation, outcome: RunFinished | RunFailed) -> dict[str, Any]:
    usage = outcome.usage
    subtype = outcome.outcome if isinstance(outcome, RunFinished) else Outcome.ERROR
    data: dict[str, Any] = {
        "type": "result",
        "subtype": subtype.value,
        "is_error": subtype is not Outcome.SUCCESS,
        "result": outcome.final_text if isinstance(outcome, RunFinished) else outcome.partial_text,
        "num_turns": outcome.turns,
        "session_id": conversation.session_id,
        "total_cost_usd": outcome.cost_usd,
        "usage": {
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "cache_creation_input_tokens": usage.cache_write_tokens,
            "cache_read_input_tokens": usage.cache_read_tokens,
            "web_search_requests": usage.web_search_requests,
        },
        "duration_ms": outcome.duration_ms,
        "model": conversation.model.id,
        "transcript_path": str(conversation.path),
    }
    if isinstance(outcome, RunFinished):
        data["stop_reason"] = outcome.stop_reason
        if outcome.message:
            data["message"] = outcome.message
    else:
        data["error"] = outcome.error
        data["message"] = outcome.message
    return data


async def run_headless(
    conversation: Conversation,
    task: str,
    output: str,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    run = conversation.send(task)
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, run.cancel)
    printer = _TextPrinter(out, err)
    history = FileHistory(conversation.config.workspace)
    agent = conversation.config.spec.display_name
    try:
        async for event in run:
            if isinstance(event, ToolCallFinished) and event.changes:
                history.record_call(event, conversation.session_id, agent)
            if isinstance(event, PermissionAsked):
                event.future.set_result(Reply(Answer.DENY, "nothing can be asked headless"))
            if output == "stream-json":
                print(json_text(event.to_json(), indent=None), file=out, flush=True)
            elif output == "text":
                printer.show(event)
    finally:
        conversation.close()
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)
    outcome = run.result
    assert outcome is not None
    if output in ("json", "stream-json"):
        print(json_text(result_object(conversation, outcome), indent=None), file=out, flush=True)
    else:
        printer.close(outcome)
    succeeded = isinstance(outcome, RunFinished) and outcome.outcome is Outcome.SUCCESS
    return 0 if succeeded else 1


class _TextPrinter:
    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out = out
        self.err = err
        self._mid_line = False
        self._calls: dict[str, str] = {}

    def show(self, event: Event) -> None:
        if event.scope:
            return
        if isinstance(event, ToolCallStarted):
            self._calls[event.tool_use_id] = describe(event.name, event.input)
        if isinstance(event, TextDelta):
            text = printable(event.text)
            self.out.write(text)
            self.out.flush()
            self._mid_line = not text.endswith("\n")
        elif isinstance(event, ToolCallFinished):
            self._line(self.out, _tool_line(event, self._calls.pop(event.tool_use_id, "")))
        elif isinstance(event, Notice):
            self._line(self.err, f"note: {printable(event.message)}")
        elif isinstance(event, Retrying):
            self._line(
                self.err,
                f"retrying in {event.delay_s:.1f} s (attempt {event.attempt + 1}): "
                f"{printable(event.reason)}",
            )
        elif isinstance(event, PermissionDecided) and not event.allowed:
            self._line(self.err, f"denied {event.name}: {printable(event.message)}")

    def close(self, outcome: RunFinished | RunFailed) -> None:
        if self._mid_line:
            self.out.write("\n")
            self._mid_line = False
        if isinstance(outcome, RunFailed):
            self._line(self.err, f"error: {printable(outcome.message)}")
        elif outcome.message:
            self._line(self.err, f"stopped: {printable(outcome.message)}")

    def _line(self, stream: TextIO, text: str) -> None:
        if self._mid_line:
            self.out.write("\n")
            self._mid_line = False
        print(text, file=stream, flush=True)


def _tool_line(event: ToolCallFinished, what: str) -> str:
    status = "error" if event.is_error else "ok"
    first = event.content.strip().splitlines()[0] if event.content.strip() else ""
    detail = f": {first[:160]}" if event.is_error and first else ""
    return printable(f"[{event.name}] {what} — {status} ({event.duration_ms} ms){detail}")
