"""The roster: every agent the sources hold, precedence applied, shadowed duplicates kept."""

from __future__ import annotations

import re
import stat as stat_module
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from workbench.agentfile import lint
from workbench.agentfile.discover import Source, agent_files
from workbench.agentfile.parse import MAX_BYTES, parse_agent, unreadable_spec
from workbench.agentfile.spec import AgentSpec, Diagnostic, Origin, Severity
from workbench.config.models import ModelTable

_SEPARATORS = re.compile(r"[\s_]+")


def name_key(name: str) -> str:
    """Claude Code matches agent names ignoring case and separators (`Code Reviewer`)."""
    return _SEPARATORS.sub("-", name.strip().lower())


@dataclass(frozen=True)
class Roster:
    specs: tuple[AgentSpec, ...]
    """Every file found, in precedence order."""

    @property
    def agents(self) -> tuple[AgentSpec, ...]:
        return tuple(spec for spec in self.specs if spec.is_agent)

    def get(self, name: str) -> AgentSpec | None:
        """The active agent called `name`, as Claude Code would pick it."""
        key = name_key(name)
        return next(
            (s for s in self.specs if s.active and s.name and name_key(s.name) == key), None
        )

    def namesakes(self, spec: AgentSpec) -> tuple[AgentSpec, ...]:
        """Every agent with the same name as `spec`, the active one first."""
        if not spec.name:
            return ()
        key = name_key(spec.name)
        return tuple(s for s in self.specs if s.name and name_key(s.name) == key)

    def for_paths(self, paths: Iterable[Path]) -> tuple[AgentSpec, ...]:
        wanted = {path.resolve() for path in paths}
        return tuple(spec for spec in self.specs if spec.path.resolve() in wanted)


def load_roster(sources: Sequence[Source], models: ModelTable | None = None) -> Roster:
    """Load every source; a file reachable from several sources counts once, at its best."""
    specs: list[AgentSpec] = []
    seen: set[tuple[int, int]] = set()
    for source in sorted(sources, key=lambda source: source.origin.rank):
        for path, named in agent_files(source):
            try:
                stat = path.stat()
            except OSError as error:
                specs.append(_unreadable(path, source.origin, error))
                continue
            if (stat.st_dev, stat.st_ino) in seen:
                continue
            seen.add((stat.st_dev, stat.st_ino))
            if not stat_module.S_ISREG(stat.st_mode):
                specs.append(unreadable_spec(path, source.origin, "not a regular file; not read"))
                continue
            spec = _load(path, source.origin, stat.st_size, named)
            specs.append(lint.check(spec, models))
    return Roster(_mark_duplicates(specs))


def _load(path: Path, origin: Origin, size: int, named: bool) -> AgentSpec:
    if size > MAX_BYTES:
        reason = f"{size / 1_048_576:.0f} MB is too large for an agent file; not read"
        return unreadable_spec(path, origin, reason)
    try:
        data = path.read_bytes()
    except OSError as error:
        return _unreadable(path, origin, error)
    return parse_agent(data, path, origin, named=named)


def _unreadable(path: Path, origin: Origin, error: OSError) -> AgentSpec:
    return unreadable_spec(path, origin, f"cannot read the file: {error.strerror or error}")


def _mark_duplicates(specs: list[AgentSpec]) -> tuple[AgentSpec, ...]:
    winners: dict[str, AgentSpec] = {}
    marked: list[AgentSpec] = []
    for spec in specs:
        if not spec.is_agent or not spec.name:
            marked.append(spec)
            continue
        winner = winners.setdefault(name_key(spec.name), spec)
        if winner is spec:
            marked.append(spec)
            continue
        diagnostic = Diagnostic(
            "duplicate-name",
            Severity.WARNING,
            spec.line_of("name"),
            f"another agent named {winner.name!r} takes precedence ({winner.origin.value}): "
            f"{winner.path}",
        )
        marked.append(replace(spec, active=False).with_diagnostics((diagnostic,)))
    return tuple(marked)
