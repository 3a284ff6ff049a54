"""What the model is sent: system prompt, tools, model and thinking, in one request shape.

The engine and the editor's preview both build requests here, so the preview shows
exactly what a run sends.
"""

from __future__ import annotations

import datetime as dt
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.agentfile.spec import AgentSpec
from workbench.config.models import ModelTable

WEB_SEARCH = {"type": "web_search_20250305", "name": "web_search"}
WEB_FETCH = {"type": "web_fetch_20250910", "name": "web_fetch"}
SERVER_TOOL_NAMES = {"WebSearch": "web_search", "WebFetch": "web_fetch"}
"""Claude Code's names for the web tools, and the names the API's server tools carry."""


def environment_block(workspace: Path, today: dt.date | None = None) -> str:
    """The facts Claude Code gives a subagent about where it runs."""
    return "\n".join(
        [
            "<env>",
            f"Working directory: {workspace}",
            f"Is directory a git repo: {'Yes' if _is_git(workspace) else 'No'}",
            f"Platform: {platform.system().lower()}",
            f"OS Version: {platform.platform(terse=True)}",
            f"Today's date: {(today or dt.date.today()).isoformat()}",
            "</env>",
        ]
    )


def system_prompt(spec: AgentSpec, workspace: Path, today: dt.date | None = None) -> str:
    environment = environment_block(workspace, today)
    body = spec.body.strip()
    return f"{body}\n\n{environment}" if body else environment


@dataclass(frozen=True)
class ModelChoice:
    id: str
    thinking: dict[str, str] | None
    max_tokens: int


def choose_model(spec: AgentSpec, models: ModelTable, override: str | None) -> ModelChoice:
    """`--model` beats the agent's own; aliases map through the table; `inherit` is the default."""
    model_id = models.resolve(override or spec.model)
    adaptive = models.thinks_adaptively(model_id)
    thinking = {"type": "adaptive", "display": "summarized"} if adaptive else None
    return ModelChoice(model_id, thinking, models.output_limit(model_id))


def request(
    *,
    model: ModelChoice,
    system: str,
    tools: list[dict[str, Any]],
    messages: list[dict[str, Any]],
) -> dict[str, Any]:
    """Keyword arguments for `messages.create`.

    The system prompt carries a cache breakpoint, which caches it together with the tools
    before it; the last message carries another, so each turn reuses the one before.
    """
    body: dict[str, Any] = {
        "model": model.id,
        "max_tokens": model.max_tokens,
        "system": [{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}],
        "messages": _with_last_cached(messages),
    }
    if tools:
        body["tools"] = tools
    if model.thinking:
        body["thinking"] = model.thinking
    return body


def _with_last_cached(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not messages or messages[-1]["role"] != "user":
        return messages
    last = dict(messages[-1])
    content = last["content"]
    if isinstance(content, str):
        content = [{"type": "text", "text": content}]
    if content:
        content = [*content[:-1], {**content[-1], "cache_control": {"type": "ephemeral"}}]
    last["content"] = content
    return [*messages[:-1], last]


def _is_git(workspace: Path) -> bool:
    return any((folder / ".git").exists() for folder in (workspace, *workspace.parents))
