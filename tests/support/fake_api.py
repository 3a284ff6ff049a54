"""A loopback server that speaks the Anthropic Messages API wire protocol, for tests.

The code under test uses the real `anthropic.AsyncAnthropic` pointed at this server by
`base_url`; nothing is mocked. Standard library only (asyncio streams, HTTP/1.1, chunked
SSE), plus PyYAML for recorded cassettes (see `tests.support.sse`).

Server::

    server = FakeAnthropic(token_count=42, keep_alive=True)     # not yet listening
    async with server:                    # 127.0.0.1, random free port; stopped on exit
        server.base_url                   # "http://127.0.0.1:PORT"
        server.script(turn1, turn2, ...)  # queued, one consumed per POST /v1/messages
        client = server.client()          # AsyncAnthropic(api_key="test-key",
                                          #   base_url=server.base_url, max_retries=0, **kw)
                                          #   closed on exit; shares one TLS context
        ...
        server.requests                   # [RecordedRequest]: every request, in order
        server.message_requests           # only POST /v1/messages
        server.unexpected                 # [str]: script exhausted, unknown endpoint, ...
        server.remaining                  # scripted items not yet consumed
        server.connections                # TCP connections accepted so far
        server.verify()                   # AssertionError if unexpected/errors/leftovers

`RecordedRequest`: `method`, `path` (no query), `query`, `headers` (lower-cased keys),
`body` (bytes), `json` (parsed body or None), `stream` (bool), `messages`, `model`,
`tool_result_ids()` (tool_use_ids in the last user message), `request_id` (the `request-id`
header served back), `served` (what was played), `connection` (1-based connection number).

Fixture: `fake_api` yields a started server and calls `verify()` at teardown (clear
`server.unexpected` when a test provokes that on purpose). It also removes HTTP(S)_PROXY /
ALL_PROXY for the test: the SDK mounts proxies from the environment even for 127.0.0.1.
Make it available with, in a conftest.py::

    from tests.support.fake_api import fake_api as fake_api

Turns (what a POST /v1/messages gets; streamed as SSE when the body has `"stream": true`,
otherwise the same content as one JSON `Message`)::

    text_turn(text, *, stop_reason="end_turn", chunks=3, thinking=None, **common)
    tool_turn(*calls, text=None, chunk_size=7, thinking=None, **common)   # calls: (name, input)
        -> Turn; turn.tool_ids lists the generated "toolu_..." ids in order
    thinking_turn(thinking, text="", *, signature=None, chunks=3, **common)
    refusal_turn(text="", *, category="cyber", explanation=..., **common)
    turn(*blocks, stop_reason="end_turn", stop_details=None, stop_sequence=None, **common)
    # **common: usage: Usage | None, model: str | None (None: echo the request's model),
    #            ping_every: int = 5 (0: no pings)

Blocks (for `turn`)::

    text_block(text, *, chunks=3, citations=())          # citations -> citations_delta events
    thinking_block(thinking, *, signature=None, chunks=3) # thinking_delta..., signature_delta
    redacted_thinking_block(data=None)
    tool_use_block(name, input, *, id=None, chunk_size=7) # input_json_delta "", then pieces
    server_tool_use_block(name="web_search", input=None, *, id=None, chunk_size=7)
    web_search_result_block(tool_use_id, results=())      # complete in content_block_start
    web_search_citation(url, title, cited_text)           # a citation dict for text_block
    complete_block(block_dict)                            # any block, complete at start
    block.cut(deltas)                                     # first n deltas, no block stop
    Usage(input_tokens=10, output_tokens=None, cache_creation_input_tokens=0,
          cache_read_input_tokens=0, web_search_requests=None, web_fetch_requests=None,
          thinking_tokens=None, service_tier="standard")
    # message_start carries input/cache usage and output_tokens=1; message_delta carries the
    # cumulative totals (output_tokens None: estimated from the content).

Recorded bodies (from `tests.support.sse`): `raw_sse(path_or_text)` and
`cassette_turns(path)` give `RawResponse`s played byte for byte; `cassette_requests(path)`.

Faults (script items too, so "fault, then success" is two items)::

    http_error(status, error_type=None, message=None, *, retry_after=None,
               retry_after_ms=None, should_retry=None, headers=None, body=None)
    drop_midstream(item, after_events=3)   # abort the connection mid chunked body
    end_early(item, after_events=3)        # clean end, no message_delta/message_stop
    error_event(item, after_events=3, error_type="overloaded_error", message=None)
    stall(item, after_events=3, seconds=1.0)  # pause, then send the rest
    disconnect()                           # close the connection without any response
    paced(item, *, delay=0.0, fragment=None)  # sleep after each event / n-byte chunks
                                              # (item: Turn, RawResponse or a fault)
    # `item` is a Turn or RawResponse; after_events counts events other than `ping`.
    # A callable script item `f(RecordedRequest) -> item` is called when the request arrives.

An exhausted script answers HTTP 500 `api_error` ("FakeAnthropic script exhausted ...") with
`x-should-retry: false` and is recorded in `server.unexpected`; so is any unknown endpoint
(404). `POST /v1/messages/count_tokens` answers `{"input_tokens": server.token_count}`
(an int, or a callable of the RecordedRequest) unless items were queued with
`server.script_count_tokens(...)` (ints, `http_error`s or `RawResponse`s).

SDK reactions (anthropic 2.12, max_retries=0): `http_error(529)` -> `anthropic.OverloadedError`;
`drop_midstream` -> `httpx2.RemoteProtocolError`; `end_early` -> no error, final message with
`stop_reason is None`; `error_event` -> `anthropic.APIStatusError` with `status_code == 200` and
`.type == error_type`; `stall` longer than the read timeout -> `httpx2.ReadTimeout`;
`disconnect` -> `anthropic.APIConnectionError`. tests/engine/test_fake_api.py proves each.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import secrets
import ssl
import string
import traceback
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Literal, TypeAlias

import anthropic
import pytest
import pytest_asyncio

from tests.support.sse import (
    JSON_CONTENT_TYPE,
    SSE_CONTENT_TYPE,
    RawResponse,
    SSEEvent,
    cassette_requests,
    cassette_turns,
    encode_event,
    event_name,
    parse_sse,
    raw_sse,
    split_events,
)

__all__ = [
    "DEFAULT_MODEL",
    "Block",
    "Disconnect",
    "FakeAnthropic",
    "HttpError",
    "Paced",
    "RawResponse",
    "RecordedRequest",
    "SSEEvent",
    "ScriptItem",
    "StreamFault",
    "Turn",
    "Usage",
    "cassette_requests",
    "cassette_turns",
    "complete_block",
    "disconnect",
    "drop_midstream",
    "encode_event",
    "end_early",
    "error_event",
    "fake_api",
    "http_error",
    "new_id",
    "paced",
    "parse_sse",
    "raw_sse",
    "redacted_thinking_block",
    "refusal_turn",
    "server_tool_use_block",
    "split_events",
    "stall",
    "text_block",
    "text_turn",
    "thinking_block",
    "thinking_turn",
    "tool_turn",
    "tool_use_block",
    "turn",
    "web_search_citation",
    "web_search_result_block",
]

DEFAULT_MODEL = "claude-sonnet-5-5"
PING = b'event: ping\ndata: {"type": "ping"}\n\n'
_ALNUM = string.ascii_letters + string.digits
_REASONS = {529: "Overloaded"}
_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}
_ERROR_MESSAGES = {
    "overloaded_error": "Overloaded",
    "rate_limit_error": "Number of request tokens has exceeded your rate limit.",
    "api_error": "Internal server error",
    "not_found_error": "Not found",
    "invalid_request_error": "Invalid request",
    "authentication_error": "invalid x-api-key",
}


def new_id(prefix: str, length: int = 22) -> str:
    """A random id shaped like the API's: `new_id("toolu_01")` -> "toolu_01Ab3..."."""
    return prefix + "".join(secrets.choice(_ALNUM) for _ in range(length))


# --------------------------------------------------------------------------- content blocks


@dataclass
class Block:
    """One content block: its `content_block_start` payload, deltas and complete form.

    `final` is the block in a non-streaming `Message` (None: same as `start`, for blocks that
    arrive complete). `stop=False` omits `content_block_stop` (as when max_tokens cuts a block).
    """

    start: dict[str, Any]
    deltas: list[dict[str, Any]] = field(default_factory=list)
    final: dict[str, Any] | None = None
    stop: bool = True

    @property
    def type(self) -> str:
        return str(self.start["type"])

    @property
    def complete(self) -> dict[str, Any]:
        return self.final if self.final is not None else self.start

    def cut(self, deltas: int) -> Block:
        """This block truncated after `deltas` deltas, without `content_block_stop`."""
        kept = self.deltas[:deltas]
        return Block(dict(self.start), kept, _accumulate(self.start, kept), stop=False)


def _accumulate(start: Mapping[str, Any], deltas: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    block = dict(start)
    partial_json = ""
    for delta in deltas:
        kind = delta["type"]
        if kind == "text_delta":
            block["text"] = block.get("text", "") + delta["text"]
        elif kind == "thinking_delta":
            block["thinking"] = block.get("thinking", "") + delta["thinking"]
        elif kind == "signature_delta":
            block["signature"] = delta["signature"]
        elif kind == "citations_delta":
            block["citations"] = [*(block.get("citations") or []), delta["citation"]]
        elif kind == "input_json_delta":
            partial_json += delta["partial_json"]
    if partial_json:
        try:
            block["input"] = json.loads(partial_json)
        except ValueError:
            block["input"] = {}  # the SDK parses the partial prefix; that is not stdlib
    return block


def _split_text(text: str, chunks: int) -> list[str]:
    if not text:
        return []
    n = max(1, min(chunks, len(text)))
    size, extra = divmod(len(text), n)
    out: list[str] = []
    pos = 0
    for i in range(n):
        step = size + (1 if i < extra else 0)
        out.append(text[pos : pos + step])
        pos += step
    return out


def _json_deltas(value: Mapping[str, Any], chunk_size: int) -> list[dict[str, Any]]:
    encoded = json.dumps(value, ensure_ascii=False)
    step = max(1, chunk_size)
    pieces = [""] + [encoded[i : i + step] for i in range(0, len(encoded), step)]
    return [{"type": "input_json_delta", "partial_json": p} for p in pieces]


def text_block(text: str, *, chunks: int = 3, citations: Sequence[Mapping[str, Any]] = ()) -> Block:
    """A text block streamed as `chunks` text_deltas (none when empty); citations first."""
    start: dict[str, Any] = {"type": "text", "text": ""}
    final: dict[str, Any] = {"type": "text", "text": text}
    deltas: list[dict[str, Any]] = []
    if citations:
        start = {"citations": [], "type": "text", "text": ""}
        final["citations"] = [dict(c) for c in citations]
        deltas += [{"type": "citations_delta", "citation": dict(c)} for c in citations]
    deltas += [{"type": "text_delta", "text": t} for t in _split_text(text, chunks)]
    return Block(start, deltas, final)


def thinking_block(thinking: str, *, signature: str | None = None, chunks: int = 3) -> Block:
    """A thinking block: thinking_deltas then one signature_delta."""
    sig = signature if signature is not None else new_id("Er", 86)
    deltas: list[dict[str, Any]] = [
        {"type": "thinking_delta", "thinking": t} for t in _split_text(thinking, chunks)
    ]
    deltas.append({"type": "signature_delta", "signature": sig})
    return Block(
        {"type": "thinking", "thinking": "", "signature": ""},
        deltas,
        {"type": "thinking", "thinking": thinking, "signature": sig},
    )


def redacted_thinking_block(data: str | None = None) -> Block:
    return complete_block({"type": "redacted_thinking", "data": data or new_id("EmwK", 60)})


def tool_use_block(
    name: str, input: Mapping[str, Any], *, id: str | None = None, chunk_size: int = 7
) -> Block:
    """A client tool call; input JSON split into `chunk_size`-char input_json_deltas."""
    tool_id = id or new_id("toolu_01")
    return Block(
        {"type": "tool_use", "id": tool_id, "name": name, "input": {}},
        _json_deltas(input, chunk_size),
        {"type": "tool_use", "id": tool_id, "name": name, "input": dict(input)},
    )


def server_tool_use_block(
    name: str = "web_search",
    input: Mapping[str, Any] | None = None,
    *,
    id: str | None = None,
    chunk_size: int = 7,
) -> Block:
    """A server tool call (`srvtoolu_...`), input streamed like a client tool's."""
    tool_id = id or new_id("srvtoolu_01")
    args = dict(input) if input is not None else {"query": "example query"}
    return Block(
        {"type": "server_tool_use", "id": tool_id, "name": name, "input": {}},
        _json_deltas(args, chunk_size),
        {"type": "server_tool_use", "id": tool_id, "name": name, "input": args},
    )


def web_search_result_block(tool_use_id: str, results: Sequence[Mapping[str, Any]] = ()) -> Block:
    """A `web_search_tool_result` (complete in content_block_start); results need
    `title` and `url`, other fields default."""
    content = [
        {
            "type": "web_search_result",
            "encrypted_content": new_id("Eq", 40),
            "page_age": None,
            **dict(r),
        }
        for r in results
    ]
    return complete_block(
        {"type": "web_search_tool_result", "tool_use_id": tool_use_id, "content": content}
    )


def web_search_citation(url: str, title: str, cited_text: str) -> dict[str, Any]:
    return {
        "type": "web_search_result_location",
        "cited_text": cited_text,
        "url": url,
        "title": title,
        "encrypted_index": new_id("Ep", 30),
    }


def complete_block(block: Mapping[str, Any]) -> Block:
    """Any block that arrives complete in `content_block_start` (no deltas)."""
    return Block(dict(block))


# --------------------------------------------------------------------------- turns


@dataclass
class Usage:
    """Token counts a turn reports. `output_tokens=None` estimates from the content."""

    input_tokens: int = 10
    output_tokens: int | None = None
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    web_search_requests: int | None = None
    web_fetch_requests: int | None = None
    thinking_tokens: int | None = None
    service_tier: str = "standard"

    def _input(self) -> dict[str, Any]:
        return {
            "input_tokens": self.input_tokens,
            "cache_creation_input_tokens": self.cache_creation_input_tokens,
            "cache_read_input_tokens": self.cache_read_input_tokens,
        }

    def start_dict(self) -> dict[str, Any]:
        """`message_start.message.usage`: input/cache counts, output_tokens 1."""
        return {
            **self._input(),
            "cache_creation": {
                "ephemeral_5m_input_tokens": self.cache_creation_input_tokens,
                "ephemeral_1h_input_tokens": 0,
            },
            "output_tokens": 1,
            "service_tier": self.service_tier,
        }

    def delta_dict(self, output_tokens: int) -> dict[str, Any]:
        """`message_delta.usage`: cumulative totals."""
        out: dict[str, Any] = {**self._input(), "output_tokens": output_tokens}
        if self.web_search_requests is not None or self.web_fetch_requests is not None:
            out["server_tool_use"] = {
                "web_search_requests": self.web_search_requests or 0,
                "web_fetch_requests": self.web_fetch_requests or 0,
            }
        if self.thinking_tokens is not None:
            out["output_tokens_details"] = {"thinking_tokens": self.thinking_tokens}
        return out

    def full_dict(self, output_tokens: int) -> dict[str, Any]:
        """`Message.usage` of a non-streaming response."""
        full = {**self.start_dict(), **self.delta_dict(output_tokens)}
        full["output_tokens"] = output_tokens
        return full


@dataclass
class Turn:
    """One assistant response. `model=None` echoes the request's model."""

    blocks: list[Block]
    stop_reason: str | None = "end_turn"
    stop_sequence: str | None = None
    stop_details: dict[str, Any] | None = None
    usage: Usage = field(default_factory=Usage)
    model: str | None = None
    id: str = field(default_factory=lambda: new_id("msg_01"))
    ping_every: int = 5

    @property
    def tool_ids(self) -> list[str]:
        """Ids of the client `tool_use` blocks, in order."""
        return [str(b.start["id"]) for b in self.blocks if b.type == "tool_use"]

    @property
    def tool_uses(self) -> list[dict[str, Any]]:
        """The complete `tool_use` blocks (id, name, input)."""
        return [b.complete for b in self.blocks if b.type == "tool_use"]

    @property
    def text(self) -> str:
        return "".join(b.complete.get("text", "") for b in self.blocks if b.type == "text")

    def output_tokens(self) -> int:
        if self.usage.output_tokens is not None:
            return self.usage.output_tokens
        chars = sum(len(json.dumps(b.complete, ensure_ascii=False)) for b in self.blocks)
        return max(1, chars // 4)

    def events(self, model: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        """The SSE events (name, data) without pings."""
        message: dict[str, Any] = {
            "id": self.id,
            "type": "message",
            "role": "assistant",
            "model": self.model or model or DEFAULT_MODEL,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": self.usage.start_dict(),
        }
        out: list[tuple[str, dict[str, Any]]] = [
            ("message_start", {"type": "message_start", "message": message})
        ]
        for index, block in enumerate(self.blocks):
            out.append(
                (
                    "content_block_start",
                    {"type": "content_block_start", "index": index, "content_block": block.start},
                )
            )
            out += [
                (
                    "content_block_delta",
                    {"type": "content_block_delta", "index": index, "delta": delta},
                )
                for delta in block.deltas
            ]
            if block.stop:
                out.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
        delta: dict[str, Any] = {
            "stop_reason": self.stop_reason,
            "stop_sequence": self.stop_sequence,
        }
        if self.stop_details is not None:
            delta["stop_details"] = self.stop_details
        out.append(
            (
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": delta,
                    "usage": self.usage.delta_dict(self.output_tokens()),
                },
            )
        )
        out.append(("message_stop", {"type": "message_stop"}))
        return out

    def segments(self, model: str | None = None) -> list[tuple[bytes, bool]]:
        """Encoded events as (bytes, is_ping): a ping after the first content_block_start,
        then after every `ping_every` events (never after message_stop)."""
        encoded = [encode_event(name, data) for name, data in self.events(model)]
        out: list[tuple[bytes, bool]] = []
        every = self.ping_every
        for i, segment in enumerate(encoded, 1):
            out.append((segment, False))
            due = i == 2 or (i > 2 and every > 0 and (i - 2) % every == 0)
            if every > 0 and due and i < len(encoded):
                out.append((PING, True))
        return out

    def sse(self, model: str | None = None) -> bytes:
        """The whole streamed body."""
        return b"".join(segment for segment, _ in self.segments(model))

    def message(self, model: str | None = None) -> dict[str, Any]:
        """The non-streaming `Message` JSON."""
        message: dict[str, Any] = {
            "id": self.id,
            "type": "message",
            "role": "assistant",
            "model": self.model or model or DEFAULT_MODEL,
            "content": [b.complete for b in self.blocks],
            "stop_reason": self.stop_reason,
            "stop_sequence": self.stop_sequence,
            "usage": self.usage.full_dict(self.output_tokens()),
        }
        if self.stop_details is not None:
            message["stop_details"] = self.stop_details
        return message


def turn(
    *blocks: Block,
    stop_reason: str | None = "end_turn",
    stop_details: Mapping[str, Any] | None = None,
    stop_sequence: str | None = None,
    usage: Usage | None = None,
    model: str | None = None,
    ping_every: int = 5,
) -> Turn:
    """A turn from explicit blocks, e.g. `turn(text_block("..."), stop_reason="max_tokens")`."""
    return Turn(
        list(blocks),
        stop_reason=stop_reason,
        stop_sequence=stop_sequence,
        stop_details=dict(stop_details) if stop_details is not None else None,
        usage=usage or Usage(),
        model=model,
        ping_every=ping_every,
    )


def text_turn(
    text: str,
    *,
    stop_reason: str | None = "end_turn",
    chunks: int = 3,
    thinking: str | None = None,
    usage: Usage | None = None,
    model: str | None = None,
    ping_every: int = 5,
) -> Turn:
    """One text block in `chunks` text_deltas (optionally after a thinking block)."""
    blocks = [thinking_block(thinking)] if thinking is not None else []
    blocks.append(text_block(text, chunks=chunks))
    return turn(*blocks, stop_reason=stop_reason, usage=usage, model=model, ping_every=ping_every)


def tool_turn(
    *calls: tuple[str, Mapping[str, Any]],
    text: str | None = None,
    chunk_size: int = 7,
    thinking: str | None = None,
    usage: Usage | None = None,
    model: str | None = None,
    ping_every: int = 5,
) -> Turn:
    """Optional thinking and text blocks, then one tool_use per `(name, input)`;
    stop_reason `tool_use`. The generated ids are `result.tool_ids`."""
    blocks = [thinking_block(thinking)] if thinking is not None else []
    if text is not None:
        blocks.append(text_block(text))
    blocks += [tool_use_block(name, args, chunk_size=chunk_size) for name, args in calls]
    return turn(*blocks, stop_reason="tool_use", usage=usage, model=model, ping_every=ping_every)


def thinking_turn(
    thinking: str,
    text: str = "",
    *,
    signature: str | None = None,
    chunks: int = 3,
    stop_reason: str | None = "end_turn",
    usage: Usage | None = None,
    model: str | None = None,
    ping_every: int = 5,
) -> Turn:
    """A thinking block (thinking_deltas + signature_delta), then a text block."""
    return turn(
        thinking_block(thinking, signature=signature, chunks=chunks),
        text_block(text, chunks=chunks),
        stop_reason=stop_reason,
        usage=usage,
        model=model,
        ping_every=ping_every,
    )


def refusal_turn(
    text: str = "",
    *,
    category: str | None = "cyber",
    explanation: str | None = "This request was refused due to policy.",
    usage: Usage | None = None,
    model: str | None = None,
    ping_every: int = 5,
) -> Turn:
    """stop_reason `refusal` with `stop_details` (shape of the SDK's refusal fixture)."""
    return turn(
        text_block(text),
        stop_reason="refusal",
        stop_details={"type": "refusal", "category": category, "explanation": explanation},
        usage=usage,
        model=model,
        ping_every=ping_every,
    )


# --------------------------------------------------------------------------- faults


@dataclass
class HttpError:
    """An HTTP error response with the API's JSON error body (or `body` verbatim)."""

    status: int
    error_type: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    request_id: str = field(default_factory=lambda: new_id("req_011C", 20))

    def encoded_body(self) -> bytes:
        if self.body is not None:
            return self.body
        error = {"type": self.error_type, "message": self.message}
        return json.dumps({"type": "error", "error": error, "request_id": self.request_id}).encode()


def http_error(
    status: int,
    error_type: str | None = None,
    message: str | None = None,
    *,
    retry_after: float | str | None = None,
    retry_after_ms: float | None = None,
    should_retry: bool | None = None,
    headers: Mapping[str, str] | None = None,
    body: str | bytes | Mapping[str, Any] | None = None,
) -> HttpError:
    """E.g. `http_error(529, retry_after_ms=1)`; error type/message default by status."""
    kind = error_type or _ERROR_TYPES.get(status, "api_error")
    extra = {k.lower(): v for k, v in (headers or {}).items()}
    if retry_after is not None:
        extra["retry-after"] = str(retry_after)
    if retry_after_ms is not None:
        extra["retry-after-ms"] = str(retry_after_ms)
    if should_retry is not None:
        extra["x-should-retry"] = "true" if should_retry else "false"
    raw: bytes | None
    if body is None:
        raw = None
    elif isinstance(body, bytes):
        raw = body
    elif isinstance(body, str):
        raw = body.encode()
    else:
        raw = json.dumps(dict(body)).encode()
    if raw is not None and "content-type" not in extra and not isinstance(body, Mapping):
        extra["content-type"] = "text/plain; charset=utf-8"
    return HttpError(status, kind, message or _ERROR_MESSAGES.get(kind, kind), extra, raw)


FaultKind: TypeAlias = Literal["drop", "end", "error", "stall"]


@dataclass
class StreamFault:
    """Play `item` for `after_events` non-ping events, then misbehave (see `kind`)."""

    item: Turn | RawResponse
    kind: FaultKind
    after_events: int
    error_type: str = "overloaded_error"
    message: str = "Overloaded"
    seconds: float = 0.0


def _count_events(item: Turn | RawResponse) -> int:
    if isinstance(item, Turn):
        return len(item.events())
    if not item.is_sse:
        return 1
    return sum(1 for s in item.segments() if event_name(s) != "ping")


def _fault(item: Turn | RawResponse, kind: FaultKind, after: int, **kw: Any) -> StreamFault:
    total = _count_events(item)
    if not 0 <= after <= total:
        raise ValueError(f"after_events={after} but the response has {total} non-ping events")
    return StreamFault(item, kind, after, **kw)


def drop_midstream(item: Turn | RawResponse, after_events: int = 3) -> StreamFault:
    """Send `after_events` events, then abort the TCP connection inside the chunked body
    (client: `httpx2.RemoteProtocolError`)."""
    return _fault(item, "drop", after_events)


def end_early(item: Turn | RawResponse, after_events: int = 3) -> StreamFault:
    """Send `after_events` events, then end the body cleanly (terminating chunk) without
    `message_delta`/`message_stop` (client: partial message, `stop_reason is None`)."""
    return _fault(item, "end", after_events)


def error_event(
    item: Turn | RawResponse,
    after_events: int = 3,
    error_type: str = "overloaded_error",
    message: str | None = None,
) -> StreamFault:
    """Send `after_events` events, then `event: error` with the error JSON, then end."""
    text = message or _ERROR_MESSAGES.get(error_type, error_type)
    return _fault(item, "error", after_events, error_type=error_type, message=text)


def stall(item: Turn | RawResponse, after_events: int = 3, seconds: float = 1.0) -> StreamFault:
    """Send `after_events` events, wait `seconds`, then send the rest."""
    return _fault(item, "stall", after_events, seconds=seconds)


@dataclass
class Paced:
    """Play `item` sleeping `delay` s after each event and/or writing `fragment`-byte chunks."""

    item: Turn | RawResponse | StreamFault
    delay: float = 0.0
    fragment: int | None = None


def paced(
    item: Turn | RawResponse | StreamFault, *, delay: float = 0.0, fragment: int | None = None
) -> Paced:
    return Paced(item, delay, fragment)


@dataclass(frozen=True)
class Disconnect:
    """Close the connection after reading the request, without any response."""


def disconnect() -> Disconnect:
    return Disconnect()


Playable: TypeAlias = "Turn | RawResponse | HttpError | StreamFault | Paced | Disconnect"
ScriptItem: TypeAlias = "Playable | Callable[[RecordedRequest], Playable]"
_PLAYABLE = (Turn, RawResponse, HttpError, StreamFault, Paced, Disconnect)


# --------------------------------------------------------------------------- requests


@dataclass
class RecordedRequest:
    """One request as received."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    json: Any
    connection: int
    request_id: str = ""
    served: str = ""

    @property
    def stream(self) -> bool:
        return isinstance(self.json, dict) and self.json.get("stream") is True

    @property
    def model(self) -> str | None:
        model = self.json.get("model") if isinstance(self.json, dict) else None
        return model if isinstance(model, str) else None

    @property
    def messages(self) -> list[dict[str, Any]]:
        messages = self.json.get("messages") if isinstance(self.json, dict) else None
        return list(messages) if isinstance(messages, list) else []

    def tool_result_ids(self) -> list[str]:
        """`tool_use_id`s of the tool_result blocks in the last user message."""
        for message in reversed(self.messages):
            if message.get("role") != "user":
                continue
            content = message.get("content")
            if not isinstance(content, list):
                return []
            return [
                str(b.get("tool_use_id"))
                for b in content
                if isinstance(b, dict) and b.get("type") == "tool_result"
            ]
        return []


def _describe(item: object) -> str:
    if isinstance(item, Turn):
        return f"turn({', '.join(b.type for b in item.blocks)}; {item.stop_reason})"
    if isinstance(item, RawResponse):
        return f"raw({item.source or item.content_type}, {item.status})"
    if isinstance(item, HttpError):
        return f"http_error({item.status}, {item.error_type})"
    if isinstance(item, StreamFault):
        return f"{item.kind}[{item.after_events}] {_describe(item.item)}"
    if isinstance(item, Paced):
        return f"paced {_describe(item.item)}"
    return type(item).__name__


# --------------------------------------------------------------------------- server


@functools.cache
def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


class FakeAnthropic:
    """The loopback Messages API server; see the module docstring."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        token_count: int | Callable[[RecordedRequest], int] = 42,
        keep_alive: bool = True,
    ) -> None:
        self.host = host
        self.token_count = token_count
        self.keep_alive = keep_alive
        self.requests: list[RecordedRequest] = []
        self.unexpected: list[str] = []
        self.errors: list[str] = []
        self.connections = 0
        self._script: deque[ScriptItem] = deque()
        self._count_script: deque[int | HttpError | RawResponse] = deque()
        self._server: asyncio.Server | None = None
        self._port = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._clients: list[anthropic.AsyncAnthropic] = []

    # lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        if self._server is not None:
            return
        self._server = await asyncio.start_server(self._serve, self.host, 0, limit=1 << 20)
        self._port = int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        for client in self._clients:
            await client.close()
        self._clients.clear()
        server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await server.wait_closed()

    async def __aenter__(self) -> FakeAnthropic:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeAnthropic is not started (use `async with server:`)")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def client(
        self, *, api_key: str = "test-key", max_retries: int = 0, **options: Any
    ) -> anthropic.AsyncAnthropic:
        """A real `AsyncAnthropic` pointed at this server, closed when the server stops.

        Unless `http_client` is given, it is the SDK's default one with a TLS context shared
        across tests: building the default context (CA bundle) costs ~25 ms per client.
        """
        if "http_client" not in options:
            options["http_client"] = anthropic.DefaultAsyncHttpxClient(verify=_tls_context())
        client = anthropic.AsyncAnthropic(
            api_key=api_key, base_url=self.base_url, max_retries=max_retries, **options
        )
        self._clients.append(client)
        return client

    # script ------------------------------------------------------------------------------

    def script(self, *items: ScriptItem) -> None:
        """Queue responses; each POST /v1/messages consumes the next one."""
        self._script.extend(items)

    def script_count_tokens(self, *items: int | HttpError | RawResponse) -> None:
        self._count_script.extend(items)

    @property
    def remaining(self) -> int:
        return len(self._script)

    @property
    def message_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == "/v1/messages"]

    def verify(self) -> None:
        """Raise AssertionError when something went unanswered or was left unused."""
        problems = [*self.unexpected, *self.errors]
        if self._script:
            left = ", ".join(_describe(i) for i in self._script)
            problems.append(f"{len(self._script)} scripted response(s) never requested: {left}")
        if problems:
            raise AssertionError("FakeAnthropic: " + "; ".join(problems))

    # HTTP --------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        self.connections += 1
        number = self.connections
        writer.transport.set_write_buffer_limits(high=0)  # drain() = flushed to the socket
        try:
            while True:
                request = await self._read_request(reader, number)
                if request is None:
                    break
                keep = await self._respond(request, writer)
                wants_close = request.headers.get("connection", "").lower() == "close"
                if not keep or not self.keep_alive or wants_close:
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            # Only stop() cancels; ending normally keeps Python 3.11's stream callback from
            # logging the cancellation as an error.
            writer.transport.abort()
        except Exception:
            self.errors.append(traceback.format_exc())
            writer.transport.abort()
        finally:
            if task is not None:
                self._tasks.discard(task)
            if not writer.transport.is_closing():
                writer.close()

    async def _read_request(
        self, reader: asyncio.StreamReader, connection: int
    ) -> RecordedRequest | None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return None
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if not line:
                continue
            key, _, value = line.partition(":")
            key, value = key.strip().lower(), value.strip()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = await self._read_chunked(reader)
        else:
            length = int(headers.get("content-length") or 0)
            body = await reader.readexactly(length) if length else b""
        parsed: Any = None
        if body:
            with contextlib.suppress(ValueError):
                parsed = json.loads(body)
        path, _, query = target.partition("?")
        return RecordedRequest(method, path, query, headers, body, parsed, connection)

    @staticmethod
    async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
        parts: list[bytes] = []
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":
                    pass  # trailers
                return b"".join(parts)
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)

    @staticmethod
    def _head(status: int, headers: Mapping[str, str]) -> bytes:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = _REASONS.get(status, "Unknown")
        lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in headers.items())]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _connection_header(self) -> dict[str, str]:
        return {"connection": "keep-alive" if self.keep_alive else "close"}

    async def _send_whole(
        self,
        writer: asyncio.StreamWriter,
        request: RecordedRequest,
        status: int,
        content_type: str,
        body: bytes,
        extra: Mapping[str, str] | None = None,
    ) -> bool:
        headers = {"content-type": content_type, **(extra or {})}
        headers.setdefault("request-id", new_id("req_011C", 20))
        request.request_id = headers["request-id"]
        headers.update({"content-length": str(len(body)), **self._connection_header()})
        writer.write(self._head(status, headers) + body)
        await writer.drain()
        return True

    async def _send_error(
        self,
        writer: asyncio.StreamWriter,
        request: RecordedRequest,
        status: int,
        error_type: str,
        message: str,
    ) -> bool:
        error = http_error(status, error_type, message, should_retry=False)
        request.served = f"{status} {message}"
        return await self._send_whole(
            writer, request, status, JSON_CONTENT_TYPE, error.encoded_body(), error.headers
        )

    async def _respond(self, request: RecordedRequest, writer: asyncio.StreamWriter) -> bool:
        self.requests.append(request)
        number = len(self.requests)
        where = f"request #{number} {request.method} {request.path}"
        if request.method == "POST" and request.path == "/v1/messages":
            if not self._script:
                message = f"FakeAnthropic script exhausted: no scripted response for {where}"
                self.unexpected.append(message)
                return await self._send_error(writer, request, 500, "api_error", message)
            item = self._script.popleft()
            return await self._play(item, request, writer)
        if request.method == "POST" and request.path == "/v1/messages/count_tokens":
            counted: int | HttpError | RawResponse
            if self._count_script:
                counted = self._count_script.popleft()
            elif callable(self.token_count):
                counted = self.token_count(request)
            else:
                counted = self.token_count
            if isinstance(counted, int):
                request.served = f"count_tokens {counted}"
                body = json.dumps({"input_tokens": counted}).encode()
                return await self._send_whole(writer, request, 200, JSON_CONTENT_TYPE, body)
            return await self._play(counted, request, writer)
        message = f"FakeAnthropic has no endpoint for {where}"
        self.unexpected.append(message)
        return await self._send_error(writer, request, 404, "not_found_error", message)

    async def _play(
        self, item: ScriptItem, request: RecordedRequest, writer: asyncio.StreamWriter
    ) -> bool:
        for _ in range(10):
            if isinstance(item, _PLAYABLE):
                break
            item = item(request)
        request.served = _describe(item)
        if isinstance(item, HttpError):
            headers = {"request-id": item.request_id, **item.headers}
            content_type = headers.pop("content-type", JSON_CONTENT_TYPE)
            body = item.encoded_body()
            return await self._send_whole(writer, request, item.status, content_type, body, headers)
        if isinstance(item, Disconnect):
            writer.transport.abort()
            return False
        delay, fragment = 0.0, None
        if isinstance(item, Paced):
            delay, fragment, item = item.delay, item.fragment, item.item
        fault = None
        if isinstance(item, StreamFault):
            fault, item = item, item.item
        if not isinstance(item, Turn | RawResponse):
            raise TypeError(f"cannot play {item!r}")
        if isinstance(item, Turn):
            if request.stream:
                segments = item.segments(request.model)
                return await self._stream(
                    writer, request, segments, 200, SSE_CONTENT_TYPE, {}, fault, delay, fragment
                )
            body = json.dumps(item.message(request.model), ensure_ascii=False).encode()
            return await self._whole_with_fault(
                writer, request, 200, JSON_CONTENT_TYPE, body, {}, fault
            )
        if item.is_sse:
            segments = [(s, event_name(s) == "ping") for s in item.segments()]
            return await self._stream(
                writer,
                request,
                segments,
                item.status,
                item.content_type,
                item.headers,
                fault,
                delay,
                fragment,
            )
        return await self._whole_with_fault(
            writer, request, item.status, item.content_type, item.body, item.headers, fault
        )

    async def _whole_with_fault(
        self,
        writer: asyncio.StreamWriter,
        request: RecordedRequest,
        status: int,
        content_type: str,
        body: bytes,
        extra: Mapping[str, str],
        fault: StreamFault | None,
    ) -> bool:
        if fault is None:
            return await self._send_whole(writer, request, status, content_type, body, extra)
        if fault.kind == "stall":
            await asyncio.sleep(fault.seconds)
            return await self._send_whole(writer, request, status, content_type, body, extra)
        if fault.kind == "drop":
            headers = {"content-type": content_type, **extra}
            headers.update({"content-length": str(len(body)), **self._connection_header()})
            headers.setdefault("request-id", new_id("req_011C", 20))
            request.request_id = headers["request-id"]
            writer.write(self._head(status, headers) + body[: len(body) // 2])
            await writer.drain()
            writer.transport.abort()
            return False
        message = f"{fault.kind} fault scripted but the request was not streaming"
        self.unexpected.append(f"FakeAnthropic: {message} ({request.method} {request.path})")
        return await self._send_error(writer, request, 500, "api_error", message)

    async def _stream(
        self,
        writer: asyncio.StreamWriter,
        request: RecordedRequest,
        segments: Sequence[tuple[bytes, bool]],
        status: int,
        content_type: str,
        extra: Mapping[str, str],
        fault: StreamFault | None,
        delay: float,
        fragment: int | None,
    ) -> bool:
        headers = {"content-type": content_type, "cache-control": "no-cache", **extra}
        headers.setdefault("request-id", new_id("req_011C", 20))
        request.request_id = headers["request-id"]
        headers.update({"transfer-encoding": "chunked", **self._connection_header()})
        writer.write(self._head(status, headers))
        await writer.drain()
        sent = 0
        pending = fault
        for data, is_ping in segments:
            if pending is not None and sent == pending.after_events:
                outcome = await self._fire(pending, writer)
                if outcome is not None:
                    return outcome
                pending = None
            await self._chunk(writer, data, fragment)
            if not is_ping:
                sent += 1
            if delay:
                await asyncio.sleep(delay)
        if pending is not None:
            outcome = await self._fire(pending, writer)
            if outcome is not None:
                return outcome
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return True

    async def _fire(self, fault: StreamFault, writer: asyncio.StreamWriter) -> bool | None:
        """Apply a stream fault; None means carry on streaming."""
        if fault.kind == "stall":
            await asyncio.sleep(fault.seconds)
            return None
        if fault.kind == "drop":
            writer.transport.abort()
            return False
        if fault.kind == "error":
            error = {"type": fault.error_type, "message": fault.message}
            await self._chunk(writer, encode_event("error", {"type": "error", "error": error}))
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return True

    @staticmethod
    async def _chunk(
        writer: asyncio.StreamWriter, data: bytes, fragment: int | None = None
    ) -> None:
        step = fragment if fragment and fragment > 0 else max(1, len(data))
        for i in range(0, len(data), step):
            piece = data[i : i + step]
            writer.write(b"%X\r\n" % len(piece) + piece + b"\r\n")
            await writer.drain()


_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy")


@pytest_asyncio.fixture
async def fake_api(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeAnthropic]:
    """A started `FakeAnthropic`; `verify()` runs at teardown.

    Proxy variables are removed for the test: the SDK mounts proxies from the environment
    even for 127.0.0.1.
    """
    for name in _PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    async with FakeAnthropic() as server:
        yield server
        server.verify()
