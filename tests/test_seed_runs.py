"""The five seed agents run headless through `workbench run`, each following its workflow.

The loopback server plays the model; the tools really act on a copy of the sample
workspace, and the requests show what each seed's file made the workbench send.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.support.fake_api import FakeAnthropic, text_turn, tool_turn
from tests.support.shared import seed_files
from workbench import cli
from workbench.engine.sandbox import Sandbox

FINAL = "Plan saved to offchain-plan.md. Read before proceeding."


@pytest.fixture
def seeds() -> dict[str, Path]:
    return {path.name[:3]: path for path in seed_files()}


async def run_cli(
    server: FakeAnthropic, workspace: Path, agent: Path, task: str, *extra: str
) -> tuple[int, dict, str]:
    args = [
        "run",
        str(agent),
        task,
        "--workspace",
        str(workspace),
        "--base-url",
        server.base_url,
        "--output-format",
        "json",
        *extra,
    ]
    out_path = workspace.parent / "out.json"

    def call() -> int:
        import contextlib
        import io

        buffer, errors = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(errors):
            status = cli.main(args)
        out_path.write_text(buffer.getvalue())
        (workspace.parent / "err.txt").write_text(errors.getvalue())
        return status

    status = await asyncio.to_thread(call)
    result = json.loads(out_path.read_text().strip().splitlines()[-1])
    return status, result, (workspace.parent / "err.txt").read_text()


def tool_names(server: FakeAnthropic) -> list[str]:
    return [tool["name"] for tool in server.message_requests[0].json.get("tools", [])]


def system_text(server: FakeAnthropic) -> str:
    return server.message_requests[0].json["system"][0]["text"]


async def test_seed_000_offchain_planner_workflow(
    fake_api: FakeAnthropic, workspace: Path, seeds: dict[str, Path]
) -> None:
    context = workspace / "docs" / "tasks" / "context.md"
    last_line = context.read_text().rstrip("\n").splitlines()[-1]
    summary = (
        "- Indexer read API: cursor-paginated transfers by address and token.\n"
        "- Decisions: composite index (address, block, log); summary table per address.\n"
        "- Risks: reorg repair must rewrite the summary table; start with the address index."
    )
    plan = "# Off-chain plan\n\n## API\nGET /v1/addresses/{a}/transfers?cursor=…\n"
    fake_api.script(
        tool_turn(("Read", {"file_path": "/docs/tasks/context.md"})),
        tool_turn(("Read", {"file_path": "docs/tasks/context.md"})),
        tool_turn(("Write", {"file_path": ".claude/docs/offchain-plan.md", "content": plan})),
        tool_turn(
            (
                "Edit",
                {
                    "file_path": "docs/tasks/context.md",
                    "old_string": last_line,
                    "new_string": f"{last_line}\n{summary}",
                },
            )
        ),
        text_turn(f"The plan covers the API, schema and risks.\n\n{FINAL}"),
    )
    status, result, _ = await run_cli(
        fake_api,
        workspace,
        seeds["000"],
        "Design the indexer API",
        "--permission-mode",
        "acceptEdits",
    )
    assert status == 0, result
    assert result["subtype"] == "success" and result["result"].endswith(FINAL)
    assert result["num_turns"] == 5
    assert (workspace / ".claude" / "docs" / "offchain-plan.md").read_text() == plan
    assert context.read_text().rstrip("\n").endswith(summary)
    first = fake_api.message_requests[0].json
    assert first["model"] == "claude-opus-5-5"
    assert tool_names(fake_api) == [
        "Read",
        "Write",
        "Edit",
        "Bash",
        "Glob",
        "Grep",
        "web_fetch",
        "web_search",
    ]
    assert "Senior Backend Off-Chain Engineer" in system_text(fake_api)
    assert f"Working directory: {workspace.resolve()}" in system_text(fake_api)
    hint = fake_api.message_requests[1].json["messages"][-1]["content"][0]["content"]
    assert "you probably meant" in hint and "docs/tasks/context.md" in hint


async def test_seed_001_architect_reviews_and_records_in_claude_tasks(
    fake_api: FakeAnthropic, workspace: Path, seeds: dict[str, Path]
) -> None:
    notes = workspace / ".claude" / "tasks" / "context_session_1.md"
    before = notes.read_text()
    fake_api.script(
        tool_turn(("Glob", {"pattern": ".claude/tasks/**"})),
        tool_turn(("Read", {"file_path": ".claude/tasks/context_session_1.md"})),
        tool_turn(
            (
                "Edit",
                {
                    "file_path": ".claude/tasks/context_session_1.md",
                    "old_string": before.rstrip("\n").splitlines()[-1],
                    "new_string": before.rstrip("\n").splitlines()[-1]
                    + "\n\nUpdated by: backend-architect (API design)",
                },
            )
        ),
        text_turn("Architecture recorded."),
    )
    status, result, _ = await run_cli(
        fake_api,
        workspace,
        seeds["001"],
        "Design the read API",
        "--permission-mode",
        "acceptEdits",
    )
    assert status == 0, result
    assert "Updated by: backend-architect" in notes.read_text()
    assert fake_api.message_requests[0].json["model"] == "claude-sonnet-5-5"
    assert sorted(tool_names(fake_api)) == sorted(
        [
            "Read",
            "Write",
            "Edit",
            "Glob",
            "Grep",
            "Bash",
            "TodoWrite",
            "Agent",
            "web_search",
            "web_fetch",
        ]
    )
    assert "Never run build or dev commands" in system_text(fake_api)


async def test_seed_002_engineer_gets_exactly_write_read_bash(
    fake_api: FakeAnthropic, workspace: Path, seeds: dict[str, Path]
) -> None:
    fake_api.script(
        tool_turn(("Read", {"file_path": "src/transfer_indexer/store.py"})),
        tool_turn(
            (
                "Write",
                {
                    "file_path": "src/transfer_indexer/health.py",
                    "content": "def healthy() -> bool:\n    return True\n",
                },
            )
        ),
        tool_turn(("Bash", {"command": "ls src/transfer_indexer"})),
        text_turn("Added a health check."),
    )
    status, result, _ = await run_cli(
        fake_api,
        workspace,
        seeds["002"],
        "Add a health check",
        "--permission-mode",
        "acceptEdits",
    )
    assert status == 0, result
    assert tool_names(fake_api) == ["Write", "Read", "Bash"]
    assert (workspace / "src" / "transfer_indexer" / "health.py").exists()
    listing = fake_api.message_requests[3].json["messages"][-1]["content"][0]["content"]
    if Sandbox(workspace).available():
        assert "health.py" in listing  # read-only, so it ran in the sandbox without asking
    else:
        assert "needs a person's approval" in listing and "bubblewrap" in listing


async def test_seed_003_reads_standards_and_skills_first(
    fake_api: FakeAnthropic, workspace: Path, seeds: dict[str, Path]
) -> None:
    fake_api.script(
        tool_turn(
            ("Glob", {"pattern": "standards/**/*.md"}), ("Glob", {"pattern": ".claude/skills/**"})
        ),
        tool_turn(("Read", {"file_path": "standards/backend/api.md"})),
        text_turn("Per standards/backend/api.md, the endpoint uses cursors."),
    )
    status, result, _ = await run_cli(fake_api, workspace, seeds["003"], "Plan an endpoint")
    assert status == 0, result
    assert fake_api.message_requests[0].json["model"] == "claude-sonnet-5-5"
    assert tool_names(fake_api) == ["Read", "Write", "Edit", "Bash", "Glob", "Grep"]
    globbed = fake_api.message_requests[1].json["messages"][-1]["content"]
    assert "standards/backend/api.md" in globbed[0]["content"]
    assert "SKILL.md" in globbed[1]["content"]
    assert "@senior-architect" in system_text(fake_api)


async def test_seed_004_invalid_yaml_architect_writes_a_meta_doc(
    fake_api: FakeAnthropic, workspace: Path, seeds: dict[str, Path]
) -> None:
    meta = "# Store_META\n\nThe storage layer keeps transfers and the checkpoint.\n"
    fake_api.script(
        tool_turn(("Write", {"file_path": "src/transfer_indexer/Store_META.md", "content": meta})),
        text_turn("Documented the store."),
    )
    status, result, _ = await run_cli(
        fake_api,
        workspace,
        seeds["004"],
        "Document the store",
        "--permission-mode",
        "acceptEdits",
    )
    assert status == 0, result
    assert (workspace / "src" / "transfer_indexer" / "Store_META.md").read_text() == meta
    assert fake_api.message_requests[0].json["model"] == "claude-sonnet-5-5"
    assert "O(n\u00c2\u00b2)" in system_text(fake_api)


async def test_headless_default_mode_denies_edits_and_says_how_to_allow_them(
    fake_api: FakeAnthropic, workspace: Path, seeds: dict[str, Path]
) -> None:
    fake_api.script(
        tool_turn(("Write", {"file_path": ".claude/docs/offchain-plan.md", "content": "x"})),
        text_turn("I could not write the plan."),
    )
    status, _result, _errors = await run_cli(fake_api, workspace, seeds["000"], "Plan")
    assert status == 0
    assert not (workspace / ".claude" / "docs" / "offchain-plan.md").exists()
    denial = fake_api.message_requests[1].json["messages"][-1]["content"][0]["content"]
    assert "--permission-mode acceptEdits" in denial
