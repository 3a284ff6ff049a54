"""The run loop against the real client on the loopback server: turns, tools, endings."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.support.engine import agent_file, collect, conversation, of_type, roster_with
from tests.support.fake_api import (
    FakeAnthropic,
    Usage,
    raw_sse,
    text_block,
    text_turn,
    tool_turn,
    tool_use_block,
    turn,
)
from tests.support.sse import encode_event
from workbench.agentfile.spec import AgentSpec
from workbench.engine import run as run_module
from workbench.engine.events import (
    Notice,
    Outcome,
    RunFinished,
    RunStarted,
    TextDelta,
    ToolCallFinished,
    ToolCallStarted,
    UsageUpdated,
)
from workbench.engine.modes import Mode
from workbench.engine.transcript import read_records


def spec_in(workspace: Path, name: str = "helper", **keys: str) -> AgentSpec:
    """An agent in the workspace; with Read only unless `tools` says otherwise."""
    keys.setdefault("tools", "Read")
    agent_file(workspace / ".claude" / "agents", name, **keys)
    spec = roster_with(workspace).get(name)
    assert spec is not None
    return spec


async def test_a_text_reply_streams_and_finishes(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    spec = spec_in(tmp_path, tools="Read, Glob", model="haiku")
    fake_api.script(
        text_turn("Hello there, friend.", usage=Usage(input_tokens=120, output_tokens=9))
    )
    chat = conversation(fake_api, tmp_path, spec)
    events = await collect(chat.send("Say hello"))
    started = of_type(events, RunStarted)[0]
    assert started.model == "claude-haiku-5-5"
    assert started.tools == ("Read", "Glob")
    assert "".join(e.text for e in of_type(events, TextDelta)) == "Hello there, friend."
    finished = events[-1]
    assert isinstance(finished, RunFinished)
    assert finished.outcome is Outcome.SUCCESS
    assert finished.final_text == "Hello there, friend."
    assert finished.turns == 1
    assert finished.usage.input_tokens == 120 and finished.usage.output_tokens == 9
    assert finished.cost_usd is not None and finished.cost_usd > 0
    [request] = fake_api.message_requests
    body = request.json
    assert body["model"] == "claude-haiku-5-5"
    assert [tool["name"] for tool in body["tools"]] == ["Read", "Glob"]
    system = body["system"][0]["text"]
    assert system.startswith("You help.") and f"Working directory: {tmp_path.resolve()}" in system
    assert body["messages"] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Say hello", "cache_control": {"type": "ephemeral"}}
            ],
        }
    ]


async def test_tool_calls_run_and_every_result_answers_its_call(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    (tmp_path / "notes.md").write_text("alpha\nbeta\n")
    spec = spec_in(tmp_path, tools="Read, Grep, Glob")
    calls = tool_turn(
        ("Read", {"file_path": "notes.md"}),
        ("Glob", {"pattern": "*.md"}),
        ("Grep", {"pattern": "beta"}),
        text="Looking around.",
    )
    fake_api.script(calls, text_turn("Done."))
    chat = conversation(fake_api, tmp_path, spec)
    events = await collect(chat.send("Look"))
    finished = {e.name: e for e in of_type(events, ToolCallFinished)}
    assert sorted(finished) == ["Glob", "Grep", "Read"]
    assert not any(e.is_error for e in finished.values())
    assert "alpha" in finished["Read"].content
    second = fake_api.message_requests[1]
    assert second.tool_result_ids() == calls.tool_ids
    assistant = second.json["messages"][1]
    assert assistant["role"] == "assistant"
    assert [block["type"] for block in assistant["content"]] == [
        "text",
        "tool_use",
        "tool_use",
        "tool_use",
    ]
    assert events[-1].final_text == "Done."


async def test_unknown_tools_bad_json_and_bad_input_become_error_results(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    spec = spec_in(tmp_path, tools="Read")
    bad_json = tool_use_block("Read", {"file_path": "x"})
    fake_api.script(
        tool_turn(("Teleport", {"to": "mars"}), ("Read", {"limit": "ten"})),
        text_turn("Sorry."),
    )
    chat = conversation(fake_api, tmp_path, spec)
    events = await collect(chat.send("Go"))
    results = of_type(events, ToolCallFinished)
    assert all(result.is_error for result in results)
    assert "There is no tool named 'Teleport'" in results[0].content
    assert "Tools you have: Read" in results[0].content
    assert "file_path" in results[1].content
    sent = fake_api.message_requests[1].json["messages"][-1]["content"]
    assert [block["is_error"] for block in sent] == [True, True]
    assert bad_json is not None


async def test_max_tokens_ends_the_run_without_running_a_cut_tool_call(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    spec = spec_in(tmp_path, tools="Write", permissionMode="bypassPermissions")
    cut = tool_use_block("Write", {"file_path": "x.txt", "content": "hello"}).cut(2)
    fake_api.script(turn(text_block("Writing"), cut, stop_reason="max_tokens"))
    chat = conversation(fake_api, tmp_path, spec)
    events = await collect(chat.send("Write it"))
    finished = events[-1]
    assert isinstance(finished, RunFinished)
    assert finished.stop_reason == "max_tokens"
    assert "output limit" in finished.message
    assert not of_type(events, ToolCallStarted)
    assert not (tmp_path / "x.txt").exists()
    assert [b["type"] for b in chat.messages[-1]["content"]] == ["text"]


async def test_refusal_and_context_window_end_with_a_clear_message(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    spec = spec_in(tmp_path)
    fake_api.script(text_turn("I can't.", stop_reason="refusal"))
    events = await collect(conversation(fake_api, tmp_path, spec).send("Do harm"))
    assert events[-1].outcome is Outcome.REFUSAL
    fake_api.script(text_turn("…", stop_reason="model_context_window_exceeded"))
    events = await collect(conversation(fake_api, tmp_path, spec).send("Long"))
    assert events[-1].stop_reason == "model_context_window_exceeded"
    assert "context window" in events[-1].message


async def test_pause_turn_continues_with_the_assistant_content(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    spec = spec_in(tmp_path)
    fake_api.script(text_turn("Searching…", stop_reason="pause_turn"), text_turn("Found it."))
    chat = conversation(fake_api, tmp_path, spec)
    events = await collect(chat.send("Search"))
    assert events[-1].final_text == "Found it."
    continued = fake_api.message_requests[1].json["messages"]
    assert continued[-1]["role"] == "assistant"
    assert continued[-1]["content"][0]["text"] == "Searching…"


async def test_max_turns_stops_the_loop(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    spec = spec_in(tmp_path, tools="Read")
    again = tool_turn(("Read", {"file_path": "a.txt"}))
    fake_api.script(again, again)
    events = await collect(conversation(fake_api, tmp_path, spec, max_turns=2).send("Loop"))
    assert events[-1].outcome is Outcome.MAX_TURNS
    assert events[-1].turns == 2


async def test_usage_adds_up_per_run_and_conversation(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text("a")
    spec = spec_in(tmp_path, tools="Read", model="sonnet")
    fake_api.script(
        tool_turn(
            ("Read", {"file_path": "a.txt"}),
            usage=Usage(input_tokens=100, output_tokens=10, cache_read_input_tokens=50),
        ),
        text_turn("ok", usage=Usage(input_tokens=200, output_tokens=20)),
        text_turn("again", usage=Usage(input_tokens=300, output_tokens=30)),
    )
    chat = conversation(fake_api, tmp_path, spec)
    await collect(chat.send("one"))
    events = await collect(chat.send("two"))
    last = of_type(events, UsageUpdated)[-1]
    assert last.run.input_tokens == 300
    assert last.conversation.input_tokens == 600
    assert last.conversation.cache_read_tokens == 50
    assert last.cost_usd == chat.price_of(last.conversation)


async def test_unknown_tool_names_in_the_agent_are_reported_not_offered(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    spec = spec_in(tmp_path, tools="Read, githubRepo, mcp__db__query")
    fake_api.script(text_turn("hi"))
    events = await collect(conversation(fake_api, tmp_path, spec).send("x"))
    notices = " ".join(n.message for n in of_type(events, Notice))
    assert "githubRepo" in notices and "mcp__db__query" in notices
    assert [t["name"] for t in fake_api.message_requests[0].json["tools"]] == ["Read"]


async def test_transcript_records_the_run(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    spec = spec_in(tmp_path, permissionMode=Mode.DEFAULT.value)
    fake_api.script(tool_turn(("Read", {"file_path": "a.txt"})), text_turn("All read."))
    chat = conversation(fake_api, tmp_path, spec)
    await collect(chat.send("Read a"))
    chat.close()
    records = list(read_records(chat.path))
    kinds = [r["type"] for r in records]
    assert kinds[0] == "header"
    assert records[0]["agent"]["content_hash"] == spec.content_hash
    assert records[0]["model"] == chat.model.id
    for kind in ("user", "message", "tool_call", "permission", "tool_result", "usage", "outcome"):
        assert kind in kinds, kind
    assert records[-1]["outcome"] == "success"
    assert chat.path.parent == tmp_path.resolve() / ".workbench" / "runs"


def _broken_tool_json_stream() -> bytes:
    start = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "m",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 5, "output_tokens": 1},
    }
    block = {"type": "tool_use", "id": "toolu_broken", "name": "Read", "input": {}}
    events = [
        ("message_start", {"type": "message_start", "message": start}),
        (
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": block},
        ),
        (
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "input_json_delta", "partial_json": '{"file_path": "a.txt"'},
            },
        ),
        (
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "input_json_delta", "partial_json": ", oops}"},
            },
        ),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "tool_use"},
                "usage": {"output_tokens": 9},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    return b"".join(encode_event(name, data) for name, data in events)


async def test_tool_input_that_is_not_json_is_answered_with_an_error(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    spec = spec_in(tmp_path)
    fake_api.script(raw_sse(_broken_tool_json_stream()), text_turn("Let me retry."))
    events = await collect(conversation(fake_api, tmp_path, spec).send("Read a"))
    [result] = of_type(events, ToolCallFinished)
    assert result.is_error and "not valid JSON" in result.content
    answer = fake_api.message_requests[1].json["messages"][-1]["content"][0]
    assert answer["tool_use_id"] == "toolu_broken" and answer["is_error"] is True
    assert events[-1].outcome is Outcome.SUCCESS


async def test_an_agent_whose_tools_are_all_unknown_runs_with_none(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    spec = spec_in(tmp_path, tools="githubRepo, edit/editFiles")
    fake_api.script(text_turn("I have no tools."))
    events = await collect(conversation(fake_api, tmp_path, spec).send("x"))
    assert "tools" not in fake_api.message_requests[0].json
    assert of_type(events, RunStarted)[0].tools == ()
    assert "githubRepo" in of_type(events, Notice)[0].message
    assert events[-1].outcome is Outcome.SUCCESS


async def test_a_reply_that_arrives_at_once_lets_the_event_loop_run_while_it_is_taken(
    fake_api: FakeAnthropic, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The screen draws, and other runs go on, while a chunk of many events is decoded."""
    monkeypatch.setattr(run_module, "YIELD_AFTER_S", 0.0)
    fake_api.script(text_turn("word " * 400, chunks=200))
    chat = conversation(fake_api, tmp_path, spec_in(tmp_path))
    turns = 0

    async def tick() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(tick())
    try:
        seen = [turns async for event in chat.send("Go") if isinstance(event, TextDelta)]
    finally:
        ticker.cancel()
    assert len(seen) == 200
    assert len(set(seen)) > 100, "the deltas were taken in one go"
