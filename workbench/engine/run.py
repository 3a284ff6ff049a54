"""The run loop: stream a turn, run its tool calls, send the results, until the agent is done.

A run is driven by its own task and reports through a queue, so a consumer can iterate
events at its own pace and cancel at any moment; cancelling stops the stream, kills a
running shell command and still ends with a `RunFinished` the transcript records.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from workbench.engine.conversation import Conversation
from workbench.engine.decisions import Verdict
from workbench.engine.dispatch import ToolCalls
from workbench.engine.events import (
    Answer,
    Event,
    Notice,
    Outcome,
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
from workbench.engine.prompt import SERVER_TOOL_NAMES
from workbench.engine.retry import IncompleteStream, classify
from workbench.engine.turn import Turn
from workbench.engine.usage import Usage

ENDINGS = {
    "max_tokens": "the reply reached the model's output limit (max_tokens) and was cut off",
    "refusal": "the model declined to continue (refusal)",
    "model_context_window_exceeded": "the conversation no longer fits the model's context window",
}
_SERVER_NAMES = {server: claude for claude, server in SERVER_TOOL_NAMES.items()}
YIELD_AFTER_S = 0.01
"""The longest the stream's events are taken without letting the event loop run."""


class Run:
    def __init__(self, conversation: Conversation, text: str, scope: tuple[str, ...] = ()) -> None:
        self.conversation = conversation
        self.text = text
        self.scope = scope
        self.result: RunFinished | RunFailed | None = None
        self._queue: asyncio.Queue[Event | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._usage = Usage()
        self._turns = 0
        self._final_text = ""
        self._started = time.monotonic()
        self._calls = ToolCalls(self)
        self._streaming: Turn | None = None
        """The turn being streamed, so a cancelled run keeps the text it had."""

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._drive())

    def cancel(self) -> None:
        """Stop as soon as possible; the run still ends with a `cancelled` RunFinished."""
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def __aiter__(self) -> AsyncIterator[Event]:
        self.start()
        while (event := await self._queue.get()) is not None:
            yield event

    async def batches(self) -> AsyncIterator[list[Event]]:
        """Events in the groups they are waiting in, for consumers that redraw per group.

        A screen fed 20,000 text deltas one message at a time spends its time on messages;
        taking everything already queued at once keeps the cost per redraw, not per delta.
        """
        self.start()
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty():
                batch.append(self._queue.get_nowait())
            events = [event for event in batch if event is not None]
            if events:
                yield events
            if len(events) < len(batch):
                return

    async def ended(self) -> RunFinished | RunFailed:
        """Wait for the run to end while someone else reads its events."""
        self.start()
        assert self._task is not None
        await asyncio.shield(self._task)
        assert self.result is not None
        return self.result

    async def wait(self) -> RunFinished | RunFailed:
        """Run to the end, dropping events; for callers that only want the outcome."""
        async for _ in self:
            pass
        assert self.result is not None
        return self.result

    def emit(self, event: Event) -> None:
        if self.scope:
            event = replace(event, scope=self.scope + event.scope)
        self._queue.put_nowait(event)

    def forward(self, event: Event) -> None:
        """Pass on an event of a delegated run, which already carries its scope."""
        self._queue.put_nowait(event)

    def add_usage(self, usage: Usage) -> None:
        """Count a delegated run's tokens as this run's too."""
        self._usage = self._usage + usage

    async def _drive(self) -> None:
        conversation = self.conversation
        try:
            self._begin()
            await self._loop()
        except asyncio.CancelledError:
            conversation.writer.end_blocks()
            partial = self._streaming.partial_text() if self._streaming else []
            if partial:
                conversation.append({"role": "assistant", "content": partial})
                self._final_text = "".join(block["text"] for block in partial)
            self._finish(Outcome.CANCELLED, "cancelled", "stopped by the person")
        except Exception as error:
            failure = classify(error)
            self._fail(failure.kind, failure.message)
        finally:
            self._queue.put_nowait(None)

    def _begin(self) -> None:
        conversation = self.conversation
        conversation.runs += 1
        for notice in conversation.notices:
            self.emit(Notice(message=notice, level="warning"))
        conversation.notices.clear()
        spec = conversation.config.spec
        self.emit(
            RunStarted(
                session_id=conversation.session_id,
                run=conversation.runs,
                agent=spec.display_name,
                agent_path=spec.path,
                model=conversation.model.id,
                mode=conversation.mode.value,
                task=self.text,
                tools=conversation.toolset.names,
                sandboxed=conversation.sandboxed,
                transcript_path=conversation.path,
            )
        )
        conversation.record({"type": "user", "run": conversation.runs, "text": self.text})
        content: list[dict[str, Any]] = _unanswered_results(conversation.messages)
        content.append({"type": "text", "text": self.text})
        conversation.append({"role": "user", "content": content})

    async def _loop(self) -> None:
        conversation = self.conversation
        tools = await self._tool_definitions()
        limit = conversation.config.max_turns or _agent_max_turns(conversation)
        while True:
            if limit is not None and self._turns >= limit:
                self._finish(
                    Outcome.MAX_TURNS, "max_turns", f"stopped after {limit} turns (--max-turns)"
                )
                return
            self._turns += 1
            turn = await self._stream_turn(tools)
            stop = turn.stop_reason or "end_turn"
            content = turn.content(keep_tool_uses=stop == "tool_use")
            if content:
                conversation.append({"role": "assistant", "content": content})
            if turn.text:
                self._final_text = turn.text
            if stop == "tool_use":
                results = await self._calls.call_all(turn.tool_uses())
                conversation.append({"role": "user", "content": results})
            elif stop == "pause_turn":
                continue
            elif stop in ENDINGS:
                outcome = Outcome.REFUSAL if stop == "refusal" else Outcome.SUCCESS
                self._finish(outcome, stop, ENDINGS[stop])
                return
            else:
                self._finish(Outcome.SUCCESS, stop)
                return

    async def _stream_turn(self, tools: list[dict[str, Any]]) -> Turn:
        conversation = self.conversation
        policy = conversation.config.retry
        attempt = 0
        while True:
            attempt += 1
            turn = Turn(self._on_text, self._on_thinking, self._on_server_tool)
            self._streaming = turn
            try:
                body = conversation.request_body(tools)
                client = await conversation.connect()
                stream = await client.messages.create(**body, stream=True)
                async with stream:
                    await _feed(stream, turn)
                conversation.writer.end_blocks()
                if not turn.complete:
                    raise IncompleteStream
            except (asyncio.CancelledError, KeyboardInterrupt):
                raise
            except Exception as error:
                conversation.writer.end_blocks()
                failure = classify(error)
                if not failure.retryable or attempt >= policy.attempts:
                    raise
                delay = policy.delay(attempt, error)
                self.emit(
                    Retrying(
                        attempt=attempt,
                        delay_s=round(delay, 3),
                        reason=failure.message,
                        discarded_output=turn.streamed_text,
                    )
                )
                conversation.record(
                    {
                        "type": "retry",
                        "attempt": attempt,
                        "delay_s": delay,
                        "reason": failure.message,
                    }
                )
                await asyncio.sleep(delay)
                continue
            self._streaming = None
            self._account(turn)
            return turn

    def _account(self, turn: Turn) -> None:
        conversation = self.conversation
        usage = turn.usage
        self._usage = self._usage + usage
        conversation.usage = conversation.usage + usage
        conversation.record(
            {"type": "usage", "turn": usage.to_json(), "stop_reason": turn.stop_reason}
        )
        self.emit(
            UsageUpdated(
                turn=usage,
                run=self._usage,
                conversation=conversation.usage,
                cost_usd=conversation.price_of(conversation.usage),
            )
        )

    def _on_text(self, block: int, text: str) -> None:
        self.conversation.writer.stream("text", self._turns, block, text)
        self.emit(TextDelta(block=block, text=text))

    def _on_thinking(self, block: int, text: str) -> None:
        self.conversation.writer.stream("thinking", self._turns, block, text)
        self.emit(ThinkingDelta(block=block, text=text))

    def _on_server_tool(self, block: dict[str, Any]) -> None:
        """Web search and fetch run inside the response: show them, never execute them."""
        if block["type"] == "server_tool_use":
            name = _SERVER_NAMES.get(block["name"], block["name"])
            self.emit(
                ToolCallStarted(
                    tool_use_id=block["id"], name=name, input=block.get("input", {}), server=True
                )
            )
            self.conversation.record(
                {"type": "tool_call", "id": block["id"], "name": name, "input": block.get("input")}
            )
            return
        content = block.get("content")
        is_error = isinstance(content, dict) and content.get("type", "").endswith("_error")
        summary = _server_result_summary(content)
        name = "WebFetch" if block["type"].startswith("web_fetch") else "WebSearch"
        self.emit(
            ToolCallFinished(
                tool_use_id=block.get("tool_use_id", ""),
                name=name,
                content=summary,
                is_error=is_error,
                duration_ms=0,
                server=True,
            )
        )
        self.conversation.record(
            {
                "type": "tool_result",
                "id": block.get("tool_use_id"),
                "name": name,
                "server": True,
                "content": summary,
                "is_error": is_error,
            }
        )

    async def _tool_definitions(self) -> list[dict[str, Any]]:
        conversation = self.conversation
        web_allowed = bool(conversation.toolset.web) and await self._web_allowed()
        return conversation.tool_definitions(web_allowed)

    async def _web_allowed(self) -> bool:
        conversation = self.conversation
        if conversation.web_allowed is None:
            decision = conversation.policy.web_access(set(conversation.toolset.web))
            allowed = decision.verdict is Verdict.ALLOW
            label = " and ".join(conversation.toolset.web)
            if decision.verdict is Verdict.ASK:
                reply = await self._calls.ask("web", label, {}, decision.reason, label)
                allowed = reply.answer is not Answer.DENY
            elif not allowed:
                self.emit(
                    Notice(message=f"{label} not offered: {decision.reason}", level="warning")
                )
            conversation.web_allowed = allowed
            conversation.record({"type": "web_access", "allowed": allowed})
        return conversation.web_allowed

    def _finish(self, outcome: Outcome, stop_reason: str, message: str = "") -> None:
        conversation = self.conversation
        self.result = RunFinished(
            outcome=outcome,
            stop_reason=stop_reason,
            final_text=self._final_text,
            turns=self._turns,
            usage=self._usage,
            cost_usd=conversation.price_of(self._usage),
            duration_ms=self._elapsed(),
            message=message,
        )
        self._end(self.result)

    def _fail(self, error: str, message: str) -> None:
        conversation = self.conversation
        self.result = RunFailed(
            error=error,
            message=message,
            partial_text=self._final_text,
            turns=self._turns,
            usage=self._usage,
            cost_usd=conversation.price_of(self._usage),
            duration_ms=self._elapsed(),
        )
        self._end(self.result)

    def _end(self, result: RunFinished | RunFailed) -> None:
        record = result.to_json()
        record["type"] = "outcome"
        self.conversation.record(record)
        self.emit(result)

    def _elapsed(self) -> int:
        return int((time.monotonic() - self._started) * 1000)


def _unanswered_results(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Results for tool calls a stopped run never answered, so the history stays valid."""
    if not messages or messages[-1]["role"] != "assistant":
        return []
    return [
        {
            "type": "tool_result",
            "tool_use_id": block["id"],
            "content": "The run was stopped before this call was answered.",
            "is_error": True,
        }
        for block in messages[-1]["content"]
        if block.get("type") == "tool_use"
    ]


def _agent_max_turns(conversation: Conversation) -> int | None:
    value = conversation.config.spec.field_value("maxTurns")
    return value if isinstance(value, int) and value > 0 else None


def _server_result_summary(content: Any) -> str:
    """A readable line for a server tool's result: titles and URLs, or the error code."""
    if isinstance(content, dict):
        if "error_code" in content:
            return f"error: {content['error_code']}"
        return str(content.get("url") or content.get("type", ""))
    if isinstance(content, list):
        lines = [
            f"{item.get('title', '')} {item.get('url', '')}".strip()
            for item in content
            if isinstance(item, dict)
        ]
        return "\n".join(lines)
    return str(content or "")


async def _feed(stream: AsyncIterator[Any], turn: Turn) -> None:
    """Feed the stream's events to `turn`, letting the event loop run every few ms.

    Events that arrived together are decoded without a wait in between: a fast server's
    reply comes in chunks of hundreds of events, and taking a chunk in one go would
    freeze the screen (and every other run) for as long as it takes.
    """
    started = time.perf_counter()
    async for event in stream:
        turn.feed(event)
        if time.perf_counter() - started > YIELD_AFTER_S:
            await asyncio.sleep(0)
            started = time.perf_counter()
