"""The prompts a person sent in a workspace, newest last, kept across restarts.

The file is JSON Lines, one JSON string per line, so a torn or hand-edited line costs that
line only. History is a convenience: a missing, unreadable or broken file reads as empty
history and a failed write (a read-only workspace) is ignored — neither may stop a person
from typing a task.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from workbench.config.paths import STATE_DIR
from workbench.safe_text import printable

HISTORY_FILE = "prompt-history.jsonl"
DEFAULT_LIMIT = 500
DEFAULT_MAX_CHARS = 100_000
"""Longer prompts (pasted logs, whole files) are recalled in this session but not written."""


class PromptHistory:
    """Earlier prompts of one workspace: `entries` to walk, `append` after each send.

    The file is read on first use. It may grow to twice `limit` lines before it is rewritten
    with the newest `limit`, so a send costs one appended line, not a rewrite.
    """

    def __init__(
        self,
        path: Path | None,
        *,
        limit: int = DEFAULT_LIMIT,
        max_chars: int = DEFAULT_MAX_CHARS,
    ) -> None:
        """`path=None` keeps history in memory only (no workspace, tests)."""
        self.path = path
        self.limit = max(1, limit)
        self.max_chars = max_chars
        self._entries: list[str] | None = None
        self._lines_on_disk = 0
        self._needs_newline = False

    @classmethod
    def for_workspace(cls, workspace: Path, *, limit: int = DEFAULT_LIMIT) -> PromptHistory:
        """The history kept in `<workspace>/.workbench/prompt-history.jsonl`."""
        return cls(workspace / STATE_DIR / HISTORY_FILE, limit=limit)

    @property
    def entries(self) -> Sequence[str]:
        """Oldest first, at most `limit`; no entry equals the one before it."""
        return tuple(self._loaded())

    def append(self, prompt: str) -> bool:
        """Record a sent prompt; False when it was blank or repeats the newest entry."""
        entries = self._loaded()
        if not prompt.strip() or (entries and entries[-1] == prompt):
            return False
        entries.append(prompt)
        del entries[: -self.limit]
        if len(prompt) <= self.max_chars:
            self._write(prompt)
        return True

    def _loaded(self) -> list[str]:
        if self._entries is None:
            self._entries = self._read()
        return self._entries

    def _read(self) -> list[str]:
        if self.path is None:
            return []
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except (OSError, ValueError):
            return []
        lines = text.split("\n")
        self._needs_newline = bool(lines[-1])
        entries: list[str] = []
        for line in lines:
            if not line.strip():
                continue
            self._lines_on_disk += 1
            try:
                value = json.loads(line)
            except (ValueError, RecursionError):
                continue
            # The file lives in the workspace, which may have come from anywhere.
            if isinstance(value, str) and value.strip():
                prompt = printable(value)
                if not entries or entries[-1] != prompt:
                    entries.append(prompt)
        return entries[-self.limit :]

    def _write(self, prompt: str) -> None:
        if self.path is None:
            return
        try:
            if self._lines_on_disk + 1 > 2 * self.limit:
                self._rewrite()
            else:
                self._append_line(prompt)
        except OSError:
            pass

    def _append_line(self, prompt: str) -> None:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lead = "\n" if self._needs_newline else ""
        with self.path.open("a", encoding="utf-8") as file:
            file.write(f"{lead}{json.dumps(prompt, ensure_ascii=False)}\n")
        self._needs_newline = False
        self._lines_on_disk += 1

    def _rewrite(self) -> None:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        kept = [entry for entry in self._loaded() if len(entry) <= self.max_chars]
        body = "".join(f"{json.dumps(entry, ensure_ascii=False)}\n" for entry in kept)
        handle, temporary = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
        )
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(body)
            os.replace(temporary, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        self._needs_newline = False
        self._lines_on_disk = len(kept)
