"""What every tool is: a name, a schema the model sees, a kind, and an async `run`.

Tools never raise for problems the model caused (a missing file, a bad pattern): they
raise `ToolError`, which the engine turns into an error tool_result the model can act on.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from workbench.engine.jail import Jail
    from workbench.engine.sandbox import Sandbox


class ToolKind(StrEnum):
    """What a call can change, which is what permissions are decided on."""

    READ = "read"
    """Reads files only: Read, Glob, Grep, LS."""
    EDIT = "edit"
    """Changes files: Write, Edit, MultiEdit."""
    SHELL = "shell"
    """Runs commands: Bash."""
    MEMO = "memo"
    """Changes only the conversation's own state: TodoWrite."""
    DELEGATE = "delegate"
    """Starts another agent: Agent (alias Task)."""


class ToolError(Exception):
    """A failure the model can act on; its message becomes an error tool_result."""


@dataclass(frozen=True)
class FileChange:
    """One file as a tool call left it; None on a side means the file did not exist."""

    path: Path
    before: str | None
    after: str | None


@dataclass(frozen=True)
class ToolResult:
    content: str
    """The text the model receives."""
    is_error: bool = False
    changes: tuple[FileChange, ...] = ()
    """Files written by this call, exactly, for history and attribution."""


@dataclass
class ToolContext:
    """What a tool may use; one per conversation, shared by its runs."""

    jail: Jail
    read_files: dict[Path, int] = field(default_factory=dict)
    """Files Read in full in this conversation, with their mtime_ns at that moment.

    Write and Edit require an existing file to be here, unchanged since: the model must
    see a file before it replaces it.
    """
    todos: list[dict[str, str]] = field(default_factory=list)
    sandbox: Sandbox | None = None
    """How Bash runs commands; None runs them directly in the workspace."""
    delegate: Callable[[dict[str, Any]], Awaitable[ToolResult]] | None = None
    """Runs another agent for the Agent tool; the engine binds it to each call."""
    hidden: Callable[[Path], bool] | None = None
    """Paths a `Read(…)` deny rule keeps from the agent; searches leave them out."""

    def visible(self, path: Path) -> bool:
        """Whether a search may show `path`: inside the jail and not hidden by a rule."""
        return self.jail.contains(path) and self.unhidden(path)

    def unhidden(self, path: Path) -> bool:
        """For paths already known to lie inside the jail (a search that follows no links)."""
        return not (self.hidden and self.hidden(path))

    @property
    def workspace(self) -> Path:
        return self.jail.workspace


class Tool(ABC):
    name: ClassVar[str]
    description: ClassVar[str]
    input_schema: ClassVar[dict[str, Any]]
    kind: ClassVar[ToolKind]

    def target(self, tool_input: dict[str, Any]) -> str | None:
        """The path this call acts on, as the model wrote it, for permission rules."""
        return None

    @abstractmethod
    async def run(self, tool_input: dict[str, Any], context: ToolContext) -> ToolResult:
        """Do the work. `tool_input` has already been checked against `input_schema`."""

    def definition(self) -> dict[str, Any]:
        """The tool as the Messages API receives it."""
        return {
            "name": self.name,
            "description": self.description,
            "input_schema": self.input_schema,
        }
