"""Write, and what every tool that changes a file shares with it.

A file that exists may only be replaced after the model has Read it in full, and only if
it has not changed since: the model must never overwrite what it has not seen. Files are
written atomically (a temporary file beside the target, then `os.replace`), so a reader
never sees half a file and a failed write leaves the old one in place.
"""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path
from typing import Any, ClassVar

from workbench.atomic import replace_file
from workbench.engine.tools.base import (
    FileChange,
    Tool,
    ToolContext,
    ToolError,
    ToolKind,
    ToolResult,
)
from workbench.plurals import counted


def require_fresh(path: Path, context: ToolContext, action: str) -> None:
    """Refuse to `action` an existing file the model has not read, or that changed since."""
    seen = context.read_files.get(path)
    if seen is None:
        raise ToolError(
            f"{path} already exists and you have not read it in full in this conversation. "
            f"Read it first, then {action} it."
        )
    try:
        now = os.stat(path).st_mtime_ns
    except OSError:
        now = None
    if now != seen:
        raise ToolError(
            f"{path} has changed since you read it (another program or a command modified "
            f"it). Read it again, then {action} it."
        )


def file_state(path: Path) -> os.stat_result | None:
    """The file's stat, None if nothing is there, or a ToolError for a folder or device."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise ToolError(f"{path} cannot be a file: a part of its folder path is a file.") from None
    except OSError as error:
        raise ToolError(f"Cannot use {path}: {error.strerror}.") from None
    if stat.S_ISDIR(info.st_mode):
        raise ToolError(f"{path} is a directory, not a file.")
    if not stat.S_ISREG(info.st_mode):
        raise ToolError(f"{path} is not a regular file (a device, socket or pipe).")
    return info


def read_text(path: Path) -> str:
    """A file's exact text; a ToolError when it is not UTF-8, since it could not be kept."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ToolError(f"Cannot read {path}: {error.strerror}.") from None
    if b"\0" in data[:8192]:
        raise ToolError(f"{path} is a binary file; only text files can be edited.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ToolError(
            f"{path} is not valid UTF-8 text, so it cannot be edited without damaging it. "
            "Use Write to replace it whole if that is what you mean."
        ) from None


def write_atomic(path: Path, text: str, mode: int | None) -> int:
    """Put `text` at `path` in one step and return the new mtime_ns.

    `mode` is the permission bits of the file being replaced; a new file gets the usual
    permissions for the process (0o666 less the umask), as `open` would give it.
    """
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        raise ToolError(
            "The new text contains an unpaired surrogate code point, which cannot be saved "
            "as UTF-8; remove it."
        ) from None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ToolError(f"Cannot create {path}: a part of its folder path is a file.") from None
    except OSError as error:
        raise ToolError(f"Cannot create the folder for {path}: {error.strerror}.") from None
    try:
        replace_file(path, data, mode)
    except OSError as error:
        raise ToolError(f"Cannot write {path}: {error.strerror}.") from None
    return os.stat(path).st_mtime_ns


def count_lines(text: str) -> int:
    return text.count("\n") + (0 if not text or text.endswith("\n") else 1)


class Write(Tool):
    name: ClassVar[str] = "Write"
    kind: ClassVar[ToolKind] = ToolKind.EDIT
    description: ClassVar[str] = (
        "Create a file, or replace an existing file's entire content, with `content`. "
        "Missing parent folders are created. An existing file may only be replaced after you "
        "have Read it in full in this conversation and it has not changed since; otherwise "
        "the call fails and asks you to Read it. To change part of a file, prefer Edit. "
        "The file is written atomically and keeps its permissions."
    )
    input_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "file_path": {
                "type": "string",
                "description": "The file to write: an absolute path, or a path relative to "
                "the workspace root.",
            },
            "content": {
                "type": "string",
                "description": "The complete new content of the file, exactly as it should "
                "be saved.",
            },
        },
        "required": ["file_path", "content"],
        "additionalProperties": False,
    }

    def target(self, tool_input: dict[str, Any]) -> str | None:
        return str(tool_input["file_path"])

    async def run(self, tool_input: dict[str, Any], context: ToolContext) -> ToolResult:
        return await asyncio.to_thread(self._write, tool_input, context)

    def _write(self, tool_input: dict[str, Any], context: ToolContext) -> ToolResult:
        path = context.jail.resolve(tool_input["file_path"])
        content: str = tool_input["content"]
        info = file_state(path)
        before: str | None = None
        if info is not None:
            require_fresh(path, context, "write")
            before = path.read_bytes().decode("utf-8", "replace")
        mode = None if info is None else stat.S_IMODE(info.st_mode)
        context.read_files[path] = write_atomic(path, content, mode)
        lines = count_lines(content)
        verb = "Created" if info is None else "Updated"
        return ToolResult(
            f"{verb} {path} ({counted(lines, 'line')}).",
            changes=(FileChange(path, before, content),),
        )
