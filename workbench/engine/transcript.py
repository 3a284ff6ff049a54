"""Transcripts: one JSON Lines file per conversation under `.workbench/runs/`.

Every record is written and flushed as it happens, so a run killed halfway leaves a valid
file ending at its last line. Streamed text is coalesced (per block, or every ~100 ms)
so a reply of 20,000 deltas is a few lines, not 20,000. The `message` records hold the
exact API messages, which is what resuming a conversation replays. Secrets never enter:
every string passes through the redactor first.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from workbench.config.paths import STATE_DIR

FORMAT_VERSION = 1
FLUSH_INTERVAL_S = 0.1
_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH", re.IGNORECASE)
_MIN_SECRET_LENGTH = 6


def runs_dir(workspace: Path) -> Path:
    return workspace / STATE_DIR / "runs"


def transcript_path(workspace: Path, session_id: str) -> Path:
    return runs_dir(workspace) / f"{session_id}.jsonl"


class Redactor:
    """Replaces the values of secret-looking environment variables with `[redacted]`."""

    def __init__(self, environ: dict[str, str] | None = None) -> None:
        source = os.environ if environ is None else environ
        values = {
            value
            for name, value in source.items()
            if _SECRET_NAME.search(name) and len(value) >= _MIN_SECRET_LENGTH
        }
        self._pattern = (
            re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)))
            if values
            else None
        )

    def text(self, value: str) -> str:
        return self._pattern.sub("[redacted]", value) if self._pattern else value

    def data(self, value: Any) -> Any:
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {key: self.data(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.data(item) for item in value]
        return value


class TranscriptWriter:
    def __init__(self, path: Path, redactor: Redactor) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._redactor = redactor
        self._file: IO[str] = path.open("a", encoding="utf-8")
        self._pending: dict[tuple[str, int], list[str]] = {}
        self._turn = 0
        self._last_flush = time.monotonic()

    def write(self, record: dict[str, Any]) -> None:
        """Write one record now, after any text still waiting, so the order holds."""
        self._flush_text()
        self._line(record)

    def stream(self, kind: str, turn: int, block: int, text: str) -> None:
        """Collect a text or thinking delta; written when its block ends or time passes."""
        self._turn = turn
        self._pending.setdefault((kind, block), []).append(text)
        now = time.monotonic()
        if now - self._last_flush >= FLUSH_INTERVAL_S:
            self._flush_text()
            self._last_flush = now

    def end_blocks(self) -> None:
        self._flush_text()

    def close(self) -> None:
        self._flush_text()
        self._file.close()

    def _flush_text(self) -> None:
        for (kind, block), parts in self._pending.items():
            self._line({"type": kind, "turn": self._turn, "block": block, "text": "".join(parts)})
        self._pending.clear()

    def _line(self, record: dict[str, Any]) -> None:
        record = {"time": round(time.time(), 3), **record}
        self._file.write(json.dumps(self._redactor.data(record), ensure_ascii=False) + "\n")
        self._file.flush()


def read_records(path: Path) -> Iterator[dict[str, Any]]:
    """Every complete record; a torn last line (the process died mid-write) is skipped."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict):
                yield record
