"""What a Write or Edit would change, before it runs, for a person deciding whether to allow it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.engine.jail import Jail
from workbench.engine.tools.base import ToolError

EDITS = ("Write", "Edit", "MultiEdit")


@dataclass(frozen=True)
class Proposed:
    label: str
    before: str | None
    after: str


def proposed_change(name: str, tool_input: dict[str, Any], jail: Jail) -> Proposed | None:
    """The file's text now and after the call; None when it cannot be worked out.

    The tool itself decides for real when it runs (and may then refuse, say because the
    file changed); this is only a preview.
    """
    if name not in EDITS or not isinstance(tool_input.get("file_path"), str):
        return None
    try:
        path = jail.resolve(tool_input["file_path"])
    except ToolError:
        return None
    try:
        before: str | None = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        before = None
    except (OSError, UnicodeDecodeError):
        return None
    label = (
        str(path.relative_to(jail.workspace)) if path.is_relative_to(jail.workspace) else str(path)
    )
    if name == "Write":
        content = tool_input.get("content")
        return Proposed(label, before, content) if isinstance(content, str) else None
    edits = tool_input.get("edits") if name == "MultiEdit" else [tool_input]
    if not isinstance(edits, list):
        return None
    after = before or ""
    for edit in edits:
        if not isinstance(edit, dict):
            return None
        old, new = edit.get("old_string"), edit.get("new_string")
        if not isinstance(old, str) or not isinstance(new, str):
            return None
        if old == "" and before is None:
            after = new
            continue
        if old not in after:
            return None
        after = after.replace(old, new) if edit.get("replace_all") else after.replace(old, new, 1)
    return Proposed(label, before, after)
