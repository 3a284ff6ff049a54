"""Shell command lines split into the simple commands that rules and the read-only set judge.

The lexer knows bash's quoting, operators, redirections, here-documents and substitutions;
it is not a shell. A command it cannot follow (an unclosed quote or parenthesis) is
reported as incomplete, which rules and the read-only set treat as "not pre-approved".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

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
        """What deny and ask rules also try, so `FOO=1 rm -rf x` is still `rm -rf x`."""
        return " ".join(self.program_words)


@dataclass(frozen=True)
class ParsedCommand:
    """A command line as rules see it: its simple commands and how far they can be trusted."""

    parts: tuple[Subcommand, ...]
    """Every simple command, including those inside `$(…)`, backticks and `<(…)`."""
    substitution: bool
    """Whether the command substitutes another command's output anywhere."""
    complete: bool
    """False when the lexer could not follow it (an unclosed quote or parenthesis)."""

    @property
    def simple(self) -> bool:
        """Whether its words are all there is to it, so specific rules and grants may judge it.

        A substitution runs a command whose output becomes words no rule has seen.
        """
        return self.complete and not self.substitution


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


def command_prefixes(parts: Sequence[Subcommand]) -> tuple[str, ...]:
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
