"""TodoWrite: the agent's own task list, kept in the conversation's context.

The list is replaced whole on every call, which is how the model marks progress; the
reply is a one-line summary so the list does not cost its length twice.
"""

from __future__ import annotations

from typing import Any, ClassVar

from workbench.engine.tools.base import Tool, ToolContext, ToolKind, ToolResult
from workbench.plurals import counted

STATUSES = ("in_progress", "pending", "completed")
"""In the order the summary names them."""


class TodoWrite(Tool):
    name: ClassVar[str] = "TodoWrite"
    kind: ClassVar[ToolKind] = ToolKind.MEMO
    description: ClassVar[str] = (
        "Keep a task list for the current piece of work, to plan multi-step tasks and show "
        "progress. Each call replaces the whole list, so always send every task with its "
        "current status. Mark a task in_progress when you start it (one at a time) and "
        "completed as soon as it is done. Skip this for trivial one-step requests."
    )
    input_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "todos": {
                "type": "array",
                "description": "The complete, updated task list.",
                "items": {
                    "type": "object",
                    "properties": {
                        "content": {
                            "type": "string",
                            "minLength": 1,
                            "description": "The task, in the imperative: 'Run the tests'.",
                        },
                        "status": {
                            "type": "string",
                            "enum": ["pending", "in_progress", "completed"],
                            "description": "Where the task stands.",
                        },
                        "activeForm": {
                            "type": "string",
                            "minLength": 1,
                            "description": "The task as shown while it runs: 'Running the tests'.",
                        },
                    },
                    "required": ["content", "status", "activeForm"],
                    "additionalProperties": False,
                },
            },
        },
        "required": ["todos"],
        "additionalProperties": False,
    }

    async def run(self, tool_input: dict[str, Any], context: ToolContext) -> ToolResult:
        todos = [
            {
                "content": item["content"],
                "status": item["status"],
                "activeForm": item["activeForm"],
            }
            for item in tool_input["todos"]
        ]
        context.todos[:] = todos
        return ToolResult(summarise(todos))


def summarise(todos: list[dict[str, str]]) -> str:
    """'3 tasks: 1 in progress, 2 pending', or a note that the list is empty."""
    if not todos:
        return "The task list is now empty."
    parts = []
    for status in STATUSES:
        count = sum(1 for todo in todos if todo["status"] == status)
        if count:
            parts.append(f"{count} {status.replace('_', ' ')}")
    return f"{counted(len(todos), 'task')}: " + ", ".join(parts)
