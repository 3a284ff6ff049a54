"""Transcripts: flushed as they go, coalesced, valid when cut short, free of secrets."""

from __future__ import annotations

import json
from pathlib import Path

from workbench.engine.transcript import Redactor, TranscriptWriter, read_records


def test_text_deltas_are_coalesced_per_block(tmp_path: Path) -> None:
    writer = TranscriptWriter(tmp_path / "t.jsonl", Redactor({}))
    for index in range(20_000):
        writer.stream("text", 1, 0, f"{index % 10}")
    writer.end_blocks()
    writer.write({"type": "tool_call", "id": "toolu_1"})
    records = list(read_records(tmp_path / "t.jsonl"))
    texts = [r for r in records if r["type"] == "text"]
    assert len(texts) < 200
    assert "".join(r["text"] for r in texts) == "".join(f"{i % 10}" for i in range(20_000))
    assert records[-1]["type"] == "tool_call"


def test_each_record_is_on_disk_before_the_next_one(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    writer = TranscriptWriter(path, Redactor({}))
    writer.write({"type": "user", "text": "first"})
    assert json.loads(path.read_text().splitlines()[0])["text"] == "first"


def test_a_torn_last_line_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    writer = TranscriptWriter(path, Redactor({}))
    writer.write({"type": "user", "text": "kept"})
    writer.close()
    with path.open("a") as handle:
        handle.write('{"type": "text", "text": "cut of')
    assert [r["text"] for r in read_records(path)] == ["kept"]


def test_secret_values_are_redacted_everywhere(tmp_path: Path) -> None:
    environ = {
        "ANTHROPIC_API_KEY": "sk-ant-secret-value",
        "GITHUB_TOKEN": "ghp_abcdef123456",
        "DB_PASSWORD": "hunter2hunter2",
        "HOME": "/home/someone",
        "SHORT_KEY": "abc",
    }
    writer = TranscriptWriter(tmp_path / "t.jsonl", Redactor(environ))
    writer.write(
        {
            "type": "tool_result",
            "content": "ANTHROPIC_API_KEY=sk-ant-secret-value GITHUB_TOKEN=ghp_abcdef123456",
            "input": {"command": "echo hunter2hunter2", "list": ["sk-ant-secret-value"]},
        }
    )
    writer.stream("text", 1, 0, "the key is sk-ant-secret-value")
    writer.close()
    raw = (tmp_path / "t.jsonl").read_text()
    for secret in ("sk-ant-secret-value", "ghp_abcdef123456", "hunter2hunter2"):
        assert secret not in raw
    assert "[redacted]" in raw
    assert "abc" in Redactor(environ).text("abc")
