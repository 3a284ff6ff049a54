"""Which tools an agent is offered: exactly its `tools`, minus `disallowedTools`.

An agent without a `tools` key gets every tool the workbench implements. Names the
workbench does not implement (MCP tools, other products' tool ids) are reported, not
offered. WebSearch and WebFetch are the API's server tools: the model calls them inside
the response and the workbench never runs them.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.agentfile.spec import AgentSpec
from workbench.agentfile.tool_names import base_name
from workbench.engine.permissions import WEB_TOOLS
from workbench.engine.tools.agent import MAX_DEPTH, AgentTool, TaskTool
from workbench.engine.tools.base import Tool
from workbench.engine.tools.bash import Bash
from workbench.engine.tools.registry import FILE_TOOLS

LEGACY = ("LS", "MultiEdit", "Task")
"""Offered only to agents that name them: Claude Code no longer has them by these names."""


def local_tools() -> dict[str, Tool]:
    return {**FILE_TOOLS, "Bash": Bash(), "Agent": AgentTool(), "Task": TaskTool()}


@dataclass(frozen=True)
class Toolset:
    local: dict[str, Tool]
    """Tools the workbench runs, by the name the model calls them."""
    web: tuple[str, ...]
    """Server tools the agent declares (WebSearch, WebFetch)."""
    unavailable: tuple[str, ...]
    """Names in the agent's `tools` that no tool here answers to."""

    @property
    def names(self) -> tuple[str, ...]:
        return (*self.local, *self.web)


def select_tools(spec: AgentSpec, depth: int = 0) -> Toolset:
    implemented = local_tools()
    disallowed = {base_name(name) for name in spec.disallowed_tools}
    if "Agent" in disallowed or "Task" in disallowed:
        disallowed |= {"Agent", "Task"}
    if spec.tools is None:
        wanted = [name for name in implemented if name not in LEGACY] + list(WEB_TOOLS)
        unavailable: list[str] = []
    else:
        wanted, unavailable = [], []
        for token in spec.tools:
            name = base_name(token)
            if name in implemented or name in WEB_TOOLS:
                if name not in wanted:
                    wanted.append(name)
            else:
                unavailable.append(token)
    if depth >= MAX_DEPTH:
        disallowed |= {"Agent", "Task"}
    local = {
        name: implemented[name] for name in wanted if name in implemented and name not in disallowed
    }
    web = tuple(name for name in wanted if name in WEB_TOOLS and name not in disallowed)
    return Toolset(local, web, tuple(unavailable))
