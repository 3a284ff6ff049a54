"""The headless commands as scripts and CI use them: output shapes and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.files import agent_text, write_agent
from workbench import cli


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = cli.main(args)
    out = capsys.readouterr()
    return status, out.out, out.err


def test_lint_defaults_to_the_workspace_agents(workspace: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(workspace)
    status, out, err = run(["lint"], capsys)
    assert status == 0
    assert ".claude/agents/migration-helper.md:3: warning yaml-invalid" in out
    assert "3 files checked: 0 errors, 1 warning, 0 notes" in err


def test_lint_names_a_folder_without_agent_files(tmp_path: Path, capsys, monkeypatch) -> None:
    """A wrong path must not pass for a clean one: the report says what was not there."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "agent.txt").write_text(agent_text("not-md"), encoding="utf-8")
    status, out, err = run(["lint", "--workspace", str(tmp_path), str(notes)], capsys)
    assert (status, out) == (0, "")
    assert f"no agent files (*.md) in {notes}" in err
    assert "0 files checked" in err
    monkeypatch.chdir(tmp_path)
    status, _, err = run(["lint"], capsys)
    assert f"{tmp_path / '.claude' / 'agents'} does not exist" in err


def test_lint_exit_status_follows_severity(tmp_path: Path, capsys) -> None:
    ok = write_agent(tmp_path, "ok.md", agent_text("ok"))
    warned = write_agent(tmp_path, "warned.md", agent_text("warned", tools="Grepp"))
    broken = write_agent(tmp_path, "broken.md", "---\ndescription: no name\n---\nx\n")
    workspace = ["--workspace", str(tmp_path)]
    assert run(["lint", *workspace, str(ok)], capsys)[0] == 0
    assert run(["lint", *workspace, str(warned)], capsys)[0] == 0
    assert run(["lint", *workspace, "--strict", str(warned)], capsys)[0] == 1
    status, out, _ = run(["lint", *workspace, str(broken)], capsys)
    assert status == 1
    assert f"{broken}:1: error missing-name" in out


def test_lint_json_lists_every_linted_file(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "agents"
    write_agent(folder, "a.md", agent_text("a"))
    write_agent(folder, "b.md", agent_text("b", model="gpt-4"))
    status, out, _ = run(
        ["lint", "--workspace", str(tmp_path), "--format", "json", str(folder)], capsys
    )
    assert status == 0
    report = json.loads(out)
    assert [Path(item["path"]).name for item in report] == ["a.md", "b.md"]
    assert report[0]["diagnostics"] == []
    [finding] = report[1]["diagnostics"]
    assert set(finding) == {"code", "severity", "line", "message"}
    assert (finding["code"], finding["severity"], finding["line"]) == (
        "unknown-model",
        "warning",
        4,
    )


def test_a_workspace_agent_shadowed_by_a_linted_file_is_not_reported(
    workspace: Path, tmp_path: Path, capsys
) -> None:
    mine = write_agent(tmp_path / "mine", "r.md", agent_text("backend-reviewer"))
    _status, out, _ = run(
        ["lint", "--workspace", str(workspace), "--format", "json", str(mine)], capsys
    )
    [item] = json.loads(out)
    assert item["path"] == str(mine)
    assert [d["code"] for d in item["diagnostics"]] == ["name-mismatch"]


def test_usage_errors_exit_2(tmp_path: Path, capsys) -> None:
    status, _, err = run(
        ["lint", "--workspace", str(tmp_path), str(tmp_path / "missing.md")], capsys
    )
    assert status == 2
    assert "missing.md: no such file or folder" in err
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["lint", "--format", "yaml"])
    assert exit_info.value.code == 2
    assert run([str(tmp_path / "not-a-folder")], capsys)[0] == 2


def test_agents_json_item_shape(workspace: Path, capsys) -> None:
    status, out, _ = run(["agents", "--workspace", str(workspace), "--format", "json"], capsys)
    assert status == 0
    items = json.loads(out)
    by_name = {(item["name"], item["origin"]): item for item in items}
    planner = by_name[("indexer-planner", "project")]
    assert {
        "name",
        "description",
        "examples",
        "tools",
        "model",
        "color",
        "path",
        "origin",
        "active",
        "diagnostics",
    } <= set(planner)
    assert planner["tools"] == ["Read", "Grep", "Glob", "Write"]
    assert by_name[("api-architect", "bundled")]["tools"] is None
    assert by_name[("backend-reviewer", "project")]["active"] is True
    assert by_name[("backend-reviewer", "bundled")]["active"] is False
    origins = [item["origin"] for item in items]
    assert origins == sorted(origins, key=["explicit", "project", "user", "bundled"].index)


def test_user_agents_only_with_the_flag(workspace: Path, isolated_config: Path, capsys) -> None:
    write_agent(isolated_config / ".claude" / "agents", "mine.md", agent_text("mine"))
    _, out, _ = run(["agents", "--workspace", str(workspace), "--format", "json"], capsys)
    assert "mine" not in {item["name"] for item in json.loads(out)}
    _, out, _ = run(["agents", "--workspace", str(workspace), "--user", "--format", "json"], capsys)
    assert {"name": "mine", "origin": "user"}.items() <= next(
        item for item in json.loads(out) if item["name"] == "mine"
    ).items()


def test_agents_text_table(workspace: Path, capsys) -> None:
    _, out, _ = run(["agents", "--workspace", str(workspace)], capsys)
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "MODEL", "ORIGIN", "STATUS", "PATH"]
    assert any(
        line.startswith("backend-reviewer") and "shadowed, 1 warning" in line for line in lines
    )


def test_agents_table_counts_in_words_and_says_which_files_claude_code_skips(
    workspace: Path, capsys
) -> None:
    agents = workspace / ".claude" / "agents"
    (agents / "broken.md").write_text(
        "---\nname: [a, b]\ndescription: {x: 1}\nmodel: zonnet\ncolor: blurple\n---\nBody\n",
        encoding="utf-8",
    )
    _, out, _ = run(["agents", "--workspace", str(workspace)], capsys)
    [line] = [line for line in out.splitlines() if line.startswith("broken ")]
    assert "skipped by Claude Code, 2 errors, 2 warnings" in line


def test_control_sequences_from_files_never_reach_the_terminal(tmp_path: Path, capsys) -> None:
    evil = write_agent(tmp_path, "evil.md", agent_text("evil\x1b]0;pwned\x07", tools="Re\x1b[2Jad"))
    _, out, _ = run(["lint", "--workspace", str(tmp_path), str(evil)], capsys)
    assert "\x1b" not in out and "\x07" not in out
    _, out, _ = run(["agents", "--workspace", str(tmp_path), "--agents", str(evil)], capsys)
    assert "\x1b" not in out and "\x07" not in out
    assert "evil␛]0;pwned␇" in out
    _, out, _ = run(
        ["agents", "--workspace", str(tmp_path), "--agents", str(evil), "--format", "json"], capsys
    )
    assert "\x1b" not in out and "\\u001b" in out


def test_permission_mode_auto_is_refused(capsys) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--permission-mode", "auto"])
    assert "auto mode" in capsys.readouterr().err


def test_python_dash_m_and_subcommand_over_folder(tmp_path: Path) -> None:
    (tmp_path / "agents").mkdir()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench",
            "agents",
            "--workspace",
            str(tmp_path),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0
    assert isinstance(json.loads(result.stdout), list)
    help_text = subprocess.run(
        [sys.executable, "-m", "workbench", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "--permission-mode" in help_text
