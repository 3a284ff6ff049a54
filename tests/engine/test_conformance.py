"""Recorded real API responses, fed to the engine through the real client."""

from __future__ import annotations

from pathlib import Path

from tests.support.engine import agent_file, collect, conversation, of_type, roster_with
from tests.support.fake_api import FakeAnthropic, cassette_turns, raw_sse, text_turn
from tests.support.shared import shared_path
from workbench.agentfile.spec import AgentSpec
from workbench.engine.events import (
    Outcome,
    RunFinished,
    TextDelta,
    ThinkingDelta,
    ToolCallFinished,
    ToolCallStarted,
)
from workbench.engine.modes import Mode


def recording(name: str) -> Path:
    return shared_path("conformance", "anthropic", name)


def agent(workspace: Path, **keys: str) -> AgentSpec:
    agent_file(workspace / ".claude" / "agents", "replayer", **keys)
    spec = roster_with(workspace).get("replayer")
    assert spec is not None
    return spec


async def test_basic_text(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    fake_api.script(raw_sse(recording("sdk_stream_basic_text.sse")))
    events = await collect(
        conversation(fake_api, tmp_path, agent(tmp_path, tools="Read")).send("x")
    )
    finished = events[-1]
    assert isinstance(finished, RunFinished) and finished.outcome is Outcome.SUCCESS
    assert finished.final_text == "".join(e.text for e in of_type(events, TextDelta))
    assert finished.final_text


async def test_text_then_a_tool_this_workbench_does_not_have(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    fake_api.script(raw_sse(recording("sdk_stream_text_then_tool_use.sse")), text_turn("Sorry."))
    events = await collect(
        conversation(fake_api, tmp_path, agent(tmp_path, tools="Read")).send("x")
    )
    [started] = of_type(events, ToolCallStarted)
    assert started.name == "get_weather" and started.input == {"location": "Paris"}
    [result] = of_type(events, ToolCallFinished)
    assert result.is_error and "no tool named 'get_weather'" in result.content
    answer = fake_api.message_requests[1].json["messages"][-1]["content"][0]
    assert answer["tool_use_id"] == started.tool_use_id


async def test_max_tokens_in_the_middle_of_a_tool_input(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    fake_api.script(raw_sse(recording("sdk_stream_max_tokens_mid_tool_input.sse")))
    events = await collect(
        conversation(fake_api, tmp_path, agent(tmp_path, tools="Read")).send("x")
    )
    assert events[-1].stop_reason == "max_tokens"
    assert not of_type(events, ToolCallStarted)


async def test_refusal(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    fake_api.script(raw_sse(recording("sdk_stream_refusal.sse")))
    events = await collect(
        conversation(fake_api, tmp_path, agent(tmp_path, tools="Read")).send("x")
    )
    assert events[-1].outcome is Outcome.REFUSAL


async def test_thinking_streams_and_its_signature_goes_back_untouched(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    [recorded] = cassette_turns(recording("pydantic_vcr_stream_thinking.yaml"))
    fake_api.script(recorded, text_turn("Next."))
    chat = conversation(fake_api, tmp_path, agent(tmp_path, tools="Read"))
    events = await collect(chat.send("think"))
    assert "".join(e.text for e in of_type(events, ThinkingDelta))
    await collect(chat.send("more"))
    sent = fake_api.message_requests[1].json["messages"][1]["content"]
    thinking = [block for block in sent if block["type"] == "thinking"]
    assert thinking and thinking[0]["signature"] and thinking[0]["thinking"]


async def test_web_search_runs_inside_the_response_and_is_shown(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    turns = cassette_turns(recording("pydantic_vcr_stream_web_search.yaml"))
    fake_api.script(*turns)
    spec = agent(tmp_path, tools="WebSearch")
    chat = conversation(fake_api, tmp_path, spec, mode=Mode.ACCEPT_EDITS)
    events = await collect(chat.send("search"))
    searches = [e for e in of_type(events, ToolCallStarted) if e.server]
    assert searches and all(e.name == "WebSearch" for e in searches)
    shown = [e for e in of_type(events, ToolCallFinished) if e.server]
    assert shown and "http" in shown[0].content
    assert not [e for e in of_type(events, ToolCallFinished) if not e.server]
    first = fake_api.message_requests[0].json
    assert {"type": "web_search_20250305", "name": "web_search"} in first["tools"]
    kept = [b["type"] for m in chat.messages if m["role"] == "assistant" for b in m["content"]]
    assert "web_search_tool_result" in kept


async def test_web_fetch(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    turns = cassette_turns(recording("pydantic_vcr_stream_web_fetch.yaml"))
    fake_api.script(*turns)
    chat = conversation(fake_api, tmp_path, agent(tmp_path, tools="WebFetch"), mode=Mode.BYPASS)
    events = await collect(chat.send("fetch"))
    assert next(e.name for e in of_type(events, ToolCallStarted) if e.server) == "WebFetch"
    assert isinstance(events[-1], RunFinished)
