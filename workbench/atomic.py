"""Replacing a file in one step, so a reader (or a crash) never sees half of it."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def replace_file(path: Path, data: bytes, mode: int | None = None, *, durable: bool = True) -> None:
    """Write `data` to a temporary file beside `path`, flush it to disk, then rename it over.

    `mode` is the permission bits to give the file (those of the file being replaced); a
    new file gets the usual permissions for the process (0o666 less the umask). A file that
    is not `durable` (a cache) skips waiting for the disk, which can take a slow disk tens
    of milliseconds. Raises `OSError`; the temporary file never outlives a failure.
    """
    temporary = write_beside(path, data, mode, durable=durable)
    try:
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_beside(path: Path, data: bytes, mode: int | None = None, *, durable: bool = True) -> Path:
    """A new temporary file in `path`'s folder holding `data`, flushed to disk, for the
    caller to put in place (by rename, or by link when nothing may be replaced).

    `mode` and `durable` as for `replace_file`. Raises `OSError`; nothing is left behind on
    failure.
    """
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(descriptor, "wb") as handle:
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return temporary
