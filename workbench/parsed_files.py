"""What parsing a file gave, kept between launches, so that start-up need not parse it again.

Every launch reads the agent files, the theme files and the model table. Parsing them takes
PyYAML and tomllib, whose imports alone cost about a twentieth of the time to the first
frame, for files that seldom change. The app keeps each result in the user's cache folder,
keyed by what was parsed and the SHA-256 of the file's bytes, in a file named for the code
that parsed it: an edited file, or an upgraded workbench or Textual, is parsed afresh, and a
missing or damaged cache only means parsing. The command line keeps nothing, so that what
`workbench lint` reports never depends on what an earlier run left behind.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import threading
import time
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar, cast

from workbench.atomic import replace_file

T = TypeVar("T")
KEPT = 4096
"""Results kept at most: this launch's, then the most recent of earlier launches'."""
STALE_S = 7 * 24 * 3600
"""A file of results that no launch has written for this long belongs to code long since
replaced (every upgrade or edit of the workbench starts a new one), and is removed."""


class ParsedFiles:
    """Parse results by file content. Safe to use from the roster's loading thread and
    the interface's at once."""

    def __init__(self, file: Path) -> None:
        self._file = file
        self._now: dict[tuple[Hashable, ...], tuple[bytes, Any]] = {}
        """This launch's result for each key, with the digest of the bytes it came from:
        one per file, however often the file changes while the app runs."""
        self._earlier: dict[tuple[Hashable, ...], Any] = load_own(file)
        self._new = False
        self._lock = threading.Lock()

    def parsed(self, key: tuple[Hashable, ...], data: bytes, parse: Callable[[], T]) -> T:
        """What `parse` gives for `data`, which `key` names (a kind of file, its path and
        whatever else the result depends on); kept from an earlier launch when there is one.
        `parse` may raise, and then nothing is kept."""
        digest = hashlib.sha256(data).digest()
        with self._lock:
            now = self._now.get(key)
            if now is not None and now[0] == digest:
                return cast(T, now[1])
            if (*key, digest) in self._earlier:
                value = self._earlier[(*key, digest)]
                self._now[key] = (digest, value)
                return cast(T, value)
        value = parse()
        with self._lock:
            self._now[key] = (digest, value)
            self._new = True
        return value

    def save(self) -> None:
        """Write the results down when something was parsed this launch. Nothing is lost
        when the folder cannot be written: the next launch parses as usual."""
        with self._lock:
            if not self._new:
                return
            self._new = False
            kept = {(*key, digest): value for key, (digest, value) in self._now.items()}
            for key, value in self._earlier.items():
                if len(kept) >= KEPT:
                    break
                if key[:-1] not in self._now:
                    kept[key] = value
        store_own(self._file, kept)
        self._remove_stale()

    def _remove_stale(self) -> None:
        cutoff = time.time() - STALE_S
        try:
            others = [path for path in self._file.parent.iterdir() if path != self._file]
        except OSError:  # no folder, or not one: nothing to remove
            return
        for other in others:
            if not (other.name.startswith("parsed-") and other.name.endswith(".pickle")):
                continue
            try:
                if other.stat().st_mtime < cutoff:
                    other.unlink()
            except OSError:
                continue


def parsed(
    kept: ParsedFiles | None, key: tuple[Hashable, ...], data: bytes, parse: Callable[[], T]
) -> T:
    """`parse()`, or, when the caller keeps parses, what `kept` holds for these bytes."""
    return parse() if kept is None else kept.parsed(key, data, parse)


def load_own(file: Path) -> dict[Any, Any]:
    """The mapping `file` holds, if only this user could have written it: unpickling runs
    code, so a file another user owns or may change (a shared cache folder) is not read.
    Empty when the file is missing, unreadable, damaged or outdated: the caller parses
    again."""
    try:
        with file.open("rb") as handle:
            stat = os.fstat(handle.fileno())
            if stat.st_mode & 0o022 or (hasattr(os, "getuid") and stat.st_uid != os.getuid()):
                return {}
            stored = pickle.load(handle)
    except Exception:
        return {}
    return stored if isinstance(stored, dict) else {}


def store_own(file: Path, value: object) -> None:
    """Pickle `value` into `file`, readable and writable by this user only; a value pickle
    cannot write, or a folder that cannot be written, leaves things as they were."""
    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        replace_file(file, data, 0o600, durable=False)
    except OSError:
        return


def for_this_install(folder: Path) -> ParsedFiles:
    """The kept results of this install: of the workbench's own modules, PyYAML (which
    reads agents and themes) and Textual's themes, each named by size and time of change,
    which an edit or an upgrade changes."""
    import importlib.util

    import workbench

    code: list[str] = []
    for root, _, names in os.walk(os.path.dirname(workbench.__file__)):
        code.extend(os.path.join(root, name) for name in sorted(names) if name.endswith(".py"))
    for name, module in (("yaml", "__init__.py"), ("textual", "theme.py")):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin is not None:
            code.append(os.path.join(os.path.dirname(spec.origin), module))
    stamps = [sys.version]
    for path in code:
        try:
            stat = os.stat(path)
        except OSError:
            continue
        stamps.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    digest = hashlib.blake2b(repr(stamps).encode(), digest_size=12).hexdigest()
    return ParsedFiles(folder / f"parsed-{digest}.pickle")
