"""Time to the first useful frame: the workbench against a bare Textual app, in tmux.

Only a real terminal shows what a person waits for: imports, the roster, layout and the
first paint. The bare app pays Python's and Textual's start-up too, so the ratio is what the
workbench adds on top of the framework, whatever the machine's speed.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from benchmarks.runner import Benchmark, Result, Status, median

NAME = "first_frame"
GOAL = 1.5
TIMEOUT_S = 20.0
POLL_S = 0.01
EXIT_WAIT_S = 5.0
WARM_UP_LINGER_S = 1.5
"""How long the warm-up launch runs past its first frame: long enough to finish starting
up and keep what it caches for later launches, as a person's first launch does."""
WIDTH, HEIGHT = 160, 48
PRODUCT_MARKER = "api-architect"
"""A bundled agent's name: seen only once the roster is loaded and its rows are drawn."""
BARE_MARKER = "bare-app-ready"
REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Launch:
    """A command for a pane, and the text whose appearance counts as the first frame."""

    label: str
    command: str
    marker: str


@dataclass(frozen=True)
class Frame:
    """One launch's outcome: seconds to the marker, or why there is none."""

    seconds: float | None
    problem: str = ""


@dataclass(frozen=True)
class Pane:
    """What one poll sees: the visible text, whether the app has exited, and its pid."""

    screen: str
    dead: bool
    pid: int | None


class Tmux:
    """A private tmux server, so the user's own server, config and sessions stay out of it.

    Its socket lives at `socket`, inside a folder the caller removes. An idle session keeps
    the server alive between rounds, so no round pays for starting the server;
    `remain-on-exit` keeps a crashed app's last words readable for the notes.
    """

    def __init__(self, socket: Path) -> None:
        self.socket = socket

    def __enter__(self) -> Tmux:
        self.run("new-session", "-d", "-s", "keepalive")
        self.run("set-option", "-g", "remain-on-exit", "on")
        # Commands are quoted for a POSIX shell, whatever the user's login shell is.
        self.run("set-option", "-g", "default-shell", "/bin/sh")
        return self

    def __exit__(self, *_: object) -> None:
        subprocess.run(self._argv("kill-server"), capture_output=True, check=False)

    def run(self, *args: str) -> str:
        done = subprocess.run(self._argv(*args), capture_output=True, text=True, check=True)
        return done.stdout

    def pane(self, session: str) -> Pane:
        """The screen and process state in one tmux call, to keep polling cheap."""
        out = self.run(
            "capture-pane", "-p", "-t", session, ";",
            "display-message", "-p", "-t", session, "#{pane_dead} #{pane_pid}",
        )  # fmt: skip
        screen, _, state = out.rstrip("\n").rpartition("\n")
        dead, _, pid = state.partition(" ")
        return Pane(screen, dead == "1", int(pid) if pid.isdigit() else None)

    def _argv(self, *args: str) -> list[str]:
        return ["tmux", "-S", str(self.socket), "-f", os.devnull, *args]


def run(quick: bool) -> list[Result]:
    if shutil.which("tmux") is None:
        return [Result(NAME, GOAL, Status.SKIPPED, notes="tmux not found on PATH")]
    rounds = 3 if quick else 10
    with (
        tempfile.TemporaryDirectory(prefix="workbench-bench-") as scratch,
        Tmux(Path(scratch) / "tmux.sock") as tmux,
    ):
        claude_home = Path(scratch) / "claude"
        claude_home.mkdir()
        product, bare = _launches(claude_home, Path(scratch))
        # The warm-up also writes both apps' bytecode, which every later launch reads.
        for launch in (product, bare):
            _time(tmux, launch, linger_s=WARM_UP_LINGER_S)
        frames: list[tuple[Frame, Frame]] = []
        for index in range(rounds):
            # Alternate who goes first, so neither side always starts right after the other.
            order = (product, bare) if index % 2 == 0 else (bare, product)
            frame = {launch: _time(tmux, launch) for launch in order}
            frames.append((frame[product], frame[bare]))
    return [_result(frames)]


def _launches(home: Path, scratch: Path) -> tuple[Launch, Launch]:
    """Both apps start as on a person's second launch: with compiled bytecode at hand, and
    the workbench with the parsed CSS its first launch kept in a private cache folder.

    Python writes bytecode beside the sources unless PYTHONDONTWRITEBYTECODE says not to,
    as some sandboxes and CI images do; then every launch would compile the workbench from
    source while the bare app reads Textual's bytecode written by pip, which no installed
    workbench pays. A private bytecode folder for both keeps the tree untouched.
    """
    python = sys.executable
    workspace = REPO / "examples" / "sample-workspace"
    env = ["env", "-u", "PYTHONDONTWRITEBYTECODE", f"PYTHONPYCACHEPREFIX={scratch / 'bytecode'}"]
    # An empty Claude folder and a config file that does not exist keep the person's own
    # agents and settings out of the measurement.
    product = [
        *env,
        f"CLAUDE_CONFIG_DIR={home}",
        f"WORKBENCH_CONFIG={home / 'config.toml'}",
        f"WORKBENCH_CACHE_DIR={scratch / 'cache'}",
        python, "-m", "workbench", str(workspace),
    ]  # fmt: skip
    bare = [*env, python, str(Path(__file__).with_name("bare_app.py")), BARE_MARKER]
    # `exec` makes the app the pane's own process, so its exit can be awaited by pid.
    return (
        Launch("workbench", f"exec {shlex.join(product)}", PRODUCT_MARKER),
        Launch("bare app", f"exec {shlex.join(bare)}", BARE_MARKER),
    )


def _time(tmux: Tmux, launch: Launch, linger_s: float = 0.0) -> Frame:
    """Launch in a fresh session, poll until the marker shows, and always end the app
    (`linger_s` after the marker)."""
    session = f"round-{uuid.uuid4().hex[:8]}"
    started = time.perf_counter()
    size = ("-x", str(WIDTH), "-y", str(HEIGHT))
    tmux.run("new-session", "-d", "-s", session, *size, "-c", str(REPO), launch.command)
    pid: int | None = None
    try:
        while True:
            pane = tmux.pane(session)
            pid = pane.pid
            if launch.marker in pane.screen:
                frame = Frame(time.perf_counter() - started)
                time.sleep(linger_s)
                return frame
            if pane.dead:
                return Frame(None, f"{launch.label} exited early: {_last_words(pane.screen)!r}")
            if time.perf_counter() - started > TIMEOUT_S:
                return Frame(None, f"{launch.label}: no {launch.marker!r} within {TIMEOUT_S:.0f} s")
            time.sleep(POLL_S)
    finally:
        tmux.run("kill-session", "-t", session)
        _await_exit(pid)


def _last_words(screen: str) -> str:
    """The app's last line of output, past the notice tmux adds under a dead pane."""
    lines = [line for line in screen.splitlines() if line.strip()]
    if lines and lines[-1].startswith("Pane is dead"):
        lines.pop()
    return lines[-1].strip() if lines else ""


def _await_exit(pid: int | None) -> None:
    """Wait for the app to be gone, so it cannot compete with the next round for CPU."""
    if pid is None:
        return
    deadline = time.perf_counter() + EXIT_WAIT_S
    while time.perf_counter() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(POLL_S)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return


def _result(frames: list[tuple[Frame, Frame]]) -> Result:
    product = [p.seconds for p, _ in frames if p.seconds is not None]
    baseline = [b.seconds for _, b in frames if b.seconds is not None]
    ratios = [p.seconds / b.seconds for p, b in frames if p.seconds and b.seconds]
    problems = sorted({f.problem for pair in frames for f in pair if f.problem})
    notes = [f"{len(ratios)}/{len(frames)} rounds; ratio = median of per-round ratios"]
    notes.extend(problems)
    return Result(
        NAME,
        GOAL,
        Status.MEASURED if ratios else Status.FAILED,
        product_s=median(product),
        baseline_s=median(baseline),
        ratio=median(ratios),
        product_samples=tuple(product),
        baseline_samples=tuple(baseline),
        notes="; ".join(notes),
    )


BENCHMARK = Benchmark(NAME, GOAL, run)
