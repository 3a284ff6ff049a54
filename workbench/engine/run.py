"""The run loop: stream a turn, run its tool calls, send the results, until the agent is done.

A run is driven by its own task and reports through a queue, so a consumer can iterate
events at its own pace and cancel at any moment; cancelling stops the stream, kills a
running shell command and still ends with a `RunFinished` the transcript records.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import Any

from workbench.engine.conversation import Conversation, Parent, RunConfig
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
    RunStarted,
    TextDelta,
    ThinkingDelta,
    ToolCallFinished,
    ToolCallStarted,
    UsageUpdated,
)
from workbench.engine.permissions import Verdict
from workbench.engine.prompt import SERVER_TOOL_NAMES, WEB_FETCH, WEB_SEARCH, request
from workbench.engine.retry import IncompleteStream, classify
from workbench.engine.tools.base import Tool, ToolError, ToolKind, ToolResult
from workbench.engine.tools.schema import check_input
from workbench.engine.turn import ToolUse, Turn
from workbench.engine.usage import Usage

ENDINGS = {
    "max_tokens": "the reply reached the model's output limit (max_tokens) and was cut off",
    "refusal": "the model declined to continue (refusal)",
    "model_context_window_exceeded": "the conversation no longer fits the model's context window",
}
_SERVER_NAMES = {server: claude for claude, server in SERVER_TOOL_NAMES.items()}


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

    async def wait(self) -> RunFinished | RunFailed:
        """Run to the end, dropping events; for callers that only want the outcome."""
        async for _ in self:
            pass
        assert self.result is not None
        return self.result

    def _emit(self, event: Event) -> None:
        if self.scope:
            event = replace(event, scope=self.scope + event.scope)
        self._queue.put_nowait(event)

    async def _drive(self) -> None:
        conversation = self.conversation
        try:
            self._begin()
            await self._loop()
        except asyncio.CancelledError:
            conversation.writer.end_blocks()
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
            self._emit(Notice(message=notice, level="warning"))
        conversation.notices.clear()
        spec = conversation.config.spec
        self._emit(
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
                results = await self._call_tools(turn.tool_uses())
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
            try:
                body = request(
                    model=conversation.model,
                    system=conversation.system,
                    tools=tools,
                    messages=conversation.messages,
                )
                stream = await conversation.client.messages.create(**body, stream=True)
                async with stream:
                    async for event in stream:
                        turn.feed(event)
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
                self._emit(
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
        self._emit(
            UsageUpdated(
                turn=usage,
                run=self._usage,
                conversation=conversation.usage,
                cost_usd=conversation.price_of(conversation.usage),
            )
        )

    def _on_text(self, block: int, text: str) -> None:
        self.conversation.writer.stream("text", self._turns, block, text)
        self._emit(TextDelta(block=block, text=text))

    def _on_thinking(self, block: int, text: str) -> None:
        self.conversation.writer.stream("thinking", self._turns, block, text)
        self._emit(ThinkingDelta(block=block, text=text))

    def _on_server_tool(self, block: dict[str, Any]) -> None:
        """Web search and fetch run inside the response: show them, never execute them."""
        if block["type"] == "server_tool_use":
            name = _SERVER_NAMES.get(block["name"], block["name"])
            self._emit(
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
        self._emit(
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
        definitions = [tool.definition() for tool in conversation.toolset.local.values()]
        if conversation.toolset.web and await self._web_allowed():
            allowed, blocked = conversation.policy.web_domains()
            for name in conversation.toolset.web:
                tool: dict[str, Any] = dict(WEB_SEARCH if name == "WebSearch" else WEB_FETCH)
                if allowed:
                    tool["allowed_domains"] = list(allowed)
                elif blocked:
                    tool["blocked_domains"] = list(blocked)
                definitions.append(tool)
        return definitions

    async def _web_allowed(self) -> bool:
        conversation = self.conversation
        if conversation.web_allowed is None:
            decision = conversation.policy.web_access(set(conversation.toolset.web))
            allowed = decision.verdict is Verdict.ALLOW
            label = " and ".join(conversation.toolset.web)
            if decision.verdict is Verdict.ASK:
                reply = await self._ask("web", label, {}, decision.reason, label)
                allowed = reply.answer is not Answer.DENY
            elif not allowed:
                self._emit(
                    Notice(message=f"{label} not offered: {decision.reason}", level="warning")
                )
            conversation.web_allowed = allowed
            conversation.record({"type": "web_access", "allowed": allowed})
        return conversation.web_allowed

    async def _call_tools(self, uses: list[ToolUse]) -> list[dict[str, Any]]:
        """Every call of the turn gets its result, in order; reads run side by side."""
        results: dict[str, dict[str, Any]] = {}
        reads: list[tuple[ToolUse, Tool]] = []
        for use in uses:
            tool, refusal = await self._admit(use)
            if tool is not None and tool.kind is ToolKind.READ:
                reads.append((use, tool))
                continue
            await self._run_reads(reads, results)
            reads = []
            if tool is None:
                results[use.id] = self._finished(use, refusal, True, 0)
            else:
                results[use.id] = await self._execute(use, tool)
        await self._run_reads(reads, results)
        return [results[use.id] for use in uses]

    async def _run_reads(
        self, reads: list[tuple[ToolUse, Tool]], results: dict[str, dict[str, Any]]
    ) -> None:
        done = await asyncio.gather(*(self._execute(use, tool) for use, tool in reads))
        for (use, _), result in zip(reads, done, strict=True):
            results[use.id] = result

    async def _admit(self, use: ToolUse) -> tuple[Tool | None, str]:
        """The tool to run, or None and the reason the model is given instead."""
        conversation = self.conversation
        self._emit(ToolCallStarted(tool_use_id=use.id, name=use.name, input=use.input))
        conversation.record(
            {"type": "tool_call", "id": use.id, "name": use.name, "input": use.input}
        )
        tool = conversation.toolset.local.get(use.name)
        if tool is None:
            offered = ", ".join(conversation.toolset.names) or "none"
            return None, f"There is no tool named {use.name!r} here. Tools you have: {offered}."
        if use.input_error:
            return None, f"The call could not be run: {use.input_error}. Send it again."
        problem = check_input(tool.input_schema, use.input)
        if problem:
            return None, f"Invalid input for {use.name}: {problem}"
        target = tool.target(use.input)
        try:
            path = conversation.jail.resolve(target) if target is not None else None
        except ToolError as error:
            return None, str(error)
        decision = conversation.policy.decide(tool, use.input, path)
        if decision.verdict is Verdict.ALLOW:
            self._decided(use, True, decision.by, "")
            return tool, ""
        if decision.verdict is Verdict.DENY:
            message = decision.reason + (f" {decision.hint}" if decision.hint else "")
            self._decided(use, False, decision.by, message)
            return None, message
        reply = await self._ask(use.id, use.name, use.input, decision.reason, decision.always_label)
        if reply.answer is Answer.DENY:
            said = f" The person said: {reply.message}" if reply.message else ""
            return None, f"The person denied this {use.name} call.{said}"
        if reply.answer is Answer.ALLOW_ALWAYS:
            conversation.policy.remember(tool, use.input)
        return tool, ""

    async def _ask(
        self, call_id: str, name: str, tool_input: dict[str, Any], reason: str, always: str
    ) -> Reply:
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self._emit(
            PermissionAsked(
                tool_use_id=call_id,
                name=name,
                input=tool_input,
                reason=reason,
                always_label=always,
                future=future,
            )
        )
        reply = await future
        allowed = reply.answer is not Answer.DENY
        self._decided_raw(call_id, name, allowed, "person", reply.message)
        return reply

    def _decided(self, use: ToolUse, allowed: bool, by: str, message: str) -> None:
        self._decided_raw(use.id, use.name, allowed, by, message)

    def _decided_raw(self, call_id: str, name: str, allowed: bool, by: str, message: str) -> None:
        self._emit(
            PermissionDecided(
                tool_use_id=call_id, name=name, allowed=allowed, by=by, message=message
            )
        )
        self.conversation.record(
            {
                "type": "permission",
                "id": call_id,
                "name": name,
                "allowed": allowed,
                "by": by,
                "message": message,
            }
        )

    async def _execute(self, use: ToolUse, tool: Tool) -> dict[str, Any]:
        conversation = self.conversation
        started = time.monotonic()
        if tool.kind is ToolKind.DELEGATE:
            conversation.context.delegate = self._delegation(use)
        try:
            result = await tool.run(use.input, conversation.context)
        except ToolError as error:
            result = ToolResult(str(error), is_error=True)
        except (asyncio.CancelledError, KeyboardInterrupt):
            raise
        except Exception as error:
            result = ToolResult(f"{use.name} failed: {type(error).__name__}: {error}", True)
        finally:
            conversation.context.delegate = None
        duration = int((time.monotonic() - started) * 1000)
        return self._finished(use, result.content, result.is_error, duration, result)

    def _finished(
        self,
        use: ToolUse,
        content: str,
        is_error: bool,
        duration_ms: int,
        result: ToolResult | None = None,
    ) -> dict[str, Any]:
        changes = result.changes if result else ()
        self._emit(
            ToolCallFinished(
                tool_use_id=use.id,
                name=use.name,
                content=content,
                is_error=is_error,
                duration_ms=duration_ms,
                changes=changes,
            )
        )
        self.conversation.record(
            {
                "type": "tool_result",
                "id": use.id,
                "name": use.name,
                "content": content,
                "is_error": is_error,
                "duration_ms": duration_ms,
                "changed": [str(change.path) for change in changes],
            }
        )
        return {
            "type": "tool_result",
            "tool_use_id": use.id,
            "content": content,
            "is_error": is_error,
        }

    def _delegation(self, use: ToolUse) -> Callable[[dict[str, Any]], Awaitable[ToolResult]]:
        async def delegate(tool_input: dict[str, Any]) -> ToolResult:
            return await self._delegate(use, tool_input)

        return delegate

    async def _delegate(self, use: ToolUse, tool_input: dict[str, Any]) -> ToolResult:
        """Run the named agent as a nested conversation; its final text is the result."""
        conversation = self.conversation
        config = conversation.config
        name = str(tool_input.get("subagent_type", ""))
        spec = config.roster.get(name) if config.roster else None
        if spec is None:
            known = (
                ", ".join(s.display_name for s in config.roster.agents if s.active)
                if (config.roster)
                else ""
            )
            raise ToolError(f"no agent named {name!r} in the roster. Agents: {known or 'none'}")
        child = Conversation(
            replace(
                config,
                spec=spec,
                model=config.model,
                depth=config.depth + 1,
                mode=conversation.mode,
            ),
            parent=Parent(conversation.session_id, use.id),
            client=conversation.client,
        )
        run = Run(child, str(tool_input.get("prompt", "")), scope=(*self.scope, use.id))
        try:
            async for event in run:
                self._queue.put_nowait(event)
        finally:
            child.close()
        outcome = run.result
        self._usage = self._usage + child.usage
        if isinstance(outcome, RunFinished) and outcome.outcome is Outcome.SUCCESS:
            return ToolResult(
                f"{outcome.final_text}\n\n(agent {spec.display_name}, session {child.session_id})"
            )
        reason = outcome.message if outcome else "it did not finish"
        return ToolResult(f"agent {spec.display_name} did not complete: {reason}", is_error=True)

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
        self._emit(result)

    def _elapsed(self) -> int:
        return int((time.monotonic() - self._started) * 1000)


def start(config: RunConfig, task: str) -> tuple[Conversation, Run]:
    """A new conversation and its first run, for callers with one task."""
    conversation = Conversation(config)
    return conversation, conversation.send(task)


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
