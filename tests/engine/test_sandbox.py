"""The bubblewrap sandbox: its command line, and with bwrap installed, what it really stops."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

from workbench.engine.jail import Jail
from workbench.engine.sandbox import Sandbox
from workbench.engine.tools.base import ToolContext
from workbench.engine.tools.bash import Bash


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    for folder in (".claude/agents", ".claude/tasks", ".claude/docs", ".git/hooks", "src"):
        (root / folder).mkdir(parents=True)
    (root / ".claude" / "settings.json").write_text("{}")
    (root / ".claude" / "agents" / "helper.md").write_text("---\nname: helper\n---\n")
    return Path(os.path.realpath(root))


def _bwrap_works() -> bool:
    return Sandbox(Path("/")).available()


needs_bwrap = pytest.mark.skipif(
    not _bwrap_works(), reason="bubblewrap (bwrap) is not installed or cannot run here"
)


def pairs(args: list[str], option: str) -> list[str]:
    """The paths given to every `option SRC DEST` in a bwrap command line."""
    return [args[i + 1] for i, arg in enumerate(args) if arg == option]


# --- the command line (no bwrap needed) ------------------------------------------------


def test_wrap_layout(ws: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    args = Sandbox(ws, granted=[extra]).wrap(["bash", "-c", "pwd"])
    assert args[-4:] == ["--", "bash", "-c", "pwd"]
    base = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    assert args[1:10] == base
    binds = pairs(args, "--bind")
    assert binds[:2] == [str(ws), str(extra)]
    assert str(ws / ".claude" / "tasks") in binds
    assert str(ws / ".claude" / "docs") in binds
    assert str(ws / ".claude" / "agents") not in binds
    read_only = pairs(args, "--ro-bind")
    for protected in (".claude", ".claude/settings.json", ".claude/agents", ".git"):
        assert str(ws / protected) in read_only
    # writable roots first, then `.claude` read-only, then its ordinary children writable
    assert args.index(str(ws / ".claude")) < args.index(str(ws / ".claude" / "tasks"))
    for flag in ("--unshare-net", "--unshare-pid", "--die-with-parent", "--new-session"):
        assert flag in args
    assert args[args.index("--chdir") + 1] == str(ws)


def test_network_option(ws: Path) -> None:
    assert "--unshare-net" not in Sandbox(ws, allow_network=True).wrap(["true"])


def test_symlinked_children_of_claude_stay_read_only(ws: Path, tmp_path: Path) -> None:
    (ws / ".claude" / "outside").symlink_to(tmp_path)
    assert str(ws / ".claude" / "outside") not in pairs(Sandbox(ws).wrap(["true"]), "--bind")


def test_unavailable_without_bwrap(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name, *args, **kwargs: None)
    sandbox = Sandbox(ws)
    assert not sandbox.available()
    reason = sandbox.unavailable_reason()
    assert reason is not None and "bubblewrap" in reason


# --- real sandboxing -------------------------------------------------------------------


async def sandboxed(ws: Path, command: str, allow_network: bool = False) -> str:
    context = ToolContext(jail=Jail.of(ws), sandbox=Sandbox(ws, allow_network=allow_network))
    result = await Bash().run({"command": command, "timeout": 30_000}, context)
    assert not result.is_error, result.content
    return result.content


@needs_bwrap
async def test_pwd_is_the_workspace(ws: Path) -> None:
    assert await sandboxed(ws, "pwd") == str(ws)


@needs_bwrap
async def test_workspace_is_writable(ws: Path) -> None:
    output = await sandboxed(
        ws, "echo hi > src/new.txt && mkdir -p build/x && echo note > .claude/tasks/t.md"
    )
    assert output == "(no output)"
    assert (ws / "src" / "new.txt").read_text() == "hi\n"
    assert (ws / "build" / "x").is_dir()
    assert (ws / ".claude" / "tasks" / "t.md").read_text() == "note\n"


@needs_bwrap
async def test_tmp_is_private_and_fresh(ws: Path) -> None:
    marker = Path("/tmp") / f"workbench-host-{uuid.uuid4().hex}"
    marker.write_text("host")
    try:
        inside = f"/tmp/workbench-inside-{uuid.uuid4().hex}"
        output = await sandboxed(
            ws, f"test -e {marker} && echo visible; touch {inside} && echo made"
        )
        assert output == "made"
        assert not Path(inside).exists()
    finally:
        marker.unlink()


@needs_bwrap
@pytest.mark.parametrize(
    "command",
    [
        "touch $HOME/workbench-x",
        "touch /etc/workbench-x",
        "touch .git/x",
        "touch .git/hooks/pre-commit",
        "touch .claude/agents/evil.md",
        "echo '{}' > .claude/settings.json",
        "mkdir .claude/hooks",
        "rm -rf .claude/agents",
        "mv .claude .claude-old",
    ],
)
async def test_writes_outside_or_to_protected_paths_fail(ws: Path, command: str) -> None:
    output = await sandboxed(ws, command)
    assert "Read-only file system" in output or "Device or resource busy" in output, output
    assert "[exit code" in output
    assert not Path(os.path.expanduser("~/workbench-x")).exists()
    assert (ws / ".claude" / "agents" / "helper.md").exists()
    assert (ws / ".claude" / "settings.json").read_text() == "{}"
    assert not (ws / ".claude" / "hooks").exists()


@needs_bwrap
async def test_missing_agents_folder_cannot_be_created(ws: Path) -> None:
    shutil.rmtree(ws / ".claude" / "agents")
    output = await sandboxed(ws, "mkdir -p .claude/agents && echo created")
    assert "Read-only file system" in output
    assert not (ws / ".claude" / "agents").exists()


@needs_bwrap
async def test_network_is_unreachable(ws: Path) -> None:
    output = await sandboxed(ws, "exec 3<>/dev/tcp/1.1.1.1/80")
    assert "Network is unreachable" in output


@needs_bwrap
async def test_allow_network_shares_the_host_network(ws: Path) -> None:
    host = os.readlink("/proc/self/ns/net")
    assert await sandboxed(ws, "readlink /proc/self/ns/net", allow_network=True) == host
    assert await sandboxed(ws, "readlink /proc/self/ns/net") != host


@needs_bwrap
async def test_timeout_ends_the_whole_sandbox(ws: Path) -> None:
    context = ToolContext(jail=Jail.of(ws), sandbox=Sandbox(ws))
    result = await Bash().run(
        {"command": "sleep 100 & sleep 100; echo never", "timeout": 500}, context
    )
    assert result.is_error
    assert "timed out after 500 ms" in result.content
