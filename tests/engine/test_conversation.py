"""Conversations: follow-ups, resuming from a transcript, delegation, secrets."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.support.engine import agent_file, collect, conversation, of_type, roster_with
from tests.support.fake_api import FakeAnthropic, stall, text_turn, tool_turn
from workbench.engine.conversation import Conversation, RunConfig
from workbench.engine.events import (
    Answer,
    Outcome,
    Reply,
    RunFinished,
    RunStarted,
    TextDelta,
    ToolCallFinished,
)
from workbench.engine.transcript import read_records


async def test_a_follow_up_continues_the_same_history_and_transcript(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    agent_file(tmp_path / ".claude" / "agents", "pal", tools="Read")
    spec = roster_with(tmp_path).get("pal")
    fake_api.script(text_turn("First answer."), text_turn("Second answer."))
    chat = conversation(fake_api, tmp_path, spec)
    await collect(chat.send("First"))
    events = await collect(chat.send("Second"))
    assert of_type(events, RunStarted)[0].run == 2
    sent = fake_api.message_requests[1].json["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert sent[1]["content"][0]["text"] == "First answer."
    chat.close()
    users = [r for r in read_records(chat.path) if r["type"] == "user"]
    assert [(u["run"], u["text"]) for u in users] == [(1, "First"), (2, "Second")]


async def test_resume_replays_the_history_from_the_transcript(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    agent_file(tmp_path / ".claude" / "agents", "pal", tools="Read")
    spec = roster_with(tmp_path).get("pal")
    (tmp_path / "a.txt").write_text("alpha")
    fake_api.script(
        tool_turn(("Read", {"file_path": "a.txt"})),
        text_turn("It says alpha."),
        text_turn("Still alpha."),
    )
    first = conversation(fake_api, tmp_path, spec)
    await collect(first.send("What is in a.txt?"))
    first.close()
    config = RunConfig(spec=spec, workspace=tmp_path)
    resumed = Conversation.resume(config, first.session_id, client=fake_api.client())
    assert resumed.messages == first.messages
    events = await collect(resumed.send("And now?"))
    assert of_type(events, RunStarted)[0].run == 2
    assert of_type(events, RunStarted)[0].session_id == first.session_id
    sent = fake_api.message_requests[-1].json["messages"]
    assert len(sent) == 5 and sent[-1]["content"][-1]["text"] == "And now?"
    resumed.close()
    headers = [r for r in read_records(first.path) if r["type"] == "header"]
    assert len(headers) == 1


async def test_resume_of_an_unknown_session_says_so(tmp_path: Path) -> None:
    agent_file(tmp_path / ".claude" / "agents", "pal", tools="Read")
    spec = roster_with(tmp_path).get("pal")
    with pytest.raises(FileNotFoundError, match="no conversation nope"):
        Conversation.resume(RunConfig(spec=spec, workspace=tmp_path), "nope")


async def test_after_a_cancelled_tool_turn_a_follow_up_still_makes_a_valid_request(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    agent_file(tmp_path / ".claude" / "agents", "pal", tools="Read")
    spec = roster_with(tmp_path).get("pal")
    calls = tool_turn(("Read", {"file_path": "missing.txt"}))
    fake_api.script(
        stall(text_turn("slow and steady", chunks=3), after_events=3, seconds=5), text_turn("Back.")
    )
    chat = conversation(fake_api, tmp_path, spec)
    chat.messages.append({"role": "user", "content": [{"type": "text", "text": "earlier"}]})
    chat.messages.append(
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": calls.tool_ids[0], "name": "Read", "input": {}}],
        }
    )
    run = chat.send("Go on")
    async for event in run:
        if isinstance(event, TextDelta):
            asyncio.get_running_loop().call_later(0.05, run.cancel)
    assert run.result.outcome is Outcome.CANCELLED
    first_request = fake_api.message_requests[0].json["messages"]
    assert first_request[-1]["content"][0]["type"] == "tool_result"
    assert first_request[-1]["content"][0]["tool_use_id"] == calls.tool_ids[0]
    events = await collect(chat.send("Again"))
    assert events[-1].outcome is Outcome.SUCCESS
    fake_api.unexpected.clear()


async def test_delegation_runs_the_named_agent_and_returns_its_answer(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    folder = tmp_path / ".claude" / "agents"
    agent_file(folder, "lead", tools="Agent, Read", body="You delegate.\n")
    agent_file(folder, "researcher", tools="Read", model="haiku", body="You research.\n")
    roster = roster_with(tmp_path)
    lead = roster.get("lead")
    delegate = tool_turn(
        (
            "Agent",
            {
                "description": "find facts",
                "prompt": "List the facts.",
                "subagent_type": "researcher",
            },
        )
    )
    fake_api.script(
        delegate, text_turn("Fact one. Fact two."), text_turn("The researcher says two facts.")
    )
    chat = conversation(fake_api, tmp_path, lead, roster=roster)
    events = await collect(chat.send("Research"))
    child_requests = fake_api.message_requests[1].json
    assert child_requests["system"][0]["text"].startswith("You research.")
    assert child_requests["model"] == "claude-haiku-5-5"
    assert child_requests["messages"][0]["content"][0]["text"] == "List the facts."
    nested = [e for e in events if e.scope]
    assert nested and all(e.scope == (delegate.tool_ids[0],) for e in nested)
    assert isinstance(nested[-1], RunFinished)
    result = next(e for e in of_type(events, ToolCallFinished) if not e.scope)
    assert result.name == "Agent" and not result.is_error
    assert result.content.startswith("Fact one. Fact two.")
    assert events[-1].final_text == "The researcher says two facts."
    child_session = of_type(nested, RunStarted)[0].session_id
    child_path = chat.path.parent / f"{child_session}.jsonl"
    header = next(read_records(child_path))
    assert header["parent"] == {"session_id": chat.session_id, "tool_use_id": delegate.tool_ids[0]}


async def test_delegation_to_an_unknown_agent_is_an_error_result(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    agent_file(tmp_path / ".claude" / "agents", "lead", tools="Task")
    roster = roster_with(tmp_path)
    fake_api.script(
        tool_turn(
            ("Task", {"description": "x", "prompt": "y", "subagent_type": "senior-architect"})
        ),
        text_turn("ok"),
    )
    events = await collect(
        conversation(fake_api, tmp_path, roster.get("lead"), roster=roster).send("Go")
    )
    result = of_type(events, ToolCallFinished)[0]
    assert result.is_error and "no agent named 'senior-architect'" in result.content


async def test_agents_without_agent_in_their_tools_cannot_delegate(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    agent_file(tmp_path / ".claude" / "agents", "solo", tools="Read")
    roster = roster_with(tmp_path)
    fake_api.script(
        tool_turn(("Agent", {"description": "x", "prompt": "y", "subagent_type": "solo"})),
        text_turn("ok"),
    )
    events = await collect(
        conversation(fake_api, tmp_path, roster.get("solo"), roster=roster).send("Go")
    )
    assert "There is no tool named 'Agent'" in of_type(events, ToolCallFinished)[0].content


async def test_the_api_key_and_secret_variables_never_reach_the_transcript(
    fake_api: FakeAnthropic, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-very-secret")
    monkeypatch.setenv("SERVICE_TOKEN", "tok-12345678")
    agent_file(
        tmp_path / ".claude" / "agents", "leaky", tools="Bash", permissionMode="bypassPermissions"
    )
    spec = roster_with(tmp_path).get("leaky")
    fake_api.script(
        tool_turn(("Bash", {"command": "echo tok-12345678; env | grep -c ANTHROPIC_API_KEY"})),
        text_turn("The key is sk-ant-api03-very-secret"),
    )
    chat = conversation(fake_api, tmp_path, spec)
    events = await collect(chat.send("Show secrets"))
    bash = of_type(events, ToolCallFinished)[0]
    assert "0" in bash.content
    chat.close()
    raw = chat.path.read_text()
    assert "sk-ant-api03-very-secret" not in raw and "tok-12345678" not in raw
    assert "[redacted]" in raw


async def test_web_access_is_asked_once_per_conversation_even_across_resume(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    agent_file(tmp_path / ".claude" / "agents", "surfer", tools="WebSearch, Read")
    spec = roster_with(tmp_path).get("surfer")
    fake_api.script(text_turn("one"), text_turn("two"), text_turn("three"))
    questions = []

    def allow(event):  # type: ignore[no-untyped-def]
        questions.append(event.name)
        return Reply(Answer.ALLOW_ONCE)

    chat = conversation(fake_api, tmp_path, spec)
    await collect(chat.send("first"), allow)
    await collect(chat.send("second"), allow)
    chat.close()
    resumed = Conversation.resume(
        RunConfig(spec=spec, workspace=tmp_path), chat.session_id, client=fake_api.client()
    )
    await collect(resumed.send("third"), allow)
    assert questions == ["WebSearch"]
    assert all(
        any(t.get("name") == "web_search" for t in r.json["tools"])
        for r in fake_api.message_requests
    )
