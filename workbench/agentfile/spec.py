"""The data an agent file becomes: `AgentSpec` and the pieces it is made of.

Everything here is immutable so a spec can be shared between the roster, lint, the engine
and the UI without anyone changing it under the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

CLAUDE_COLORS = ("red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan")
PERMISSION_MODES = ("default", "manual", "acceptEdits", "plan", "dontAsk", "bypassPermissions")
"""Claude Code's modes; its `auto` mode needs Anthropic's classifier and is not among them."""


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Origin(StrEnum):
    """Where an agent was found, in precedence order (earlier wins a name clash)."""

    EXPLICIT = "explicit"
    PROJECT = "project"
    USER = "user"
    BUNDLED = "bundled"

    @property
    def rank(self) -> int:
        return list(Origin).index(self)


class Diagnostic(NamedTuple):
    """One finding about a file. A named tuple, like `KeySpan`: a roster load makes
    thousands, and a frozen dataclass takes three times as long to make."""

    code: str
    severity: Severity
    line: int
    message: str
    fix: str | None = None
    written: str | None = None
    """The text as written that `fix` would replace, when the fix is for one token."""

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.value,
            "line": self.line,
            "message": self.message,
        }
        if self.fix is not None:
            data["fix"] = self.fix
        return data


@dataclass(frozen=True)
class Example:
    """One `<example>` block of a description, the way Claude Code's generator writes them."""

    context: str = ""
    turns: tuple[tuple[str, str], ...] = ()
    commentary: str = ""

    def first(self, role: str) -> str:
        return next((text for who, text in self.turns if who == role), "")

    def to_json(self) -> dict[str, Any]:
        return {
            "context": self.context,
            "user": self.first("user"),
            "assistant": self.first("assistant"),
            "commentary": self.commentary,
            "turns": [{"role": who, "text": text} for who, text in self.turns],
        }


class KeySpan(NamedTuple):
    """The 1-based, inclusive file lines a frontmatter key and its value occupy.

    Lint points at `start`; the editor patches a key by replacing exactly these lines,
    which works whether or not the frontmatter is valid YAML.
    """

    key: str
    start: int
    end: int


@dataclass(frozen=True)
class AgentSpec:
    path: Path
    origin: Origin
    name: str | None = None
    description: str | None = None
    tools: tuple[str, ...] | None = None
    """None means the key is absent or null: the agent inherits every tool."""
    disallowed_tools: tuple[str, ...] = ()
    model: str | None = None
    color: str | None = None
    permission_mode: str | None = None
    fields: tuple[tuple[str, Any], ...] = ()
    """Every frontmatter key with its value, in file order, as read."""
    spans: tuple[KeySpan, ...] = ()
    body: str = ""
    body_line: int = 1
    content_hash: str = ""
    is_agent: bool = True
    """False for a Markdown file without frontmatter: Claude Code skips those."""
    yaml_valid: bool = True
    diagnostics: tuple[Diagnostic, ...] = ()
    active: bool = True
    """False when Claude Code would not use this file: an agent of the same name with
    higher precedence shadows it, or it has errors, which make Claude Code skip it."""
    raw_tools: Any = field(default=None, compare=False)
    """The `tools` value as written, so an editor can keep its style (string or list)."""

    @property
    def display_name(self) -> str:
        return self.name or self.path.stem

    def span(self, key: str) -> KeySpan | None:
        """The first span of `key` (a key written twice keeps its first place)."""
        for span in self.spans:
            if span.key == key:
                return span
        return None

    def line_of(self, key: str) -> int:
        """The line to report a finding about `key` at, falling back to `name:` and then 1."""
        found = self.span(key) or self.span("name")
        return found.start if found else 1

    def field_value(self, key: str) -> Any:
        return next((value for k, value in self.fields if k == key), None)

    @cached_property
    def examples(self) -> tuple[Example, ...]:
        """The description's `<example>` blocks, parsed when someone first looks."""
        from workbench.agentfile.description import parse_examples

        return parse_examples(self.description) if self.description else ()

    def with_diagnostics(self, extra: tuple[Diagnostic, ...], *, active: bool = True) -> AgentSpec:
        """A copy with `extra` findings added, all kept in line order, and `active` set.

        Copies the instance dictionary instead of calling `replace`, which would run the
        frozen `__init__` over every field: lint and shadowing do this for most specs
        on the roster-load path.
        """
        copy = object.__new__(AgentSpec)
        copy.__dict__.update(self.__dict__)
        copy.__dict__["diagnostics"] = tuple(sorted(self.diagnostics + extra, key=_line))
        copy.__dict__["active"] = active
        return copy

    @property
    def has_errors(self) -> bool:
        return Severity.ERROR in [diagnostic.severity for diagnostic in self.diagnostics]

    @property
    def summary(self) -> str:
        """The description without its examples: what a person reads first."""
        text = self.description or ""
        cut = text.find("<example>")
        if cut != -1:
            text = text[:cut]
        return text.strip()


def _line(diagnostic: Diagnostic) -> int:
    return diagnostic.line
