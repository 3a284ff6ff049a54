"""An agent file opened for editing, and writing it back without losing anyone's work.

What the editor shows is the file's text with its BOM (if any) set aside; saving puts the
BOM back and writes the text as it is, so line endings, the final newline and every byte
not edited stay as they were. A save refuses to overwrite a file that changed on disk
since it was read unless told to: the person decides, seeing both versions.

Unsaved text is kept in a recovery file under the workspace's `.workbench/recovery/`
every few seconds, so a crash loses at most those seconds.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from workbench.atomic import replace_file
from workbench.config.paths import STATE_DIR, real_path


class DocumentError(Exception):
    """The file cannot be edited; the message says why, in words a person can act on."""


class Conflict(Exception):
    """The file on disk is not the one the editor started from."""

    def __init__(self, disk_text: str | None) -> None:
        super().__init__("the file changed on disk since it was opened")
        self.disk_text = disk_text
        """What is on disk now; None when the file was deleted."""


@dataclass(frozen=True)
class AgentDocument:
    path: Path
    data: bytes
    """The bytes read, to tell whether the disk still holds them when saving."""
    text: str
    bom: bool
    writable: bool

    @classmethod
    def open(cls, path: Path) -> AgentDocument:
        try:
            info = os.stat(path)
            if stat.S_ISDIR(info.st_mode):
                raise DocumentError(f"{path} is a folder, not an agent file")
            if not stat.S_ISREG(info.st_mode):
                # Reading a named pipe would wait for a writer that may never come.
                raise DocumentError(f"{path} is not a regular file (a pipe, socket or device)")
            data = path.read_bytes()
        except FileNotFoundError:
            raise DocumentError(f"{path} does not exist") from None
        except PermissionError:
            raise DocumentError(f"{path} cannot be read: permission denied") from None
        except OSError as error:
            raise DocumentError(f"{path} cannot be read: {error.strerror or error}") from None
        if b"\0" in data:
            raise DocumentError(
                f"{path} is a binary file (it contains NUL bytes); editing it here could damage it"
            )
        bom = data.startswith(codecs.BOM_UTF8)
        try:
            text = data[len(codecs.BOM_UTF8) if bom else 0 :].decode("utf-8")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise DocumentError(
                f"{path} is not UTF-8 text (line {line}); editing it here could damage it"
            ) from None
        return cls(path, data, text, bom, os.access(path, os.W_OK))

    def encode(self, text: str) -> bytes:
        return (codecs.BOM_UTF8 if self.bom else b"") + text.encode("utf-8")

    def save(self, text: str, *, overwrite: bool = False) -> AgentDocument:
        """Write `text` in one step and return the document as now on disk.

        Raises `Conflict` when the disk no longer holds what was opened (unless
        `overwrite`), and `DocumentError` when the file cannot be written.
        """
        try:
            current: bytes | None = self.path.read_bytes()
            mode: int | None = os.stat(self.path).st_mode & 0o7777
        except FileNotFoundError:
            current, mode = None, None
        except OSError as error:
            raise DocumentError(f"{self.path} cannot be read: {error.strerror}") from None
        if current != self.data and not overwrite:
            raise Conflict(_decoded(current))
        data = self.encode(text)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            replace_file(self.path, data, mode)
        except OSError as error:
            reason = error.strerror or str(error)
            raise DocumentError(f"{self.path} cannot be written: {reason}") from None
        return AgentDocument(self.path, data, text, self.bom, True)


def _decoded(data: bytes | None) -> str | None:
    if data is None:
        return None
    return data.decode("utf-8-sig", errors="replace")


@dataclass(frozen=True)
class Recovered:
    path: Path
    text: str
    saved_at: float
    base: str
    """Digest of the bytes the edits started from."""


class Recovery:
    """Unsaved editor text of one workspace's session, one small JSON file per agent file."""

    def __init__(self, workspace: Path) -> None:
        self.folder = workspace / STATE_DIR / "recovery"

    def keep(self, document: AgentDocument, text: str) -> None:
        """Best effort: a full disk must not break the editor, only this safety net."""
        record = {
            "path": str(document.path),
            "text": text,
            "saved_at": time.time(),
            "base": _digest(document.data),
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            replace_file(self._file(document.path), json.dumps(record).encode("utf-8"))
        except OSError:
            return

    def drop(self, path: Path) -> None:
        try:
            self._file(path).unlink()
        except OSError:
            return

    def find(self, path: Path) -> Recovered | None:
        return self._read(self._file(path))

    def all(self) -> list[Recovered]:
        try:
            files = sorted(self.folder.glob("*.json"))
        except OSError:
            return []
        return [found for file in files if (found := self._read(file)) is not None]

    def _file(self, path: Path) -> Path:
        return self.folder / f"{_digest(str(real_path(path)).encode())[:16]}.json"

    @staticmethod
    def _read(file: Path) -> Recovered | None:
        try:
            record = json.loads(file.read_text(encoding="utf-8"))
            return Recovered(
                Path(record["path"]), record["text"], float(record["saved_at"]), record["base"]
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
