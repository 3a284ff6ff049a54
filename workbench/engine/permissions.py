"""Whether a tool call runs, asks a person first, or is refused: Claude Code's modes and rules.

The order is Claude Code's: deny rules, then ask rules, then allow rules (the first match
of each wins, specificity does not matter), then the permission mode. On top of that:

- Protected paths (agent definitions, settings, hooks, skills, `.mcp.json`, `.git`,
  `.workbench`) are never changed without a person saying so: they ask in default and
  acceptEdits even when an allow rule matches, are refused in plan, dontAsk and headless
  runs, and only bypassPermissions changes them silently. Unlike Claude Code, the rest of
  `.claude/` is ordinary workspace: agents in this workbench keep their task notes in
  `.claude/tasks/` and plans in `.claude/docs/`, and acceptEdits lets them write there.
- Plan mode changes nothing, whatever the rules say: edits and commands outside the
  built-in read-only set are refused, which a session grant cannot lift either.
- Headless runs (no one to ask) refuse what would ask, with a hint naming the flag or
  rule that would allow it.

`reason` is written for the model as much as for a person: the engine sends it as the
error tool_result when a call is refused.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from workbench.engine.rules import (
    ALLOWED_FLAG,
    Call,
    ParsedCommand,
    Rule,
    RuleSet,
    Subcommand,
    bash_prefixes,
    covers,
    glob_regex,
    load_rules,
    match_subcommand,
    matches,
    parse_command,
    web_domain,
)
from workbench.engine.tools.base import Tool, ToolKind

__all__ = [
    "PROTECTED",
    "Decision",
    "Mode",
    "Policy",
    "Rule",
    "RuleSet",
    "Verdict",
    "existing_protected",
    "is_protected",
    "is_read_only",
    "load_rules",
    "parse_mode",
]


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


# --- protected paths -------------------------------------------------------------------

PROTECTED: tuple[str, ...] = (
    ".claude/settings.json",
    ".claude/settings.local.json",
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


# --- the read-only command set ---------------------------------------------------------

_READ_ONLY_COMMANDS = frozenset(
    {
        "ls", "dir", "vdir", "cat", "head", "tail", "wc", "pwd", "echo", "printf", "grep", "egrep",
        "fgrep", "rg", "tree", "file", "stat", "du", "df", "which", "type", "whoami", "id",
        "groups", "date", "uname", "basename", "dirname", "realpath", "readlink", "true", "false",
        "diff", "cmp", "comm", "cut", "tr", "nl", "od", "column", "fold", "expand", "unexpand",
        "paste", "rev", "tac", "strings", "sort", "uniq", "seq", "sleep", "test", "[", "cd",
        "pushd", "popd", "jq", "md5sum", "sha1sum", "sha256sum", "sha512sum", "b2sum", "cksum",
        "printenv", "nproc", "free", "uptime", "locale", "ps", "find", "fd", "git", "command",
    }
)  # fmt: skip
_FORBIDDEN_OPTIONS: dict[str, tuple[str, ...]] = {
    "rg": ("--pre",),
    "fd": ("-x", "--exec", "-X", "--exec-batch"),
    "sort": ("-o", "--output", "--compress-program"),
    "tree": ("-o",),
    "file": ("-C", "--compile"),
    "date": ("-s", "--set"),
}
_FIND_ACTIONS = frozenset(
    {"-exec", "-execdir", "-ok", "-okdir", "-delete", "-fprint", "-fprint0", "-fprintf", "-fls"}
)
_GIT_READING = frozenset(
    {
        "status", "log", "diff", "show", "shortlog", "describe", "rev-parse", "ls-files",
        "ls-tree", "blame", "grep", "cat-file", "rev-list", "whatchanged", "merge-base",
        "show-ref", "for-each-ref", "count-objects", "check-ignore", "version", "name-rev",
        "show-branch",
    }
)  # fmt: skip
_GIT_GLOBAL_WITH_ARGUMENT = frozenset({"-C", "--git-dir", "--work-tree", "--namespace"})
_GIT_GLOBAL_FLAGS = frozenset(
    {"--no-pager", "-P", "--no-optional-locks", "--literal-pathspecs", "--no-replace-objects"}
)
_GIT_BRANCH_WRITES = (
    "-d", "-D", "--delete", "-m", "-M", "--move", "-c", "-C", "--copy", "-f", "--force",
    "-u", "--set-upstream-to", "--unset-upstream", "--edit-description", "-t", "--track",
    "--no-track",
)  # fmt: skip
_GIT_TAG_WRITES = (
    "-d", "--delete", "-a", "--annotate", "-s", "--sign", "-f", "--force", "-m",
    "--message", "-F", "--file", "-u", "--local-user",
)  # fmt: skip


def is_read_only(sub: Subcommand) -> bool:
    """Whether a subcommand is in the built-in set that only reads (ls, cat, git log, …).

    Environment assignments, output redirected to a file and programs named by a path
    take a command out of the set: any of them can make a reading command write.
    """
    if sub.assignments or sub.writes_file or not sub.program_words:
        return False
    name, *args = sub.program_words
    if name not in _READ_ONLY_COMMANDS:
        return False
    if name == "git":
        return _git_reads(args)
    if name == "find":
        return not any(arg in _FIND_ACTIONS for arg in args)
    if name == "command":
        return args[:1] in (["-v"], ["-V"])
    if name == "uniq":
        return len([arg for arg in args if not arg.startswith("-")]) <= 1
    return not any(_has_option(arg, _FORBIDDEN_OPTIONS.get(name, ())) for arg in args)


def _has_option(arg: str, options: Sequence[str]) -> bool:
    for option in options:
        if option.startswith("--"):
            if arg == option or arg.startswith(option + "="):
                return True
        elif arg.startswith("-") and not arg.startswith("--") and option[1] in arg[1:]:
            return True
    return False


def _git_reads(args: list[str]) -> bool:
    index = 0
    while index < len(args) and args[index].startswith("-"):
        option = args[index]
        if option in _GIT_GLOBAL_WITH_ARGUMENT:
            index += 2
        elif option in _GIT_GLOBAL_FLAGS or option.startswith(("--git-dir=", "--work-tree=")):
            index += 1
        else:
            return False  # -c and --config-env can name a program to run
    if index >= len(args):
        return False
    command, rest = args[index], args[index + 1 :]
    if any(_has_option(arg, ("--output",)) for arg in rest):
        return False
    positional = [arg for arg in rest if not arg.startswith("-")]
    match command:
        case "grep":
            return not any(_has_option(arg, ("-O", "--open-files-in-pager")) for arg in rest)
        case _ if command in _GIT_READING:
            return True
        case "branch":
            if any(_has_option(arg, _GIT_BRANCH_WRITES) for arg in rest):
                return False
            return not positional or any(arg in ("-l", "--list") for arg in rest)
        case "tag":
            if any(_has_option(arg, _GIT_TAG_WRITES) for arg in rest):
                return False
            return not rest or any(arg in ("-l", "--list") for arg in rest)
        case "remote":
            return all(arg in ("-v", "--verbose") for arg in rest) or rest[:1] == ["get-url"]
        case "stash":
            return rest[:1] in (["list"], ["show"])
        case "reflog":
            return not positional or positional[0] in ("show", "exists")
        case "config":
            return rest[:1] in (["--get"], ["--get-all"], ["--get-regexp"], ["--list"], ["-l"])
    return False


# --- the policy ------------------------------------------------------------------------

WEB_TOOLS = ("WebSearch", "WebFetch")
_OPEN_WEB_MODES = (Mode.BYPASS, Mode.ACCEPT_EDITS, Mode.PLAN)
_DO_NOT_RETRY = (
    "Do not retry it or look for a way around it; carry on without it, or say what you "
    "needed and why."
)
_PLAN_REFUSAL = (
    "Permission denied: the agent is in plan mode, where it may read and explore but not "
    "change anything (no file edits, no commands that could write). Finish and present the "
    "plan instead; the person can switch modes to carry it out."
)
_PLAN_HINT = "run with --permission-mode default or acceptEdits to let the agent make changes"
_SETTINGS = ".claude/settings.json"


class Policy:
    """Decides each tool call of one conversation; session grants live here, in memory."""

    def __init__(
        self,
        mode: Mode,
        rules: RuleSet,
        workspace: Path,
        sandboxed: bool,
        interactive: bool,
        granted: Sequence[Path] = (),
    ) -> None:
        self.mode = mode
        """May change during a run (leaving plan mode, for instance)."""
        self.rules = rules
        self.workspace = Path(os.path.realpath(workspace))
        self.granted = tuple(Path(os.path.realpath(path)) for path in granted)
        """Folders added with --add-dir: acceptEdits edits them like the workspace."""
        self.sandboxed = sandboxed
        self.interactive = interactive
        self._tools: set[str] = set()
        self._prefixes: list[str] = []

    # session grants

    def grant_tool(self, name: str) -> None:
        """Allow every call of `name` for the rest of this conversation."""
        self._tools.add(name)

    def grant_bash_prefix(self, prefix: str) -> None:
        """Allow commands starting with `prefix` (a whole word or more) for this conversation."""
        words = prefix.strip().removesuffix(":*").removesuffix(" *").split()
        if words and " ".join(words) not in self._prefixes:
            self._prefixes.append(" ".join(words))

    def _tool_granted(self, name: str) -> bool:
        return any(covers(granted, name) for granted in self._tools)

    # questions the engine asks before a run

    def tool_removed(self, name: str) -> Rule | None:
        """The deny rule, if any, that takes `name` away entirely (`Tool` or `Tool(*)`)."""
        return next(
            (rule for rule in self.rules.deny if rule.blanket and covers(rule.tool, name)),
            None,
        )

    def read_denied(self, path: Path) -> Rule | None:
        """The `Read(…)` deny rule covering `path`, for Grep and Glob to skip what it hides."""
        call = Call("Read", {}, path)
        return next((rule for rule in self.rules.deny if matches(rule, call, self.workspace)), None)

    # the decision

    def decide(self, tool: Tool, tool_input: Mapping[str, Any], target: Path | None) -> Decision:
        """Whether this call may run; `target` is the resolved path for path tools."""
        properties = frozenset(tool.input_schema.get("properties", {}))
        call = Call(tool.name, tool_input, target, properties)
        if tool.kind is ToolKind.SHELL:
            return self._decide_shell(call)
        what = self._describe(call)
        if rule := self._first(self.rules.deny, call, deny=True):
            return self._denied_by(rule, what)
        if tool.kind is ToolKind.EDIT:
            if target is not None and self._protected(target):
                return self._protected_decision(call)
            if self.mode is Mode.PLAN:
                return Decision(Verdict.DENY, _PLAN_REFUSAL, _PLAN_HINT)
        if rule := self._first(self.rules.ask, call):
            return self._ask(
                what, f"the rule {rule} in {rule.source} asks first", _ask_rule_hint(rule), rule
            )
        if rule := self._first(self.rules.allow, call):
            return Decision(
                Verdict.ALLOW, f"allowed by {rule} in {rule.source}", rule=rule, by="rule"
            )
        if self._tool_granted(tool.name):
            return Decision(
                Verdict.ALLOW, f"{tool.name} was allowed for this conversation", by="session"
            )
        if tool.kind is not ToolKind.EDIT:
            return Decision(Verdict.ALLOW, f"{tool.name} is allowed in every mode")
        return self._edit_by_mode(call, what)

    def _edit_by_mode(self, call: Call, what: str) -> Decision:
        target = call.target
        suggestion = self._edit_rule_for(target) if target is not None else "Edit"
        if self.mode is Mode.BYPASS:
            return Decision(Verdict.ALLOW, "bypassPermissions mode allows every edit")
        inside = target is not None and self._inside_roots(target)
        if self.mode is Mode.ACCEPT_EDITS and inside:
            return Decision(Verdict.ALLOW, "acceptEdits mode allows edits in the workspace")
        if self.mode is Mode.DONT_ASK:
            return self._ask(what, "", _allow_hint(suggestion), None, call.tool)
        if not inside:
            reason = f"{what} is outside the workspace; edits there always ask first"
            hint = "add the folder with --add-dir, or approve the edit in an interactive run"
            return self._ask(what, reason, hint, None, call.tool)
        hint = (
            f"run with --permission-mode acceptEdits, or add {suggestion} to permissions.allow "
            f"in {_SETTINGS}"
        )
        reason = f"{self.mode} mode asks before changing files"
        return self._ask(what, reason, hint, None, call.tool)

    def _decide_shell(self, call: Call) -> Decision:
        command = str(call.tool_input.get("command", ""))
        parsed = parse_command(command)
        what = self._describe(call)
        for rule in self.rules.deny:
            if _bash_rule_hits(rule, parsed):
                return self._denied_by(rule, what)
        read_only = _all(parsed, is_read_only)
        if self.mode is Mode.PLAN and not read_only:
            return Decision(Verdict.DENY, _PLAN_REFUSAL, _PLAN_HINT)
        for rule in self.rules.ask:
            if _bash_rule_hits(rule, parsed):
                return self._ask(
                    what, f"the rule {rule} in {rule.source} asks first", _ask_rule_hint(rule), rule
                )
        blanket = next((r for r in self.rules.allow if covers(r.tool, "Bash") and r.blanket), None)
        if blanket is not None:
            reason = f"allowed by {blanket} in {blanket.source}"
            return Decision(Verdict.ALLOW, reason, rule=blanket, by="rule")
        if self._tool_granted("Bash"):
            return Decision(Verdict.ALLOW, "Bash was allowed for this conversation", by="session")
        clearances = [self._clearance(sub, parsed) for sub in parsed.parts]
        if parsed.parts and parsed.complete and all(clearances):
            found = [clearance for clearance in clearances if clearance is not None]
            deciding = next((c.rule for c in found if c.rule is not None), None)
            by = next((c.by for c in found if c.by != "mode"), "mode")
            text = "; ".join(dict.fromkeys(c.text for c in found))
            return Decision(Verdict.ALLOW, text, rule=deciding, by=by)
        if self.mode is Mode.BYPASS:
            return Decision(Verdict.ALLOW, "bypassPermissions mode runs every command")
        pending = [sub for sub, c in zip(parsed.parts, clearances, strict=True) if c is None]
        hint = self._shell_hint(parsed, pending, read_only)
        if not self.sandboxed:
            reason = (
                "commands run without a sandbox here (bubblewrap is not available), so "
                "each one is confirmed first"
            )
        elif self.mode is Mode.PLAN:
            reason = "plan mode asks before running commands"
        else:
            reason = f"{self.mode} mode asks before running commands that may change things"
        grantable = _simple(parsed) and not any(sub.writes_file for sub in pending)
        prefixes = bash_prefixes(pending) if grantable else ()
        always = ", ".join(f"Bash({prefix}:*)" for prefix in prefixes)
        return self._ask(what, reason, hint, None, always)

    def _clearance(self, sub: Subcommand, parsed: ParsedCommand) -> _Clearance | None:
        """What lets one subcommand run without asking: a rule, a grant, or the read-only set."""
        simple = _simple(parsed)
        if simple and not sub.writes_file:
            for rule in self.rules.allow:
                if match_subcommand(rule, sub, strict=True):
                    return _Clearance("rule", f"allowed by {rule} in {rule.source}", rule)
            for prefix in self._prefixes:
                if sub.text == prefix or sub.text.startswith(prefix + " "):
                    text = f"`{prefix}` commands were allowed for this conversation"
                    return _Clearance("session", text)
        auto = (Mode.DEFAULT, Mode.ACCEPT_EDITS, Mode.PLAN)
        if simple and self.sandboxed and self.mode in auto and is_read_only(sub):
            return _Clearance("mode", "a read-only command, run in the sandbox")
        return None

    def remember(self, tool: Tool, tool_input: Mapping[str, Any]) -> None:
        """Grant what the `always_label` of this call's question offered, for this conversation.

        For Bash that is the prefixes of the subcommands that asked (`npm test`), never the
        whole tool; for other tools, the tool.
        """
        if tool.kind is not ToolKind.SHELL:
            self.grant_tool(tool.name)
            return
        parsed = parse_command(str(tool_input.get("command", "")))
        if not _simple(parsed):
            return
        pending = [sub for sub in parsed.parts if self._clearance(sub, parsed) is None]
        for prefix in bash_prefixes(pending):
            self.grant_bash_prefix(prefix)

    def _shell_hint(self, parsed: ParsedCommand, pending: list[Subcommand], read_only: bool) -> str:
        if not parsed.complete or parsed.substitution or any(sub.writes_file for sub in pending):
            return (
                "commands with $(…), backticks, output redirected to a file or unclosed quotes "
                "are pre-approved only by a blanket Bash rule; approve it in an interactive "
                "run, or split it into simpler commands"
            )
        rules = [f"Bash({prefix}:*)" for prefix in bash_prefixes(pending)] or ["Bash"]
        flags = " ".join(f"'{rule}'" for rule in rules)
        listed = " and ".join(rules)
        hint = f"pass {ALLOWED_FLAG} {flags}, or add {listed} to permissions.allow in {_SETTINGS}"
        if read_only and not self.sandboxed:
            hint += (
                "; or install bubblewrap (bwrap) so read-only commands run sandboxed without asking"
            )
        return hint

    # web tools (server-side, decided once per conversation)

    def web_access(self, declared: Iterable[str]) -> Decision:
        """Whether the declared WebSearch/WebFetch may be offered to the model at all.

        Web tools only read, so plan, acceptEdits and bypassPermissions offer them; default
        asks once for the conversation and dontAsk refuses unless a rule allows them. Rules
        naming the bare tool come first, as for any call. For several tools the strictest
        answer is returned.
        """
        wanted = set(declared)
        names = [name for name in WEB_TOOLS if name in wanted]
        settled = {name: self._web_by_rules(name) for name in names}
        for verdict in (Verdict.DENY, Verdict.ASK):
            for decision in settled.values():
                if decision is not None and decision.verdict is verdict:
                    return decision
        pending = [name for name, decision in settled.items() if decision is None]
        if pending:
            listed = " and ".join(pending)
            reason = (
                f"web tools reach the internet, and {self.mode} mode asks once per conversation"
            )
            flag = f"{ALLOWED_FLAG} {','.join(pending)}"
            hint = f"run with --permission-mode acceptEdits, or pass {flag}"
            if self.mode is Mode.DONT_ASK:
                hint = f"pass {flag}, or add {listed} to permissions.allow in {_SETTINGS}"
            return self._ask(f"using {listed}", reason, hint, None, ",".join(pending))
        allowed = [decision for decision in settled.values() if decision is not None]
        by = next((decision.by for decision in allowed if decision.by != "mode"), "mode")
        reason = "; ".join(decision.reason for decision in allowed) or "no web tools declared"
        return Decision(Verdict.ALLOW, reason, by=by)

    def web_domains(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(allowed_domains, blocked_domains) for the web_fetch tool definition.

        Allowed domains restrict fetches only when `WebFetch(domain:…)` allow rules are what
        lets WebFetch run (default or dontAsk mode, no broader rule or grant). The API takes
        one list or the other, never both, so at most one is non-empty; blocked domains are
        dropped from the allowed list, but a blocked subdomain of an allowed domain is then
        reachable. Call after `web_access` (and after any grant it led to).
        """
        allowed = self._fetch_domains()
        if allowed and not self._web_broadly_allowed("WebFetch"):
            return allowed, ()
        blocked = (web_domain(rule) for rule in self.rules.deny)
        return (), tuple(dict.fromkeys(domain for domain in blocked if domain))

    def _web_by_rules(self, name: str) -> Decision | None:
        """The answer rules, grants or the mode give for one web tool; None: ask the mode."""
        for rule in self.rules.deny:
            if covers(rule.tool, name) and rule.blanket:
                return self._denied_by(rule, name)
        for rule in self.rules.ask:
            if covers(rule.tool, name) and rule.blanket:
                reason = f"the rule {rule} in {rule.source} asks first"
                return self._ask(name, reason, _ask_rule_hint(rule), rule)
        for rule in self.rules.allow:
            if covers(rule.tool, name) and rule.blanket:
                reason = f"{name}: allowed by {rule} in {rule.source}"
                return Decision(Verdict.ALLOW, reason, rule=rule, by="rule")
        if self._tool_granted(name):
            reason = f"{name} was allowed for this conversation"
            return Decision(Verdict.ALLOW, reason, by="session")
        if self.mode in _OPEN_WEB_MODES:
            return Decision(
                Verdict.ALLOW, f"{name} only reads the web, which {self.mode} mode allows"
            )
        if name == "WebFetch" and (domains := self._fetch_domains()):
            listed = ", ".join(domains)
            reason = f"WebFetch is allowed for {listed} by permissions.allow rules"
            return Decision(Verdict.ALLOW, reason, by="rule")
        return None

    def _web_broadly_allowed(self, name: str) -> bool:
        if any(covers(rule.tool, name) and rule.blanket for rule in self.rules.allow):
            return True
        return self._tool_granted(name) or self.mode in _OPEN_WEB_MODES

    def _fetch_domains(self) -> tuple[str, ...]:
        blocked = {web_domain(rule) for rule in self.rules.deny}
        allowed = (web_domain(rule) for rule in self.rules.allow)
        return tuple(dict.fromkeys(d for d in allowed if d and d not in blocked))

    # shared pieces

    def _first(self, rules: Iterable[Rule], call: Call, *, deny: bool = False) -> Rule | None:
        return next(
            (r for r in rules if matches(r, call, self.workspace, for_edit_deny=deny)), None
        )

    def _ask(
        self, what: str, reason: str, hint: str | None, rule: Rule | None, always: str = ""
    ) -> Decision:
        """ASK, or DENY where no one may be asked (dontAsk mode, headless runs)."""
        by = "rule" if rule is not None else "mode"
        if self.mode is Mode.DONT_ASK:
            because = f" ({reason})" if rule is not None else ""
            text = (
                f"Permission denied: {what} is not pre-approved{because}, and in dontAsk mode "
                f"only what permissions.allow rules or {ALLOWED_FLAG} allow may run."
            )
            return Decision(Verdict.DENY, f"{text} {_DO_NOT_RETRY}", hint, rule, by)
        if not self.interactive:
            text = (
                f"Permission denied: {what} needs a person's approval ({reason}), and this run "
                "is headless, so no one can give it."
            )
            return Decision(Verdict.DENY, f"{text} {_DO_NOT_RETRY}", hint, rule, "headless")
        label = "" if rule is not None else always
        return Decision(Verdict.ASK, f"{what}: {reason}", hint, rule, by, label)

    def _denied_by(self, rule: Rule, what: str) -> Decision:
        text = f"Permission denied: {what} is forbidden by the rule {rule} in {rule.source}."
        hint = f"remove {rule} from {rule.source} to allow it"
        return Decision(Verdict.DENY, f"{text} {_DO_NOT_RETRY}", hint, rule, "rule")

    def _protected_decision(self, call: Call) -> Decision:
        assert call.target is not None
        where = self._display(call.target)
        if self.mode is Mode.BYPASS:
            return Decision(Verdict.ALLOW, f"bypassPermissions mode allows changing {where}")
        if self.mode is Mode.PLAN:
            return Decision(Verdict.DENY, _PLAN_REFUSAL, _PLAN_HINT)
        hint = "approve it in an interactive run, or run with --permission-mode bypassPermissions"
        if self.mode is Mode.DONT_ASK or not self.interactive:
            why = (
                "dontAsk mode never changes them"
                if self.interactive
                else ("this run is headless, so no one can approve it")
            )
            text = f"Permission denied: {where} is a protected path ({_PROTECTED_WHY}); {why}."
            by = "mode" if self.mode is Mode.DONT_ASK else "headless"
            return Decision(Verdict.DENY, f"{text} {_DO_NOT_RETRY}", hint, by=by)
        return Decision(
            Verdict.ASK,
            f"{call.tool} on {where}: a protected path ({_PROTECTED_WHY}), even when a rule "
            "allows edits",
        )

    def _describe(self, call: Call) -> str:
        if call.tool == "Bash":
            command = " ".join(str(call.tool_input.get("command", "")).split())
            short = command if len(command) <= 120 else command[:119] + "…"
            return f"the command `{short}`"
        if call.target is not None:
            return f"{call.tool} on {self._display(call.target)}"
        if _is_agent(call.tool) and call.tool_input.get("subagent_type"):
            return f"{call.tool} ({call.tool_input['subagent_type']})"
        return call.tool

    def _display(self, path: Path) -> str:
        if path.is_relative_to(self.workspace) and path != self.workspace:
            return path.relative_to(self.workspace).as_posix()
        return str(path)

    def _roots(self) -> tuple[Path, ...]:
        return (self.workspace, *self.granted)

    def _inside_roots(self, path: Path) -> bool:
        return any(path == root or path.is_relative_to(root) for root in self._roots())

    def _protected(self, path: Path) -> bool:
        return any(is_protected(path, root) for root in self._roots())

    def _edit_rule_for(self, target: Path) -> str:
        if target.is_relative_to(self.workspace) and target != self.workspace:
            relative = target.relative_to(self.workspace)
            if relative.parent == Path("."):
                return f"Edit(./{relative.as_posix()})"
            return f"Edit({relative.parent.as_posix()}/**)"
        return f"Edit(/{target.parent.as_posix()}/**)"


def _bash_rule_hits(rule: Rule, parsed: ParsedCommand) -> bool:
    if not covers(rule.tool, "Bash"):
        return False
    return rule.blanket or any(match_subcommand(rule, sub, strict=False) for sub in parsed.parts)


def _simple(parsed: ParsedCommand) -> bool:
    """Whether specific rules and grants may judge a command at all."""
    return parsed.complete and not parsed.substitution


def _all(parsed: ParsedCommand, test: Callable[[Subcommand], bool]) -> bool:
    return _simple(parsed) and bool(parsed.parts) and all(test(sub) for sub in parsed.parts)


@dataclass(frozen=True)
class _Clearance:
    by: str
    text: str
    rule: Rule | None = None


def _ask_rule_hint(rule: Rule) -> str:
    return f"the rule {rule} in {rule.source} always asks; remove it to run this without asking"


def _allow_hint(rule: str) -> str:
    return f"add {rule} to permissions.allow in {_SETTINGS}, or pass {ALLOWED_FLAG} '{rule}'"


def _is_agent(name: str) -> bool:
    return name in ("Agent", "Task")
