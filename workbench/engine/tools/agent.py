"""Delegation: the Agent tool (Claude Code's former name, Task, works too)."""

from __future__ import annotations

from typing import Any, ClassVar

from workbench.engine.tools.base import Tool, ToolContext, ToolError, ToolKind, ToolResult

MAX_DEPTH = 3
"""Agents may delegate three levels below the agent a person started, as in Claude Code."""


class AgentTool(Tool):
    name: ClassVar[str] = "Agent"
    kind: ClassVar[ToolKind] = ToolKind.DELEGATE
    description: ClassVar[str] = (
        "Hand a self-contained task to another agent of this workspace's roster and get its "
        "final answer back as this tool's result. The other agent starts fresh: it sees only "
        "the prompt you write here, not this conversation, so include every fact, path and "
        "constraint it needs and say exactly what it should return. It uses its own "
        "instructions, tools and model, under the same permissions as you."
    )
    input_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "description": {
                "type": "string",
                "description": "A few words naming the task, shown to the person watching.",
            },
            "prompt": {
                "type": "string",
                "description": "The complete task for the other agent.",
            },
            "subagent_type": {
                "type": "string",
                "description": "The name of the agent to run, as listed in the roster.",
            },
        },
        "required": ["description", "prompt", "subagent_type"],
    }

    async def run(self, tool_input: dict[str, Any], context: ToolContext) -> ToolResult:
        if context.delegate is None:
            raise ToolError("delegation is not available here")
        return await context.delegate(tool_input)


class TaskTool(AgentTool):
    """The same tool under the name many agent files still use."""

    name: ClassVar[str] = "Task"
