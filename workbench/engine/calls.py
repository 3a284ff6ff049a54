"""A tool call in a few words, the way a person scanning a run wants to read it."""

from __future__ import annotations

from typing import Any

_KEY = {
    "Read": "file_path",
    "Write": "file_path",
    "Edit": "file_path",
    "MultiEdit": "file_path",
    "LS": "path",
    "Glob": "pattern",
    "Grep": "pattern",
    "Bash": "command",
    "WebSearch": "query",
    "WebFetch": "url",
}


def describe(name: str, tool_input: dict[str, Any], width: int = 100) -> str:
    """`docs/tasks/context.md` for a Read, the command for Bash, the agent for Agent…"""
    if name in ("Agent", "Task"):
        text = f"{tool_input.get('subagent_type', '?')}: {tool_input.get('description', '')}"
    elif name == "TodoWrite":
        todos = tool_input.get("todos")
        text = f"{len(todos)} items" if isinstance(todos, list) else ""
    elif name == "Grep" and tool_input.get("path"):
        text = f"{tool_input.get('pattern', '')} in {tool_input['path']}"
    else:
        value = tool_input.get(_KEY.get(name, ""), "")
        text = value if isinstance(value, str) else ""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
