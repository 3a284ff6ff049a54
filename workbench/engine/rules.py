"""Claude Code's permission rules: `Tool` or `Tool(specifier)`, parsed, matched and loaded.

A rule names a tool and optionally narrows it:

- `Bash(npm run test *)`: a glob over the command, `*` anywhere; a space before a trailing
  `*` is a word boundary (`ls *` matches `ls -la`, not `lsof`); the legacy `:*` suffix is
  the same trailing wildcard. Compound commands match per subcommand (`parse_command`).
- `Read(./secrets/**)`, `Edit(/src/**/*.ts)`: gitignore-style paths. `//abs` is absolute,
  `~/` is the home folder, `/path`, `./path` and `dir/path` are relative to the workspace
  (the settings files' project root), and a bare name without a slash (`.env`, `*.pem`)
  matches at any depth. A pattern that matches a folder covers everything inside it.
  `Edit(...)` covers Write, Edit, MultiEdit and NotebookEdit; `Read(...)` covers Read, Grep,
  Glob and LS.
- `WebFetch(domain:example.com)`, `WebFetch(domain:*.example.com)` (subdomains only).
- `mcp__server` and `mcp__server__*` (every tool of a server), `mcp__server__tool`.
- `Agent(name)` (alias `Task`), matched against `subagent_type`; `Agent(model:opus)` and
  other `param:value` forms match a scalar input parameter of non-Bash tools.

Commands are split into subcommands by a small lexer that knows bash's quoting, operators,
redirections, here-documents and substitutions (`parse_command`); it is not a shell, and a
command it cannot follow is reported as incomplete, which rules and the read-only set
treat as "not pre-approved".
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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
_GLOB_CHARS = re.compile(r"[*?\[]")


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


def matches(rule: Rule, call: Call, workspace: Path, *, for_edit_deny: bool = False) -> bool:
    """Whether `rule` applies to `call` (for Bash, use `match_subcommand` per subcommand).

    `for_edit_deny` lets a `Read(path)` deny rule stop an edit of that path too.
    """
    reads = covers(rule.tool, "Read") and rule.specifier is not None and not rule.blanket
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
    if _ALIASES.get(call.tool, call.tool) == "Agent":
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


@lru_cache(maxsize=512)
def bash_pattern(specifier: str) -> re.Pattern[str]:
    """A Bash specifier as a regular expression over a normalised command."""
    spec = specifier.strip()
    if spec.endswith(":*"):
        spec = spec[:-2].rstrip() + " *"
    parsed = parse_command(spec)
    if parsed.complete and len(parsed.parts) == 1 and not parsed.substitution:
        spec = " ".join(parsed.parts[0].words)
    else:
        spec = " ".join(spec.split())
    trailing = spec.endswith(" *")
    body = spec[:-2] if trailing else spec
    regex = ".*".join(re.escape(part) for part in body.split("*"))
    if trailing:
        regex += "(?: .*)?"
    return re.compile(regex, re.DOTALL)


def path_matches(specifier: str, target: Path, workspace: Path) -> bool:
    """Whether a gitignore-style path pattern covers `target` or a folder holding it."""
    pattern = _path_regex(specifier, str(workspace), str(Path.home()))
    candidate = str(target)
    while True:
        if pattern.fullmatch(candidate):
            return True
        parent = os.path.dirname(candidate)
        if parent == candidate:
            return False
        candidate = parent


def glob_regex(pattern: str) -> str:
    """A `/`-separated glob as a regex: `*` and `?` stay in one segment, `**` crosses them."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("/**/", i):
            out.append("(?:/.*)?/")
            i += 4
        elif pattern.startswith("/**", i) and i + 3 == len(pattern):
            out.append("(?:/.*)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and (end := pattern.find("]", i + 2)) != -1:
            body = pattern[i + 1 : end]
            body = "^" + body[1:] if body.startswith("!") else body
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


@lru_cache(maxsize=512)
def _path_regex(specifier: str, workspace: str, home: str) -> re.Pattern[str]:
    spec = specifier.strip()
    if spec.startswith("//"):
        absolute = spec[1:]
    elif spec == "~" or spec.startswith("~/"):
        absolute = home + spec[1:]
    elif spec.startswith("/"):
        absolute = workspace + spec
    elif spec.startswith("./"):
        absolute = workspace + spec[1:]
    elif "/" in spec.rstrip("/"):
        absolute = f"{workspace}/{spec}"
    else:
        absolute = f"{workspace}/**/{spec}"
    absolute = absolute.rstrip("/") or "/"
    return re.compile(glob_regex(_real_prefix(absolute)), re.DOTALL)


def _real_prefix(path: str) -> str:
    """`path` with the part before its first wildcard resolved, as targets are."""
    glob = _GLOB_CHARS.search(path)
    cut = path.rfind("/", 0, glob.start()) if glob else len(path)
    head, rest = path[:cut] or "/", path[cut:]
    real = os.path.realpath(head)
    return real.rstrip("/") + rest if rest else real


def _domain_matches(specifier: str, url: str) -> bool:
    if not specifier.startswith("domain:"):
        return False
    domain = specifier.removeprefix("domain:").strip().lower()
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    if domain.startswith("*."):
        return host.endswith(domain[1:])
    return host == domain


def web_domain(rule: Rule) -> str | None:
    """The domain a `WebFetch(domain:…)` rule names, as the API's domain lists want it.

    The API's lists include subdomains, so `*.example.com` becomes `example.com`.
    """
    if rule.tool != "WebFetch" or not rule.specifier or not rule.specifier.startswith("domain:"):
        return None
    domain = rule.specifier.removeprefix("domain:").strip().lower()
    return domain.removeprefix("*.") or None


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


def bash_prefixes(parts: Sequence[Subcommand]) -> tuple[str, ...]:
    """Command prefixes a person might allow for `parts`: `npm test`, `pytest`, `git push`."""
    prefixes: list[str] = []
    for sub in parts:
        words = sub.program_words
        if not words:
            continue
        prefix = words[0]
        if len(words) > 1 and re.fullmatch(r"[a-z][a-z0-9_:-]*", words[1]):
            prefix += " " + words[1]
        if prefix not in prefixes:
            prefixes.append(prefix)
    return tuple(prefixes)


# --- shell commands --------------------------------------------------------------------

_OPERATORS = ("&&", "||", "|&", ";;", "|", ";", "&", "\n", "(", ")")
_REDIRECTS = ("&>>", "&>", ">>", ">|", ">&", "<<<", "<<-", "<<", "<&", "<>", ">", "<")
_OPENERS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{"})
_CLOSERS = frozenset({"fi", "done", "esac", "}"})
_ASSIGNMENT = re.compile(r"^[A-Za-z_]\w*(?:\[[^\]]*\])?\+?=")
_FD_DUP = re.compile(r"[ \t]*(?:\d+|-)(?=[\s;&|()<>]|$)")
_WRAPPERS: dict[str, tuple[frozenset[str], int]] = {
    # wrapper: (options that take a separate argument, positional arguments before the command)
    "timeout": (frozenset({"-s", "--signal", "-k", "--kill-after"}), 1),
    "time": (frozenset({"-f", "--format", "-o", "--output"}), 0),
    "nice": (frozenset({"-n", "--adjustment"}), 0),
    "nohup": (frozenset(), 0),
    "stdbuf": (frozenset({"-i", "-o", "-e", "--input", "--output", "--error"}), 0),
    "command": (frozenset(), 0),
    "builtin": (frozenset(), 0),
    "noglob": (frozenset(), 0),
}


@dataclass(frozen=True)
class Subcommand:
    """One simple command of a command line, as rules match it."""

    words: tuple[str, ...]
    """The words with quotes removed, after any leading `if`/`then`/`do`/`{`/`!`."""
    assignments: tuple[str, ...]
    """Leading `NAME=value` words."""
    program_words: tuple[str, ...]
    """The command itself: assignments and wrappers (`timeout 10`, `nice`, …) removed."""
    writes_file: bool
    """Whether output is redirected to a file (anything but /dev/null or another descriptor)."""

    @property
    def text(self) -> str:
        """What allow rules match: the command with wrappers removed, assignments kept."""
        return " ".join((*self.assignments, *self.program_words))

    @property
    def command_text(self) -> str:
        return " ".join(self.program_words)


@dataclass(frozen=True)
class ParsedCommand:
    parts: tuple[Subcommand, ...]
    """Every simple command, including those inside `$(…)`, backticks and `<(…)`."""
    substitution: bool
    """Whether the command substitutes another command's output anywhere."""
    complete: bool
    """False when the lexer could not follow it (an unclosed quote or parenthesis)."""


def parse_command(command: str) -> ParsedCommand:
    """Split a bash command line into its simple commands."""
    lexer = _Lexer(command)
    lexer.run()
    return ParsedCommand(tuple(lexer.parts), lexer.substitution, lexer.complete)


def strip_wrappers(words: Sequence[str]) -> tuple[str, ...]:
    """`words` without leading wrappers that only run the rest (`timeout 5 npm test`)."""
    rest = list(words)
    while rest:
        name = rest[0]
        if name == "xargs" and len(rest) > 1 and not rest[1].startswith("-"):
            rest = rest[1:]
            continue
        if name not in _WRAPPERS or (name == "command" and rest[1:2] in (["-v"], ["-V"])):
            break
        takes_argument, positional = _WRAPPERS[name]
        rest = rest[1:]
        while rest and rest[0].startswith("-") and rest[0] != "-":
            option = rest.pop(0)
            if option == "--":
                break
            if option in takes_argument and rest:
                rest.pop(0)
        del rest[:positional]
    return tuple(rest)


def _subcommand(words: list[str], writes_file: bool) -> Subcommand | None:
    while words and words[0] in _OPENERS:
        words = words[1:]
    if not words or all(word in _CLOSERS for word in words):
        return None
    count = 0
    while count < len(words) and _ASSIGNMENT.match(words[count]):
        count += 1
    program = strip_wrappers(words[count:])
    return Subcommand(tuple(words), tuple(words[:count]), program, writes_file)


def _starts_any(text: str, index: int, options: tuple[str, ...]) -> str | None:
    return next((option for option in options if text.startswith(option, index)), None)


class _Lexer:
    """Bash's word and operator rules, enough to find each simple command."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.parts: list[Subcommand] = []
        self.words: list[str] = []
        self.word: str | None = None
        self.redirect: str | None = None
        """"out", "in" or "heredoc" while the redirection's target word is being read."""
        self.writes = False
        self.heredocs: list[tuple[str, bool]] = []
        self.substitution = False
        self.complete = True

    def run(self) -> None:
        text, end = self.text, len(self.text)
        while self.i < end:
            char = text[self.i]
            if char in " \t":
                self._end_word()
                self.i += 1
            elif char == "\\":
                if not text.startswith("\\\n", self.i):
                    self._add(text[self.i + 1 : self.i + 2])
                self.i += 2
            elif char == "'":
                close = text.find("'", self.i + 1)
                if close < 0:
                    self.complete, close = False, end
                self._add(text[self.i + 1 : close])
                self.i = close + 1
            elif char == '"':
                self._double_quoted()
            elif char == "`" or text.startswith("$(", self.i):
                self._substitution()
            elif char == "#" and self.word is None:
                newline = text.find("\n", self.i)
                self.i = end if newline < 0 else newline
            elif text.startswith(("<(", ">("), self.i):
                self._substitution()
            elif (redirect := _starts_any(text, self.i, _REDIRECTS)) is not None:
                self._redirect(redirect)
            elif (operator := _starts_any(text, self.i, _OPERATORS)) is not None:
                self._end_part()
                self.i += len(operator)
                if operator == "\n":
                    self._skip_heredoc_bodies()
            else:
                self._add(char)
                self.i += 1
        self._end_part()

    def _add(self, text: str) -> None:
        self.word = (self.word or "") + text

    def _end_word(self) -> None:
        if self.word is None:
            return
        word, self.word = self.word, None
        if self.redirect == "out" and word != "/dev/null":
            self.writes = True
        elif self.redirect == "heredoc" or self.redirect == "heredoc-":
            self.heredocs.append((word, self.redirect == "heredoc-"))
        elif self.redirect is None:
            self.words.append(word)
        self.redirect = None

    def _end_part(self) -> None:
        self._end_word()
        if self.redirect is not None:
            self.complete, self.redirect = False, None
        part = _subcommand(self.words, self.writes)
        if part is not None:
            self.parts.append(part)
        self.words, self.writes = [], False

    def _double_quoted(self) -> None:
        text, self.i = self.text, self.i + 1
        chunk = ""
        while self.i < len(text) and text[self.i] != '"':
            char = text[self.i]
            if char == "\\" and text[self.i + 1 : self.i + 2] in ('"', "\\", "$", "`", "\n"):
                chunk += text[self.i + 1]
                self.i += 2
            elif char == "`" or text.startswith("$(", self.i):
                self._add(chunk)
                chunk = ""
                self._substitution()
            else:
                chunk += char
                self.i += 1
        if self.i >= len(text):
            self.complete = False
        self._add(chunk)
        self._add("")
        self.i += 1

    def _substitution(self) -> None:
        """`$(…)`, `$((…))`, backticks, `<(…)` and `>(…)`: parsed as commands of their own."""
        text, start = self.text, self.i
        self.substitution = True
        if text[start] == "`":
            close = start + 1
            while close < len(text) and text[close] != "`":
                close += 2 if text[close] == "\\" else 1
            inner = text[start + 1 : close].replace("\\`", "`")
            self.complete &= close < len(text)
            self.i = close + 1
        else:
            inner, close = self._balanced(start + 2)
            self.i = close + 1
        nested = parse_command(inner)
        self.parts.extend(nested.parts)
        self.complete &= nested.complete
        self._add(text[start : self.i])

    def _balanced(self, start: int) -> tuple[str, int]:
        """The text up to the parenthesis that closes one opened just before `start`."""
        text, depth, index = self.text, 1, start
        while index < len(text):
            char = text[index]
            if char == "\\":
                index += 2
                continue
            if char in "'\"":
                close = text.find(char, index + 1)
                while char == '"' and close > 0 and text[close - 1] == "\\":
                    close = text.find(char, close + 1)
                if close < 0:
                    break
                index = close
            elif char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if depth == 0:
                    return text[start:index], index
            index += 1
        self.complete = False
        return text[start:], len(text)

    def _redirect(self, operator: str) -> None:
        if self.word is not None and self.word.isdigit():
            self.word = None
        else:
            self._end_word()
        self.i += len(operator)
        if operator in (">&", "<&") and (dup := _FD_DUP.match(self.text, self.i)):
            self.i = dup.end()
            return
        if operator in ("<<", "<<-"):
            self.redirect = "heredoc" if operator == "<<" else "heredoc-"
        elif operator in ("<", "<<<", "<&"):
            self.redirect = "in"
        else:
            self.redirect = "out"

    def _skip_heredoc_bodies(self) -> None:
        text = self.text
        for delimiter, strip_tabs in self.heredocs:
            while self.i < len(text):
                newline = text.find("\n", self.i)
                stop = len(text) if newline < 0 else newline
                line = text[self.i : stop]
                self.i = stop + 1
                if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                    break
                if "$(" in line or "`" in line:
                    self.substitution = True
        self.heredocs = []
