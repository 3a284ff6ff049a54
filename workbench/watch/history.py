"""Every state of a workspace file the workbench has seen, and who made it.

States come from two places: the watcher, which sees a file after anyone changed it, and
the engine, which knows exactly what each tool call wrote. The same content is one
version, whichever saw it first; when the watcher wins the race for a file a run just
wrote, the version is handed to that run's tool call once the engine reports it.

Versions live in memory for the session and under `.workbench/history/` (content stored
once per digest, capped in size; the oldest texts go first, never a file's latest), so a
later session still shows which run added which line.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.config.paths import STATE_DIR, real_path

if TYPE_CHECKING:
    from workbench.engine.events import ToolCallFinished

KEEP_TEXT_BYTES = 2 * 1024 * 1024
"""Larger states are recorded (size, time, author) without their content."""
DEFAULT_CAP_BYTES = 64 * 1024 * 1024
"""Stored content beyond this is pruned, oldest first."""
CLAIM_WINDOW_S = 10.0
"""How long after the watcher saw a state a run's report of writing it may claim it."""
_INDEX = "versions.jsonl"


@dataclass(frozen=True)
class Author:
    """A tool call of a run, or nobody the workbench knows (an editor, a script, git)."""

    session_id: str = ""
    tool_use_id: str = ""
    tool: str = ""
    agent: str = ""

    @property
    def outside(self) -> bool:
        return not self.session_id

    @property
    def label(self) -> str:
        if self.outside:
            return "outside"
        return f"{self.agent or 'a run'} · {self.tool}"


OUTSIDE = Author()


@dataclass(frozen=True)
class Version:
    path: str
    """Relative to the workspace, with `/` separators."""
    number: int
    """1 for the first state seen, counting up per path."""
    at: float
    """Seconds since the epoch."""
    digest: str | None
    """Of the bytes; None when the file did not exist in this state."""
    size: int
    author: Author = OUTSIDE
    kept: bool = True
    """Whether the content is stored (it is not for large files, or once pruned)."""

    @property
    def deleted(self) -> bool:
        return self.digest is None


@dataclass
class _Store:
    """The on-disk side: an append-only index and one file per distinct content."""

    root: Path
    cap: int
    broken: str = ""
    """Why the disk cannot be used; content is then kept in `memory` instead."""
    sizes: dict[str, int] = field(default_factory=dict)
    memory: dict[str, bytes] = field(default_factory=dict)

    def blob(self, digest: str) -> Path:
        return self.root / "blobs" / digest[:2] / digest[2:]

    def folder(self, path: Path) -> None:
        """Make `path` and the folders above it up to the workspace, which must exist: a
        workspace removed while the workbench runs is not brought back by its records."""
        missing: list[Path] = []
        while not path.is_dir():
            if path == self.root.parent.parent:
                raise FileNotFoundError(f"{path} no longer exists")
            missing.append(path)
            path = path.parent
        for folder in reversed(missing):
            folder.mkdir(exist_ok=True)

    def save(self, digest: str, data: bytes) -> None:
        if digest in self.sizes:
            return
        if not self.broken:
            path = self.blob(digest)
            try:
                self.folder(path.parent)
                path.write_bytes(data)
            except OSError as error:
                self.broken = f"history is not being saved: {error.strerror or error}"
        if self.broken:
            self.memory[digest] = data
        self.sizes[digest] = len(data)

    def load(self, digest: str) -> bytes | None:
        if digest in self.memory:
            return self.memory[digest]
        try:
            return self.blob(digest).read_bytes()
        except OSError:
            return None

    def append(self, version: Version) -> None:
        if self.broken:
            return
        try:
            self.folder(self.root)
            with (self.root / _INDEX).open("a", encoding="utf-8") as index:
                index.write(json.dumps(_to_json(version)) + "\n")
        except OSError as error:
            self.broken = f"history is not being saved: {error.strerror or error}"

    def read_index(self) -> Iterator[Version]:
        try:
            lines = (self.root / _INDEX).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return
        for line in lines:
            with contextlib.suppress(ValueError, TypeError, KeyError):
                yield _from_json(json.loads(line))

    def scan_blobs(self) -> None:
        blobs = self.root / "blobs"
        if not blobs.is_dir():
            return
        for folder in blobs.iterdir():
            with contextlib.suppress(OSError):
                for blob in folder.iterdir():
                    self.sizes[folder.name + blob.name] = blob.stat().st_size

    def remove(self, digest: str) -> None:
        with contextlib.suppress(OSError):
            self.blob(digest).unlink()
        self.sizes.pop(digest, None)
        self.memory.pop(digest, None)

    def rewrite_index(self, versions: Iterator[Version]) -> None:
        if self.broken:
            return
        fresh = self.root / (_INDEX + ".new")
        try:
            with fresh.open("w", encoding="utf-8") as index:
                for version in versions:
                    index.write(json.dumps(_to_json(version)) + "\n")
            os.replace(fresh, self.root / _INDEX)
        except OSError as error:
            self.broken = f"history is not being saved: {error.strerror or error}"


class FileHistory:
    """The versions of the files of one workspace; safe to use from several threads."""

    def __init__(self, workspace: Path, *, cap_bytes: int = DEFAULT_CAP_BYTES) -> None:
        self.workspace = workspace.resolve()
        self._store = _Store(self.workspace / STATE_DIR / "history", cap_bytes)
        self._versions: dict[str, list[Version]] = {}
        self._by_call: dict[str, list[Version]] = {}
        self._lock = threading.Lock()
        self._store.scan_blobs()
        for version in self._store.read_index():
            self._restore(version)

    @property
    def problem(self) -> str:
        """Why history is not being saved to disk, or ""; it is still kept in memory."""
        return self._store.broken

    def versions(self, rel: str) -> list[Version]:
        with self._lock:
            return list(self._versions.get(rel, ()))

    def latest(self, rel: str) -> Version | None:
        with self._lock:
            found = self._versions.get(rel)
            return found[-1] if found else None

    def by_call(self, tool_use_id: str) -> list[Version]:
        """The versions a tool call produced, to link its block in the chat to them."""
        with self._lock:
            return list(self._by_call.get(tool_use_id, ()))

    def text(self, version: Version) -> str | None:
        """The content of `version`, or None when it is deleted or no longer kept."""
        if version.digest is None or not version.kept:
            return None
        data = self._store.load(version.digest)
        return None if data is None else data.decode("utf-8", "replace")

    def observe(self, rel: str, data: bytes | None) -> Version | None:
        """Record the state the watcher found (None: the file is gone), if it is new."""
        digest = _digest(data) if data is not None else None
        with self._lock:
            latest = self._latest(rel)
            if latest is not None and latest.digest == digest:
                return None
            if latest is None and digest is None:
                return None
            size = len(data) if data is not None else 0
            return self._add(rel, digest, data, size, OUTSIDE, time.time())

    def observe_large(self, rel: str, size: int, mtime_ns: int) -> Version | None:
        """Record a state too large to keep, known by its size and modification time."""
        with self._lock:
            digest = f"large:{size}:{mtime_ns}"
            latest = self._latest(rel)
            if latest is not None and latest.digest == digest:
                return None
            return self._add(rel, digest, None, size, OUTSIDE, time.time())

    def record_write(
        self, path: Path, before: str | None, after: str | None, author: Author
    ) -> Version | None:
        """Record what a tool call wrote, exactly; returns the version it produced."""
        rel = self.relative(path)
        if rel is None:
            return None
        after_data = after.encode("utf-8") if after is not None else None
        after_digest = _digest(after_data) if after_data is not None else None
        now = time.time()
        with self._lock:
            versions = self._versions.get(rel, [])
            latest = versions[-1] if versions else None
            if (
                latest is not None
                and latest.digest == after_digest
                and latest.author.outside
                and now - latest.at < CLAIM_WINDOW_S
            ):
                claimed = replace(latest, author=author)
                versions[-1] = claimed
                self._by_call.setdefault(author.tool_use_id, []).append(claimed)
                self._store.append(claimed)
                return claimed
            if before is not None:
                before_data = before.encode("utf-8")
                before_digest = _digest(before_data)
                if latest is None or latest.digest != before_digest:
                    self._add(rel, before_digest, before_data, len(before_data), OUTSIDE, now)
            return self._add(
                rel, after_digest, after_data, len(after_data or b""), author, now, call=True
            )

    def record_call(self, event: ToolCallFinished, session_id: str, agent: str) -> list[Version]:
        """Record every file a finished tool call changed, as that call's work."""
        author = Author(session_id, event.tool_use_id, event.name, agent)
        recorded = (
            self.record_write(change.path, change.before, change.after, author)
            for change in event.changes
        )
        return [version for version in recorded if version is not None]

    def relative(self, path: Path) -> str | None:
        resolved = real_path(path)
        if not resolved.is_relative_to(self.workspace):
            return None
        return resolved.relative_to(self.workspace).as_posix()

    def _latest(self, rel: str) -> Version | None:
        found = self._versions.get(rel)
        return found[-1] if found else None

    def _add(
        self,
        rel: str,
        digest: str | None,
        data: bytes | None,
        size: int,
        author: Author,
        at: float,
        *,
        call: bool = False,
    ) -> Version:
        versions = self._versions.setdefault(rel, [])
        kept = data is not None and digest is not None and len(data) <= KEEP_TEXT_BYTES
        if kept and digest is not None and data is not None:
            self._store.save(digest, data)
        version = Version(rel, len(versions) + 1, at, digest, size, author, kept)
        versions.append(version)
        if call:
            self._by_call.setdefault(author.tool_use_id, []).append(version)
        self._store.append(version)
        self._prune()
        return version

    def _restore(self, version: Version) -> None:
        """Take a line of the index; a later line for the same version replaces it."""
        versions = self._versions.setdefault(version.path, [])
        if version.kept and version.digest not in self._store.sizes:
            version = replace(version, kept=False)
        if versions and versions[-1].number == version.number:
            versions[-1] = version
        elif version.number == len(versions) + 1:
            versions.append(version)
        else:
            return
        if not version.author.outside:
            calls = self._by_call.setdefault(version.author.tool_use_id, [])
            calls[:] = [v for v in calls if (v.path, v.number) != (version.path, version.number)]
            calls.append(version)

    def _prune(self) -> None:
        """Past the cap, drop the oldest stored content until a tenth of it is free."""
        store = self._store
        total = sum(store.sizes.values())
        if total <= store.cap:
            return
        goal = store.cap * 9 // 10
        protected = {versions[-1].digest for versions in self._versions.values()}
        oldest_first = sorted(
            (v for versions in self._versions.values() for v in versions if v.kept),
            key=lambda v: v.at,
        )
        dropped: set[str] = set()
        for version in oldest_first:
            if total <= goal:
                break
            digest = version.digest
            if digest is None or digest in protected or digest in dropped:
                continue
            total -= store.sizes.get(digest, 0)
            store.remove(digest)
            dropped.add(digest)
        if not dropped:
            return
        for versions in self._versions.values():
            versions[:] = [replace(v, kept=False) if v.digest in dropped else v for v in versions]
        for calls in self._by_call.values():
            calls[:] = [replace(v, kept=False) if v.digest in dropped else v for v in calls]
        store.rewrite_index(v for versions in self._versions.values() for v in versions)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _to_json(version: Version) -> dict[str, Any]:
    record = asdict(version)
    record["author"] = {k: v for k, v in asdict(version.author).items() if v}
    return record


def _from_json(record: dict[str, Any]) -> Version:
    author = Author(**{k: str(v) for k, v in record.get("author", {}).items()})
    return Version(
        path=str(record["path"]),
        number=int(record["number"]),
        at=float(record["at"]),
        digest=record["digest"] if record["digest"] is None else str(record["digest"]),
        size=int(record["size"]),
        author=author,
        kept=bool(record["kept"]),
    )
