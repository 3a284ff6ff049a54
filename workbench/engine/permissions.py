"""Whether a tool call runs, asks a person first, or is refused: Claude Code's modes and rules.

The order is Claude Code's: deny rules, then ask rules, then allow rules (the first match
of each wins, specificity does not matter), then the permission mode. On top of that:

- Protected paths (agent definitions, settings, hooks, skills, `.mcp.json`, `.git`,
  `.workbench`) are never changed without a person saying so (`protected.py`).
- Plan mode changes nothing, whatever the rules say: edits and commands outside the
  built-in read-only set (`read_only.py`) are refused, which a session grant cannot lift
  either.
- Headless runs (no one to ask) refuse what would ask, with a hint naming the flag or
  rule that would allow it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.engine.decisions import (
    PLAN_REFUSAL,
    SETTINGS,
    Decision,
    Verdict,
    allowed_by,
    ask_or_refuse,
    granted,
    refused_by,
)
from workbench.engine.modes import Mode
from workbench.engine.protected import is_protected, protected_decision
from workbench.engine.read_only import is_read_only
from workbench.engine.rules import (
    ALLOWED_FLAG,
    Call,
    Rule,
    RuleSet,
    blanket_rule,
    covers,
    fetch_domains,
    match_subcommand,
    matches,
    matches_command,
)
from workbench.engine.shell import ParsedCommand, Subcommand, command_prefixes, parse_command
from workbench.engine.tools.base import Tool, ToolKind

WEB_TOOLS = ("WebSearch", "WebFetch")
"""The API's server tools: offered or not once per conversation, never decided per call."""
_OPEN_WEB_MODES = (Mode.BYPASS, Mode.ACCEPT_EDITS, Mode.PLAN)


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
        return blanket_rule(self.rules.deny, name)

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
            return refused_by(rule, what)
        if tool.kind is ToolKind.EDIT:
            if target is not None and self._protected(target):
                return protected_decision(
                    self.mode, self.interactive, tool.name, self._display(target)
                )
            if self.mode is Mode.PLAN:
                return PLAN_REFUSAL
        if rule := self._first(self.rules.ask, call):
            return self._asked_by(rule, what)
        if rule := self._first(self.rules.allow, call):
            return allowed_by(rule)
        if self._tool_granted(tool.name):
            return granted(tool.name)
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
            hint = (
                f"add {suggestion} to permissions.allow in {SETTINGS}, or pass {ALLOWED_FLAG} "
                f"'{suggestion}'"
            )
            return self._ask(what, "", hint, None, call.tool)
        if not inside:
            reason = f"{what} is outside the workspace; edits there always ask first"
            hint = "add the folder with --add-dir, or approve the edit in an interactive run"
            return self._ask(what, reason, hint, None, call.tool)
        hint = (
            f"run with --permission-mode acceptEdits, or add {suggestion} to permissions.allow "
            f"in {SETTINGS}"
        )
        reason = f"{self.mode} mode asks before changing files"
        return self._ask(what, reason, hint, None, call.tool)

    # shell commands

    def _decide_shell(self, call: Call) -> Decision:
        parsed = parse_command(str(call.tool_input.get("command", "")))
        what = self._describe(call)
        for rule in self.rules.deny:
            if matches_command(rule, parsed):
                return refused_by(rule, what)
        read_only = parsed.simple and bool(parsed.parts) and all(map(is_read_only, parsed.parts))
        if self.mode is Mode.PLAN and not read_only:
            return PLAN_REFUSAL
        for rule in self.rules.ask:
            if matches_command(rule, parsed):
                return self._asked_by(rule, what)
        if blanket := blanket_rule(self.rules.allow, "Bash"):
            return allowed_by(blanket)
        if self._tool_granted("Bash"):
            return granted("Bash")
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
        grantable = parsed.simple and not any(sub.writes_file for sub in pending)
        rules = [f"Bash({prefix}:*)" for prefix in command_prefixes(pending)] if grantable else None
        hint = self._shell_hint(rules, read_only)
        if not self.sandboxed:
            reason = (
                "commands run without a sandbox here (bubblewrap is not available), so "
                "each one is confirmed first"
            )
        elif self.mode is Mode.PLAN:
            reason = "plan mode asks before running commands"
        else:
            reason = f"{self.mode} mode asks before running commands that may change things"
        return self._ask(what, reason, hint, None, ", ".join(rules or ()))

    def _clearance(self, sub: Subcommand, parsed: ParsedCommand) -> _Clearance | None:
        """What lets one subcommand run without asking: a rule, a grant, or the read-only set."""
        if parsed.simple and not sub.writes_file:
            for rule in self.rules.allow:
                if match_subcommand(rule, sub, strict=True):
                    return _Clearance("rule", f"allowed by {rule} in {rule.source}", rule)
            for prefix in self._prefixes:
                if sub.text == prefix or sub.text.startswith(prefix + " "):
                    text = f"`{prefix}` commands were allowed for this conversation"
                    return _Clearance("session", text)
        auto = (Mode.DEFAULT, Mode.ACCEPT_EDITS, Mode.PLAN)
        if parsed.simple and self.sandboxed and self.mode in auto and is_read_only(sub):
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
        if not parsed.simple:
            return
        pending = [sub for sub in parsed.parts if self._clearance(sub, parsed) is None]
        for prefix in command_prefixes(pending):
            self.grant_bash_prefix(prefix)

    def _shell_hint(self, rules: list[str] | None, read_only: bool) -> str:
        """The hint for a command that asks; `rules` is None when no specific rule can allow it."""
        if rules is None:
            return (
                "commands with $(…), backticks, output redirected to a file or unclosed quotes "
                "are pre-approved only by a blanket Bash rule; approve it in an interactive "
                "run, or split it into simpler commands"
            )
        rules = rules or ["Bash"]
        flags = " ".join(f"'{rule}'" for rule in rules)
        listed = " and ".join(rules)
        hint = f"pass {ALLOWED_FLAG} {flags}, or add {listed} to permissions.allow in {SETTINGS}"
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
                hint = f"pass {flag}, or add {listed} to permissions.allow in {SETTINGS}"
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
        allowed = self._allowed_domains()
        if allowed and not self._web_broadly_allowed("WebFetch"):
            return allowed, ()
        return (), fetch_domains(self.rules.deny)

    def _web_by_rules(self, name: str) -> Decision | None:
        """The answer rules, grants or the mode give for one web tool; None: ask the mode."""
        if rule := blanket_rule(self.rules.deny, name):
            return refused_by(rule, name)
        if rule := blanket_rule(self.rules.ask, name):
            return self._asked_by(rule, name)
        if rule := blanket_rule(self.rules.allow, name):
            reason = f"{name}: allowed by {rule} in {rule.source}"
            return Decision(Verdict.ALLOW, reason, rule=rule, by="rule")
        if self._tool_granted(name):
            return granted(name)
        if self.mode in _OPEN_WEB_MODES:
            return Decision(
                Verdict.ALLOW, f"{name} only reads the web, which {self.mode} mode allows"
            )
        if name == "WebFetch" and (domains := self._allowed_domains()):
            listed = ", ".join(domains)
            reason = f"WebFetch is allowed for {listed} by permissions.allow rules"
            return Decision(Verdict.ALLOW, reason, by="rule")
        return None

    def _web_broadly_allowed(self, name: str) -> bool:
        if blanket_rule(self.rules.allow, name) is not None or self._tool_granted(name):
            return True
        return self.mode in _OPEN_WEB_MODES

    def _allowed_domains(self) -> tuple[str, ...]:
        blocked = set(fetch_domains(self.rules.deny))
        return tuple(domain for domain in fetch_domains(self.rules.allow) if domain not in blocked)

    # shared pieces

    def _first(self, rules: Iterable[Rule], call: Call, *, deny: bool = False) -> Rule | None:
        return next(
            (r for r in rules if matches(r, call, self.workspace, for_edit_deny=deny)), None
        )

    def _ask(
        self, what: str, reason: str, hint: str | None, rule: Rule | None, always: str = ""
    ) -> Decision:
        return ask_or_refuse(self.mode, self.interactive, what, reason, hint, rule, always)

    def _asked_by(self, rule: Rule, what: str) -> Decision:
        reason = f"the rule {rule} in {rule.source} asks first"
        hint = f"the rule {rule} in {rule.source} always asks; remove it to run this without asking"
        return self._ask(what, reason, hint, rule)

    def _describe(self, call: Call) -> str:
        if call.tool == "Bash":
            command = " ".join(str(call.tool_input.get("command", "")).split())
            short = command if len(command) <= 120 else command[:119] + "…"
            return f"the command `{short}`"
        if call.target is not None:
            return f"{call.tool} on {self._display(call.target)}"
        if covers("Agent", call.tool) and call.tool_input.get("subagent_type"):
            return f"{call.tool} ({call.tool_input['subagent_type']})"
        return call.tool

    def _relative(self, path: Path) -> Path | None:
        """`path` relative to the workspace, if it lies inside it."""
        if path.is_relative_to(self.workspace) and path != self.workspace:
            return path.relative_to(self.workspace)
        return None

    def _display(self, path: Path) -> str:
        relative = self._relative(path)
        return str(path) if relative is None else relative.as_posix()

    def _roots(self) -> tuple[Path, ...]:
        return (self.workspace, *self.granted)

    def _inside_roots(self, path: Path) -> bool:
        return any(path == root or path.is_relative_to(root) for root in self._roots())

    def _protected(self, path: Path) -> bool:
        return any(is_protected(path, root) for root in self._roots())

    def _edit_rule_for(self, target: Path) -> str:
        relative = self._relative(target)
        if relative is None:
            return f"Edit(/{target.parent.as_posix()}/**)"
        if relative.parent == Path("."):
            return f"Edit(./{relative.as_posix()})"
        return f"Edit({relative.parent.as_posix()}/**)"


@dataclass(frozen=True)
class _Clearance:
    by: str
    text: str
    rule: Rule | None = None
