"""Which failures are worth another attempt, and how long to wait before it.

The SDK's own retries are off: each retry here becomes an event a person sees. A stream
can fail in ways the SDK does not report as API errors (a dropped connection surfaces as
an `httpx2` transport error, an early end as no error at all), so those are named here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

RETRYABLE_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
RETRYABLE_STREAM_ERRORS = frozenset({"overloaded_error", "api_error", "rate_limit_error"})


class IncompleteStream(Exception):
    """The stream ended without `message_stop`: the turn is partial."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    """Total attempts per turn, the first one included."""
    base_delay_s: float = 1.0
    max_delay_s: float = 30.0

    def delay(self, attempt: int, error: BaseException) -> float:
        """`retry-after` when the server sent one, else exponential backoff with jitter."""
        suggested = _retry_after(error)
        if suggested is not None:
            return min(suggested, self.max_delay_s * 4)
        backoff = min(self.base_delay_s * 2.0 ** (attempt - 1), self.max_delay_s)
        return float(backoff * random.uniform(0.75, 1.0))


@dataclass(frozen=True)
class Failure:
    retryable: bool
    kind: str
    """A short name: the API's error type, `connection`, `stream` or `internal`."""
    message: str


def classify(error: BaseException) -> Failure:
    import anthropic
    import httpx2

    if isinstance(error, IncompleteStream):
        return Failure(True, "stream", "the response stream ended before the message was complete")
    if isinstance(error, anthropic.APIStatusError):
        kind = getattr(error, "type", None) or _body_type(error.body) or "api_error"
        detail = _body_message(error.body) or str(error)
        if error.status_code == 200:
            return Failure(
                kind in RETRYABLE_STREAM_ERRORS,
                kind,
                f"the API sent an error mid-stream ({kind}): {detail}",
            )
        should = error.response.headers.get("x-should-retry")
        retryable = error.status_code in RETRYABLE_STATUS if should is None else should == "true"
        return Failure(retryable, kind, f"HTTP {error.status_code} {kind}: {detail}")
    if isinstance(error, anthropic.APIConnectionError):
        return Failure(True, "connection", f"could not reach the API: {error}")
    if isinstance(error, httpx2.TransportError):
        reason = str(error) or type(error).__name__
        return Failure(True, "stream", f"the connection broke mid-response: {reason}")
    return Failure(False, "internal", f"{type(error).__name__}: {error}")


def _retry_after(error: BaseException) -> float | None:
    response = getattr(error, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value:
            try:
                return max(0.0, float(value) * scale)
            except ValueError:
                continue
    return None


def _body_type(body: Any) -> str | None:
    error = body.get("error") if isinstance(body, dict) else None
    return error.get("type") if isinstance(error, dict) else None


def _body_message(body: Any) -> str | None:
    error = body.get("error") if isinstance(body, dict) else None
    return error.get("message") if isinstance(error, dict) else None
