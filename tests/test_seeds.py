"""The five agents this product was made for: each loads, lints and shows what it is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.shared import seed_files
from workbench.cli import main


@pytest.fixture
def seeds() -> list[Path]:
    files = seed_files()
    assert len(files) == 5
    return files


def agents_json(
    capsys: pytest.CaptureFixture[str], seeds: list[Path], tmp_path: Path
) -> list[dict]:
    args = ["agents", "--workspace", str(tmp_path), "--format", "json"]
    for seed in seeds:
        args += ["--agents", str(seed)]
    assert main(args) == 0
    return json.loads(capsys.readouterr().out)


def test_agents_json_shows_all_five_seeds(
    capsys: pytest.CaptureFixture[str], seeds: list[Path], tmp_path: Path
) -> None:
    items = agents_json(capsys, seeds, tmp_path)
    by_path = {Path(item["path"]).name[:3]: item for item in items if item["origin"] == "explicit"}
    expected = {
        "000": (
            "backend-offchain-engineer",
            "opus",
            None,
            ["Read", "Write", "Edit", "Bash", "Glob", "Grep", "WebFetch", "WebSearch"],
        ),
        "001": ("backend-architect", "sonnet", "blue", None),
        "002": ("backend-engineer", "sonnet", "blue", ["Write", "Read", "Bash"]),
        "003": ("backend-engineer", None, None, ["Read", "Write", "Edit", "Bash", "Glob", "Grep"]),
        "004": ("backend-architect", "sonnet", "yellow", None),
    }
    actual = {
        key: (item["name"], item["model"], item["color"], item["tools"])
        for key, item in by_path.items()
    }
    assert actual == expected
    assert [by_path[k]["active"] for k in sorted(by_path)] == [True, True, True, False, False]


def test_second_seed_description_has_real_line_breaks_and_examples(
    capsys: pytest.CaptureFixture[str], seeds: list[Path], tmp_path: Path
) -> None:
    items = agents_json(capsys, seeds, tmp_path)
    [second] = [item for item in items if Path(item["path"]).name.startswith("001")]
    assert "\\n" not in second["description"]
    assert "Examples:\n\n<example>\nContext:" in second["description"]
    assert len(second["examples"]) == 3
    first = second["examples"][0]
    assert first["context"] == "The user is building a new backend service for user authentication."
    assert first["user"] == "I need to create an authentication service for our application"
    assert first["assistant"].startswith("I'll use the backend-architect agent")
    assert first["commentary"].startswith("Since the user is creating a new backend service")


def test_lint_reports_exactly_the_seeds_real_problems(
    capsys: pytest.CaptureFixture[str], seeds: list[Path], tmp_path: Path
) -> None:
    status = main(["lint", "--workspace", str(tmp_path), "--format", "json", *map(str, seeds)])
    assert status == 0
    report = {
        Path(item["path"]).name[:3]: item["diagnostics"]
        for item in json.loads(capsys.readouterr().out)
    }
    found = {
        key: sorted((d["code"], d["line"]) for d in diagnostics if d["code"] != "name-mismatch")
        for key, diagnostics in report.items()
    }
    assert found == {
        "000": [("missing-path-reference", 16), ("mojibake", 30)],
        "001": [("missing-path-reference", 88), ("yaml-invalid", 3)],
        "002": [("missing-path-reference", 69)],
        "003": [
            ("duplicate-name", 2),
            ("missing-path-reference", 11),
            ("unknown-agent-reference", 115),
            ("unknown-agent-reference", 115),
        ],
        "004": [("duplicate-name", 2), ("mojibake", 155), ("yaml-invalid", 3)],
    }
    [fix_000] = [d["fix"] for d in report["000"] if d["code"] == "mojibake"]
    assert "code**\u2014only" in fix_000
    [fix_004] = [d["fix"] for d in report["004"] if d["code"] == "mojibake"]
    assert "O(n\u00b2)" in fix_004
    duplicate_003 = next(d for d in report["003"] if d["code"] == "duplicate-name")
    assert "002_" in duplicate_003["message"]
    duplicate_004 = next(d for d in report["004"] if d["code"] == "duplicate-name")
    assert "001_" in duplicate_004["message"]


def test_lint_text_output_is_compiler_style(
    capsys: pytest.CaptureFixture[str], seeds: list[Path], tmp_path: Path
) -> None:
    main(["lint", "--workspace", str(tmp_path), str(seeds[0])])
    out = capsys.readouterr()
    assert f"{seeds[0]}:30: warning mojibake " in out.out
    assert "1 file checked: 0 errors, 1 warning, 2 notes" in out.err


def test_prose_checks_name_what_the_workspace_lacks_and_stop_once_it_has_it(
    capsys: pytest.CaptureFixture[str], seeds: list[Path], tmp_path: Path
) -> None:
    args = ["lint", "--workspace", str(tmp_path), str(seeds[0]), str(seeds[3])]
    main(args)
    out = capsys.readouterr().out
    assert (
        f"{seeds[0]}:16: info missing-path-reference the prompt tells the agent to read "
        "'/docs/tasks/context.md', which is not in the workspace" in out
    )
    # Line 25 adds to the same file and line 24 saves a plan: writing, never reported.
    assert f"{seeds[0]}:25:" not in out and f"{seeds[0]}:24:" not in out
    assert f"{seeds[3]}:115: warning unknown-agent-reference" in out
    assert "'senior-architect'" in out and "'security-auditor'" in out

    (tmp_path / "docs" / "tasks").mkdir(parents=True)
    (tmp_path / "docs" / "tasks" / "context.md").write_text("# context\n")
    agents = tmp_path / ".claude" / "agents"
    agents.mkdir(parents=True)
    for name in ("senior-architect", "security-auditor"):
        (agents / f"{name}.md").write_text(f"---\nname: {name}\ndescription: d\n---\nx\n")
    main(args)
    out = capsys.readouterr().out
    assert "context.md" not in out
    assert "unknown-agent-reference" not in out
