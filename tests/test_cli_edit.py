"""`workbench edit`: what it refuses before any screen opens."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench import cli


def test_an_unknown_agent_is_a_usage_error(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["edit", "no-such-agent", "--workspace", str(workspace)])
    assert code == 2
    assert "no agent named 'no-such-agent'" in capsys.readouterr().err


def test_a_missing_workspace_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["edit", "x", "--workspace", str(tmp_path / "gone")])
    assert code == 2
    assert "no such folder" in capsys.readouterr().err
