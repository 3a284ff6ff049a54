"""A long streamed reply through the engine against the bare SDK reading the same bytes.

One SSE body (a text turn of 20,000 text deltas) is built once and played byte for byte by
the loopback Messages API server in `tests/support/fake_api.py`, to a `Conversation` run and
to `client.messages.create(..., stream=True)` on the same client in the same event loop.
The ratio is what the engine adds per event: building the turn, the event queue, and the
transcript, whose streamed text is coalesced into a few lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.pairs import compared, interleave_async
from benchmarks.runner import Benchmark, Result, Status

NAME = "engine_stream"
GOAL = 1.3
TASK = "go"
AGENT = """---
name: stream-bench
description: Answers at length, for the engine_stream benchmark.
tools: Read
---
You answer.
"""
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
"""The SDK mounts proxies from these even for 127.0.0.1; they are unset while it runs."""


def run(quick: bool) -> list[Result]:
    events = 5_000 if quick else 20_000
    rounds = 3 if quick else 7
    try:
        import tests.support.fake_api  # noqa: F401 - needs the test dependencies too
    except ImportError as error:
        notes = f"tests/support/fake_api.py cannot be imported: {error}"
        return [Result(f"{NAME}[{events}]", GOAL, Status.SKIPPED, notes=notes)]
    with (
        _without_proxies(),
        tempfile.TemporaryDirectory(prefix="workbench-bench-") as folder,
    ):
        return [asyncio.run(_measure(Path(folder), events, rounds))]


@contextlib.contextmanager
def _without_proxies() -> Iterator[None]:
    names = [*PROXY_VARIABLES, *(name.lower() for name in PROXY_VARIABLES)]
    saved = {name: os.environ.pop(name) for name in names if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


@dataclass
class _Rounds:
    """What the rounds saw, checked and reported once they are over."""

    transcript_lines: list[int]
    product_events: int = 0
    baseline_events: int = 0


async def _measure(folder: Path, events: int, rounds: int) -> Result:
    # Imported here so that a broken product shows as this benchmark crashing.
    from tests.support.fake_api import FakeAnthropic, raw_sse, text_turn
    from workbench.agentfile.parse import parse_agent
    from workbench.agentfile.spec import Origin
    from workbench.engine.conversation import Conversation, RunConfig
    from workbench.engine.events import Outcome, RunFinished

    agent = folder / "stream-bench.md"
    agent.write_text(AGENT, encoding="utf-8")
    spec = parse_agent(agent.read_bytes(), agent, Origin.EXPLICIT, named=True)
    workspace = folder / "workspace"
    workspace.mkdir()
    config = RunConfig(spec=spec, workspace=workspace)
    text = " word" * events
    seen = _Rounds([])
    async with FakeAnthropic() as server:
        client = server.client()
        model = Conversation(config, client=client).model
        body = text_turn(text, chunks=events).sse(model.id)
        request: dict[str, Any] = {
            "model": model.id,
            "max_tokens": model.max_tokens,
            "messages": [{"role": "user", "content": TASK}],
        }

        async def product() -> float:
            conversation = Conversation(config, client=client)
            server.script(raw_sse(body))
            count = 0
            started = time.perf_counter()
            run = conversation.send(TASK)
            async for _ in run:
                count += 1
            conversation.close()
            elapsed = time.perf_counter() - started
            result = run.result
            if not isinstance(result, RunFinished) or result.outcome is not Outcome.SUCCESS:
                raise RuntimeError(f"the run did not succeed: {result}")
            if result.final_text != text:
                raise RuntimeError("the run's final text is not the streamed text")
            with conversation.path.open("rb") as transcript:
                seen.transcript_lines.append(sum(1 for _ in transcript))
            seen.product_events = count
            return elapsed

        async def baseline() -> float:
            server.script(raw_sse(body))
            count = 0
            started = time.perf_counter()
            stream = await client.messages.create(**request, stream=True)
            async for _ in stream:
                count += 1
            elapsed = time.perf_counter() - started
            seen.baseline_events = count
            return elapsed

        product_times, baseline_times = await interleave_async(product, baseline, rounds)
        server.verify()
        connections = server.connections
    if seen.baseline_events < events:
        raise RuntimeError(f"the SDK yielded {seen.baseline_events} events for {events} deltas")
    notes = (
        f"{rounds} rounds; {seen.product_events:,} engine events vs "
        f"{seen.baseline_events:,} SDK events over {connections} connection(s); "
        f"transcript {max(seen.transcript_lines)} lines (coalesced)"
    )
    return compared(f"{NAME}[{events}]", GOAL, product_times, baseline_times, notes)


BENCHMARK = Benchmark(NAME, GOAL, run)
