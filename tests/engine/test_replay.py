"""Earlier runs from their transcripts: listed for a picker, replayed as the live events."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.support.engine import agent_file, collect, conversation, of_type, roster_with
from tests.support.fake_api import (
    FakeAnthropic,
    Usage,
    drop_midstream,
    http_error,
    server_tool_use_block,
    stall,
    text_block,
    text_turn,
    tool_turn,
    turn,
    web_search_result_block,
)
from workbench.agentfile.spec import AgentSpec
from workbench.engine.events import (
    Answer,
    Event,
    Notice,
    Outcome,
    PermissionAsked,
    PermissionDecided,
    Reply,
    Retrying,
    RunFailed,
    RunFinished,
    RunStarted,
    TextDelta,
    ThinkingDelta,
    ToolCallFinished,
    ToolCallStarted,
    UsageUpdated,
)
from workbench.engine.replay import UNFINISHED, TranscriptError, list_runs, replay
from workbench.engine.transcript import runs_dir


def spec_in(workspace: Path, name: str, **keys: str) -> AgentSpec:
    agent_file(workspace / ".claude" / "agents", name, **keys)
    spec = roster_with(workspace).get(name)
    assert spec is not None
    return spec


def comparable(events: list[Event]) -> list[dict[str, Any]]:
    """Events as JSON, with what a transcript cannot keep taken out of the live ones.

    Questions are recorded only as their answers; notices at a run's start are not
    recorded; a call's file contents are not kept; deltas are coalesced.
    """
    kept: list[Event] = []
    for event in events:
        if isinstance(event, (PermissionAsked, Notice)):
            continue
        if isinstance(event, ToolCallFinished):
            event = replace(event, changes=())
        previous = kept[-1] if kept else None
        if (
            isinstance(event, (TextDelta, ThinkingDelta))
            and type(previous) is type(event)
            and isinstance(previous, (TextDelta, ThinkingDelta))
            and (previous.block, previous.scope) == (event.block, event.scope)
        ):
            kept[-1] = replace(previous, text=previous.text + event.text)
            continue
        kept.append(event)
    return [event.to_json() for event in kept]


def answer_writes(event: PermissionAsked) -> Reply:
    if event.input.get("file_path") == "b.txt":
        return Reply(Answer.DENY, "leave b alone")
    return Reply(Answer.ALLOW_ONCE)


async def test_replay_gives_back_what_the_live_runs_emitted(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    (tmp_path / "notes.md").write_text("alpha\n")
    spec = spec_in(tmp_path, "scribe", tools="Read, Write", model="sonnet")
    calls = tool_turn(
        ("Read", {"file_path": "notes.md"}),
        ("Write", {"file_path": "a.txt", "content": "a"}),
        ("Write", {"file_path": "b.txt", "content": "b"}),
        text="Let me look first.",
        thinking="Read, then write.",
        usage=Usage(input_tokens=100, output_tokens=20, cache_read_input_tokens=40),
    )
    fake_api.script(
        drop_midstream(text_turn("This attempt is lost", chunks=4), after_events=5),
        calls,
        text_turn("Wrote a, left b.", usage=Usage(input_tokens=150, output_tokens=8)),
        text_turn("Second answer.", usage=Usage(input_tokens=200, output_tokens=5)),
    )
    chat = conversation(fake_api, tmp_path, spec)
    live = await collect(chat.send("Read the notes, write a and b"), answer_writes)
    live += await collect(chat.send("And now?"))
    chat.close()

    replayed = replay(chat.path)

    assert comparable(replayed) == comparable(live)
    [retry] = of_type(replayed, Retrying)
    assert retry.discarded_output
    starts = of_type(replayed, RunStarted)
    assert [(s.run, s.task) for s in starts] == [
        (1, "Read the notes, write a and b"),
        (2, "And now?"),
    ]
    assert starts[0].agent == "scribe" and starts[0].tools == ("Read", "Write")
    assert starts[0].transcript_path == chat.path
    calls_seen = {
        (e.tool_use_id, e.name, e.input["file_path"]) for e in of_type(replayed, ToolCallStarted)
    }
    assert calls_seen == {
        (tool_id, use["name"], use["input"]["file_path"])
        for tool_id, use in zip(calls.tool_ids, calls.tool_uses, strict=True)
    }
    decided = {e.tool_use_id: e for e in of_type(replayed, PermissionDecided)}
    denied = decided[calls.tool_ids[2]]
    assert not denied.allowed and denied.by == "person" and "leave b alone" in denied.message
    results = {e.tool_use_id: e for e in of_type(replayed, ToolCallFinished)}
    assert "alpha" in results[calls.tool_ids[0]].content
    assert results[calls.tool_ids[2]].is_error
    assert [e.outcome for e in of_type(replayed, RunFinished)] == [Outcome.SUCCESS] * 2
    last_usage = of_type(replayed, UsageUpdated)[-1]
    assert last_usage.conversation == chat.usage
    assert last_usage.cost_usd == chat.price_of(chat.usage)


async def test_list_runs_summarises_each_conversation_newest_first(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    first_spec = spec_in(tmp_path, "alpha", tools="Read", model="haiku")
    second_spec = spec_in(tmp_path, "beta", tools="Read", model="sonnet")
    fake_api.script(
        text_turn("one", usage=Usage(input_tokens=10, output_tokens=2)),
        text_turn("two", usage=Usage(input_tokens=30, output_tokens=4)),
        text_turn("three", usage=Usage(input_tokens=50, output_tokens=6)),
    )
    first = conversation(fake_api, tmp_path, first_spec)
    await collect(first.send("First task\nwith a second line"))
    await collect(first.send("A follow-up"))
    first.close()
    await asyncio.sleep(0.01)
    second = conversation(fake_api, tmp_path, second_spec)
    await collect(second.send("Second task"))
    second.close()

    runs, problems = list_runs(tmp_path)

    assert problems == []
    assert [run.session_id for run in runs] == [second.session_id, first.session_id]
    older = runs[1]
    assert older.agent == "alpha" and older.agent_path == first_spec.path
    assert older.model == first.model.id
    assert older.task == "First task\nwith a second line"
    assert older.runs == 2 and older.outcome == "success"
    assert older.tokens == 10 + 2 + 30 + 4
    assert older.cost_usd == first.price_of(first.usage)
    assert older.parent is None and older.path == first.path
    assert older.started <= older.updated <= runs[0].started
    assert older.started.tzinfo is not None


async def test_a_delegated_run_replays_inside_its_call_and_is_not_listed_alone(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    folder = tmp_path / ".claude" / "agents"
    agent_file(folder, "lead", tools="Agent, Read", body="You delegate.\n")
    agent_file(folder, "researcher", tools="Read", model="haiku", body="You research.\n")
    roster = roster_with(tmp_path)
    lead = roster.get("lead")
    assert lead is not None
    delegate = tool_turn(
        ("Agent", {"description": "facts", "prompt": "List facts.", "subagent_type": "researcher"}),
        usage=Usage(input_tokens=100, output_tokens=10),
    )
    fake_api.script(
        delegate,
        text_turn("Fact one.", usage=Usage(input_tokens=40, output_tokens=3)),
        text_turn("Done: fact one.", usage=Usage(input_tokens=120, output_tokens=5)),
    )
    chat = conversation(fake_api, tmp_path, lead, roster=roster)
    live = await collect(chat.send("Research"))
    chat.close()

    replayed = replay(chat.path)

    assert comparable(replayed) == comparable(live)
    call_id = delegate.tool_ids[0]
    nested = [e for e in replayed if e.scope]
    assert nested and all(e.scope == (call_id,) for e in nested)
    child_start = of_type(nested, RunStarted)[0]
    assert child_start.agent == "researcher" and child_start.task == "List facts."
    positions = [replayed.index(e) for e in (nested[0], nested[-1])]
    started = next(e for e in of_type(replayed, ToolCallStarted) if e.tool_use_id == call_id)
    finished = next(e for e in of_type(replayed, ToolCallFinished) if e.tool_use_id == call_id)
    assert replayed.index(started) < positions[0] <= positions[1] < replayed.index(finished)

    runs, _ = list_runs(tmp_path)
    assert [run.session_id for run in runs] == [chat.session_id]
    assert runs[0].tokens == 100 + 10 + 40 + 3 + 120 + 5
    child_usage = of_type(nested, UsageUpdated)[-1]
    parent_cost = chat.price_of(chat.usage)
    assert parent_cost is not None and child_usage.cost_usd is not None
    assert runs[0].cost_usd == pytest.approx(parent_cost + child_usage.cost_usd)
    everything, _ = list_runs(tmp_path, include_children=True)
    child = next(run for run in everything if run.parent is not None)
    assert child.parent == chat.session_id and child.session_id == child_start.session_id


async def test_cancelled_and_failed_runs_replay_with_their_outcomes(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    spec = spec_in(tmp_path, "pal", tools="Read")
    fake_api.script(
        stall(text_turn("slow and steady", chunks=3), after_events=4, seconds=5),
        http_error(401, "authentication_error", "invalid x-api-key"),
    )
    chat = conversation(fake_api, tmp_path, spec)
    run = chat.send("Go slowly")
    live: list[Event] = []
    async for event in run:
        live.append(event)
        if isinstance(event, TextDelta):
            asyncio.get_running_loop().call_later(0.05, run.cancel)
    live += await collect(chat.send("Try again"))
    chat.close()

    replayed = replay(chat.path)

    assert comparable(replayed) == comparable(live)
    cancelled = of_type(replayed, RunFinished)[0]
    assert cancelled.outcome is Outcome.CANCELLED
    failed = replayed[-1]
    assert isinstance(failed, RunFailed) and failed.error == "authentication_error"
    [summary], _ = list_runs(tmp_path)
    assert summary.outcome == "error_during_execution" and summary.runs == 2
    fake_api.unexpected.clear()


async def test_a_run_killed_halfway_ends_unfinished(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text("a")
    spec = spec_in(tmp_path, "pal", tools="Read")
    calls = tool_turn(("Read", {"file_path": "a.txt"}), text="Reading.")
    fake_api.script(calls, text_turn("Read it."))
    chat = conversation(fake_api, tmp_path, spec)
    live = await collect(chat.send("Read a"))
    chat.close()
    lines = chat.path.read_text().splitlines(keepends=True)
    cut = next(i for i, line in enumerate(lines) if '"type": "tool_call"' in line)
    chat.path.write_text("".join(lines[: cut + 1]) + lines[cut + 1][:15])

    replayed = replay(chat.path)

    ended = replayed[-1]
    assert isinstance(ended, RunFailed) and ended.error == UNFINISHED
    assert "did not finish" in ended.message
    assert ended.partial_text == "Reading." and ended.turns == 1
    started = live.index(of_type(live, ToolCallStarted)[0])
    assert comparable(replayed[:-1]) == comparable(live[: started + 1])
    [summary], problems = list_runs(tmp_path)
    assert summary.outcome == UNFINISHED and problems == []


async def test_server_tools_are_flagged_and_web_access_is_replayed(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    spec = spec_in(tmp_path, "surfer", tools="WebSearch, Read")
    search = server_tool_use_block("web_search", {"query": "weather"})
    search_id = str(search.start["id"])
    fake_api.script(
        turn(
            search,
            web_search_result_block(search_id, [{"title": "Sun", "url": "https://example.com"}]),
            text_block("Sunny."),
            usage=Usage(input_tokens=500, output_tokens=9, web_search_requests=1),
        )
    )
    chat = conversation(fake_api, tmp_path, spec)
    live = await collect(chat.send("Weather?"), lambda _: Reply(Answer.ALLOW_ONCE))
    chat.close()

    replayed = replay(chat.path)

    assert comparable(replayed) == comparable(live)
    [started] = of_type(replayed, ToolCallStarted)
    [finished] = of_type(replayed, ToolCallFinished)
    assert started.server and finished.server and started.name == "WebSearch"
    assert "https://example.com" in finished.content
    [web] = of_type(replayed, PermissionDecided)
    assert web.tool_use_id == "web" and web.allowed


async def test_broken_and_foreign_files_are_reported_never_raised(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    spec = spec_in(tmp_path, "pal", tools="Read")
    fake_api.script(text_turn("fine"))
    chat = conversation(fake_api, tmp_path, spec)
    await collect(chat.send("Hello"))
    chat.close()
    folder = runs_dir(tmp_path)
    (folder / "empty.jsonl").write_text("")
    (folder / "garbage.jsonl").write_text("not json at all\n{torn")
    (folder / "foreign.jsonl").write_text('{"type": "event", "time": 1}\n')
    (folder / "latin1.jsonl").write_bytes(b'{"type": "header", "name": "caf\xe9"}\n')
    (folder / "damaged.jsonl").write_text('{"type": "header", "agent": "pal", "time": 1}\n')
    (folder / "folder.jsonl").mkdir()
    (folder / "notes.txt").write_text("not a transcript, not listed")

    runs, problems = list_runs(tmp_path)

    assert [run.session_id for run in runs] == [chat.session_id]
    reasons = {problem.path.name: problem.reason for problem in problems}
    assert sorted(reasons) == [
        "damaged.jsonl",
        "empty.jsonl",
        "folder.jsonl",
        "foreign.jsonl",
        "garbage.jsonl",
        "latin1.jsonl",
    ]
    assert reasons["empty.jsonl"] == "the file is empty"
    assert "no complete JSON record" in reasons["garbage.jsonl"]
    assert "not a workbench transcript" in reasons["foreign.jsonl"]
    assert "damaged" in reasons["damaged.jsonl"]
    for name in reasons:
        with pytest.raises(TranscriptError):
            replay(folder / name)
    with pytest.raises(TranscriptError, match="no transcript"):
        replay(folder / "missing.jsonl")


async def test_damaged_records_become_notices_and_the_rest_replays(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    spec = spec_in(tmp_path, "pal", tools="Read")
    fake_api.script(text_turn("fine"))
    chat = conversation(fake_api, tmp_path, spec)
    await collect(chat.send("Hello"))
    chat.close()
    with chat.path.open("a") as handle:
        handle.write('{"type": "user", "time": 2}\n{"type": "outcome", "outcome": "bogus"}\n')

    replayed = replay(chat.path)

    notices = of_type(replayed, Notice)
    assert len(notices) == 2 and all("damaged" in n.message for n in notices)
    assert of_type(replayed, RunFinished)[0].final_text == "fine"
    assert list_runs(tmp_path).runs[0].outcome == "error_during_execution"


async def test_no_runs_folder_means_no_runs(tmp_path: Path) -> None:
    assert list_runs(tmp_path) == ([], [])
