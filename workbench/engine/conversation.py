"""A conversation with one agent: its settings, its history, its transcript.

Each message a person sends starts a `Run` within the conversation; follow-ups and
resumed sessions append to the same history and the same transcript file.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench import __version__
from workbench.agentfile.roster import Roster
from workbench.agentfile.spec import AgentSpec
from workbench.config.models import ModelTable, builtin_models
from workbench.engine.jail import Jail
from workbench.engine.modes import Mode, parse_mode
from workbench.engine.permissions import Policy
from workbench.engine.prompt import (
    WEB_FETCH,
    WEB_SEARCH,
    ModelChoice,
    choose_model,
    request,
    system_prompt,
)
from workbench.engine.retry import RetryPolicy
from workbench.engine.rules import load_rules
from workbench.engine.sandbox import Sandbox
from workbench.engine.toolbox import Toolset, select_tools
from workbench.engine.tools.base import ToolContext
from workbench.engine.transcript import (
    Redactor,
    TranscriptWriter,
    read_records,
    transcript_path,
)
from workbench.engine.usage import Usage

if TYPE_CHECKING:
    from anthropic import AsyncAnthropic

    from workbench.engine.run import Run


@dataclass(frozen=True)
class RunConfig:
    """Everything a conversation is started with; a person's choices beat the agent's."""

    spec: AgentSpec
    workspace: Path
    roster: Roster | None = None
    """Agents that delegation can reach; None means no delegation targets."""
    mode: Mode | None = None
    """The person's permission mode; None falls back to the agent's, then `default`."""
    model: str | None = None
    max_turns: int | None = None
    add_dirs: tuple[Path, ...] = ()
    base_url: str | None = None
    allowed_tools: tuple[str, ...] = ()
    disallowed_tools: tuple[str, ...] = ()
    allow_network: bool = False
    interactive: bool = True
    """False for headless runs: nothing can be asked, so an ask becomes a denial."""
    models: ModelTable = field(default_factory=builtin_models)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    depth: int = 0
    """How many delegations lie between this agent and the one a person started."""


@dataclass(frozen=True)
class Parent:
    """Where a delegated conversation came from, recorded in its transcript header."""

    session_id: str
    tool_use_id: str


class Conversation:
    def __init__(
        self,
        config: RunConfig,
        *,
        session_id: str | None = None,
        parent: Parent | None = None,
        client: AsyncAnthropic | None = None,
    ) -> None:
        self.config = config
        self.session_id = session_id or str(uuid.uuid4())
        self.parent = parent
        self.messages: list[dict[str, Any]] = []
        """The exact API history: user and assistant messages, in order."""
        self.usage = Usage()
        self.runs = 0
        self.notices: list[str] = []
        """Things worth telling the person before the first run (unknown tools, bad rules)."""
        self._client = client
        workspace = config.workspace
        self.jail = Jail.of(workspace, config.add_dirs)
        sandbox = Sandbox(self.jail.workspace, self.jail.granted, config.allow_network)
        self.sandboxed = sandbox.available()
        self.context = ToolContext(self.jail, sandbox=sandbox if self.sandboxed else None)
        rules = load_rules(self.jail.workspace, config.allowed_tools, config.disallowed_tools)
        self.notices.extend(rules.problems)
        self.mode = config.mode or _agent_mode(config.spec, self.notices)
        self.policy = Policy(
            self.mode,
            rules,
            self.jail.workspace,
            self.sandboxed,
            config.interactive,
            granted=self.jail.granted,
        )
        if any(rule.tool == "Read" and rule.specifier for rule in rules.deny):
            self.context.hidden = self._read_denied
        self.toolset: Toolset = select_tools(config.spec, config.depth)
        if self.toolset.unavailable:
            self.notices.append(
                "not available in the workbench, so not offered: "
                + ", ".join(self.toolset.unavailable)
            )
        if not self.sandboxed and "Bash" in self.toolset.local:
            self.notices.append(
                "bubblewrap (bwrap) is not available: Bash commands run unsandboxed, "
                "and each one asks first unless the mode is bypassPermissions"
            )
        self.model: ModelChoice = choose_model(config.spec, config.models, config.model)
        self.system = system_prompt(config.spec, self.jail.workspace)
        self.web_allowed: bool | None = None
        """Decided once per conversation, at its first run; None until then."""
        self.path = transcript_path(self.jail.workspace, self.session_id)
        self._writer: TranscriptWriter | None = None

    @classmethod
    def resume(cls, config: RunConfig, session_id: str, **kwargs: Any) -> Conversation:
        """Continue a conversation from its transcript; the agent is the one given now."""
        path = transcript_path(Path(config.workspace).resolve(), session_id)
        if not path.exists():
            raise FileNotFoundError(f"no conversation {session_id} in {path.parent}")
        conversation = cls(config, session_id=session_id, **kwargs)
        for record in read_records(path):
            if record.get("type") == "message":
                conversation.messages.append(record["message"])
            elif record.get("type") == "user":
                conversation.runs = max(conversation.runs, int(record.get("run", 0)))
            elif record.get("type") == "usage" and "turn" in record:
                conversation.usage = conversation.usage + Usage(**record["turn"])
            elif record.get("type") == "web_access":
                conversation.web_allowed = bool(record.get("allowed"))
        return conversation

    def tool_definitions(self, web_allowed: bool) -> list[dict[str, Any]]:
        """The tools as the Messages API receives them; the web tools only when allowed."""
        definitions = [tool.definition() for tool in self.toolset.local.values()]
        if self.toolset.web and web_allowed:
            allowed, blocked = self.policy.web_domains()
            for name in self.toolset.web:
                tool: dict[str, Any] = dict(WEB_SEARCH if name == "WebSearch" else WEB_FETCH)
                if allowed:
                    tool["allowed_domains"] = list(allowed)
                elif blocked:
                    tool["blocked_domains"] = list(blocked)
                definitions.append(tool)
        return definitions

    def request_body(
        self, tools: list[dict[str, Any]], messages: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        """Keyword arguments for `messages.create`: every request of a run is built here.

        `messages` defaults to the conversation's history; the editor's preview passes a
        first message of its own.
        """
        history = self.messages if messages is None else messages
        return request(model=self.model, system=self.system, tools=tools, messages=history)

    def _read_denied(self, path: Path) -> bool:
        return self.policy.read_denied(path) is not None

    def send(self, text: str) -> Run:
        """Start a run answering `text`; iterate it for events, or cancel it."""
        from workbench.engine.run import Run

        return Run(self, text)

    async def connect(self) -> AsyncAnthropic:
        """The client, made in a thread the first time: setting up its TLS takes tens of
        milliseconds, which on the event loop would freeze the screen as a run starts."""
        if self._client is None:
            from workbench.engine.client import make_client

            made = await asyncio.to_thread(make_client, self.config.base_url)
            if self._client is None:
                self._client = made
        return self._client

    @property
    def writer(self) -> TranscriptWriter:
        if self._writer is None:
            fresh = not self.path.exists()
            self._writer = TranscriptWriter(self.path, Redactor())
            if fresh:
                self._writer.write(self._header())
        return self._writer

    def record(self, record: dict[str, Any]) -> None:
        self.writer.write(record)

    def append(self, message: dict[str, Any]) -> None:
        """Add to the API history and to the transcript, which is what resume replays."""
        self.messages.append(message)
        self.record({"type": "message", "message": message})

    def price_of(self, usage: Usage) -> float | None:
        return usage.cost(self.config.models.price(self.model.id))

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def _header(self) -> dict[str, Any]:
        spec = self.config.spec
        return {
            "type": "header",
            "version": 1,
            "workbench": __version__,
            "session_id": self.session_id,
            "agent": {
                "name": spec.name,
                "path": str(spec.path),
                "content_hash": spec.content_hash,
            },
            "model": self.model.id,
            "mode": self.mode.value,
            "workspace": str(self.jail.workspace),
            "sandboxed": self.sandboxed,
            "tools": list(self.toolset.names),
            "parent": (
                {"session_id": self.parent.session_id, "tool_use_id": self.parent.tool_use_id}
                if self.parent
                else None
            ),
        }


def _agent_mode(spec: AgentSpec, notices: list[str]) -> Mode:
    if not spec.permission_mode:
        return Mode.DEFAULT
    try:
        return parse_mode(spec.permission_mode)
    except ValueError as error:
        notices.append(f"the agent's permissionMode is ignored: {error}")
        return Mode.DEFAULT
