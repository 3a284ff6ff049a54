"""One streamed assistant turn, built from the raw server-sent events.

The SDK's stream helper re-parses partial tool input on every delta; building the turn
here keeps the work per event small, keeps each block exactly as the API sent it (the
next request must return thinking blocks and server-tool results untouched), and lets
the engine notice a stream that ended without `message_stop`, which the SDK does not.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from workbench.engine.usage import Usage


@dataclass(frozen=True)
class ToolUse:
    id: str
    name: str
    input: dict[str, Any]
    input_error: str | None = None
    """Why the streamed input could not be used (not JSON, not an object)."""


@dataclass
class _Block:
    type: str
    start: dict[str, Any]
    parts: list[str] = field(default_factory=list)
    signature: str = ""
    citations: list[dict[str, Any]] = field(default_factory=list)
    done: bool = False


class Turn:
    """Feed it raw stream events; read the assistant message when the stream ends.

    `on_text(block, text)` and `on_thinking(block, text)` are called for each delta,
    `on_server_tool(block)` once for each finished server-side tool block.
    """

    def __init__(
        self,
        on_text: Callable[[int, str], None],
        on_thinking: Callable[[int, str], None],
        on_server_tool: Callable[[dict[str, Any]], None],
    ) -> None:
        self._on_text = on_text
        self._on_thinking = on_thinking
        self._on_server_tool = on_server_tool
        self._blocks: dict[int, _Block] = {}
        self.model = ""
        self.stop_reason: str | None = None
        self.stop_details: dict[str, Any] | None = None
        self._stopped = False
        self.streamed_text = False
        self._usage_start: Any = None
        self._usage_delta: Any = None

    def feed(self, event: Any) -> None:
        kind = event.type
        if kind == "content_block_delta":
            self._delta(event.index, event.delta)
        elif kind == "content_block_start":
            block = event.content_block
            data = block.model_dump(mode="json", exclude_none=True)
            self._blocks[event.index] = _Block(block.type, data)
        elif kind == "content_block_stop":
            self._stop(event.index)
        elif kind == "message_start":
            self.model = event.message.model
            self._usage_start = event.message.usage
        elif kind == "message_delta":
            self.stop_reason = event.delta.stop_reason
            details = getattr(event.delta, "stop_details", None)
            if details is not None:
                self.stop_details = details.model_dump(mode="json", exclude_none=True)
            self._usage_delta = event.usage
        elif kind == "message_stop":
            self._stopped = True

    def _delta(self, index: int, delta: Any) -> None:
        block = self._blocks.get(index)
        if block is None:
            return
        kind = delta.type
        if kind == "text_delta":
            block.parts.append(delta.text)
            self.streamed_text = True
            self._on_text(index, delta.text)
        elif kind == "input_json_delta":
            block.parts.append(delta.partial_json)
        elif kind == "thinking_delta":
            block.parts.append(delta.thinking)
            self._on_thinking(index, delta.thinking)
        elif kind == "signature_delta":
            block.signature += delta.signature
        elif kind == "citations_delta":
            block.citations.append(delta.citation.model_dump(mode="json", exclude_none=True))

    def _stop(self, index: int) -> None:
        block = self._blocks.get(index)
        if block is not None:
            block.done = True
            if block.type == "server_tool_use" or block.type.endswith("_tool_result"):
                self._on_server_tool(self._param(block))

    @property
    def complete(self) -> bool:
        """Whether the whole message arrived; a stream can end quietly halfway.

        `message_delta` carries the stop reason after the last block, so a stream cut
        between it and `message_stop` has lost nothing.
        """
        return self._stopped or self.stop_reason is not None

    @property
    def usage(self) -> Usage:
        """Output counts in `message_delta` are cumulative and replace the start's."""
        start = Usage.from_api(self._usage_start) if self._usage_start is not None else Usage()
        if self._usage_delta is None:
            return start
        delta = Usage.from_api(self._usage_delta)
        return Usage(
            input_tokens=delta.input_tokens or start.input_tokens,
            output_tokens=delta.output_tokens or start.output_tokens,
            cache_write_tokens=delta.cache_write_tokens or start.cache_write_tokens,
            cache_read_tokens=delta.cache_read_tokens or start.cache_read_tokens,
            web_search_requests=delta.web_search_requests or start.web_search_requests,
        )

    @property
    def text(self) -> str:
        return "".join(
            "".join(block.parts)
            for _, block in sorted(self._blocks.items())
            if block.type == "text"
        )

    def tool_uses(self) -> list[ToolUse]:
        """The finished client-side tool calls, in order, with their parsed input."""
        return [
            _tool_use(block)
            for _, block in sorted(self._blocks.items())
            if block.type == "tool_use" and block.done
        ]

    def content(self, *, keep_tool_uses: bool) -> list[dict[str, Any]]:
        """The assistant message's content, as the next request must send it back.

        Tool calls are dropped when they will not be answered (the turn ended for another
        reason), because every tool_use sent back needs a tool_result after it.
        """
        content = []
        for _, block in sorted(self._blocks.items()):
            if block.type == "tool_use" and not (keep_tool_uses and block.done):
                continue
            param = self._param(block)
            if param is not None:
                content.append(param)
        return content

    def partial_text(self) -> list[dict[str, Any]]:
        """The text streamed so far, as content a stopped turn can leave in the history.

        Only text: a thinking block without its signature, or a tool call without its
        result, would make the next request invalid.
        """
        return [
            {"type": "text", "text": text}
            for _, block in sorted(self._blocks.items())
            if block.type == "text" and (text := "".join(block.parts))
        ]

    def _param(self, block: _Block) -> dict[str, Any]:
        data = dict(block.start)
        if block.type == "text":
            data["text"] = "".join(block.parts)
            if block.citations:
                data["citations"] = data.get("citations", []) + block.citations
        elif block.type == "thinking":
            data["thinking"] = "".join(block.parts)
            data["signature"] = data.get("signature", "") + block.signature
        elif block.type in ("tool_use", "server_tool_use"):
            data["input"] = _tool_use(block).input
        return data


def _tool_use(block: _Block) -> ToolUse:
    raw = "".join(block.parts)
    start = block.start
    if not raw.strip():
        return ToolUse(start["id"], start["name"], dict(start.get("input") or {}))
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        return ToolUse(start["id"], start["name"], {}, f"the input was not valid JSON ({error})")
    if not isinstance(value, dict):
        return ToolUse(start["id"], start["name"], {}, "the input was not a JSON object")
    return ToolUse(start["id"], start["name"], value)
