"""The Anthropic client, made only when a run needs it: importing the SDK costs seconds.

Credentials and the endpoint come from where the SDK itself reads them
(`ANTHROPIC_API_KEY` or `ANTHROPIC_AUTH_TOKEN`, `ANTHROPIC_BASE_URL`) or from
`--base-url`; never from a workspace's config file. Retries are the engine's, not the
SDK's, so every retry is something a person sees.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic

CREDENTIAL_VARIABLES = ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")


class MissingCredentials(Exception):
    """Nothing to authenticate with and nowhere else to send requests."""

    def __init__(self) -> None:
        super().__init__(
            "no credentials: set ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN), or point "
            "ANTHROPIC_BASE_URL (or --base-url) at a server that speaks the Messages API"
        )


def check_credentials(base_url: str | None) -> None:
    if any(os.environ.get(name) for name in CREDENTIAL_VARIABLES):
        return
    if base_url or os.environ.get("ANTHROPIC_BASE_URL"):
        return
    raise MissingCredentials


def make_client(base_url: str | None) -> AsyncAnthropic:
    """A client with the SDK's own retries off; a bare base URL gets a placeholder key.

    A local server or proxy reached through a base URL may need no key, but the SDK
    refuses to send a request without one.
    """
    from anthropic import AsyncAnthropic, Timeout

    has_key = any(os.environ.get(name) for name in CREDENTIAL_VARIABLES)
    return AsyncAnthropic(
        api_key=None if has_key else "no-key",
        base_url=base_url or None,
        max_retries=0,
        timeout=Timeout(600.0, connect=10.0),
    )
