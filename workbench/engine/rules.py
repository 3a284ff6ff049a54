"""Claude Code's permission rules: `Tool` or `Tool(specifier)`, parsed, matched and loaded.

A rule names a tool and optionally narrows it:

- `Bash(npm run test *)`: a glob over the command, `*` anywhere; a space before a trailing
  `*` is a word boundary (`ls *` matches `ls -la`, not `lsof`); the legacy `:*` suffix is
  the same trailing wildcard. Compound commands match per subcommand (`shell.py` splits
  them).
- `Read(./secrets/**)`, `Edit(/src/**/*.ts)`: gitignore-style paths (`path_patterns.py`).
  `Edit(...)` covers Write, Edit, MultiEdit and NotebookEdit; `Read(...)` covers Read, Grep,
  Glob and LS.
- `WebFetch(domain:example.com)`, `WebFetch(domain:*.example.com)` (subdomains only).
- `mcp__server` and `mcp__server__*` (every tool of a server), `mcp__server__tool`.
- `Agent(name)` (alias `Task`), matched against `subagent_type`; `Agent(model:opus)` and
  other `param:value` forms match a scalar input parameter of non-Bash tools.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from workbench.engine.path_patterns import path_matches
from workbench.engine.shell import ParsedCommand, Subcommand, parse_command

EDIT_TOOLS = frozenset({"Edit", "Write", "MultiEdit", "NotebookEdit"})
"""Tools an `Edit(...)` rule covers."""
READ_TOOLS = frozenset({"Read", "Grep", "Glob", "LS"})
"""Tools a `Read(...)` rule covers."""
SETTINGS_FILES = (".claude/settings.json", ".claude/settings.local.json")
"""Where a workspace keeps its rules, relative to its root; their lists merge."""
ALLOWED_FLAG = "--allowed-tools"
DISALLOWED_FLAG = "--disallowed-tools"

_ALIASES = {"Task": "Agent"}
_RULE = re.compile(r"^(?P<tool>[A-Za-z_][\w.*-]*)(?:\((?P<spec>.*)\))?$", re.DOTALL)
_SCALAR = re.compile(r"^(?P<key>[A-Za-z_]\w*):(?P<value>.*)$", re.DOTALL)


@dataclass(frozen=True)
class Rule:
    """One permission rule and where it was written, so messages can name both."""

    tool: str
    specifier: str | None
    source: str
    """A settings file relative to the workspace (`.claude/settings.json`) or a flag."""

    def __str__(self) -> str:
        return self.tool if self.specifier is None else f"{self.tool}({self.specifier})"

    @property
    def blanket(self) -> bool:
        """Whether the rule covers every call of its tools (`Bash`, `Bash(*)`)."""
        return self.specifier is None or self.specifier.strip() in ("*", "**")


@dataclass(frozen=True)
class RuleSet:
    allow: tuple[Rule, ...] = ()
    ask: tuple[Rule, ...] = ()
    deny: tuple[Rule, ...] = ()
    problems: tuple[str, ...] = ()
    """Settings files and flag entries whose rules were ignored: `<source>: <what is wrong>`."""


@dataclass(frozen=True)
class Call:
    """A tool call as rules see it."""

    tool: str
    tool_input: Mapping[str, Any]
    target: Path | None
    """The resolved path a path tool acts on; None for other tools."""
    properties: frozenset[str] = frozenset()
    """The tool's input parameters, for `param:value` specifiers."""


def parse_rule(text: str, source: str) -> Rule:
    """The rule `text` spells, or a ValueError that says what is wrong with it."""
    stripped = text.strip()
    match = _RULE.match(stripped)
    if match is None:
        raise ValueError(
            f"{text!r} is not a rule; write Tool or Tool(specifier), e.g. Bash(npm test *)"
        )
    spec = match["spec"]
    if spec is not None and not spec.strip():
        raise ValueError(f"{text!r} has an empty specifier; write {match['tool']} on its own")
    return Rule(match["tool"], spec.strip() if spec is not None else None, source)


def split_rule_list(text: str) -> list[str]:
    """Rules in one flag value, separated by commas or spaces outside parentheses."""
    rules: list[str] = []
    depth = 0
    current = ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        if depth == 0 and (char == "," or char.isspace()):
            if current:
                rules.append(current)
            current = ""
            continue
        current += char
    if current:
        rules.append(current)
    return rules


def covers(rule_tool: str, tool: str) -> bool:
    """Whether a rule written for `rule_tool` applies to calls of `tool`."""
    rule_tool, tool = _ALIASES.get(rule_tool, rule_tool), _ALIASES.get(tool, tool)
    if rule_tool == tool:
        return True
    if rule_tool == "Edit":
        return tool in EDIT_TOOLS
    if rule_tool == "Read":
        return tool in READ_TOOLS
    if rule_tool.startswith("mcp__") and tool.startswith("mcp__"):
        if "*" in rule_tool:
            return fnmatchcase(tool, rule_tool)
        return rule_tool.count("__") == 1 and tool.startswith(rule_tool + "__")
    return False


def blanket_rule(rules: Iterable[Rule], tool: str) -> Rule | None:
    """The first of `rules` that covers every call of `tool` (`Bash`, `WebFetch(*)`)."""
    return next((rule for rule in rules if covers(rule.tool, tool) and rule.blanket), None)


def matches(rule: Rule, call: Call, workspace: Path, *, for_edit_deny: bool = False) -> bool:
    """Whether `rule` applies to `call` (for Bash, use `match_subcommand` per subcommand).

    `for_edit_deny` lets a `Read(path)` deny rule stop an edit of that path too.
    """
    reads = covers(rule.tool, "Read") and not rule.blanket
    if for_edit_deny and reads and call.tool in EDIT_TOOLS:
        assert rule.specifier is not None
        return call.target is not None and path_matches(rule.specifier, call.target, workspace)
    if not covers(rule.tool, call.tool):
        return False
    if rule.blanket:
        return True
    assert rule.specifier is not None
    if call.tool in READ_TOOLS or call.tool in EDIT_TOOLS:
        return call.target is not None and path_matches(rule.specifier, call.target, workspace)
    if call.tool == "WebFetch":
        return _domain_matches(rule.specifier, str(call.tool_input.get("url", "")))
    scalar = _SCALAR.match(rule.specifier)
    if scalar and scalar["key"] in call.properties and call.tool != "Bash":
        return _scalar_text(call.tool_input.get(scalar["key"])) == scalar["value"]
    if covers("Agent", call.tool):
        return fnmatchcase(str(call.tool_input.get("subagent_type", "")), rule.specifier)
    return False


def match_subcommand(rule: Rule, sub: Subcommand, *, strict: bool) -> bool:
    """Whether a Bash rule's pattern covers one subcommand.

    Strict matching (for allow rules) sees the command as written, minus wrappers; loose
    matching (deny and ask) also tries it without leading `VAR=value` assignments, so that
    `FOO=1 rm -rf x` is still caught by `Bash(rm *)`.
    """
    if not covers(rule.tool, "Bash"):
        return False
    if rule.blanket:
        return True
    assert rule.specifier is not None
    pattern = bash_pattern(rule.specifier)
    texts = [sub.text] if strict else [sub.text, sub.command_text, " ".join(sub.words)]
    return any(pattern.fullmatch(text) for text in texts)


def matches_command(rule: Rule, parsed: ParsedCommand) -> bool:
    """Whether a deny or ask rule catches any part of a command (loose matching)."""
    if not covers(rule.tool, "Bash"):
        return False
    return rule.blanket or any(match_subcommand(rule, sub, strict=False) for sub in parsed.parts)


@lru_cache(maxsize=512)
def bash_pattern(specifier: str) -> re.Pattern[str]:
    """A Bash specifier as a regular expression over a normalised command."""
    spec = specifier.strip()
    if spec.endswith(":*"):
        spec = spec[:-2].rstrip() + " *"
    parsed = parse_command(spec)
    if parsed.simple and len(parsed.parts) == 1:
        spec = " ".join(parsed.parts[0].words)
    else:
        spec = " ".join(spec.split())
    trailing = spec.endswith(" *")
    body = spec[:-2] if trailing else spec
    regex = ".*".join(re.escape(part) for part in body.split("*"))
    if trailing:
        regex += "(?: .*)?"
    return re.compile(regex, re.DOTALL)


def _domain(specifier: str) -> str | None:
    """The domain a `domain:` specifier names, lowercased; None for other specifiers."""
    if not specifier.startswith("domain:"):
        return None
    return specifier.removeprefix("domain:").strip().lower()


def _domain_matches(specifier: str, url: str) -> bool:
    domain = _domain(specifier)
    if domain is None:
        return False
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    if domain.startswith("*."):
        return host.endswith(domain[1:])
    return host == domain


def fetch_domains(rules: Iterable[Rule]) -> tuple[str, ...]:
    """The domains `WebFetch(domain:…)` rules name, each once, as the API's domain lists want.

    The API's lists include subdomains, so `*.example.com` becomes `example.com`.
    """
    found: dict[str, None] = {}
    for rule in rules:
        if rule.tool == "WebFetch" and rule.specifier:
            domain = (_domain(rule.specifier) or "").removeprefix("*.")
            if domain:
                found[domain] = None
    return tuple(found)


def _scalar_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


# --- loading ---------------------------------------------------------------------------


def load_rules(
    workspace: Path, allowed: Iterable[str] = (), disallowed: Iterable[str] = ()
) -> RuleSet:
    """The workspace's rules from its settings files plus the command-line flags.

    A settings file that cannot be read, is not JSON, or holds permissions of the wrong
    shape contributes no rules at all (a half-applied file would surprise more than an
    ignored one) and is reported in `problems`.
    """
    lists: dict[str, list[Rule]] = {"allow": [], "ask": [], "deny": []}
    problems: list[str] = []
    for relative in SETTINGS_FILES:
        path = workspace / relative
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError) as error:
            problems.append(f"{relative}: cannot be read ({error}); its rules are ignored")
            continue
        found = _settings_rules(text, relative)
        if isinstance(found, str):
            problems.append(found)
            continue
        for key, rules in found.items():
            lists[key].extend(rules)
    for key, flag, entries in (
        ("allow", ALLOWED_FLAG, allowed),
        ("deny", DISALLOWED_FLAG, disallowed),
    ):
        for entry in entries:
            for piece in split_rule_list(entry):
                try:
                    lists[key].append(parse_rule(piece, flag))
                except ValueError as error:
                    problems.append(f"{flag}: {error}; it is ignored")
    return RuleSet(
        tuple(lists["allow"]), tuple(lists["ask"]), tuple(lists["deny"]), tuple(problems)
    )


def _settings_rules(text: str, source: str) -> dict[str, list[Rule]] | str:
    """The rules of one settings file, or the problem that makes it contribute none."""

    def problem(what: str) -> str:
        return f"{source}: {what}; none of its permission rules apply"

    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return problem(
            f"is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        )
    if not isinstance(data, dict):
        return problem("must hold a JSON object")
    permissions = data.get("permissions")
    if permissions is None:
        return {}
    if not isinstance(permissions, dict):
        return problem('"permissions" must be an object with "allow", "ask" and "deny" lists')
    found: dict[str, list[Rule]] = {}
    for key in ("allow", "ask", "deny"):
        entries = permissions.get(key)
        if entries is None:
            continue
        if not isinstance(entries, list):
            return problem(f'"permissions.{key}" must be a list of rule strings')
        rules = found.setdefault(key, [])
        for index, entry in enumerate(entries):
            if not isinstance(entry, str):
                return problem(
                    f'"permissions.{key}[{index}]" must be a string, not {json.dumps(entry)}'
                )
            try:
                rules.append(parse_rule(entry, source))
            except ValueError as error:
                return problem(f'"permissions.{key}[{index}]": {error}')
    return found
