"""`workbench run` as scripts use it: credentials, output formats, exit codes, resume."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from pathlib import Path

import pytest

from tests.support.fake_api import FakeAnthropic, http_error, text_turn, tool_turn
from workbench import cli


async def run(args: list[str]) -> tuple[int, str, str]:
    def call() -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = cli.main(args)
            except SystemExit as exit_:
                status = int(exit_.code or 0)
        return status, out.getvalue(), err.getvalue()

    return await asyncio.to_thread(call)


def base(workspace: Path, server: FakeAnthropic) -> list[str]:
    return ["--workspace", str(workspace), "--base-url", server.base_url]


async def test_no_credentials_stops_before_any_work(workspace: Path) -> None:
    status, _out, err = await run(["run", "api-architect", "Plan", "--workspace", str(workspace)])
    assert status == 1
    assert "ANTHROPIC_API_KEY" in err and "ANTHROPIC_BASE_URL" in err
    assert not (workspace / ".workbench" / "runs").exists()


async def test_unknown_agent_is_a_usage_error(workspace: Path) -> None:
    status, _, err = await run(["run", "senior-architect", "x", "--workspace", str(workspace)])
    assert status == 2
    assert "unknown agent 'senior-architect'" in err and "api-architect" in err


async def test_text_output_streams_the_answer_and_a_line_per_tool(
    fake_api: FakeAnthropic, workspace: Path
) -> None:
    fake_api.script(
        tool_turn(("Read", {"file_path": "docs/tasks/context.md"}), text="Reading the context."),
        text_turn("The goal is the read API."),
    )
    status, out, err = await run(
        ["run", "indexer-planner", "What is the goal?", *base(workspace, fake_api)]
    )
    assert status == 0
    assert "Reading the context." in out
    assert "[Read] docs/tasks/context.md — ok" in out
    assert out.rstrip().endswith("The goal is the read API.")
    assert "ok" not in err


async def test_json_result_shape(fake_api: FakeAnthropic, workspace: Path) -> None:
    fake_api.script(text_turn("Done."))
    status, out, _ = await run(
        ["run", "indexer-planner", "Hi", *base(workspace, fake_api), "--output-format", "json"]
    )
    assert status == 0
    result = json.loads(out)
    assert result["type"] == "result" and result["subtype"] == "success"
    assert result["is_error"] is False and result["result"] == "Done."
    assert result["num_turns"] == 1
    for key in ("session_id", "total_cost_usd", "usage", "duration_ms", "transcript_path"):
        assert key in result
    assert Path(result["transcript_path"]).exists()


async def test_stream_json_prints_every_event_then_the_result(
    fake_api: FakeAnthropic, workspace: Path
) -> None:
    fake_api.script(text_turn("One two three.", chunks=3))
    status, out, _ = await run(
        [
            "run",
            "indexer-planner",
            "Count",
            *base(workspace, fake_api),
            "--output-format",
            "stream-json",
        ]
    )
    lines = [json.loads(line) for line in out.splitlines()]
    kinds = [line["type"] for line in lines]
    assert kinds[0] == "run_started" and kinds[-1] == "result"
    assert kinds.count("text_delta") == 3 and "run_finished" in kinds
    assert status == 0


async def test_a_failed_run_exits_1_with_a_clear_message(
    fake_api: FakeAnthropic, workspace: Path
) -> None:
    fake_api.script(http_error(400, "invalid_request_error", "max_tokens: too large"))
    status, _out, err = await run(["run", "indexer-planner", "Hi", *base(workspace, fake_api)])
    assert status == 1
    assert "error: HTTP 400 invalid_request_error: max_tokens: too large" in err


async def test_max_turns_exits_1(fake_api: FakeAnthropic, workspace: Path) -> None:
    fake_api.script(tool_turn(("Read", {"file_path": "README.md"})))
    status, out, _ = await run(
        [
            "run",
            "indexer-planner",
            "Loop",
            *base(workspace, fake_api),
            "--max-turns",
            "1",
            "--output-format",
            "json",
        ]
    )
    assert status == 1
    assert json.loads(out)["subtype"] == "error_max_turns"


async def test_resume_continues_a_session(fake_api: FakeAnthropic, workspace: Path) -> None:
    fake_api.script(text_turn("First."), text_turn("Second."))
    _, out, _ = await run(
        ["run", "indexer-planner", "One", *base(workspace, fake_api), "--output-format", "json"]
    )
    session = json.loads(out)["session_id"]
    status, out, _ = await run(
        [
            "run",
            "indexer-planner",
            "Two",
            *base(workspace, fake_api),
            "--output-format",
            "json",
            "--resume",
            session,
        ]
    )
    assert status == 0 and json.loads(out)["session_id"] == session
    assert len(fake_api.message_requests[1].json["messages"]) == 3
    status, _, err = await run(
        ["run", "indexer-planner", "x", *base(workspace, fake_api), "--resume", "no-such-session"]
    )
    assert status == 2 and "no conversation no-such-session" in err


async def test_an_agent_file_path_works_as_the_agent(
    fake_api: FakeAnthropic, workspace: Path, tmp_path: Path
) -> None:
    path = tmp_path / "custom.txt"
    path.write_text(
        "---\nname: custom\ndescription: x\ntools: Read\nmodel: haiku\n---\nBe brief.\n"
    )
    fake_api.script(text_turn("Brief."))
    status, _, _ = await run(["run", str(path), "Go", *base(workspace, fake_api)])
    assert status == 0
    body = fake_api.message_requests[0].json
    assert body["model"] == "claude-haiku-5-5" and body["system"][0]["text"].startswith("Be brief.")


@pytest.mark.parametrize("flag", [["--permission-mode", "auto"], ["--max-turns", "0"]])
async def test_bad_flags_are_usage_errors(workspace: Path, flag: list[str]) -> None:
    status, _, _ = await run(["run", "indexer-planner", "x", "--workspace", str(workspace), *flag])
    assert status == 2


async def test_control_sequences_in_the_answer_never_reach_the_terminal(
    fake_api: FakeAnthropic, workspace: Path
) -> None:
    fake_api.script(text_turn("Title \x1b]0;owned\x07 done \x1b[2J"))
    _, out, _ = await run(["run", "indexer-planner", "x", *base(workspace, fake_api)])
    assert "\x1b" not in out and "\x07" not in out
    assert "␛]0;owned␇" in out
