"""Faults on the wire: retried to success with no tool run twice, or failed clearly."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.support.engine import agent_file, collect, conversation, of_type, roster_with
from tests.support.fake_api import (
    FakeAnthropic,
    drop_midstream,
    end_early,
    error_event,
    http_error,
    stall,
    text_turn,
    tool_turn,
)
from workbench.agentfile.spec import AgentSpec
from workbench.engine.events import (
    Outcome,
    Retrying,
    RunFailed,
    RunFinished,
    TextDelta,
    ToolCallFinished,
)
from workbench.engine.transcript import read_records


def writer(workspace: Path) -> AgentSpec:
    agent_file(
        workspace / ".claude" / "agents",
        "scribe",
        tools="Write, Read",
        permissionMode="acceptEdits",
    )
    spec = roster_with(workspace).get("scribe")
    assert spec is not None
    return spec


async def test_overloaded_then_success(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    fake_api.script(http_error(529, "overloaded_error", retry_after=0.01), text_turn("Fine now."))
    events = await collect(conversation(fake_api, tmp_path, writer(tmp_path)).send("Hi"))
    [retry] = of_type(events, Retrying)
    assert retry.attempt == 1 and retry.delay_s == 0.01
    assert "529" in retry.reason and "overloaded_error" in retry.reason
    assert not retry.discarded_output
    assert events[-1].outcome is Outcome.SUCCESS and events[-1].final_text == "Fine now."


async def test_rate_limit_retry_after_ms_is_honoured(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    fake_api.script(http_error(429, "rate_limit_error", retry_after_ms=5), text_turn("ok"))
    events = await collect(conversation(fake_api, tmp_path, writer(tmp_path)).send("Hi"))
    assert of_type(events, Retrying)[0].delay_s == 0.005


async def test_a_dropped_stream_is_retried_and_the_tool_runs_once(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    call = tool_turn(("Write", {"file_path": "log.txt", "content": "one line\n"}), text="Writing.")
    fake_api.script(drop_midstream(call, after_events=6), call, text_turn("Written."))
    chat = conversation(fake_api, tmp_path, writer(tmp_path))
    events = await collect(chat.send("Write the log"))
    retry = of_type(events, Retrying)[0]
    assert "connection broke" in retry.reason
    assert retry.discarded_output
    writes = [e for e in of_type(events, ToolCallFinished) if e.name == "Write"]
    assert len(writes) == 1 and not writes[0].is_error
    assert (tmp_path / "log.txt").read_text() == "one line\n"
    assert events[-1].outcome is Outcome.SUCCESS
    assistant_turns = [m for m in chat.messages if m["role"] == "assistant"]
    assert len(assistant_turns) == 2


async def test_a_stream_that_ends_early_without_error_is_retried(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    call = tool_turn(("Write", {"file_path": "a.txt", "content": "A"}))
    fake_api.script(end_early(call, after_events=4), call, text_turn("Done."))
    events = await collect(conversation(fake_api, tmp_path, writer(tmp_path)).send("Go"))
    assert "ended before the message was complete" in of_type(events, Retrying)[0].reason
    assert len([e for e in of_type(events, ToolCallFinished) if e.name == "Write"]) == 1
    assert (tmp_path / "a.txt").read_text() == "A"


async def test_an_error_event_mid_stream_is_retried(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    fake_api.script(
        error_event(text_turn("Part one, part two."), after_events=3), text_turn("Whole.")
    )
    events = await collect(conversation(fake_api, tmp_path, writer(tmp_path)).send("Go"))
    [retry] = of_type(events, Retrying)
    assert "mid-stream" in retry.reason and "overloaded_error" in retry.reason
    assert retry.discarded_output
    assert events[-1].final_text == "Whole."


async def test_a_non_retryable_error_fails_at_once_with_a_clear_message(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    fake_api.script(http_error(401, "authentication_error", "invalid x-api-key"))
    chat = conversation(fake_api, tmp_path, writer(tmp_path))
    events = await collect(chat.send("Hi"))
    assert not of_type(events, Retrying)
    failed = events[-1]
    assert isinstance(failed, RunFailed)
    assert failed.error == "authentication_error"
    assert "401" in failed.message and "invalid x-api-key" in failed.message


async def test_retries_run_out_with_a_failure_and_a_valid_transcript(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    first = tool_turn(("Write", {"file_path": "kept.txt", "content": "kept"}))
    fake_api.script(first, *[http_error(529, "overloaded_error", retry_after=0.001)] * 4)
    chat = conversation(fake_api, tmp_path, writer(tmp_path))
    events = await collect(chat.send("Go"))
    assert len(of_type(events, Retrying)) == 3
    failed = events[-1]
    assert isinstance(failed, RunFailed) and failed.error == "overloaded_error"
    assert failed.turns == 2
    assert (tmp_path / "kept.txt").read_text() == "kept"
    chat.close()
    records = list(read_records(chat.path))
    assert records[-1]["type"] == "outcome" and records[-1]["error"] == "overloaded_error"
    assert any(r["type"] == "tool_result" for r in records)


async def test_cancel_stops_a_stalled_stream_and_keeps_the_partial_text(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    fake_api.script(
        stall(text_turn("Thinking about it slowly", chunks=4), after_events=3, seconds=5)
    )
    chat = conversation(fake_api, tmp_path, writer(tmp_path))
    run = chat.send("Go")
    events = []
    async for event in run:
        events.append(event)
        if isinstance(event, TextDelta):
            asyncio.get_running_loop().call_later(0.05, run.cancel)
    finished = events[-1]
    assert isinstance(finished, RunFinished) and finished.outcome is Outcome.CANCELLED
    chat.close()
    records = list(read_records(chat.path))
    assert records[-1]["outcome"] == "cancelled"
    assert any(r["type"] == "text" and r["text"] for r in records)
    fake_api.unexpected.clear()


async def test_cancel_kills_a_running_command(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    agent_file(
        tmp_path / ".claude" / "agents", "runner", tools="Bash", permissionMode="bypassPermissions"
    )
    spec = roster_with(tmp_path).get("runner")
    assert spec is not None
    marker = tmp_path / "finished.txt"
    fake_api.script(tool_turn(("Bash", {"command": f"sleep 30 && touch {marker}"})))
    chat = conversation(fake_api, tmp_path, spec)
    run = chat.send("Wait")
    loop = asyncio.get_running_loop()
    started = loop.time()
    async for event in run:
        if event.kind == "tool_call_started":
            loop.call_later(0.3, run.cancel)
    assert run.result is not None and run.result.outcome is Outcome.CANCELLED
    assert loop.time() - started < 10
    await asyncio.sleep(0.2)
    assert not marker.exists()
