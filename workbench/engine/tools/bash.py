"""Bash: one command line in a fresh shell, in the workspace, sandboxed when possible.

Each call is `bash -c <command>` in its own process group (its own session), with stdin
from /dev/null and stdout and stderr merged in the order they were written. The
environment is the workbench's minus anything that looks like a secret. Output is kept
as a head and a tail of OUTPUT_CHARS together, never whole, so a command that prints
forever costs bounded memory; it is stopped once it has printed FLOOD_CHARS.

Stopping a command (timeout, flood, cancellation) signals its whole process group, so the
children it started stop with it; inside the sandbox the process namespace ends with it.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import re
import shutil
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from workbench.engine.tools.base import Tool, ToolContext, ToolError, ToolKind, ToolResult

DEFAULT_TIMEOUT_MS = 120_000
MAX_TIMEOUT_MS = 600_000
OUTPUT_CHARS = 30_000
"""Characters of output the model receives at most: the first and the last half."""
FLOOD_CHARS = 10_000_000
"""Output after which a command is stopped: far past anything the model would see."""
KILL_GRACE_S = 1.0
"""Seconds between SIGTERM and SIGKILL."""
DRAIN_S = 0.5
"""Seconds to wait for output after the shell exits, before stopping what it left behind."""
POLL_S = 0.05
"""How often a running command's exit is checked."""

_CHUNK = 1 << 16
_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL", re.IGNORECASE)
_ALWAYS_REMOVED = frozenset({"ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "OLDPWD"})


def child_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment commands run with: `base` (default: ours) minus secret-looking names."""
    source = dict(os.environ if base is None else base)
    return {
        name: value
        for name, value in source.items()
        if name not in _ALWAYS_REMOVED and not _SECRET_NAME.search(name)
    }


@dataclass
class _Capture:
    """A command's output as head + tail, never more than about 3 × OUTPUT_CHARS held."""

    limit: int = OUTPUT_CHARS
    total: int = 0
    text: str = ""
    head: str = ""
    tail: str = ""
    overflow: bool = False
    decoder: codecs.IncrementalDecoder = field(
        default_factory=lambda: codecs.getincrementaldecoder("utf-8")(errors="replace")
    )

    def feed(self, data: bytes, final: bool = False) -> None:
        chunk = self.decoder.decode(data, final)
        self.total += len(chunk)
        if not self.overflow:
            self.text += chunk
            if len(self.text) > self.limit:
                self.overflow = True
                self.head = self.text[: self.limit // 2]
                self.tail = self.text[self.limit // 2 :][-self.limit :]
                self.text = ""
            return
        self.tail += chunk
        if len(self.tail) > 2 * self.limit:
            self.tail = self.tail[-self.limit :]

    def render(self) -> str:
        if not self.overflow:
            return self.text
        keep = self.limit - self.limit // 2
        cut = self.total - len(self.head) - keep
        return (
            f"{self.head}\n\n[… {cut:,} characters of output cut; the first "
            f"{len(self.head):,} and the last {keep:,} are shown …]\n\n{self.tail[-keep:]}"
        )


class Bash(Tool):
    name: ClassVar[str] = "Bash"
    kind: ClassVar[ToolKind] = ToolKind.SHELL
    description: ClassVar[str] = (
        "Run a bash command line in the workspace folder and return what it printed "
        "(stdout and stderr together, in order) and, when it is not 0, its exit code. "
        "Every call starts a fresh shell: `cd`, exported variables and shell functions do "
        "not carry over to the next call, so chain steps with `&&` in one call or use "
        "absolute paths. Nothing can be typed into the command (stdin is empty), so use "
        "non-interactive flags. Commands stop after `timeout` milliseconds "
        f"(default {DEFAULT_TIMEOUT_MS:,}, at most {MAX_TIMEOUT_MS:,}) along with every "
        f"process they started. Output beyond {OUTPUT_CHARS:,} characters is cut in the "
        "middle (the start and the end are kept), so filter long output with grep, head "
        "or tail. Commands may run in a sandbox where only the workspace is writable, /tmp "
        "is private and empty and there is no network: a 'Read-only file system' or "
        "'Network is unreachable' error outside the workspace means exactly that. Prefer "
        "Read, Grep, Glob and Edit for files; use Bash to run programs, tests and git."
    )
    input_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "command": {"type": "string", "description": "The command line to run."},
            "timeout": {
                "type": "number",
                "description": (
                    f"Milliseconds before the command is stopped; default {DEFAULT_TIMEOUT_MS}, "
                    f"larger values are lowered to {MAX_TIMEOUT_MS}."
                ),
            },
            "description": {
                "type": "string",
                "description": "What the command does, in 5-10 words, for the person watching.",
            },
        },
        "required": ["command"],
    }

    async def run(self, tool_input: dict[str, Any], context: ToolContext) -> ToolResult:
        command = str(tool_input["command"])
        if not command.strip():
            raise ToolError("command is empty; give the command line to run")
        timeout_ms = _timeout_ms(tool_input.get("timeout"))
        argv = [shutil.which("bash") or "/bin/bash", "-c", command]
        sandbox = context.sandbox
        if sandbox is not None and await asyncio.to_thread(sandbox.available):
            argv = sandbox.wrap(argv)
        return await run_command(argv, context.workspace, timeout_ms)


def _timeout_ms(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return DEFAULT_TIMEOUT_MS
    return int(min(value, MAX_TIMEOUT_MS))


async def run_command(argv: list[str], cwd: Path, timeout_ms: int) -> ToolResult:
    """Run `argv` as Bash runs commands and describe the outcome for the model."""
    environment = child_environment()
    environment["PWD"] = str(cwd)
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            cwd=cwd,
            env=environment,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as error:
        return ToolResult(f"The command could not be started: {error}", is_error=True)
    assert process.stdout is not None
    capture = _Capture()
    flooded = asyncio.Event()
    pump = asyncio.create_task(_pump(process.stdout, capture, flooded))
    notes: list[str] = []
    try:
        try:
            async with asyncio.timeout(timeout_ms / 1000):
                await _wait(process, pump, flooded, notes)
        except TimeoutError:
            await _stop(process)
            await _finish(pump)
            output = _with_notes(capture.render(), notes)
            return ToolResult(
                f"{output}\n[timed out after {timeout_ms:,} ms; the command and every process "
                "it started were stopped]",
                is_error=True,
            )
    except BaseException:
        _signal_group(process, signal.SIGKILL)
        pump.cancel()
        raise
    await _finish(pump)
    return ToolResult(_with_notes(capture.render(), notes, process.returncode))


async def _wait(
    process: asyncio.subprocess.Process,
    pump: asyncio.Task[None],
    flooded: asyncio.Event,
    notes: list[str],
) -> None:
    flood = asyncio.ensure_future(flooded.wait())
    try:
        # `process.wait()` would also wait for the pipe to close, which a background child
        # can hold open for ever, so the exit is watched through `returncode`.
        while not pump.done() and process.returncode is None and not flooded.is_set():
            await asyncio.wait({pump, flood}, timeout=POLL_S)
        if flooded.is_set():
            notes.append(f"[output passed {FLOOD_CHARS:,} characters; the command was stopped]")
            await _stop(process)
            return
        if not pump.done():
            done, _ = await asyncio.wait({pump}, timeout=DRAIN_S)
            if not done:
                notes.append("[processes the command left running in the background were stopped]")
                _signal_group(process, signal.SIGKILL)
        if process.returncode is None:
            await process.wait()
    finally:
        flood.cancel()
        await asyncio.gather(flood, return_exceptions=True)


async def _pump(stream: asyncio.StreamReader, capture: _Capture, flooded: asyncio.Event) -> None:
    """Read to the end, whatever the amount: stopping early would leave the writer blocked."""
    while data := await stream.read(_CHUNK):
        capture.feed(data)
        if capture.total > FLOOD_CHARS:
            flooded.set()
    capture.feed(b"", final=True)


async def _finish(pump: asyncio.Task[None]) -> None:
    """Let the reader take what is left, but not wait on a pipe something else holds open."""
    done, _ = await asyncio.wait({pump}, timeout=KILL_GRACE_S)
    if not done:
        pump.cancel()
    with contextlib.suppress(asyncio.CancelledError, OSError):
        await pump


async def _stop(process: asyncio.subprocess.Process) -> None:
    """SIGTERM to the process group, then SIGKILL if it has not ended within a second."""
    _signal_group(process, signal.SIGTERM)
    await _exited(process, KILL_GRACE_S)
    # Children may ignore SIGTERM even when the shell did not.
    _signal_group(process, signal.SIGKILL)
    await _exited(process, KILL_GRACE_S)


async def _exited(process: asyncio.subprocess.Process, seconds: float) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while process.returncode is None and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(POLL_S / 5)


def _signal_group(process: asyncio.subprocess.Process, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def _with_notes(output: str, notes: list[str], returncode: int | None = None) -> str:
    lines = [output.rstrip("\n")] if output.strip() else ["(no output)"]
    lines += notes
    if returncode is not None and returncode != 0:
        if returncode < 0:
            try:
                name = signal.Signals(-returncode).name
            except ValueError:
                name = str(-returncode)
            lines.append(f"[stopped by signal {name}]")
        else:
            lines.append(f"[exit code {returncode}]")
    return "\n".join(lines)
