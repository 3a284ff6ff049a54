"""Server-sent-event wire helpers and recorded Messages API responses.

Standard library (+ PyYAML for cassettes) only; used by `tests.support.fake_api`, which
re-exports the public names.

Encoding and splitting::

    encode_event("ping", {"type": "ping"})     # b'event: ping\\ndata: {"type":"ping"}\\n\\n'
    split_events(body)                          # [bytes, ...], b"".join(...) == body
    event_name(segment)                         # "ping" | "message_start" | ... | None
    parse_sse(body)                             # [SSEEvent(event, data), ...] for assertions

Recorded responses (each a `RawResponse` the fake server plays byte for byte)::

    raw_sse(path_or_text)      # a recorded `.sse` body; str containing a newline = the body
                               # itself, any other str / PathLike = a file path, bytes = body
    cassette_turns(path)       # one RawResponse per VCR interaction: the raw body from
                               # `response.body.string` (or `response.body` if a string), else
                               # `response.parsed_body` re-encoded as JSON; status and
                               # non-hop-by-hop headers kept
    cassette_requests(path)    # the recorded requests: [{"method", "uri", "body"}, ...] with
                               # `body` parsed (`request.parsed_body`, or JSON in `request.body`)
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8"
JSON_CONTENT_TYPE = "application/json"

_BLANK_LINES = (b"\n", b"\r\n", b"\r")
# Headers that describe the recorded transfer, not the response; the fake server frames
# bodies itself.
_HOP_BY_HOP = frozenset(
    {"connection", "content-length", "transfer-encoding", "content-encoding", "keep-alive"}
)


def encode_event(name: str, data: Mapping[str, Any]) -> bytes:
    """One SSE event: `event:` line, compact `data:` JSON line, blank line (UTF-8)."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {name}\ndata: {payload}\n\n".encode()


def split_events(body: bytes) -> list[bytes]:
    """Split an SSE body after each event's terminating blank line.

    Line endings may be `\\n`, `\\r\\n` or `\\r`. Runs of blank lines stay with the event
    before them and a final event without a trailing blank line is kept, so
    `b"".join(split_events(body)) == body` always holds.
    """
    segments: list[bytes] = []
    current: list[bytes] = []
    for line in body.splitlines(keepends=True):
        if line in _BLANK_LINES and not current and segments:
            segments[-1] += line
            continue
        current.append(line)
        if line in _BLANK_LINES:
            segments.append(b"".join(current))
            current = []
    if current:
        segments.append(b"".join(current))
    return segments


def event_name(segment: bytes) -> str | None:
    """The `event:` field of one SSE segment, or None when it has none."""
    name: str | None = None
    for raw in segment.splitlines():
        key, _, value = raw.decode("utf-8", "replace").partition(":")
        if key == "event":
            name = value.removeprefix(" ")
    return name or None


@dataclass(frozen=True)
class SSEEvent:
    """A decoded server-sent event (`data` lines joined with newlines)."""

    event: str | None
    data: str

    def json(self) -> Any:
        return json.loads(self.data)


def parse_sse(body: bytes | str) -> list[SSEEvent]:
    """Decode an SSE body into events, like the SDK's decoder (comments/ids ignored)."""
    raw = body.encode() if isinstance(body, str) else body
    events: list[SSEEvent] = []
    for segment in split_events(raw):
        name: str | None = None
        data: list[str] = []
        for line_bytes in segment.splitlines():
            line = line_bytes.decode("utf-8", "replace")
            if not line or line.startswith(":"):
                continue
            key, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if key == "event":
                name = value
            elif key == "data":
                data.append(value)
        if name is not None or data:
            events.append(SSEEvent(name or None, "\n".join(data)))
    return events


@dataclass
class RawResponse:
    """A response body played exactly as given.

    SSE bodies (`content_type` starting with `text/event-stream`) are sent with chunked
    transfer encoding, one chunk per event (see `split_events`); anything else is sent with
    a `content-length`. `headers` are added to the response (e.g. recorded ones).
    """

    body: bytes
    status: int = 200
    content_type: str = SSE_CONTENT_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    source: str = ""

    @property
    def is_sse(self) -> bool:
        return self.content_type.startswith("text/event-stream")

    def segments(self) -> list[bytes]:
        return split_events(self.body) if self.is_sse else [self.body]

    def events(self) -> list[SSEEvent]:
        return parse_sse(self.body)


def raw_sse(path_or_text: str | bytes | os.PathLike[str]) -> RawResponse:
    """A recorded SSE body to replay byte for byte.

    `bytes` is the body; a `str` containing a newline is the body (UTF-8); any other `str`
    or a path-like is read as a file in binary mode.
    """
    if isinstance(path_or_text, bytes):
        return RawResponse(path_or_text, source="<bytes>")
    if isinstance(path_or_text, str) and "\n" in path_or_text:
        return RawResponse(path_or_text.encode(), source="<text>")
    path = Path(path_or_text)
    return RawResponse(path.read_bytes(), source=path.name)


def _load_interactions(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise ValueError(f"{path}: not a VCR cassette (no `interactions` list)")
    return [i for i in data["interactions"] if isinstance(i, dict)]


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        return str(value[0]) if value else None
    return None if value is None else str(value)


def cassette_turns(path: str | os.PathLike[str]) -> list[RawResponse]:
    """One `RawResponse` per interaction of a VCR cassette, in order.

    The body is `response.body.string` (str or `!!binary` bytes), or `response.body` when it
    is itself a string, or else `response.parsed_body` re-encoded as compact JSON (VCR stores
    JSON bodies parsed, so those are not byte-exact). Status and non-hop-by-hop headers are
    kept; `content-type` defaults to SSE when the body starts with an `event:` line.
    """
    name = Path(path).name
    out: list[RawResponse] = []
    for index, interaction in enumerate(_load_interactions(path)):
        response = interaction.get("response") or {}
        body_field = response.get("body")
        raw: Any = body_field.get("string") if isinstance(body_field, dict) else body_field
        if raw is None and "parsed_body" in response:
            raw = json.dumps(response["parsed_body"], ensure_ascii=False, separators=(",", ":"))
        if raw is None:
            raw = b""
        body = raw if isinstance(raw, bytes) else str(raw).encode()
        status_field = response.get("status")
        status = (
            int(status_field.get("code", 200))
            if isinstance(status_field, dict)
            else int(status_field or 200)
        )
        headers: dict[str, str] = {}
        for key, value in (response.get("headers") or {}).items():
            first = _first(value)
            if first is not None and key.lower() not in _HOP_BY_HOP:
                headers[key.lower()] = first
        default_type = (
            SSE_CONTENT_TYPE if body.lstrip().startswith(b"event:") else JSON_CONTENT_TYPE
        )
        content_type = headers.pop("content-type", default_type)
        out.append(RawResponse(body, status, content_type, headers, source=f"{name}#{index}"))
    return out


def cassette_requests(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The requests of a VCR cassette: `{"method", "uri", "body"}` with `body` parsed."""
    out: list[dict[str, Any]] = []
    for interaction in _load_interactions(path):
        request = interaction.get("request") or {}
        body: Any = request.get("parsed_body")
        if body is None and request.get("body") is not None:
            raw = request["body"]
            raw = raw.get("string") if isinstance(raw, dict) else raw
            try:
                body = json.loads(raw) if isinstance(raw, str | bytes) else raw
            except ValueError:
                body = raw
        out.append({"method": request.get("method"), "uri": request.get("uri"), "body": body})
    return out
