"""Read: a text file's lines, numbered like `cat -n`, a page at a time.

Files are streamed line by line, never loaded whole, so a default read of a 50 MB log
costs one page plus a newline count. A read that shows the whole file is remembered in
`ToolContext.read_files`, which is what allows Write and Edit to replace it afterwards.
"""

from __future__ import annotations

import asyncio
import bisect
import codecs
import difflib
import os
import re
import stat
from dataclasses import dataclass
from io import BufferedReader
from itertools import accumulate, count
from pathlib import Path
from typing import Any, ClassVar

from workbench.engine.tools.base import Tool, ToolContext, ToolError, ToolKind, ToolResult

PAGE_LINES = 2000
"""Lines returned when the call gives no `limit`."""
LINE_CHARS = 2000
"""Characters kept of each line; the rest is replaced by a marker."""
OUTPUT_CHARS = 100_000
"""Characters returned in one call at most (about 25,000 tokens); the rest is another page."""
BINARY_PROBE = 8192
"""Bytes looked at for a NUL, which marks a file as binary."""

_HEAD_BYTES = 4 * LINE_CHARS + 4
"""Enough bytes for LINE_CHARS characters of any UTF-8 text, and then some."""
_CHUNK = 1 << 20
_COUNT_CHUNK = 1 << 16
_NEWLINE = ord("\n")
_BLOCK_SIZES = (OUTPUT_CHARS + OUTPUT_CHARS // 4, 4 * OUTPUT_CHARS + 4)
"""A page of mostly one-byte text, then enough bytes for a page of any UTF-8 text."""
_UNDECODABLE = re.compile("[\udc80-\udcff]")


def number_line(number: int, text: str) -> str:
    """One line as Read shows it; Edit's snippets use the same shape.

    `str.rjust` rather than a `>6` format spec, which costs twice as much: Read formats
    a page of up to two thousand lines at a time."""
    return f"{str(number).rjust(6)}\t{text}"


def cut_line(text: str, length: int | None = None) -> str:
    """`text` cut to LINE_CHARS characters, with a marker saying how long it was."""
    total = len(text) if length is None else length
    if total <= LINE_CHARS:
        return text
    return f"{text[:LINE_CHARS]}… [line cut: {LINE_CHARS:,} of {total:,} characters shown]"


@dataclass(frozen=True)
class _Page:
    lines: list[str]
    """Formatted output lines."""
    first: int
    """Number of the first line shown."""
    total: int
    """Lines in the file."""
    mtime_ns: int
    undecodable: bool
    cut_for_size: bool


class Read(Tool):
    name: ClassVar[str] = "Read"
    kind: ClassVar[ToolKind] = ToolKind.READ
    description: ClassVar[str] = (
        "Show a text file from the workspace with numbered lines (`<number><tab><text>`, "
        f"numbering from 1). Returns at most {PAGE_LINES} lines or about "
        f"{OUTPUT_CHARS // 1000}k characters per call; lines longer than {LINE_CHARS} "
        "characters are cut with a marker. When a file is longer, the reply says which lines "
        "it showed and how to continue with `offset` and `limit`. Reading a whole file "
        "(not a page of it) is what allows Write and Edit to change it afterwards. "
        "Directories cannot be read (use LS or Glob) and binary files are refused. "
        "Line numbers are for orientation only: never copy them into Edit's strings."
    )
    input_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "file_path": {
                "type": "string",
                "description": "The file to read: an absolute path, or a path relative to "
                "the workspace root.",
            },
            "offset": {
                "type": "integer",
                "minimum": 0,
                "description": "Number of the first line to show (1 is the first line of the "
                "file). Only needed for files too long to read in one call.",
            },
            "limit": {
                "type": "integer",
                "minimum": 1,
                "description": f"How many lines to show (default and usual maximum {PAGE_LINES}).",
            },
        },
        "required": ["file_path"],
        "additionalProperties": False,
    }

    def target(self, tool_input: dict[str, Any]) -> str | None:
        return str(tool_input["file_path"])

    async def run(self, tool_input: dict[str, Any], context: ToolContext) -> ToolResult:
        path = context.jail.resolve(tool_input["file_path"])
        first = max(1, int(tool_input.get("offset") or 1))
        limit = int(tool_input.get("limit") or PAGE_LINES)
        page = await asyncio.to_thread(_read_page, path, first, limit)
        if page.total == 0:
            context.read_files[path] = page.mtime_ns
            return ToolResult(f"[{path} is empty: it has no lines.]")
        if first > page.total:
            return ToolResult(
                f"[{path} has {page.total:,} lines, so offset {first:,} is past its end. "
                f"Use an offset from 1 to {page.total:,}.]"
            )
        last = first + len(page.lines) - 1
        notes: list[str] = []
        if first == 1 and last == page.total:
            context.read_files[path] = page.mtime_ns
        else:
            why = " to stay within the size limit" if page.cut_for_size else ""
            more = ""
            if last < page.total:
                more = (
                    f" To see more, call Read again with offset={last + 1} "
                    f"(and a limit of up to {PAGE_LINES})."
                )
            notes.append(
                f"[Partial view{why}: lines {first:,}–{last:,} of {page.total:,}.{more} "
                "A partial view does not count as reading the file for Write or Edit.]"
            )
        if page.undecodable:
            notes.append(
                f"[{path} is not valid UTF-8: bytes that could not be decoded are shown "
                "as �. Edit cannot change it.]"
            )
        return ToolResult("\n".join([*page.lines, *notes]))


def _read_page(path: Path, first: int, limit: int) -> _Page:
    # Checked before opening: opening a named pipe for reading would block.
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise ToolError(describe_missing(path)) from None
    except OSError as error:
        raise ToolError(f"Cannot read {path}: {error.strerror}.") from None
    if stat.S_ISDIR(mode):
        raise ToolError(_directory(path))
    if not stat.S_ISREG(mode):
        raise ToolError(f"{path} is not a regular file (a device, socket or pipe).")
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the `with` below
    except OSError as error:
        raise ToolError(f"Cannot read {path}: {error.strerror}.") from None
    with handle:
        if b"\0" in handle.read(BINARY_PROBE):
            raise ToolError(
                f"{path} is a binary file (it contains NUL bytes); Read shows text files only."
            )
        handle.seek(0)
        return _page_of(handle, os.fstat(handle.fileno()).st_mtime_ns, first, limit)


def _page_of(handle: BufferedReader, mtime_ns: int, first: int, limit: int) -> _Page:
    number = 0
    while number + 1 < first and _skip_line(handle):
        number += 1
    page = _block_page(handle, mtime_ns, first, limit, number)
    if page is not None:
        return page
    lines: list[str] = []
    size = 0
    undecodable = cut_for_size = False
    while len(lines) < limit:
        line = _next_line(handle)
        if line is None:
            return _Page(lines, first, number, mtime_ns, undecodable, cut_for_size)
        text, length = line
        number += 1
        if _UNDECODABLE.search(text):
            undecodable = True
            text = _UNDECODABLE.sub("\ufffd", text)
        if number == 1:
            text = text.removeprefix("\ufeff")
        shown = number_line(number, cut_line(text, length))
        size += len(shown) + 1
        if size > OUTPUT_CHARS and lines:
            cut_for_size = True
            number -= 1
            total = number + 1 + _count_lines(handle)
            return _Page(lines, first, total, mtime_ns, undecodable, cut_for_size)
        lines.append(shown)
    total = number + _count_lines(handle)
    return _Page(lines, first, total, mtime_ns, undecodable, cut_for_size)


def _block_page(
    handle: BufferedReader, mtime_ns: int, first: int, limit: int, number: int
) -> _Page | None:
    """The page from a block read, decoded and split at once, for files of ordinary lines.

    A block of a little more than the size cap settles most pages; a larger one covers
    text with many multi-byte characters. None (with the position restored) when neither
    holds the whole page, or a line is too long for it: the line-by-line reader does those.
    """
    start = handle.tell()
    for block_bytes in _BLOCK_SIZES:
        handle.seek(start)
        block = handle.read(block_bytes)
        ends = len(block) < block_bytes
        pieces = block.split(b"\n")
        partial = pieces.pop()
        if ends and partial:
            pieces.append(partial)
        chosen = pieces[:limit]
        if max(map(len, chosen), default=0) > _HEAD_BYTES:
            break
        lines = _numbered(chosen, number)
        if ends or len(chosen) == limit or len(lines.shown) < len(chosen):
            rest = 0 if ends else _count_lines(handle) or (1 if partial else 0)
            cut_for_size = len(lines.shown) < len(chosen)
            total = number + len(pieces) + rest
            return _Page(lines.shown, first, total, mtime_ns, lines.undecodable, cut_for_size)
    handle.seek(start)
    return None


@dataclass(frozen=True)
class _Numbered:
    shown: list[str]
    undecodable: bool


def _numbered(chosen: list[bytes], number: int) -> _Numbered:
    """Lines after line `number`, numbered, until the size cap.

    What each line adds to the output is known before it is formatted (its length, the
    number in six columns, a tab and a newline), so only the lines shown are formatted.
    """
    raw = b"\n".join(chosen)
    try:
        text, undecodable = raw.decode("utf-8"), False
    except UnicodeDecodeError:
        text, undecodable = raw.decode("utf-8", "replace"), True
    if number == 0:
        text = text.removeprefix("\ufeff")
    lines = text.split("\n") if chosen else []
    if "\r" in text:
        lines = [line.removesuffix("\r") for line in lines]
    if any(len(line) > LINE_CHARS for line in lines):
        lines = [cut_line(line) for line in lines]
    first = number + 1
    if first + len(lines) <= 1_000_000:
        sizes = accumulate(map(len, lines))
        totals = [size + 8 * index for index, size in enumerate(sizes, 1)]
    else:
        entries = map(number_line, count(first), lines)
        totals = list(accumulate(len(entry) + 1 for entry in entries))
    fits = max(1, bisect.bisect_right(totals, OUTPUT_CHARS)) if lines else 0
    return _Numbered(list(map(number_line, count(first), lines[:fits])), undecodable)


def _next_line(handle: BufferedReader) -> tuple[str, int] | None:
    """The next line (decoded, undecodable bytes as lone surrogates) and its full length.

    Only about LINE_CHARS characters of a long line are kept: the rest is read in chunks
    and counted, so one enormous line cannot fill memory.
    """
    head = handle.readline(_HEAD_BYTES)
    if not head:
        return None
    if head.endswith(b"\n") or len(head) < _HEAD_BYTES:
        text = head.decode("utf-8", "surrogateescape").removesuffix("\n").removesuffix("\r")
        return text, len(text)
    decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    text = decoder.decode(head)
    length = len(text)
    while chunk := handle.readline(_CHUNK):
        length += len(decoder.decode(chunk))
        if chunk.endswith(b"\n"):
            length -= 2 if chunk.endswith(b"\r\n") else 1
            break
    length += len(decoder.decode(b"", final=True))
    return text, length


def _skip_line(handle: BufferedReader) -> bool:
    """Move past one line; False when there was none left."""
    chunk = handle.readline(_CHUNK)
    if not chunk:
        return False
    while not chunk.endswith(b"\n"):
        chunk = handle.readline(_CHUNK)
        if not chunk:
            break
    return True


def _count_lines(handle: BufferedReader) -> int:
    """Lines from the current position to the end, counting a last line with no newline.

    The chunks are read into one small buffer, used again for each: a fresh megabyte per
    chunk costs more in page faults than counting its newlines, most of all on the worker
    threads tools run on, whose memory the allocator hands back to the system sooner.
    """
    buffer = bytearray(_COUNT_CHUNK)
    count = 0
    last = _NEWLINE
    while read := handle.readinto(buffer):
        count += buffer.count(b"\n", 0, read)
        last = buffer[read - 1]
    return count if last == _NEWLINE else count + 1


def describe_missing(path: Path) -> str:
    message = f"{path} does not exist."
    if path.parent.is_dir():
        try:
            names = [entry.name for entry in os.scandir(path.parent)]
        except OSError:
            names = []
        close = difflib.get_close_matches(path.name, names, n=3, cutoff=0.6)
        if close:
            similar = ", ".join(str(path.parent / name) for name in close)
            message += f" Similar names in the same folder: {similar}."
    return message


def _directory(path: Path) -> str:
    return f"{path} is a directory; use LS to list it or Glob to find files in it."
