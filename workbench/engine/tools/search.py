"""Glob and LS: finding files by name, and listing folders, without leaving the jail.

Both walk with `os.scandir` and never descend into a symlinked folder: a link may point
anywhere, and following it could list files outside the workspace or loop forever. A
symlinked file is listed only when its target is inside the jail. `.git` is skipped.

Glob patterns are compiled to one regular expression and matched against each path
relative to where the walk starts, which is far faster than `pathlib.glob`.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from workbench.config.paths import STATE_DIR
from workbench.engine.jail import Jail
from workbench.engine.tools.base import Tool, ToolContext, ToolError, ToolKind, ToolResult

GLOB_LIMIT = 100
"""Paths Glob returns at most, newest first."""
LS_LIMIT = 1000
"""Entries LS lists at most."""
SKIPPED = frozenset({".git", STATE_DIR})
"""Version control internals and the workbench's own records (transcripts, history)."""
"""Folders never walked into."""

_MAGIC = re.compile(r"[*?\[{\\]")


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A regex that fully matches the relative, `/`-separated paths `pattern` names.

    `*` and `?` stay within one folder, `**` as a whole path part spans any number of
    folders (none included), `[...]` is a character class (`[!...]` negated) and `{a,b}`
    is a choice, which may nest.
    """
    return re.compile(_translate(pattern), re.DOTALL)


def _translate(pattern: str) -> str:
    out: list[str] = []
    index, size = 0, len(pattern)
    while index < size:
        char = pattern[index]
        if char == "*":
            end = index
            while end < size and pattern[end] == "*":
                end += 1
            whole_part = (index == 0 or pattern[index - 1] == "/") and (
                end == size or pattern[end] == "/"
            )
            if end - index >= 2 and whole_part:
                if end < size:
                    out.append("(?:.*/)?")
                    end += 1
                else:
                    out.append(".*")
            else:
                out.append("[^/]*")
            index = end
        elif char == "?":
            out.append("[^/]")
            index += 1
        elif char == "[":
            index = _translate_class(pattern, index, out)
        elif char == "{":
            index = _translate_choice(pattern, index, out)
        elif char == "\\" and index + 1 < size:
            out.append(re.escape(pattern[index + 1]))
            index += 2
        else:
            out.append(re.escape(char))
            index += 1
    return "".join(out)


def _translate_class(pattern: str, start: int, out: list[str]) -> int:
    end = start + 1
    if end < len(pattern) and pattern[end] in "!^":
        end += 1
    if end < len(pattern) and pattern[end] == "]":
        end += 1
    end = pattern.find("]", end)
    if end == -1:
        out.append(re.escape("["))
        return start + 1
    body = pattern[start + 1 : end]
    negated = body[:1] in ("!", "^")
    if negated:
        body = body[1:]
    body = body.replace("\\", "\\\\").replace("[", "\\[")
    out.append(f"[^/{body}]" if negated else f"[{body}]")
    return end + 1


def _translate_choice(pattern: str, start: int, out: list[str]) -> int:
    depth = 0
    choices: list[str] = []
    last = start + 1
    for index in range(start, len(pattern)):
        char = pattern[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                choices.append(pattern[last:index])
                if len(choices) == 1:
                    break
                out.append("(?:" + "|".join(_translate(choice) for choice in choices) + ")")
                return index + 1
        elif char == "," and depth == 1:
            choices.append(pattern[last:index])
            last = index + 1
    out.append(re.escape("{"))
    return start + 1


def split_pattern(pattern: str) -> tuple[str, str]:
    """The pattern's leading folders without wildcards, and the rest that needs matching."""
    parts = pattern.split("/")
    literal = 0
    while literal < len(parts) - 1 and not _MAGIC.search(parts[literal]):
        literal += 1
    prefix = "/".join(parts[:literal])
    if pattern.startswith("/") and not prefix:
        prefix = "/"
    return prefix, "/".join(parts[literal:])


def find_files(
    base: Path, pattern: str, visible: Callable[[Path], bool], hidden: bool = False
) -> list[tuple[int, str]]:
    """Every file under `base` whose relative path matches `pattern`, with its mtime_ns.

    Symbolic links are followed only when `visible` says their target may be shown; with
    `hidden`, every match is asked too (a `Read(…)` deny rule is in force).
    """
    match = glob_regex(pattern).fullmatch
    depth_limit = pattern.count("/") + 1 if "**" not in pattern else None
    found: list[tuple[int, str]] = []
    stack: list[tuple[str, str, int]] = [(str(base), "", 1)]
    while stack:
        folder, relative, depth = stack.pop()
        try:
            entries = os.scandir(folder)
        except OSError:
            continue
        with entries:
            for entry in entries:
                path = relative + entry.name
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name not in SKIPPED and (
                            depth_limit is None or depth < depth_limit
                        ):
                            stack.append((entry.path, path + "/", depth + 1))
                        continue
                    if not match(path):
                        continue
                    if entry.is_symlink():
                        if not visible(Path(entry.path)) or not os.path.isfile(entry.path):
                            continue
                        found.append((entry.stat().st_mtime_ns, entry.path))
                    elif entry.is_file(follow_symlinks=False):
                        if hidden and not visible(Path(entry.path)):
                            continue
                        found.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.path))
                except OSError:
                    continue
    return found


class Glob(Tool):
    name: ClassVar[str] = "Glob"
    kind: ClassVar[ToolKind] = ToolKind.READ
    description: ClassVar[str] = (
        "Find files by name with a glob pattern such as `**/*.py` or `src/**/test_*.{ts,tsx}`. "
        "`*` and `?` match within one folder, `**` spans any number of folders, `[abc]` and "
        "`{a,b}` are supported; a pattern without `**` or `/` matches only directly inside "
        "`path`. Returns absolute paths of files (not folders), most recently modified "
        f"first, at most {GLOB_LIMIT}. Hidden files are included and .gitignore is not "
        "applied; .git and symlinked folders are not searched. Use Grep to search contents."
    )
    input_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "pattern": {
                "type": "string",
                "minLength": 1,
                "description": "The glob pattern, matched against paths relative to `path`. "
                "An absolute pattern is also accepted.",
            },
            "path": {
                "type": "string",
                "description": "The folder to search in: absolute, or relative to the "
                "workspace root. Defaults to the workspace root.",
            },
        },
        "required": ["pattern"],
        "additionalProperties": False,
    }

    def target(self, tool_input: dict[str, Any]) -> str | None:
        if tool_input.get("path"):
            return str(tool_input["path"])
        pattern = str(tool_input["pattern"])
        if pattern.startswith("/"):
            return split_pattern(pattern)[0]
        return None

    async def run(self, tool_input: dict[str, Any], context: ToolContext) -> ToolResult:
        return await asyncio.to_thread(self._glob, tool_input, context)

    def _glob(self, tool_input: dict[str, Any], context: ToolContext) -> ToolResult:
        jail = context.jail
        pattern: str = tool_input["pattern"]
        prefix, rest = split_pattern(pattern)
        if pattern.startswith("/"):
            base = jail.resolve(prefix)
        else:
            base = jail.resolve(tool_input.get("path") or ".")
            if prefix:
                base = jail.resolve(str(base / prefix))
        if not base.is_dir():
            if base.exists():
                raise ToolError(f"{base} is a file, not a folder; Glob searches in folders.")
            return ToolResult(f"No files match {pattern!r}: {base} does not exist.")
        found = find_files(base, rest, context.visible, context.hidden is not None)
        if not found:
            message = f"No files match {pattern!r} in {base}."
            if "/" not in pattern:
                message += (
                    f" A pattern without a folder part only matches files directly in that "
                    f"folder; use '**/{pattern}' to search its subfolders too."
                )
            return ToolResult(message)
        found.sort(key=lambda item: (-item[0], item[1]))
        lines = [path for _, path in found[:GLOB_LIMIT]]
        if len(found) > GLOB_LIMIT:
            lines.append(
                f"[Showing the {GLOB_LIMIT} most recently modified of {len(found):,} matching "
                "files. Use a narrower pattern or path to see the others.]"
            )
        return ToolResult("\n".join(lines))


@dataclass
class _Listing:
    children: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """Relative folder → its (name, kind) entries; kind is "dir", "file" or "link"."""
    count: int = 0
    complete: bool = True
    unreadable: list[str] = field(default_factory=list)


class LS(Tool):
    name: ClassVar[str] = "LS"
    kind: ClassVar[ToolKind] = ToolKind.READ
    description: ClassVar[str] = (
        "List a folder as an indented tree: folders first, then files, each sorted by name, "
        f"descending into subfolders breadth-first, at most {LS_LIMIT:,} entries. .git is "
        "skipped; symbolic links are shown but not followed. Use `ignore` to leave out noise "
        "such as build output. To find files by name across a tree, Glob is faster."
    )
    input_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "path": {
                "type": "string",
                "description": "The folder to list: absolute, or relative to the workspace "
                "root. Defaults to the workspace root.",
            },
            "ignore": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Glob patterns of entries to leave out, matched against each "
                "entry's name and its path relative to `path` (e.g. `node_modules`, "
                "`*.pyc`, `build/**`).",
            },
        },
        "additionalProperties": False,
    }

    def target(self, tool_input: dict[str, Any]) -> str | None:
        path = tool_input.get("path")
        return str(path) if path else None

    async def run(self, tool_input: dict[str, Any], context: ToolContext) -> ToolResult:
        return await asyncio.to_thread(self._list, tool_input, context.jail)

    def _list(self, tool_input: dict[str, Any], jail: Jail) -> ToolResult:
        root = jail.resolve(tool_input.get("path") or ".")
        if not root.is_dir():
            if root.exists():
                raise ToolError(f"{root} is a file, not a folder; use Read to see it.")
            raise ToolError(f"{root} does not exist.")
        ignored = [glob_regex(raw.rstrip("/")).fullmatch for raw in tool_input.get("ignore", ())]
        listing = _collect(root, ignored)
        lines = [f"- {root}/"]
        _render(listing, "", 1, lines)
        if not listing.complete:
            lines.append(
                f"[Listing stopped at {LS_LIMIT:,} entries. LS a subfolder, add `ignore` "
                "patterns, or use Glob to see the rest.]"
            )
        if listing.unreadable:
            lines.append("[Could not be listed: " + ", ".join(listing.unreadable) + "]")
        return ToolResult("\n".join(lines))


def _collect(root: Path, ignored: Sequence[Callable[[str], object]]) -> _Listing:
    listing = _Listing()
    queue: deque[str] = deque([""])
    while queue and listing.complete:
        relative = queue.popleft()
        try:
            with os.scandir(root / relative if relative else root) as found:
                entries = [(entry.name, _kind(entry)) for entry in found]
        except OSError as error:
            listing.unreadable.append(f"{relative or root} ({error.strerror})")
            continue
        entries.sort(key=lambda item: (item[1] != "dir", item[0].lower(), item[0]))
        kept = listing.children.setdefault(relative, [])
        for name, kind in entries:
            path = f"{relative}/{name}" if relative else name
            if name in SKIPPED or any(test(name) or test(path) for test in ignored):
                continue
            if listing.count >= LS_LIMIT:
                listing.complete = False
                break
            kept.append((name, kind))
            listing.count += 1
            if kind == "dir":
                queue.append(path)
    return listing


def _kind(entry: os.DirEntry[str]) -> str:
    try:
        if entry.is_symlink():
            return "link"
        return "dir" if entry.is_dir(follow_symlinks=False) else "file"
    except OSError:
        return "file"


def _render(listing: _Listing, relative: str, depth: int, lines: list[str]) -> None:
    indent = "  " * depth
    for name, kind in listing.children.get(relative, ()):
        path = f"{relative}/{name}" if relative else name
        if kind == "dir":
            lines.append(f"{indent}- {name}/")
            _render(listing, path, depth + 1, lines)
        elif kind == "link":
            lines.append(f"{indent}- {name} (symbolic link, not followed)")
        else:
            lines.append(f"{indent}- {name}")
