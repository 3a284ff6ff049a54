"""A run streamed into the running app, against the engine alone consuming the same stream.

Both sides talk to the loopback Messages API server in `tests/support/fake_api.py`, in the
same process and event loop, on a private copy of the sample workspace:

- `chat_app[reply]`: one text turn, a generated ~100 KB Markdown reply in 20,000 deltas,
  timed from `ChatView.send` until the run has ended and the chat has drawn the reply in its
  final form, against a `Conversation` and its `Run` (no UI) reading the same bytes.
- `chat_app[tools]`: 200 turns of 10 `Read` calls each (2,000 tool blocks), then a short
  reply, into the app against the engine alone on the same script (quick: 12 turns, so
  that the quick run stays near 20 s on 2 cores).

A ticker task records the longest the event loop went without running on either side (the
worst stall, in the notes).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from benchmarks.pairs import compared, interleave_async
from benchmarks.runner import Benchmark, Result, Status

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from textual.app import App
    from textual.containers import VerticalScroll
    from textual.pilot import Pilot

    from workbench.engine.conversation import RunConfig
    from workbench.ui.app import WorkbenchApp
    from workbench.ui.widgets.chat import ChatView

NAME = "chat_app"
GOAL = 3.0
STALL_GOAL_S = 0.1
SIZE = (160, 48)
"""The terminal, as the UI tests use it: wide enough for the roster, chat and files."""
AGENT = "indexer-planner"
"""A bundled sample agent without web tools (nothing asks before the first turn); Read
never asks."""
TASK = "Go."
TICK_S = 0.001
TIMEOUT_S = 600.0
"""A side that has not finished by then is stuck; the benchmark crashes rather than hangs."""
REPO = Path(__file__).resolve().parent.parent
SAMPLE_WORKSPACE = REPO / "examples" / "sample-workspace"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
"""The SDK mounts proxies from these even for 127.0.0.1; unset while the benchmark runs."""
_CLEARED = (
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_CUSTOM_HEADERS",
    "ANTHROPIC_PROFILE",
    "WORKBENCH_MODEL",
    "WORKBENCH_THEME",
    "TEXTUAL_THEME",
    *PROXY_VARIABLES,
    *(name.lower() for name in PROXY_VARIABLES),
)


class Flow(Protocol):
    """What the benchmarks use of `MarkdownFlow`, found by its CSS type name: no import, so
    the widget can move between modules without breaking them."""

    @property
    def source(self) -> str: ...

    @property
    def finished(self) -> bool: ...

    def finish(self) -> Awaitable[None]: ...


def flows(chat: ChatView) -> list[Flow]:
    """The chat's Markdown blocks (assistant replies), in order."""
    return cast("list[Flow]", list(chat.query("MarkdownFlow")))


def is_flow(widget: object) -> bool:
    return any(kind.__name__ == "MarkdownFlow" for kind in type(widget).__mro__)


# Set-up shared with `chat_history`.


@contextlib.contextmanager
def isolated(base_url: str, home: Path) -> Iterator[None]:
    """The environment the UI tests give the app: the loopback server and a test key, an
    empty Claude and workbench config under `home`, no proxies; restored afterwards."""
    saved = {name: os.environ.get(name) for name in (*_CLEARED, *_SET_NAMES)}
    for name in _CLEARED:
        os.environ.pop(name, None)
    os.environ.update(
        {
            "ANTHROPIC_BASE_URL": base_url,
            "ANTHROPIC_API_KEY": "test-key",
            "CLAUDE_CONFIG_DIR": str(home / "claude"),
            "WORKBENCH_CONFIG": str(home / "workbench.toml"),
            "ANTHROPIC_CONFIG_DIR": str(home / "anthropic"),
        }
    )
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


_SET_NAMES = (
    "ANTHROPIC_BASE_URL",
    "ANTHROPIC_API_KEY",
    "CLAUDE_CONFIG_DIR",
    "WORKBENCH_CONFIG",
    "ANTHROPIC_CONFIG_DIR",
)


def copy_workspace(folder: Path) -> Path:
    """A private copy of the sample workspace, without its recorded runs."""
    workspace = folder / "sample-workspace"
    shutil.copytree(SAMPLE_WORKSPACE, workspace, ignore=shutil.ignore_patterns(".workbench"))
    return workspace


def make_app(workspace: Path) -> WorkbenchApp:
    from workbench.agentfile.discover import sources
    from workbench.ui.app import WorkbenchApp, WorkbenchOptions

    found = tuple(sources(workspace))
    return WorkbenchApp(WorkbenchOptions(workspace=workspace, sources=found, agent=AGENT))


def engine_config(workspace: Path) -> RunConfig:
    """The `RunConfig` the app's chat builds for AGENT: same roster, models and mode."""
    from workbench.agentfile.discover import sources
    from workbench.agentfile.roster import load_roster
    from workbench.config.settings import Settings
    from workbench.engine.conversation import RunConfig

    models = Settings().models()
    roster = load_roster(sources(workspace), models)
    spec = roster.get(AGENT)
    if spec is None:
        raise RuntimeError(f"no agent {AGENT!r} in the sample workspace's roster")
    return RunConfig(spec=spec, workspace=workspace, roster=roster, models=models)


async def open_chat(pilot: Pilot[int]) -> ChatView:
    """Wait until the app has loaded the roster and opened the chat with AGENT."""
    from workbench.ui.screens.main import MainScreen

    app = pilot.app
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        screen = app.screen
        chat = screen.active_chat if isinstance(screen, MainScreen) else None
        if chat is not None and chat.is_mounted:
            await pilot.pause()
            return chat
        await asyncio.sleep(0.01)
    raise RuntimeError(f"the app never opened a chat with {AGENT}")


@contextlib.asynccontextmanager
async def running(app: App[Any]) -> AsyncIterator[Pilot[Any]]:
    """`app.run_test(size=SIZE)` with a default executor of its own, shut down after it.

    A worker thread started while the app runs keeps `sys.stderr` as it was then (the app's
    print capture, so the whole app) for as long as it lives: with the loop's one executor,
    every app of the benchmark would stay in memory and slow the garbage collector in later
    rounds. A process with one app, as a person runs it, does not have them.
    """
    from concurrent.futures import ThreadPoolExecutor

    loop = asyncio.get_running_loop()
    executor = ThreadPoolExecutor(thread_name_prefix="bench-app")
    loop.set_default_executor(executor)
    try:
        async with app.run_test(size=SIZE) as pilot:
            yield pilot
    finally:
        executor.shutdown(wait=True)
        loop.set_default_executor(ThreadPoolExecutor(thread_name_prefix="bench"))


def chat_scroll(chat: ChatView) -> VerticalScroll:
    from textual.containers import VerticalScroll

    return chat.query_one(".chat-scroll", VerticalScroll)


class Ticker:
    """Wakes every millisecond, keeping the longest gap between wake-ups (the worst stall),
    and checks the conditions someone waits for."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._waiting: list[tuple[Callable[[], bool], float, str, asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Ticker:
        self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def until(self, condition: Callable[[], bool], what: str) -> None:
        """Return at the first tick at which `condition()` holds.

        The time limit is checked by the ticks rather than `asyncio.wait_for`, whose timer
        handle (cancelled, but kept by the loop until it is due) would hold the app's context.
        """
        if condition():
            return
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((condition, time.perf_counter() + TIMEOUT_S, what, future))
        await future

    async def _run(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(TICK_S)
            now = time.perf_counter()
            self.worst = max(self.worst, now - last)
            last = now
            if self._waiting:
                self._waiting = [waiting for waiting in self._waiting if not self._done(*waiting)]

    @staticmethod
    def _done(
        condition: Callable[[], bool], deadline: float, what: str, future: asyncio.Future[None]
    ) -> bool:
        if future.done():
            return True
        if condition():
            future.set_result(None)
        elif time.perf_counter() > deadline:
            future.set_exception(RuntimeError(f"waited {TIMEOUT_S:.0f} s for {what}"))
        else:
            return False
        return True


class Server:
    """The loopback Messages API server (`tests/support/fake_api.py`) in a child process.

    In this process its event loop would be the app's: a 2.5 MB response is split and written
    in one go, a stall of ~200 ms that is the server's, not the app's. In its own process it
    is what a real API is, and neither side pays for its work. Bodies are given as SSE bytes;
    commands go over a pipe and are answered before the next one.
    """

    def __init__(self) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), daemon=True)
        self.base_url = ""

    def __enter__(self) -> Server:
        self._process.start()
        self.base_url = str(self._ask("start"))
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError, EOFError):
            self._pipe.send(("stop",))
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._pipe.close()

    def script(self, bodies: Sequence[bytes]) -> None:
        """Queue one response per body, each consumed by the next POST /v1/messages."""
        self._ask("script", list(bodies))

    def served(self) -> int:
        """Message requests answered since the last call (the record is then dropped)."""
        count = self._ask("served")
        assert isinstance(count, int)
        return count

    def verify(self) -> None:
        """Raise when a request went unanswered or a scripted response was never asked for."""
        self._ask("verify")

    def _ask(self, *command: object) -> object:
        self._pipe.send(command)
        if not self._pipe.poll(60):
            raise RuntimeError(f"the API server process did not answer {command[0]!r}")
        ok, value = self._pipe.recv()
        if not ok:
            raise RuntimeError(f"the API server process: {value}")
        return value


def _serve(pipe: Connection) -> None:
    asyncio.run(_serve_async(pipe))


async def _serve_async(pipe: Connection) -> None:
    from tests.support.fake_api import FakeAnthropic, raw_sse

    loop = asyncio.get_running_loop()
    async with FakeAnthropic() as server:
        while True:
            command = await loop.run_in_executor(None, pipe.recv)
            kind = command[0]
            if kind == "stop":
                return
            try:
                if kind == "start":
                    answer: object = server.base_url
                elif kind == "script":
                    server.script(*(raw_sse(body) for body in command[1]))
                    answer = None
                elif kind == "served":
                    answer = len(server.message_requests)
                    server.requests.clear()
                else:
                    server.verify()
                    answer = None
            except Exception as error:
                pipe.send((False, f"{type(error).__name__}: {error}"))
            else:
                pipe.send((True, answer))


# The two measurements.


@dataclass
class Script:
    """What the server plays for one run, and what the run must end with."""

    label: str
    bodies: list[bytes]
    final_text: str
    tool_calls: int
    describe: str


@dataclass
class _Seen:
    stalls: dict[str, list[float]] = field(default_factory=lambda: {"app": [], "engine": []})
    blocks: int = 0
    replies: int = 0
    requests: int = 0


def run(quick: bool) -> list[Result]:
    try:
        import tests.support.fake_api  # noqa: F401 - needs the test dependencies too
    except ImportError as error:
        notes = f"tests/support/fake_api.py cannot be imported: {error}"
        return [Result(NAME, GOAL, Status.SKIPPED, notes=notes)]
    rounds = 1 if quick else 3
    results = []
    with Server() as server:
        for make in (_reply_script, _tools_script):
            with tempfile.TemporaryDirectory(prefix="workbench-bench-") as folder:
                results.append(asyncio.run(_measure(server, Path(folder), make, quick, rounds)))
    return results


def _reply_script(workspace: Path, model: str, quick: bool) -> Script:
    from benchmarks.chat_stream import deltas, reply
    from tests.support.fake_api import Block, turn

    size, count = (25_000, 5_000) if quick else (100_000, 20_000)
    text = reply(size)
    pieces = [{"type": "text_delta", "text": piece} for piece in deltas(text, count)]
    block = Block({"type": "text", "text": ""}, pieces, {"type": "text", "text": text})
    describe = f"{len(text) / 1000:.0f} KB reply in {len(pieces):,} deltas"
    return Script("reply", [turn(block).sse(model)], text, 0, describe)


def _tools_script(workspace: Path, model: str, quick: bool) -> Script:
    from tests.support.fake_api import text_turn, tool_turn

    turns, per_turn = (12, 10) if quick else (200, 10)
    paths = _small_files(workspace, turns * per_turn)
    bodies = []
    for number in range(turns):
        calls = paths[number * per_turn : (number + 1) * per_turn]
        bodies.append(tool_turn(*(("Read", {"file_path": path}) for path in calls)).sse(model))
    final = f"Read {len(paths):,} files; nothing stands out."
    bodies.append(text_turn(final).sse(model))
    describe = f"{turns} turns x {per_turn} Read calls of distinct 4-line files"
    return Script("tools", bodies, final, len(paths), describe)


def _small_files(workspace: Path, count: int) -> list[str]:
    """`count` distinct small files in the workspace, as paths relative to it."""
    paths = []
    for number in range(count):
        path = f"notes/part-{number // 100:02}/note-{number:04}.md"
        target = workspace / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            f"# Note {number}\n\nThe transfer indexer keeps batch {number} and its checkpoint "
            "in one transaction.\nAmounts stay decimal strings.\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


async def _measure(
    server: Server,
    folder: Path,
    make: Callable[[Path, str, bool], Script],
    quick: bool,
    rounds: int,
) -> Result:
    from workbench.engine.prompt import choose_model

    workspace = copy_workspace(folder)
    seen = _Seen()
    with isolated(server.base_url, folder / "home"):
        config = engine_config(workspace)
        script = make(workspace, choose_model(config.spec, config.models, None).id, quick)

        async def product() -> float:
            return await _in_app(server, workspace, script, seen)

        async def baseline() -> float:
            return await _in_engine(server, config, script, seen)

        product_times, baseline_times = await interleave_async(product, baseline, rounds)
    server.verify()
    app_stall = max(seen.stalls["app"][1:]) * 1000
    engine_stall = max(seen.stalls["engine"][1:]) * 1000
    verdict = "met" if app_stall < STALL_GOAL_S * 1000 else "missed"
    shown = f"{seen.blocks:,} tool blocks, " if script.tool_calls else ""
    notes = (
        f"{rounds} rounds; {script.describe}; {seen.requests} requests per run; {shown}"
        f"{seen.replies} reply shown; worst event-loop stall {app_stall:.0f} ms in the app (goal "
        f"< {STALL_GOAL_S * 1000:.0f} ms: {verdict}), {engine_stall:.0f} ms in the engine alone"
    )
    return compared(f"{NAME}[{script.label}]", GOAL, product_times, baseline_times, notes)


async def _in_app(server: Server, workspace: Path, script: Script, seen: _Seen) -> float:
    from workbench.ui.widgets.tool_block import ToolBlock

    app = make_app(workspace)
    async with running(app) as pilot:
        chat = await open_chat(pilot)
        server.script(script.bodies)
        async with Ticker() as ticker:
            started = time.perf_counter()
            chat.send(TASK)
            await ticker.until(lambda: not chat.working, "the run to end in the app")
            replies = flows(chat)
            for flow in replies:
                await flow.finish()
            await app.screen.wait_for_refresh()
            elapsed = time.perf_counter() - started
        seen.stalls["app"].append(ticker.worst)
        if chat.conversation is not None:
            await (await chat.conversation.connect()).close()
        if "".join(flow.source for flow in replies) != script.final_text:
            raise RuntimeError("the chat's reply is not the streamed text")
        blocks = list(chat.query(ToolBlock))
        done = [block for block in blocks if block.finished and not block.finished.is_error]
        if len(blocks) != script.tool_calls or len(done) != len(blocks):
            raise RuntimeError(
                f"{len(blocks)} tool blocks ({len(done)} succeeded) for {script.tool_calls} calls"
            )
        seen.blocks, seen.replies = len(blocks), len(replies)
    seen.requests = server.served()
    return elapsed


async def _in_engine(server: Server, config: RunConfig, script: Script, seen: _Seen) -> float:
    from workbench.engine.conversation import Conversation
    from workbench.engine.events import Outcome, RunFinished, ToolCallFinished

    server.script(script.bodies)
    finished = 0
    async with Ticker() as ticker:
        started = time.perf_counter()
        conversation = Conversation(config)
        run = conversation.send(TASK)
        async for batch in run.batches():
            finished += sum(1 for event in batch if isinstance(event, ToolCallFinished))
        conversation.close()
        elapsed = time.perf_counter() - started
    seen.stalls["engine"].append(ticker.worst)
    await (await conversation.connect()).close()
    server.served()
    result = run.result
    if not isinstance(result, RunFinished) or result.outcome is not Outcome.SUCCESS:
        raise RuntimeError(f"the engine's run did not succeed: {result}")
    if result.final_text != script.final_text:
        raise RuntimeError("the engine's final text is not the streamed text")
    if finished != script.tool_calls:
        raise RuntimeError(f"the engine finished {finished} of {script.tool_calls} tool calls")
    return elapsed


BENCHMARK = Benchmark(NAME, GOAL, run)
