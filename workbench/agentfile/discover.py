"""Where agents come from, in Claude Code's precedence order, and which files count."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench.agentfile.spec import AgentSpec, Origin
from workbench.config import paths


@dataclass(frozen=True)
class Source:
    """A file or folder of agents; a folder is scanned recursively for `*.md`."""

    path: Path
    origin: Origin


def sources(
    workspace: Path | None,
    explicit: Sequence[Path] = (),
    *,
    user: bool = True,
    bundled: bool = True,
) -> list[Source]:
    found = [Source(path, Origin.EXPLICIT) for path in explicit]
    if workspace is not None:
        found.append(Source(workspace / ".claude" / "agents", Origin.PROJECT))
    if user:
        found.append(Source(paths.user_agents_dir(), Origin.USER))
    if bundled:
        found.append(Source(paths.bundled_dir("agents"), Origin.BUNDLED))
    return found


def agent_files(source: Source) -> Iterator[tuple[Path, bool]]:
    """Yield (path, named) for each candidate file; `named` means the person chose the file.

    A file given explicitly counts whatever its extension; inside folders only `*.md` does.
    Symlinked folders are not followed, so a link cycle cannot trap the scan.
    """
    if source.path.is_file():
        yield source.path, True
        return
    if not source.path.is_dir():
        return
    for root, dirs, files in os.walk(source.path):
        dirs.sort()
        folder = Path(root)
        for name in sorted(files):
            if name.endswith(".md"):
                yield folder / name, False


def empty_folders(folders: Iterable[Path], specs: Iterable[AgentSpec]) -> list[Path]:
    """The folders among `folders` that no file of `specs` came from: a folder named on
    purpose that holds no `*.md` file is a wrong path, not an empty roster."""
    paths = [spec.path for spec in specs]
    return [
        folder
        for folder in folders
        if not folder.is_file() and not any(path.is_relative_to(folder) for path in paths)
    ]
