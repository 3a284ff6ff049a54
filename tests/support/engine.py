"""Running the engine in tests: agents from text, conversations on the loopback server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support.fake_api import FakeAnthropic
from workbench.agentfile.discover import Source, sources
from workbench.agentfile.roster import Roster, load_roster
from workbench.agentfile.spec import AgentSpec, Origin
from workbench.engine.conversation import Conversation, RunConfig
from workbench.engine.events import Event, PermissionAsked, Reply
from workbench.engine.retry import RetryPolicy
from workbench.engine.run import Run

FAST_RETRIES = RetryPolicy(attempts=4, base_delay_s=0.001, max_delay_s=0.01)


def agent_file(folder: Path, name: str, body: str = "You help.\n", **keys: str) -> Path:
    lines = ["---", f"name: {name}", f"description: Helps with {name}."]
    lines += [f"{key}: {value}" for key, value in keys.items()]
    path = folder / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([*lines, "---", "", body]), encoding="utf-8")
    return path


def roster_with(workspace: Path, *files: Path) -> Roster:
    found = [Source(path, Origin.EXPLICIT) for path in files]
    return load_roster([*found, *sources(workspace, user=False, bundled=False)])


def conversation(
    server: FakeAnthropic,
    workspace: Path,
    spec: AgentSpec,
    roster: Roster | None = None,
    **options: Any,
) -> Conversation:
    options.setdefault("retry", FAST_RETRIES)
    config = RunConfig(spec=spec, workspace=workspace, roster=roster, **options)
    return Conversation(config, client=server.client())


async def collect(
    run: Run, answer: Callable[[PermissionAsked], Reply] | None = None
) -> list[Event]:
    """Every event of the run; permission questions go to `answer`."""
    events: list[Event] = []
    async for event in run:
        events.append(event)
        if isinstance(event, PermissionAsked):
            assert answer is not None, f"unexpected question: {event.reason}"
            event.future.set_result(answer(event))
    return events


def of_type(events: list[Event], kind: type[Event]) -> list[Any]:
    return [event for event in events if isinstance(event, kind)]
