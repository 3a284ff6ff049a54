"""What lint says about the agents and files a prompt names, seen through `workbench lint`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.files import agent_text, write_agent
from workbench.cli import main


def lint(tmp_path: Path, body: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Lint one agent whose prompt is `body` (starting on file line 6) in `tmp_path`."""
    path = write_agent(tmp_path / "agents", "helper.md", agent_text(body=body))
    main(["lint", "--workspace", str(tmp_path), str(path)])
    lines = capsys.readouterr().out.splitlines()
    return [line.split(":", 1)[1] for line in lines if "reference" in line]


def test_agent_references_outside_code_are_checked_against_the_roster(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_agent(tmp_path / ".claude" / "agents", "code-reviewer.md", agent_text("code-reviewer"))
    body = (
        "Ask @code-reviewer first, then @agent-code-reviewer.\n"
        "Hand over to @db-wizard when the schema changes.\n"
        "If stuck, ask `@senior-architect` before guessing.\n"
        "Use the data-cleaner agent for CSV files, or ask test-runner to run them.\n"
        "Use the general-purpose agent otherwise.\n"
    )
    found = lint(tmp_path, body, capsys)
    assert found == [
        "7: warning unknown-agent-reference the prompt names an agent 'db-wizard' that is "
        "not in the roster; a hand-off to it would fail",
        "8: warning unknown-agent-reference the prompt names an agent 'senior-architect' "
        "that is not in the roster; a hand-off to it would fail",
        "9: warning unknown-agent-reference the prompt names an agent 'data-cleaner' that "
        "is not in the roster; a hand-off to it would fail",
        "9: warning unknown-agent-reference the prompt names an agent 'test-runner' that "
        "is not in the roster; a hand-off to it would fail",
    ]


def test_packages_decorators_emails_urls_and_code_are_not_agents(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = (
        "Install `@types/node` and @testing-library/react; decorate with @pytest.fixture.\n"
        "Mail ops-team@example-corp.com or see https://medium.com/@some-writer/post.\n"
        "Prefer inference over @ts-ignore, and keep `@ai-sdk` packages current.\n"
        "Ask follow-up questions when unsure.\n"
        "Use `npm run @my-script` in scripts.\n"
        "```\n"
        "@fenced-name should not count, nor use the fenced-helper agent\n"
        "```\n"
    )
    assert lint(tmp_path, body, capsys) == []


def test_paths_to_read_are_checked_in_the_workspace_and_writes_are_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "standards").mkdir()
    body = (
        "First read `/docs/tasks/context.md` and review standards/ before starting.\n"
        "Check the rules in /standards and load `notes/todo.md`.\n"
        "Save your plan to `/docs/plan.md` and create `reports/<name>.md`.\n"
        "Read the CI/CD notes and TCP/UDP tables; read `docs/ServiceName_META.md`.\n"
        "Read https://example.com/guide/setup.md and docs.example.com/intro first.\n"
        "```\n"
        "read /fenced/path.md\n"
        "```\n"
    )
    found = lint(tmp_path, body, capsys)
    assert found == [
        "6: info missing-path-reference the prompt tells the agent to read "
        "'/docs/tasks/context.md', which is not in the workspace",
        "7: info missing-path-reference the prompt tells the agent to read "
        "'notes/todo.md', which is not in the workspace",
    ]
    (tmp_path / "docs" / "tasks").mkdir(parents=True)
    (tmp_path / "docs" / "tasks" / "context.md").write_text("ok\n")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.md").write_text("ok\n")
    assert lint(tmp_path, body, capsys) == []


def test_line_numbers_are_file_lines_in_crlf_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = agent_text(body="Intro.\n\nThen ask @night-owl.\n").replace("\n", "\r\n")
    path = write_agent(tmp_path, "helper.md", text)
    main(["lint", "--workspace", str(tmp_path), str(path)])
    assert f"{path}:8: warning unknown-agent-reference" in capsys.readouterr().out


def test_mentions_after_other_scripts_keep_their_lines_and_case_does_not_matter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Searches run on case-folded bytes; what they find must still land on its line,
    whatever characters stand before it, and in or out of a fence as written."""
    body = (
        "Résumé — “quotes”, 日本語のテキスト, emoji 🚀.\n"
        "```\n"
        "Ümlaut — USE THE Fenced-Helper AGENT here\n"
        "```\n"
        "Then Use The Data-Cleaner Agent, and ASK Test-Runner about it. 🚀\n"
    )
    found = lint(tmp_path, body, capsys)
    assert found == [
        "10: warning unknown-agent-reference the prompt names an agent 'data-cleaner' that "
        "is not in the roster; a hand-off to it would fail",
        "10: warning unknown-agent-reference the prompt names an agent 'test-runner' that "
        "is not in the roster; a hand-off to it would fail",
    ]
