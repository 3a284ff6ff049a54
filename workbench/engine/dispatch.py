"""A turn's tool calls: admitted (tool, input, jail, permission), run, and answered.

Every call gets exactly one result, in the order the model made the calls; calls that
only read run side by side. Problems the model caused come back to it as error results,
never as failures of the run.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from workbench.engine.conversation import Conversation, Parent
from workbench.engine.decisions import Verdict
from workbench.engine.events import (
    Answer,
    Outcome,
    PermissionAsked,
    PermissionDecided,
    Reply,
    RunFinished,
    ToolCallFinished,
    ToolCallStarted,
)
from workbench.engine.tools.base import Tool, ToolError, ToolKind, ToolResult
from workbench.engine.tools.schema import check_input
from workbench.engine.turn import ToolUse

if TYPE_CHECKING:
    from workbench.engine.run import Run


class ToolCalls:
    def __init__(self, run: Run) -> None:
        self.run = run

    async def call_all(self, uses: list[ToolUse]) -> list[dict[str, Any]]:
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
        conversation = self.run.conversation
        self.run.emit(ToolCallStarted(tool_use_id=use.id, name=use.name, input=use.input))
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
        reply = await self.ask(use.id, use.name, use.input, decision.reason, decision.always_label)
        if reply.answer is Answer.DENY:
            said = f" The person said: {reply.message}" if reply.message else ""
            return None, f"The person denied this {use.name} call.{said}"
        if reply.answer is Answer.ALLOW_ALWAYS:
            conversation.policy.remember(tool, use.input)
        return tool, ""

    async def ask(
        self, call_id: str, name: str, tool_input: dict[str, Any], reason: str, always: str
    ) -> Reply:
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self.run.emit(
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
        self.run.emit(
            PermissionDecided(
                tool_use_id=call_id, name=name, allowed=allowed, by=by, message=message
            )
        )
        self.run.conversation.record(
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
        conversation = self.run.conversation
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
        self.run.emit(
            ToolCallFinished(
                tool_use_id=use.id,
                name=use.name,
                content=content,
                is_error=is_error,
                duration_ms=duration_ms,
                changes=changes,
            )
        )
        self.run.conversation.record(
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
        conversation = self.run.conversation
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
            client=await conversation.connect(),
        )
        from workbench.engine.run import Run

        nested = Run(child, str(tool_input.get("prompt", "")), scope=(*self.run.scope, use.id))
        try:
            async for event in nested:
                self.run.forward(event)
        finally:
            child.close()
        outcome = nested.result
        self.run.add_usage(child.usage)
        if isinstance(outcome, RunFinished) and outcome.outcome is Outcome.SUCCESS:
            return ToolResult(
                f"{outcome.final_text}\n\n(agent {spec.display_name}, session {child.session_id})"
            )
        reason = outcome.message if outcome else "it did not finish"
        return ToolResult(f"agent {spec.display_name} did not complete: {reason}", is_error=True)
