"""The roster: every agent the sources hold, precedence applied, shadowed duplicates kept."""

from __future__ import annotations

import gc
import os
import re
import stat
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from workbench.agentfile import lint, prose
from workbench.agentfile.discover import Source, agent_files
from workbench.agentfile.parse import MAX_BYTES, parse_agent, unreadable_spec
from workbench.agentfile.spec import AgentSpec, Diagnostic, Origin, Severity
from workbench.config.models import ModelTable
from workbench.config.paths import real_path
from workbench.parsed_files import ParsedFiles, parsed

_SEPARATORS = re.compile(r"[\s_]+")


def name_key(name: str) -> str:
    """Claude Code matches agent names ignoring case and separators (`Code Reviewer`)."""
    key = name.strip().lower()
    if "_" not in key and len(key.split()) == 1:
        return key  # the usual `code-reviewer`, which has nothing to replace
    return _SEPARATORS.sub("-", key)


@dataclass(frozen=True)
class Roster:
    specs: tuple[AgentSpec, ...]
    """Every file found, in precedence order."""

    @property
    def agents(self) -> tuple[AgentSpec, ...]:
        return tuple(spec for spec in self.specs if spec.is_agent)

    def get(self, name: str) -> AgentSpec | None:
        """The agent called `name`, as Claude Code would pick it; when Claude Code skips
        every file of that name for its errors, the first of them, so that a person can
        still open and try it."""
        key = name_key(name)
        named = [s for s in self.specs if s.is_agent and s.name and name_key(s.name) == key]
        return next((s for s in named if s.active), named[0] if named else None)

    def namesakes(self, spec: AgentSpec) -> tuple[AgentSpec, ...]:
        """Every agent with the same name as `spec`, the active one first."""
        if not spec.name:
            return ()
        key = name_key(spec.name)
        found = (s for s in self.specs if s.name and name_key(s.name) == key)
        return tuple(sorted(found, key=lambda s: not s.active))

    def for_paths(self, paths: Iterable[Path]) -> tuple[AgentSpec, ...]:
        wanted = {real_path(path) for path in paths}
        return tuple(spec for spec in self.specs if real_path(spec.path) in wanted)


def load_roster(
    sources: Sequence[Source],
    models: ModelTable | None = None,
    workspace: Path | None = None,
    kept: ParsedFiles | None = None,
) -> Roster:
    """Load every source; a file reachable from several sources counts once, at its best.

    Prompts are checked against the whole roster (the agents they name) and `workspace`
    (the files they tell the agent to read); without `workspace`, the one whose
    `.claude/agents` is a project source. With `kept`, a file whose bytes were parsed by
    an earlier launch is not parsed again; lint runs either way, since what it finds
    depends on the rest of the roster and the models. The cyclic garbage collector is paused
    meanwhile: a large roster allocates many long-lived objects and no cycles, and each
    collection would rescan all of them.
    """
    specs: list[AgentSpec] = []
    seen: set[tuple[int, int]] = set()
    collecting = gc.isenabled()
    gc.disable()
    try:
        for source in sorted(sources, key=lambda source: source.origin.rank):
            for path, named in agent_files(source):
                spec = _load(path, source.origin, named, seen, kept)
                if spec is not None:
                    specs.append(lint.check(spec, models))
        root = workspace or _workspace_of(sources)
        files = prose.WorkspaceFiles(root) if root is not None else None
        return Roster(_check_prose(_mark_duplicates(specs), files))
    finally:
        if collecting:
            gc.enable()


def load_in_background(
    sources: Sequence[Source],
    models: ModelTable | None = None,
    workspace: Path | None = None,
    kept: ParsedFiles | None = None,
) -> Future[Roster]:
    """Start loading on a daemon thread, so the caller can build its screen meanwhile."""
    future: Future[Roster] = Future()

    def load() -> None:
        try:
            future.set_result(load_roster(sources, models, workspace, kept))
        except BaseException as error:
            future.set_exception(error)

    threading.Thread(target=load, name="roster", daemon=True).start()
    return future


def _load(
    path: Path,
    origin: Origin,
    named: bool,
    seen: set[tuple[int, int]],
    kept: ParsedFiles | None,
) -> AgentSpec | None:
    """Read and parse one file, or None when it was already loaded through another source.

    One open and one fstat per file: the identity check, the regular-file check (a FIFO
    would block a plain read forever, hence O_NONBLOCK) and the size cap all use it.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        return _unreadable(path, origin, error)
    try:
        info = os.fstat(fd)
        if (info.st_dev, info.st_ino) in seen:
            return None
        seen.add((info.st_dev, info.st_ino))
        if not stat.S_ISREG(info.st_mode):
            return unreadable_spec(path, origin, "not a regular file; not read")
        if info.st_size > MAX_BYTES:
            size = f"{info.st_size / 1_048_576:.0f} MB"
            return unreadable_spec(path, origin, f"{size} is too large for an agent file")
        data = _read_to_end(fd, info.st_size)
    except OSError as error:
        return _unreadable(path, origin, error)
    finally:
        os.close(fd)
    key = ("agent", str(path), origin.value, named)
    return parsed(kept, key, data, lambda: parse_agent(data, path, origin, named=named))


def _read_to_end(fd: int, size: int) -> bytes:
    """One read for the size fstat saw, then to the end in case the file grew since."""
    data = os.read(fd, size + 1)
    while len(data) <= MAX_BYTES and (more := os.read(fd, 1 << 20)):
        data += more
    return data


def _unreadable(path: Path, origin: Origin, error: OSError) -> AgentSpec:
    return unreadable_spec(path, origin, f"cannot read the file: {error.strerror or error}")


def _mark_duplicates(specs: list[AgentSpec]) -> tuple[AgentSpec, ...]:
    """The first agent of each name wins it. A file with errors takes no part: Claude Code
    skips it, so a broken project agent leaves its name to a sound one further down."""
    winners: dict[str, AgentSpec] = {}
    marked: list[AgentSpec] = []
    for spec in specs:
        if not spec.is_agent or not spec.name:
            marked.append(spec)
            continue
        if spec.has_errors:
            marked.append(spec.with_diagnostics((), active=False))
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
        marked.append(spec.with_diagnostics((diagnostic,), active=False))
    return tuple(marked)


def _workspace_of(sources: Sequence[Source]) -> Path | None:
    """The workspace a project source belongs to (`<workspace>/.claude/agents`)."""
    for source in sources:
        if source.origin is Origin.PROJECT and source.path.parent.name == ".claude":
            return source.path.parent.parent
    return None


def _check_prose(
    specs: tuple[AgentSpec, ...], files: prose.WorkspaceFiles | None
) -> tuple[AgentSpec, ...]:
    names = frozenset(name_key(spec.name) for spec in specs if spec.is_agent and spec.name)
    checked = []
    for spec in specs:
        found = prose.check(spec, names, files)
        checked.append(spec.with_diagnostics(found, active=spec.active) if found else spec)
    return tuple(checked)
