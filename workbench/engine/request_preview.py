"""The first request a run of an agent would send, built without sending it.

The preview builds a real `Conversation` (nothing is written and no client is made
until a run starts) and asks it for its request body, the same call a run makes before
each turn, so what the editor shows cannot drift from what the engine sends.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.agentfile.spec import AgentSpec
from workbench.config.models import ModelTable
from workbench.engine.conversation import Conversation, RunConfig
from workbench.engine.decisions import Verdict
from workbench.engine.modes import Mode

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic

PLACEHOLDER_TASK = "(the task you type)"
"""The first message's text: a run sends the person's task here."""
CHARACTERS_PER_TOKEN = 4


@dataclass(frozen=True)
class RequestPreview:
    body: dict[str, Any]
    """Keyword arguments for `messages.create`, exactly as a run's first turn passes them."""
    model_as_written: str | None
    """The agent's `model` before alias resolution (None: absent)."""
    mode: str
    tool_names: tuple[str, ...]
    notices: tuple[str, ...]
    """What a run would report first: unavailable tools, ignored settings, web access."""

    @property
    def model(self) -> str:
        return str(self.body["model"])

    @property
    def system_text(self) -> str:
        return "".join(block["text"] for block in self.body["system"])

    @property
    def tools(self) -> list[dict[str, Any]]:
        tools: list[dict[str, Any]] = self.body.get("tools", [])
        return tools

    @property
    def first_message(self) -> str:
        """The text standing in for the person's task."""
        content = self.body["messages"][0]["content"]
        return "".join(block.get("text", "") for block in content)

    def counting_arguments(self) -> dict[str, Any]:
        """Keyword arguments for `messages.count_tokens`: the body without output settings."""
        return {key: value for key, value in self.body.items() if key != "max_tokens"}

    def estimated_tokens(self) -> int:
        """About four characters per token over everything the model reads."""
        text = json.dumps(self.counting_arguments(), ensure_ascii=False)
        return max(1, len(text) // CHARACTERS_PER_TOKEN)


def preview_request(
    spec: AgentSpec,
    workspace: Path,
    models: ModelTable,
    *,
    mode: Mode | None = None,
    model: str | None = None,
    task: str = PLACEHOLDER_TASK,
) -> RequestPreview:
    """What the first turn of a run of `spec` on `task` sends, as `Run` builds it.

    Web tools a run would have to ask about are shown as offered, with a notice saying so.
    """
    config = RunConfig(spec=spec, workspace=workspace, mode=mode, model=model, models=models)
    conversation = Conversation(config)
    notices = list(conversation.notices)
    web_allowed = False
    if conversation.toolset.web:
        decision = conversation.policy.web_access(set(conversation.toolset.web))
        label = " and ".join(conversation.toolset.web)
        web_allowed = decision.verdict is not Verdict.DENY
        if decision.verdict is Verdict.ASK:
            notices.append(f"{label}: the run asks first, and offers them only if you allow")
        elif not web_allowed:
            notices.append(f"{label} not offered: {decision.reason}")
    first = {"role": "user", "content": [{"type": "text", "text": task}]}
    body = conversation.request_body(conversation.tool_definitions(web_allowed), [first])
    return RequestPreview(
        body=body,
        model_as_written=spec.model,
        mode=conversation.mode.value,
        tool_names=(
            *conversation.toolset.local,
            *(conversation.toolset.web if web_allowed else ()),
        ),
        notices=tuple(notices),
    )


async def count_tokens(client: AsyncAnthropic, preview: RequestPreview) -> int:
    """The API's own count of the request's input tokens."""
    counted = await client.messages.count_tokens(**preview.counting_arguments())
    return counted.input_tokens
