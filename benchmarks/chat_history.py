"""A long conversation in the chat: scrolling to its top, and one more message at its bottom.

A conversation of 5,000 messages (the person's messages, replies and tool calls) is recorded
by the engine against the loopback API server, then loaded into the running app with
`ChatView.resume`, as a person resumes an earlier run. Two operations are then timed until
the frame that shows their result has been drawn:

- `chat_history[scroll_home]`: `scroll_home` on the chat's scrolling container, from the
  bottom to the first message.
- `chat_history[append]`: one more reply posted to the chat (`ChatView.Batch`) while the view
  is at the bottom, until it is on screen.

Baseline: the same operations in a bare app whose anchored `VerticalScroll` holds as many
one-line `Static` widgets as the chat has messages. The goal is absolute (50 ms each).
"""

from __future__ import annotations

import asyncio
import gc
import os
import random
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from benchmarks.chat_app import (
    Flow,
    Server,
    Ticker,
    chat_scroll,
    copy_workspace,
    engine_config,
    flows,
    is_flow,
    isolated,
    make_app,
    open_chat,
    running,
)
from benchmarks.pairs import compared
from benchmarks.runner import Benchmark, Result, Status

if TYPE_CHECKING:
    from textual.app import App
    from textual.containers import VerticalScroll
    from textual.pilot import Pilot
    from textual.widget import Widget

    from workbench.engine.conversation import RunConfig

NAME = "chat_history"
GOAL_S = 0.05
"""Each operation should show its result within 50 ms, whatever the baseline takes."""
SIZE = (160, 48)
BLINK_S = 0.5
"""The prompt's cursor blink interval (Textual's TextArea)."""
_PHASES = random.Random(0)
READS_PER_RUN = 7
MESSAGES_PER_RUN = 3 + READS_PER_RUN
"""The person's message, the text before the tool calls, the calls, and the reply."""
SAMPLE_FILES = (
    "CLAUDE.md",
    "README.md",
    "docs/tasks/context.md",
    "pyproject.toml",
    "src/transfer_indexer/api.py",
    "src/transfer_indexer/chain.py",
    "src/transfer_indexer/config.py",
    "src/transfer_indexer/ingest.py",
    "src/transfer_indexer/models.py",
    "src/transfer_indexer/store.py",
    "standards/backend/api.md",
    "standards/global/naming.md",
    "standards/security/secrets.md",
    "tests/test_ingest.py",
    "tests/test_store.py",
)
"""Files of the sample workspace the recorded runs read, in turn."""
APPENDED = (
    "Done. The plan is in `.claude/docs/cursor-plan.md`.\n\n"
    "- **Goal:** cursor pagination for `/transfers`.\n"
    "- **Risk:** the checkpoint and its batch must stay in one transaction.\n"
    "- **Open question:** keep the offset parameter for one release?\n"
)
"""The reply appended in `append`: a short one, as a turn's last words often are."""


def run(quick: bool) -> list[Result]:
    try:
        import tests.support.fake_api  # noqa: F401 - needs the test dependencies too
    except ImportError as error:
        notes = f"tests/support/fake_api.py cannot be imported: {error}"
        return [Result(NAME, 1.0, Status.SKIPPED, notes=notes)]
    messages, rounds = (300, 2) if quick else (5_000, 7)
    with Server() as server, tempfile.TemporaryDirectory(prefix="workbench-bench-") as folder:
        return asyncio.run(_measure(server, Path(folder), messages, rounds))


@dataclass
class _Side:
    """One side's timings and what it cost to load."""

    load_s: float = 0.0
    rss_mb: float | None = None
    widgets: int = 0
    lines: int = 0
    times: dict[str, list[float]] = field(default_factory=lambda: {"scroll_home": [], "append": []})


async def _measure(server: Server, folder: Path, messages: int, rounds: int) -> list[Result]:
    workspace = copy_workspace(folder)
    with isolated(server.base_url, folder / "home"):
        config = engine_config(workspace)
        started = time.perf_counter()
        session = await _record(server, config, messages // MESSAGES_PER_RUN)
        recorded_s = time.perf_counter() - started
        product = await _in_app(workspace, session, messages, rounds)
    baseline = await _in_bare_app(messages, rounds)
    results = []
    for operation in ("scroll_home", "append"):
        result = compared(
            f"{NAME}[{operation}]",
            1.0,
            product.times[operation],
            baseline.times[operation],
            "",
        )
        goal = GOAL_S / result.baseline_s if result.baseline_s else 1.0
        met = result.product_s is not None and result.product_s <= GOAL_S
        notes = (
            f"{rounds} rounds; goal {GOAL_S * 1000:.0f} ms, i.e. ratio {goal:.2f} at this "
            f"baseline ({'met' if met else 'missed'}); {messages:,} messages: "
            f"{product.widgets:,} widgets and {product.lines:,} lines in the chat vs "
            f"{baseline.widgets:,} one-line Statics; loading took {product.load_s:.1f} s vs "
            f"{baseline.load_s:.1f} s (recording {recorded_s:.1f} s); "
            f"RSS growth {_mb(product.rss_mb)} vs {_mb(baseline.rss_mb)}"
        )
        results.append(
            Result(
                result.name,
                goal,
                result.status,
                result.product_s,
                result.baseline_s,
                result.ratio,
                result.product_samples,
                result.baseline_samples,
                notes=notes,
            )
        )
    return results


def _mb(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.0f} MB"


async def _record(server: Server, config: RunConfig, runs: int) -> str:
    """A conversation of `runs` runs, recorded by the engine; returns its session id.

    Each run: a message, a turn with a few words of text and READS_PER_RUN Read calls, and a
    reply of about a kilobyte of Markdown. The API history is emptied before each run, so
    requests stay small (the transcript, which is what the chat replays, keeps everything).
    """
    from benchmarks.chat_stream import reply
    from tests.support.fake_api import text_turn, tool_turn
    from workbench.engine.conversation import Conversation
    from workbench.engine.events import Outcome, RunFinished
    from workbench.engine.prompt import choose_model

    model = choose_model(config.spec, config.models, None).id
    conversation = Conversation(config)
    try:
        for number in range(runs):
            files = [
                SAMPLE_FILES[(number * READS_PER_RUN + index) % len(SAMPLE_FILES)]
                for index in range(READS_PER_RUN)
            ]
            calls = [("Read", {"file_path": path}) for path in files]
            text = f"Reading {len(files)} files for step {number + 1}."
            bodies = [
                tool_turn(*calls, text=text).sse(model),
                text_turn(_reply(reply, number)).sse(model),
            ]
            server.script(bodies)
            conversation.messages.clear()
            result = await conversation.send(f"Step {number + 1}: what changes?").wait()
            if not isinstance(result, RunFinished) or result.outcome is not Outcome.SUCCESS:
                raise RuntimeError(f"recording run {number + 1} failed: {result}")
        server.served()
    finally:
        conversation.close()
        await (await conversation.connect()).close()
    return conversation.session_id


def _reply(make: Callable[[int, int], str], number: int) -> str:
    """About a kilobyte of the generated Markdown: its first section, cut at a blank line."""
    text = make(1_000, number)
    cut = text.find("\n\n", 1_000)
    return text if cut < 0 else text[: cut + 2]


async def _in_app(workspace: Path, session: str, messages: int, rounds: int) -> _Side:
    from workbench.engine.events import TextDelta, UsageUpdated
    from workbench.engine.usage import Usage

    side = _Side()
    gc.collect()
    before = _rss_mb()
    app = make_app(workspace)
    async with running(app) as pilot:
        chat = await open_chat(pilot)
        started = time.perf_counter()
        chat.resume(session)
        log = chat.query_one(".chat-scroll > .chat-log")
        shown = sum(len(page.children) for page in log.query_children(".chat-page"))
        if shown < messages:
            raise RuntimeError(f"the chat shows {shown} of {messages} messages")
        last = _last_block(log)
        async with Ticker() as ticker:
            await ticker.until(lambda: last.is_mounted, "the history to mount")
        for flow in flows(chat):
            await flow.finish()
        await app.screen.wait_for_refresh()
        side.load_s = time.perf_counter() - started
        await pilot.pause()
        gc.collect()
        after = _rss_mb()
        side.rss_mb = None if before is None or after is None else after - before
        side.widgets = sum(1 for _ in log.walk_children())
        side.lines = chat_scroll(chat).virtual_size.height
        scroll = chat_scroll(chat)
        usage = Usage(input_tokens=10, output_tokens=20)

        async def append() -> Widget:
            before = _last_block(log)
            event = UsageUpdated(turn=usage, run=usage, conversation=usage, cost_usd=None)
            chat.post_message(chat.Batch([TextDelta(block=0, text=APPENDED), event]))
            while (last := _last_block(log)) is before:
                await asyncio.sleep(0)  # the chat takes the message at its next turn
            if not is_flow(last):
                raise RuntimeError(f"the chat appended {last!r}, not a reply")
            await cast("Flow", last).finish()
            return last

        await _operate(pilot, scroll, _first_block(log), append, rounds, side)
    return side


def _first_block(log: Widget) -> Widget:
    """The chat's first message: the log keeps its blocks in pages (`.chat-page`)."""
    return log.query_children(".chat-page").first().children[0]


def _last_block(log: Widget) -> Widget:
    """The chat's last block, found from the end so that it costs the same at any length."""
    for child in reversed(log.children):
        if child.has_class("chat-page") and child.children:
            return child.children[-1]
    raise RuntimeError("the chat log has no blocks")


async def _in_bare_app(messages: int, rounds: int) -> _Side:
    from textual.app import App, ComposeResult
    from textual.containers import VerticalScroll
    from textual.widgets import Static

    class BareChat(App[None]):
        # As the chat pane: a padded, anchored VerticalScroll with a stable gutter.
        CSS = "VerticalScroll { padding: 0 1; scrollbar-gutter: stable; }"

        def compose(self) -> ComposeResult:
            yield VerticalScroll()

    side = _Side()
    gc.collect()
    before = _rss_mb()
    app = BareChat()
    async with app.run_test(size=SIZE) as pilot:
        scroll = app.query_one(VerticalScroll)
        scroll.anchor()
        started = time.perf_counter()
        await scroll.mount_all(
            Static(f"Message {number + 1}: a plain line of text.", markup=False)
            for number in range(messages)
        )
        await app.screen.wait_for_refresh()
        side.load_s = time.perf_counter() - started
        gc.collect()
        after = _rss_mb()
        side.rss_mb = None if before is None or after is None else after - before
        side.widgets = len(scroll.children)
        side.lines = scroll.virtual_size.height

        async def append() -> Widget:
            line = Static("One more plain line of text.", markup=False)
            await scroll.mount(line)
            return line

        await _operate(pilot, scroll, scroll.children[0], append, rounds, side)
    return side


async def _operate(
    pilot: Pilot[int] | Pilot[None],
    scroll: VerticalScroll,
    first: Widget,
    append: Callable[[], Awaitable[Widget]],
    rounds: int,
    side: _Side,
) -> None:
    """One untimed round, then `rounds` rounds of: scroll home, and append at the bottom.

    Each starts from the bottom, with the view anchored there, after a full garbage
    collection, at a random moment of the prompt's cursor blink: a blink is a frame of its
    own, and a block mounted just after one waits a frame interval for the next, as it now
    and then does for a person. Started right after the collection, every operation met the
    blink at the same point. Each is timed until the screen has drawn the frame after it;
    that the frame shows what it should (the first message, the new one) is checked
    afterwards, since looking it up may lay out the whole chat.
    """
    app = pilot.app
    for index in range(rounds + 1):
        await _settled(app, scroll)
        started = time.perf_counter()
        scroll.scroll_home(animate=False, immediate=True)
        await _until_shown(app, scroll, first, "the first message after scroll_home")
        if index:
            side.times["scroll_home"].append(time.perf_counter() - started)
        await _settled(app, scroll)
        started = time.perf_counter()
        widget = await append()
        await _until_shown(app, scroll, widget, "the appended message")
        if index:
            side.times["append"].append(time.perf_counter() - started)


async def _until_shown(
    app: App[int] | App[None], scroll: VerticalScroll, widget: Widget, what: str
) -> None:
    """Wait for frames until one shows `widget` in the scrolled area (normally the next).

    `widget.region` is cheap for a widget on screen; only a widget that is not would make
    Textual lay out the whole chat to find it, and then the frame was not drawn anyway.
    """
    for _ in range(100):
        await app.screen.wait_for_refresh()
        region = widget.region
        if region and region.overlaps(scroll.region):
            return
    raise RuntimeError(f"{what} is not on screen after 100 frames ({widget.region})")


async def _settled(app: App[int] | App[None], scroll: VerticalScroll) -> None:
    await _to_bottom(app, scroll)
    gc.collect()
    await asyncio.sleep(_PHASES.uniform(0, BLINK_S))


async def _to_bottom(app: App[int] | App[None], scroll: VerticalScroll) -> None:
    scroll.scroll_end(animate=False, immediate=True)
    await app.screen.wait_for_refresh()
    await app.screen.wait_for_refresh()


def _rss_mb() -> float | None:
    """This process's resident memory, from /proc (Linux); None elsewhere."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / 1_048_576


BENCHMARK = Benchmark(NAME, 1.0, run)
"""The goal given here only labels a crash; the results carry GOAL_S as a ratio."""
