"""The tool names Claude Code knows, so lint can tell a typo from a real tool."""

from __future__ import annotations

import difflib
import re
from functools import cache

CURRENT = frozenset(
    {
        "Agent",
        "Artifact",
        "AskUserQuestion",
        "Bash",
        "CronCreate",
        "CronDelete",
        "CronList",
        "Edit",
        "EndConversation",
        "EnterPlanMode",
        "EnterWorktree",
        "ExitPlanMode",
        "ExitWorktree",
        "Glob",
        "Grep",
        "ListMcpResourcesTool",
        "LSP",
        "Monitor",
        "NotebookEdit",
        "PowerShell",
        "Read",
        "ReadMcpResourceTool",
        "ScheduleWakeup",
        "SendMessage",
        "Skill",
        "Task",
        "TaskCreate",
        "TaskGet",
        "TaskList",
        "TaskOutput",
        "TaskStop",
        "TaskUpdate",
        "TeamCreate",
        "TeamDelete",
        "TodoWrite",
        "ToolSearch",
        "WaitForMcpServers",
        "WebFetch",
        "WebSearch",
        "Workflow",
        "Write",
    }
)
LEGACY = frozenset({"LS", "MultiEdit", "NotebookRead", "BashOutput", "KillShell", "KillBash"})
"""Removed from Claude Code but still named by many agent files."""

KNOWN = CURRENT | LEGACY
_BY_LOWER = {name.lower(): name for name in KNOWN}
_WITH_ARGUMENT = re.compile(r"^([A-Za-z]+)\((.*)\)$", re.DOTALL)


def base_name(token: str) -> str:
    """`Agent(worker, researcher)` and `Bash(git *)` name the tools `Agent` and `Bash`."""
    if "(" not in token:
        return token
    match = _WITH_ARGUMENT.match(token)
    return match.group(1) if match else token


def is_known(token: str) -> bool:
    return token in KNOWN or token.startswith("mcp__") or base_name(token) in KNOWN


@cache
def closest(token: str) -> str | None:
    """The known tool a misspelt or miscased name most likely meant, if any."""
    name = base_name(token).lower()
    found = _BY_LOWER.get(name) or difflib.get_close_matches(name, _BY_LOWER, n=1, cutoff=0.75)
    if isinstance(found, list):
        return _BY_LOWER[found[0]] if found else None
    return found


def split_tool_list(text: str) -> tuple[str, ...]:
    """Split a comma string, keeping commas inside parentheses (`Agent(a, b)`) together."""
    if "(" not in text:
        return tuple(filter(None, map(str.strip, text.split(","))))
    tokens: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        if char == "," and depth == 0:
            tokens.append("".join(current))
            current = []
        else:
            current.append(char)
    tokens.append("".join(current))
    return tuple(token.strip() for token in tokens if token.strip())
