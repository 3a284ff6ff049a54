"""Tokens used and what they cost, per turn, per run and per conversation."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from workbench.config.models import Price


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    web_search_requests: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cache_write_tokens + other.cache_write_tokens,
            self.cache_read_tokens + other.cache_read_tokens,
            self.web_search_requests + other.web_search_requests,
        )

    @classmethod
    def from_api(cls, usage: Any) -> Usage:
        """From the API's usage object, whose optional fields may be absent or None."""
        server = getattr(usage, "server_tool_use", None)
        return cls(
            input_tokens=_count(usage, "input_tokens"),
            output_tokens=_count(usage, "output_tokens"),
            cache_write_tokens=_count(usage, "cache_creation_input_tokens"),
            cache_read_tokens=_count(usage, "cache_read_input_tokens"),
            web_search_requests=_count(server, "web_search_requests"),
        )

    def cost(self, price: Price | None) -> float | None:
        if price is None:
            return None
        per_token = (
            self.input_tokens * price.input
            + self.output_tokens * price.output
            + self.cache_write_tokens * price.cache_write
            + self.cache_read_tokens * price.cache_read
        ) / 1_000_000
        return per_token + self.web_search_requests * price.web_search

    def to_json(self) -> dict[str, int]:
        return asdict(self)


def _count(source: Any, name: str) -> int:
    value = getattr(source, name, None)
    return value if isinstance(value, int) else 0
