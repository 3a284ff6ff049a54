"""A workspace file read for display: its text, or a plain reason why there is none.

The files shown are written by agents while they are shown, so anything can happen between
two reads: a file vanishes, turns into a folder, loses its permissions or grows to gigabytes.
`read_content` therefore never raises for the file system; every such case is a kind with a
message a person can read.

Line endings: CRLF becomes LF (and `crlf` says so). Every line of a CRLF file would
otherwise end in a visible `␍`, and the Markdown renderer makes the same change. A lone CR
is kept, and shows as `␍`.
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from workbench.sizes import human_size

RENDER_LIMIT = 1024 * 1024
"""Larger files are shown as raw text only: laying out a megabyte of Markdown takes seconds."""
LOAD_LIMIT = 8 * 1024 * 1024
"""Bytes read at most: the raw view pages through these, the rest of a huge log is left out."""
BINARY_PROBE = 8192
"""Bytes looked at for a NUL, which marks a file as binary (as git and Read decide)."""


class Kind(StrEnum):
    TEXT = "text"
    LARGE = "large"
    """Text above `RENDER_LIMIT`: shown raw, never rendered."""
    BINARY = "binary"
    UNREADABLE = "unreadable"
    MISSING = "missing"
    DIRECTORY = "directory"


@dataclass(frozen=True)
class FileContent:
    kind: Kind
    text: str = ""
    """The decoded text (TEXT and LARGE only), without a BOM, lines ending in LF."""
    size: int = 0
    """Bytes on disk, whether or not all of them were loaded."""
    loaded: int = 0
    """Bytes the text was decoded from; less than `size` when the file was cut."""
    message: str = ""
    """Why there is no text (for the other kinds), in words to show as they are."""
    replaced: bool = False
    """The file is not UTF-8: undecodable bytes show as U+FFFD."""
    crlf: bool = False
    """The file's lines ended in CRLF."""

    @property
    def has_text(self) -> bool:
        return self.kind in (Kind.TEXT, Kind.LARGE)

    @property
    def truncated(self) -> bool:
        return self.has_text and self.loaded < self.size


def read_content(path: Path) -> FileContent:
    """The file as it is now; a problem with the file becomes a kind and a message."""
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            return FileContent(Kind.DIRECTORY, message="a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            # Opening a FIFO would wait for a writer forever.
            return FileContent(Kind.UNREADABLE, message="not a regular file")
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            data = handle.read(LOAD_LIMIT + 1)
    except FileNotFoundError:
        return FileContent(Kind.MISSING, message="not found")
    except IsADirectoryError:
        return FileContent(Kind.DIRECTORY, message="a folder, not a file")
    except PermissionError:
        return FileContent(Kind.UNREADABLE, message="permission denied")
    except OSError as error:
        return FileContent(Kind.UNREADABLE, message=_reason(error))
    return _decoded(data, size)


def _decoded(data: bytes, size: int) -> FileContent:
    size = max(size, len(data))  # it may have grown since fstat
    if b"\0" in data[:BINARY_PROBE]:
        return FileContent(
            Kind.BINARY, size=size, message=f"binary file, {human_size(size)}: not shown"
        )
    if len(data) > LOAD_LIMIT:
        # Cut at a line end, so the last line is whole and no character is split in two.
        data = data[:LOAD_LIMIT]
        end = data.rfind(b"\n")
        data = data[: end + 1] if end >= 0 else data
    loaded = len(data)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text, replaced = data.decode("utf-8"), False
    except UnicodeDecodeError:
        text, replaced = data.decode("utf-8", errors="replace"), True
    crlf = "\r\n" in text
    if crlf:
        text = text.replace("\r\n", "\n")
    kind = Kind.LARGE if size > RENDER_LIMIT else Kind.TEXT
    return FileContent(kind, text, size, loaded, replaced=replaced, crlf=crlf)


def _reason(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "a symlink loop"
    reason = error.strerror or type(error).__name__
    return reason[:1].lower() + reason[1:]
