"""Settings read from INDEXER_* environment variables."""

import os
from collections.abc import Mapping
from dataclasses import dataclass


class ConfigError(Exception):
    """A required setting is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    rpc_url: str
    database_path: str
    tokens: tuple[str, ...]
    start_block: int
    confirmations: int = 12
    batch_size: int = 500
    api_port: int = 8080


def load_settings(env: Mapping[str, str] = os.environ) -> Settings:
    rpc_url = env.get("INDEXER_RPC_URL", "")
    if not rpc_url:
        raise ConfigError("INDEXER_RPC_URL is not set; point it at an Ethereum JSON-RPC endpoint.")
    tokens = tuple(t.strip().lower() for t in env.get("INDEXER_TOKENS", "").split(",") if t.strip())
    if not tokens:
        raise ConfigError(
            "INDEXER_TOKENS is empty; give a comma-separated list of token addresses."
        )
    try:
        return Settings(
            rpc_url=rpc_url,
            database_path=env.get("INDEXER_DATABASE", "transfers.sqlite3"),
            tokens=tokens,
            start_block=int(env.get("INDEXER_START_BLOCK", "0")),
            confirmations=int(env.get("INDEXER_CONFIRMATIONS", "12")),
            batch_size=int(env.get("INDEXER_BATCH_SIZE", "500")),
            api_port=int(env.get("INDEXER_API_PORT", "8080")),
        )
    except ValueError as exc:
        raise ConfigError(f"A numeric INDEXER_* setting is not an integer: {exc}") from exc
