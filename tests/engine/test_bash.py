"""The Bash tool with real processes: output, exit codes, timeouts, caps, cancellation."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from workbench.engine.jail import Jail
from workbench.engine.sandbox import Sandbox
from workbench.engine.tools.base import ToolContext, ToolError, ToolKind
from workbench.engine.tools.bash import (
    DEFAULT_TIMEOUT_MS,
    MAX_TIMEOUT_MS,
    OUTPUT_CHARS,
    Bash,
    _timeout_ms,
    child_environment,
    run_command,
)


@pytest.fixture
def context(tmp_path: Path) -> ToolContext:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    return ToolContext(jail=Jail.of(workspace))


def alive(pid: int) -> bool:
    """Whether `pid` is a running process (a zombie awaiting its reaper counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


async def wait_for_file(path: Path, seconds: float = 5.0) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        await asyncio.sleep(0.02)
    raise AssertionError(f"{path} never appeared")


async def gone(pid: int, seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        await asyncio.sleep(0.02)
    return False


async def run(context: ToolContext, command: str, **extra: object) -> tuple[str, bool]:
    result = await Bash().run({"command": command, **extra}, context)
    return result.content, result.is_error


def test_tool_shape() -> None:
    tool = Bash()
    assert tool.kind is ToolKind.SHELL
    assert tool.target({"command": "ls"}) is None
    definition = tool.definition()
    assert definition["input_schema"]["required"] == ["command"]
    assert set(definition["input_schema"]["properties"]) == {"command", "timeout", "description"}
    for phrase in ("fresh shell", "600,000", "30,000"):
        assert phrase in definition["description"]


def test_timeout_is_clamped() -> None:
    assert _timeout_ms(None) == DEFAULT_TIMEOUT_MS
    assert _timeout_ms(0) == DEFAULT_TIMEOUT_MS
    assert _timeout_ms(-5) == DEFAULT_TIMEOUT_MS
    assert _timeout_ms("soon") == DEFAULT_TIMEOUT_MS
    assert _timeout_ms(5000.7) == 5000
    assert _timeout_ms(10**9) == MAX_TIMEOUT_MS


async def test_output_and_working_directory(context: ToolContext) -> None:
    content, is_error = await run(context, "echo hello; pwd")
    assert not is_error
    assert content == f"hello\n{context.workspace}"


async def test_stdout_and_stderr_are_merged_in_order(context: ToolContext) -> None:
    content, _ = await run(context, "echo one; echo two >&2; echo three")
    assert content == "one\ntwo\nthree"


async def test_exit_code_is_reported_not_an_error(context: ToolContext) -> None:
    content, is_error = await run(context, "echo partial; exit 2")
    assert not is_error
    assert content == "partial\n[exit code 2]"
    content, _ = await run(context, "false")
    assert content == "(no output)\n[exit code 1]"


async def test_each_call_is_a_fresh_shell(context: ToolContext) -> None:
    await run(context, "cd /; export LEFT_BEHIND=1")
    content, _ = await run(context, 'pwd; echo "[${LEFT_BEHIND:-}]"')
    assert content == f"{context.workspace}\n[]"


async def test_stdin_is_empty(context: ToolContext) -> None:
    content, _ = await run(context, "cat; echo end", timeout=5000)
    assert content == "end"


async def test_secrets_are_not_in_the_environment(
    context: ToolContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = {
        "ANTHROPIC_API_KEY": "sk-ant-1",
        "ANTHROPIC_AUTH_TOKEN": "tok-2",
        "GITHUB_TOKEN": "ghp-3",
        "MY_SERVICE_SECRET": "s-4",
        "DB_PASSWORD": "pw-5",
        "AWS_SECRET_ACCESS_KEY": "aws-6",
        "GOOGLE_APPLICATION_CREDENTIALS": "/x-7",
    }
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ORDINARY_SETTING", "kept")
    content, _ = await run(context, "env")
    for value in secrets.values():
        assert value not in content
    assert "ORDINARY_SETTING=kept" in content
    assert "PATH=" in content
    assert "ANTHROPIC_API_KEY" not in child_environment({"ANTHROPIC_API_KEY": "x"})


async def test_long_output_keeps_head_and_tail(context: ToolContext) -> None:
    content, is_error = await run(context, "seq 1 100000")
    assert not is_error
    assert content.startswith("1\n2\n3\n")
    assert content.endswith("99999\n100000")
    assert "characters of output cut" in content
    assert len(content) < OUTPUT_CHARS + 300


async def test_endless_output_is_stopped(context: ToolContext) -> None:
    started = time.monotonic()
    content, _ = await run(context, "yes", timeout=120_000)
    assert time.monotonic() - started < 60
    assert content.startswith("y\ny\n")
    assert "the command was stopped" in content
    assert len(content) < OUTPUT_CHARS + 500


async def test_timeout_kills_the_command_and_its_children(context: ToolContext) -> None:
    pid_file = context.workspace / "child.pid"
    started = time.monotonic()
    content, is_error = await run(
        context, f"echo before; sleep 100 & echo $! > {pid_file}; sleep 100", timeout=700
    )
    assert time.monotonic() - started < 30
    assert is_error
    assert content.startswith("before\n")
    assert "timed out after 700 ms" in content
    assert await gone(int(pid_file.read_text()))


async def test_timeout_kills_children_that_ignore_sigterm(context: ToolContext) -> None:
    pid_file = context.workspace / "stubborn.pid"
    command = f"bash -c 'trap \"\" TERM; echo $$ > {pid_file}; while :; do sleep 0.1; done'"
    started = time.monotonic()
    _, is_error = await run(context, command, timeout=500)
    assert is_error
    assert time.monotonic() - started < 30
    assert await gone(int(pid_file.read_text()))


async def test_background_processes_do_not_hold_the_call(context: ToolContext) -> None:
    pid_file = context.workspace / "bg.pid"
    started = time.monotonic()
    content, is_error = await run(context, f"sleep 100 & echo $! > {pid_file}; echo started")
    assert time.monotonic() - started < 30
    assert not is_error
    assert content.startswith("started")
    assert "left running in the background were stopped" in content
    assert await gone(int(pid_file.read_text()))


async def test_cancellation_kills_the_process_group(context: ToolContext) -> None:
    pid_file = context.workspace / "cancel.pid"
    task = asyncio.create_task(run(context, f"sleep 100 & echo $! > {pid_file}; wait"))
    pid = int(await wait_for_file(pid_file))
    assert alive(pid)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await gone(pid)


async def test_empty_command_is_refused(context: ToolContext) -> None:
    with pytest.raises(ToolError, match="empty"):
        await Bash().run({"command": "   "}, context)


async def test_failure_to_start_is_an_error(tmp_path: Path) -> None:
    result = await run_command([str(tmp_path / "no-such-shell")], tmp_path, 1000)
    assert result.is_error
    assert "could not be started" in result.content


async def test_killed_by_signal_is_reported(context: ToolContext) -> None:
    content, is_error = await run(context, "echo x; kill -9 $$")
    assert not is_error
    assert content == "x\n[stopped by signal SIGKILL]"


async def test_unavailable_sandbox_runs_directly(
    context: ToolContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(Sandbox, "available", lambda self: False)
    context.sandbox = Sandbox(context.workspace)
    marker = tmp_path / "host-only"
    marker.write_text("x")
    content, _ = await run(context, f"test -e {marker} && echo direct; pwd")
    assert content == f"direct\n{context.workspace}"
