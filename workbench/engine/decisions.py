"""What a permission check answers, and the sentences every kind of call words the same way.

`reason` is written for the model as much as for a person: the engine sends it as the
error tool_result when a call is refused, so every refusal ends by telling the model not
to look for a way around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from workbench.engine.modes import Mode
from workbench.engine.rules import ALLOWED_FLAG, SETTINGS_FILES, Rule

SETTINGS = SETTINGS_FILES[0]
"""The settings file hints suggest adding rules to."""
_DO_NOT_RETRY = (
    "Do not retry it or look for a way around it; carry on without it, or say what you "
    "needed and why."
)


class Verdict(StrEnum):
    ALLOW = "allow"
    ASK = "ask"
    DENY = "deny"


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reason: str
    """Why, in a sentence a person and the model both understand."""
    hint: str | None = None
    """For a person: the flag or rule that would allow this without asking."""
    rule: Rule | None = None
    """The rule that decided, if one did."""
    by: str = "mode"
    """Who decided, for the record: `rule`, `mode`, `session` (a grant) or `headless`."""
    always_label: str = ""
    """For ASK: what "allow for the rest of this conversation" would cover (`Write`,
    `Bash(npm test:*)`), which `Policy.remember` grants; empty when a grant would not stop
    the question (ask rules, protected paths, commands with substitutions)."""


PLAN_REFUSAL = Decision(
    Verdict.DENY,
    "Permission denied: the agent is in plan mode, where it may read and explore but not "
    "change anything (no file edits, no commands that could write). Finish and present the "
    "plan instead; the person can switch modes to carry it out.",
    "run with --permission-mode default or acceptEdits to let the agent make changes",
)
"""Plan mode's answer to every change, whatever the rules say."""


def refusal(text: str, hint: str | None, rule: Rule | None = None, by: str = "mode") -> Decision:
    """DENY with `text`, told to the model as final."""
    return Decision(Verdict.DENY, f"{text} {_DO_NOT_RETRY}", hint, rule, by)


def refused_by(rule: Rule, what: str) -> Decision:
    """DENY because a deny rule names the call."""
    text = f"Permission denied: {what} is forbidden by the rule {rule} in {rule.source}."
    return refusal(text, f"remove {rule} from {rule.source} to allow it", rule, "rule")


def allowed_by(rule: Rule) -> Decision:
    """ALLOW because an allow rule names the call."""
    return Decision(Verdict.ALLOW, f"allowed by {rule} in {rule.source}", rule=rule, by="rule")


def granted(name: str) -> Decision:
    """ALLOW because a person allowed `name` for the rest of the conversation."""
    return Decision(Verdict.ALLOW, f"{name} was allowed for this conversation", by="session")


def ask_or_refuse(
    mode: Mode,
    interactive: bool,
    what: str,
    reason: str,
    hint: str | None,
    rule: Rule | None,
    always: str = "",
) -> Decision:
    """ASK, or DENY where no one may be asked (dontAsk mode, headless runs)."""
    by = "rule" if rule is not None else "mode"
    if mode is Mode.DONT_ASK:
        because = f" ({reason})" if rule is not None else ""
        text = (
            f"Permission denied: {what} is not pre-approved{because}, and in dontAsk mode "
            f"only what permissions.allow rules or {ALLOWED_FLAG} allow may run."
        )
        return refusal(text, hint, rule, by)
    if not interactive:
        text = (
            f"Permission denied: {what} needs a person's approval ({reason}), and this run "
            "is headless, so no one can give it."
        )
        return refusal(text, hint, rule, "headless")
    label = "" if rule is not None else always
    return Decision(Verdict.ASK, f"{what}: {reason}", hint, rule, by, label)
