"""Paths only a person may approve changes to, and how a change to one is decided.

Unlike Claude Code, the rest of `.claude/` is ordinary workspace: agents in this workbench
keep their task notes in `.claude/tasks/` and plans in `.claude/docs/`, and acceptEdits
lets them write there.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from workbench.engine.decisions import PLAN_REFUSAL, Decision, Verdict, refusal
from workbench.engine.modes import Mode
from workbench.engine.path_patterns import glob_regex

PROTECTED: tuple[str, ...] = (
    ".claude/settings*.json",
    ".claude/agents/**",
    ".claude/hooks/**",
    ".claude/skills/**",
    ".mcp.json",
    ".git/**",
    ".workbench/**",
)
"""Paths, relative to a workspace, that only a person may approve changes to.

They steer later runs (agents, hooks, skills, settings, MCP servers, version control, the
workbench's own records), so an agent that could rewrite them could lift its own limits.
"""
_PROTECTED_RE = re.compile("|".join(f"(?:{glob_regex(pattern)})" for pattern in PROTECTED))
_PROTECTED_WHY = (
    "agent definitions, settings, hooks, skills, MCP servers, .git and .workbench "
    "shape later runs, so changes to them are always confirmed by a person"
)


def is_protected(path: Path, workspace: Path) -> bool:
    """Whether `path` is, or lies inside, one of the PROTECTED paths of `workspace`.

    Both the path as written and the path with symbolic links resolved are judged, so
    a link cannot lead into or disguise a protected folder.
    """
    root_real = os.path.realpath(workspace)
    root_plain = os.path.abspath(workspace)
    for candidate in {os.path.abspath(path), os.path.realpath(path)}:
        for root in {root_real, root_plain}:
            if candidate == root or not candidate.startswith(root.rstrip("/") + "/"):
                continue
            if _PROTECTED_RE.fullmatch(os.path.relpath(candidate, root)):
                return True
    return False


def existing_protected(root: Path) -> list[Path]:
    """The PROTECTED paths that exist under `root`, for the sandbox to make read-only."""
    found: list[Path] = []
    for pattern in PROTECTED:
        base = pattern.removesuffix("/**")
        if any(char in base for char in "*?["):
            candidates = sorted(root.glob(base))
        else:
            candidates = [root / base] if os.path.lexists(root / base) else []
        found += [path for path in candidates if path not in found]
    return found


def protected_decision(mode: Mode, interactive: bool, tool: str, where: str) -> Decision:
    """How `tool` changing the protected path `where` is decided, whatever the rules say.

    A person must say so: default and acceptEdits ask even when an allow rule matches, plan,
    dontAsk and headless runs refuse, and only bypassPermissions changes them silently.
    """
    if mode is Mode.BYPASS:
        return Decision(Verdict.ALLOW, f"bypassPermissions mode allows changing {where}")
    if mode is Mode.PLAN:
        return PLAN_REFUSAL
    if mode is Mode.DONT_ASK or not interactive:
        why = (
            "dontAsk mode never changes them"
            if interactive
            else "this run is headless, so no one can approve it"
        )
        text = f"Permission denied: {where} is a protected path ({_PROTECTED_WHY}); {why}."
        hint = "approve it in an interactive run, or run with --permission-mode bypassPermissions"
        return refusal(text, hint, by="mode" if mode is Mode.DONT_ASK else "headless")
    return Decision(
        Verdict.ASK,
        f"{tool} on {where}: a protected path ({_PROTECTED_WHY}), even when a rule allows edits",
    )
