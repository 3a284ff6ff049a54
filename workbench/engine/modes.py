"""The permission mode: how much an agent may do before a person is asked."""

from __future__ import annotations

from enum import StrEnum


class Mode(StrEnum):
    """Claude Code's permission modes, by the names its settings and flags use."""

    DEFAULT = "default"
    ACCEPT_EDITS = "acceptEdits"
    PLAN = "plan"
    DONT_ASK = "dontAsk"
    BYPASS = "bypassPermissions"


def parse_mode(text: str) -> Mode:
    """The mode `text` names; `manual` is Claude Code's display name for default."""
    value = text.strip()
    if value.lower() == "manual":
        return Mode.DEFAULT
    if value.lower() == "auto":
        raise ValueError(
            "permission mode 'auto' decides each call with Anthropic's own safety classifier, "
            "which only Claude Code has, so it is not offered here; use default, acceptEdits, "
            "plan, dontAsk or bypassPermissions"
        )
    for mode in Mode:
        if mode.value.lower() == value.lower():
            return mode
    raise ValueError(
        f"unknown permission mode {text!r}; choose one of default (alias manual), "
        "acceptEdits, plan, dontAsk or bypassPermissions"
    )
