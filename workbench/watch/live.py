"""The watched files of a workspace as they are now, kept current by a `watchfiles` task.

The watcher's change types are hints, not facts: an editor's atomic save arrives as a
temporary file added and removed plus the target "added", and a folder moved away
arrives as one deletion. So every batch is settled by looking at the disk again, and a
file counts as changed only when its content (or, for very large files, its size and
time) differs from the last version recorded.
"""

from __future__ import annotations

import asyncio
import os
import re
import stat
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

from workbench.sizes import human_size
from workbench.watch.areas import IGNORED_DIRS, Area, WatchSet
from workbench.watch.history import KEEP_TEXT_BYTES, Author, FileHistory, Version

DEBOUNCE_MS = 100
"""The most a batch of changes waits; watchfiles' own default, 1.6 s, is too slow to watch by."""
STEP_MS = 10
"""How often the watcher checks whether a batch has stopped growing."""
QUIET_CHECK_MS = 1000
"""When nothing has changed for this long, check the workspace itself is still there: its
own removal is not always reported."""
_TEMPORARY = re.compile(
    r"(\.sw[a-p]x?|~|\.tmp|\.crswap|\.part)$|^\.#|^4913$|^\.~lock\.|\.tmp\d*$|^\.DS_Store$"
)
"""Names editors and tools use for scratch files that live for a moment during a save."""


class Kind(StrEnum):
    ADDED = "added"
    CHANGED = "changed"
    DELETED = "deleted"


class Badge(StrEnum):
    """What happened to a file since the person last looked at it."""

    NONE = ""
    NEW = "new"
    CHANGED = "changed"
    DELETED = "deleted"


@dataclass(frozen=True)
class WatchedFile:
    rel: str
    area: Area
    size: int
    mtime_ns: int
    badge: Badge = Badge.NONE
    exists: bool = True
    problem: str = ""
    """Why the content cannot be read or kept, for the pane to say."""


@dataclass(frozen=True)
class FileUpdate:
    file: WatchedFile
    kind: Kind
    version: Version | None
    """The version this change produced; None when history already had it or the file
    could not be read."""


class WatchFailed(Exception):
    """The watcher stopped; the message says why in words a person can act on."""


class LiveFiles:
    """Watched files, their badges and history; safe to call from the UI and a worker."""

    def __init__(
        self,
        workspace: Path,
        watch_set: WatchSet,
        history: FileHistory | None = None,
        *,
        force_polling: bool = False,
    ) -> None:
        self.workspace = workspace.resolve()
        self.watch_set = watch_set
        self.history = history or FileHistory(self.workspace)
        self.force_polling = force_polling
        self._files: dict[str, WatchedFile] = {}
        self._lock = threading.Lock()
        self._root = str(self.workspace)

    def files(self) -> list[WatchedFile]:
        with self._lock:
            return sorted(self._files.values(), key=lambda f: f.rel)

    def get(self, rel: str) -> WatchedFile | None:
        with self._lock:
            return self._files.get(rel)

    def scan(self) -> list[FileUpdate]:
        """Find every watched file and record its current state; blocks, so run it in a
        thread. Files found now are not badged: they are the starting point."""
        updates = [
            update
            for rel, area in self.watch_set.scan(self.workspace)
            if (update := self._refresh(rel, area, badge=False)) is not None
        ]
        return updates

    async def watch(
        self, on_updates: Callable[[list[FileUpdate]], None], stop: asyncio.Event | None = None
    ) -> None:
        """Report changes until `stop` is set; raises WatchFailed when watching cannot go on."""
        from watchfiles import awatch

        try:
            async for changes in awatch(
                self.workspace,
                watch_filter=self._wanted,
                debounce=DEBOUNCE_MS,
                step=STEP_MS,
                stop_event=stop,
                force_polling=self.force_polling or None,
                ignore_permission_denied=True,
                rust_timeout=QUIET_CHECK_MS,
                yield_on_timeout=True,
            ):
                if changes:
                    updates = await asyncio.to_thread(self.settle, (p for _, p in changes))
                    if updates:
                        on_updates(updates)
                if not os.path.isdir(self._root):
                    raise WatchFailed(f"The workspace folder {self._root} no longer exists.")
        except WatchFailed:
            raise
        except Exception as error:
            raise WatchFailed(f"The file watcher stopped: {error}") from error

    def settle(self, paths: Iterable[str]) -> list[FileUpdate]:
        """Look at each changed path again and record what is there now."""
        updates: list[FileUpdate] = []
        for rel in sorted({rel for path in paths if (rel := self._relative(path))}):
            updates.extend(self._settle_one(rel))
        return updates

    def seen(self, rel: str) -> None:
        """The person opened the file: its badge clears (a deleted file stays marked)."""
        with self._lock:
            found = self._files.get(rel)
            if found is not None and found.exists:
                self._files[rel] = replace(found, badge=Badge.NONE)

    def dismiss(self, rel: str) -> None:
        """Forget a deleted file."""
        with self._lock:
            found = self._files.get(rel)
            if found is not None and not found.exists:
                del self._files[rel]

    def record_write(
        self, path: Path, before: str | None, after: str | None, author: Author
    ) -> Version | None:
        """What a run's tool call wrote, for history; the watcher still reports the file."""
        return self.history.record_write(path, before, after, author)

    def _wanted(self, _change: object, path: str) -> bool:
        rel = self._relative(path)
        if rel is None:
            return path == self._root
        parts = rel.split("/")
        return not any(part in IGNORED_DIRS for part in parts) and not _TEMPORARY.search(parts[-1])

    def _relative(self, path: str) -> str | None:
        root = self._root
        if not path.startswith(root + os.sep):
            return None
        return path[len(root) + 1 :].replace(os.sep, "/")

    def _settle_one(self, rel: str) -> list[FileUpdate]:
        try:
            info = os.stat(self.workspace / rel)
        except OSError:
            info = None
        updates: list[FileUpdate] = []
        if info is None or not stat.S_ISREG(info.st_mode):
            updates.extend(self._gone(rel, under=True))
        if info is not None and stat.S_ISDIR(info.st_mode):
            for sub, area in self.watch_set.scan(self.workspace, rel):
                update = self._refresh(sub, area, badge=True)
                if update is not None:
                    updates.append(update)
        elif info is not None and (watched := self.watch_set.area_of(rel)) is not None:
            update = self._refresh(rel, watched, badge=True, info=info)
            if update is not None:
                updates.append(update)
        return updates

    def _gone(self, rel: str, *, under: bool) -> list[FileUpdate]:
        """Mark `rel` deleted, and with `under` every known file inside it as a folder."""
        with self._lock:
            prefix = rel + "/"
            gone = [
                f
                for f in self._files.values()
                if f.exists and (f.rel == rel or (under and f.rel.startswith(prefix)))
            ]
        updates: list[FileUpdate] = []
        for found in gone:
            if os.path.isfile(self.workspace / found.rel):
                continue
            version = self.history.observe(found.rel, None)
            file = replace(found, exists=False, size=0, badge=Badge.DELETED, problem="")
            with self._lock:
                self._files[found.rel] = file
            updates.append(FileUpdate(file, Kind.DELETED, version))
        return updates

    def _refresh(
        self, rel: str, area: Area, *, badge: bool, info: os.stat_result | None = None
    ) -> FileUpdate | None:
        path = self.workspace / rel
        try:
            info = info or os.stat(path)
        except OSError:
            return None
        with self._lock:
            known = self._files.get(rel)
        if (
            known is not None
            and known.exists
            and (known.size, known.mtime_ns) == (info.st_size, info.st_mtime_ns)
        ):
            return None
        version, problem = self._record(rel, path, info)
        if known is None or not known.exists:
            kind = Kind.ADDED
            mark = Badge.NEW if badge else Badge.NONE
        else:
            kind = Kind.CHANGED
            mark = known.badge if known.badge is Badge.NEW or not badge else Badge.CHANGED
        file = WatchedFile(rel, area, info.st_size, info.st_mtime_ns, mark, True, problem)
        with self._lock:
            self._files[rel] = file
        return FileUpdate(file, kind, version)

    def _record(self, rel: str, path: Path, info: os.stat_result) -> tuple[Version | None, str]:
        if info.st_size > KEEP_TEXT_BYTES:
            version = self.history.observe_large(rel, info.st_size, info.st_mtime_ns)
            return version, f"{human_size(info.st_size)}: history keeps its size and time only"
        try:
            data = path.read_bytes()
        except PermissionError:
            return None, "permission denied"
        except OSError as error:
            return None, f"cannot be read: {error.strerror or error}"
        return self.history.observe(rel, data), ""
