"""Permission questions as a run asks them, and what each answer does."""

from __future__ import annotations

from pathlib import Path

from tests.support.engine import agent_file, collect, conversation, of_type, roster_with
from tests.support.fake_api import FakeAnthropic, text_turn, tool_turn
from workbench.agentfile.spec import AgentSpec
from workbench.engine.events import (
    Answer,
    PermissionAsked,
    PermissionDecided,
    Reply,
    ToolCallFinished,
)
from workbench.engine.modes import Mode


def agent(workspace: Path, **keys: str) -> AgentSpec:
    agent_file(workspace / ".claude" / "agents", "editor", **keys)
    spec = roster_with(workspace).get("editor")
    assert spec is not None
    return spec


async def test_default_mode_asks_before_a_write_and_allow_once_writes(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    spec = agent(tmp_path, tools="Write")
    fake_api.script(
        tool_turn(("Write", {"file_path": "plan.md", "content": "# Plan\n"})), text_turn("Saved.")
    )
    asked: list[PermissionAsked] = []

    def allow(event: PermissionAsked) -> Reply:
        asked.append(event)
        return Reply(Answer.ALLOW_ONCE)

    events = await collect(conversation(fake_api, tmp_path, spec).send("Plan"), allow)
    [question] = asked
    assert question.name == "Write" and question.input["file_path"] == "plan.md"
    assert question.always_label
    assert (tmp_path / "plan.md").read_text() == "# Plan\n"
    [decided] = of_type(events, PermissionDecided)
    assert decided.allowed and decided.by == "person"


async def test_deny_sends_the_persons_words_to_the_agent(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    spec = agent(tmp_path, tools="Write")
    fake_api.script(
        tool_turn(("Write", {"file_path": "x.py", "content": "code"})), text_turn("Understood.")
    )
    events = await collect(
        conversation(fake_api, tmp_path, spec).send("Go"),
        lambda _: Reply(Answer.DENY, "write a plan instead of code"),
    )
    result = of_type(events, ToolCallFinished)[0]
    assert result.is_error
    assert "denied" in result.content and "write a plan instead of code" in result.content
    assert not (tmp_path / "x.py").exists()
    sent = fake_api.message_requests[1].json["messages"][-1]["content"][0]
    assert "write a plan instead of code" in sent["content"]


async def test_allow_always_covers_the_rest_of_the_conversation(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    spec = agent(tmp_path, tools="Write")
    fake_api.script(
        tool_turn(("Write", {"file_path": "a.md", "content": "a"})),
        tool_turn(("Write", {"file_path": "b.md", "content": "b"})),
        text_turn("Both."),
    )
    questions = []

    def always(event: PermissionAsked) -> Reply:
        questions.append(event)
        return Reply(Answer.ALLOW_ALWAYS)

    await collect(conversation(fake_api, tmp_path, spec).send("Two files"), always)
    assert len(questions) == 1
    assert (tmp_path / "b.md").read_text() == "b"


async def test_headless_runs_deny_what_would_ask_and_name_the_way_out(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    spec = agent(tmp_path, tools="Write, Bash")
    fake_api.script(
        tool_turn(
            ("Write", {"file_path": "docs/plan.md", "content": "x"}),
            ("Bash", {"command": "touch made-by-bash"}),
        ),
        text_turn("Could not."),
    )
    chat = conversation(fake_api, tmp_path, spec, interactive=False)
    events = await collect(chat.send("Go"))
    write, bash = of_type(events, ToolCallFinished)
    assert write.is_error and "--permission-mode acceptEdits" in write.content
    assert bash.is_error and "--allowed-tools" in bash.content
    assert not (tmp_path / "docs" / "plan.md").exists()
    assert not (tmp_path / "made-by-bash").exists()
    assert all(e.by == "headless" for e in of_type(events, PermissionDecided))


async def test_plan_mode_refuses_every_change(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    spec = agent(tmp_path, tools="Write, Read")
    fake_api.script(tool_turn(("Write", {"file_path": "a.md", "content": "a"})), text_turn("ok"))
    events = await collect(conversation(fake_api, tmp_path, spec, mode=Mode.PLAN).send("Go"))
    result = of_type(events, ToolCallFinished)[0]
    assert result.is_error and "plan mode" in result.content
    assert not (tmp_path / "a.md").exists()


async def test_protected_paths_ask_even_in_accept_edits(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    spec = agent(tmp_path, tools="Write")
    target = ".claude/agents/editor.md"
    fake_api.script(
        tool_turn(("Write", {"file_path": "notes/ok.md", "content": "fine"})),
        tool_turn(("Write", {"file_path": target, "content": "---\nname: editor\n---\nobey\n"})),
        text_turn("ok"),
    )
    asked = []
    events = await collect(
        conversation(fake_api, tmp_path, spec, mode=Mode.ACCEPT_EDITS).send("Go"),
        lambda event: asked.append(event.input["file_path"]) or Reply(Answer.DENY),
    )
    assert asked == [target]
    assert (tmp_path / "notes" / "ok.md").read_text() == "fine"
    assert "obey" not in (tmp_path / target).read_text()
    assert [e.is_error for e in of_type(events, ToolCallFinished)] == [False, True]


async def test_escapes_are_refused_in_every_mode(fake_api: FakeAnthropic, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (tmp_path / "outside.txt").write_text("secret")
    (workspace / "link").symlink_to(tmp_path / "outside.txt")
    spec = agent(workspace, tools="Read, Write")
    for mode in Mode:
        fake_api.script(
            tool_turn(
                ("Read", {"file_path": "../outside.txt"}),
                ("Read", {"file_path": str(tmp_path / "outside.txt")}),
                ("Read", {"file_path": "link"}),
                ("Write", {"file_path": "../escaped.txt", "content": "x"}),
            ),
            text_turn("ok"),
        )
        events = await collect(
            conversation(fake_api, workspace, spec, mode=mode).send("Escape"),
            lambda _: Reply(Answer.ALLOW_ONCE),
        )
        results = of_type(events, ToolCallFinished)
        assert all(r.is_error and "outside" in r.content for r in results), mode
        assert all("secret" not in r.content for r in results)
    assert not (tmp_path / "escaped.txt").exists()


async def test_the_workspace_root_is_where_absolute_prompt_paths_point(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    (tmp_path / "docs" / "tasks").mkdir(parents=True)
    (tmp_path / "docs" / "tasks" / "context.md").write_text("ctx")
    spec = agent(tmp_path, tools="Read")
    fake_api.script(tool_turn(("Read", {"file_path": "/docs/tasks/context.md"})), text_turn("ok"))
    events = await collect(conversation(fake_api, tmp_path, spec).send("Read context"))
    result = of_type(events, ToolCallFinished)[0]
    assert result.is_error
    assert f"you probably meant {tmp_path.resolve() / 'docs/tasks/context.md'}" in result.content


async def test_read_deny_rules_keep_files_out_of_reads_and_searches(
    fake_api: FakeAnthropic, tmp_path: Path
) -> None:
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude" / "settings.json").write_text(
        '{"permissions": {"deny": ["Read(./secrets/**)"]}}'
    )
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "prod.env").write_text("PASSWORD=needle-in-secrets\n")
    (tmp_path / "notes.md").write_text("a needle in the notes\n")
    spec = agent(tmp_path, tools="Read, Grep, Glob")
    fake_api.script(
        tool_turn(
            ("Read", {"file_path": "secrets/prod.env"}),
            ("Grep", {"pattern": "needle", "output_mode": "content"}),
            ("Grep", {"pattern": "needle"}),
            ("Glob", {"pattern": "**/*"}),
        ),
        text_turn("ok"),
    )
    events = await collect(conversation(fake_api, tmp_path, spec).send("Find needles"))
    finished = of_type(events, ToolCallFinished)
    [read] = [e for e in finished if e.name == "Read"]
    assert read.is_error and "Read(./secrets/**)" in read.content
    searches = [e.content for e in finished if e.name != "Read"]
    assert len(searches) == 3
    assert all("needle-in-secrets" not in text and "prod.env" not in text for text in searches)
    assert all("notes.md" in text for text in searches)
