"""Making, copying, renaming and deleting agent files without losing a byte.

Every change here refuses rather than overwrites: a new file is linked into place only if
nothing has that name yet, a rename writes the new file before it removes the old one,
and a deleted agent goes to the workspace's trash with a record of where it came from,
so it can be put back. Each refusal is a `ManageRefused` whose message says what to do.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

from workbench.agentfile.parse import parse_agent
from workbench.agentfile.roster import Roster, name_key
from workbench.agentfile.spec import AgentSpec, Origin
from workbench.atomic import replace_file, write_beside
from workbench.config.paths import STATE_DIR

TRASH_DIR = "trash"
"""Inside the workspace's state folder: `.workbench/trash/`."""

_KEBAB = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")

TEMPLATE = """\
---
name: {name}
description: {description}
tools: Read, Grep, Glob
model: inherit
---
You are {name}. In one or two sentences, say what you are for and what a good result
looks like.

## How to work

1. Read what the task points at before changing anything.
2. Keep to the job described above; say so when a request falls outside it.

## What to hand back

A short report: what you did, what you found, and anything left undone.
"""
"""A new agent: the two required keys, a narrow tool list and `inherit` to edit."""


class ManageRefused(Exception):
    """A change that was not made; the message says why and what to do instead."""


@dataclass(frozen=True)
class TrashEntry:
    """One deleted agent file in the trash, with where it lived."""

    file: Path
    """The file as it lies in the trash."""
    record: Path
    """The JSON record beside it."""
    original: Path
    name: str | None
    deleted_at: datetime


def check_name(name: str) -> None:
    """Refuse a name Claude Code would not load, or that would not make a plain file name."""
    if not _KEBAB.fullmatch(name):
        raise ManageRefused(
            f"{name!r} is not a usable agent name: use lowercase letters, digits and single "
            "hyphens, starting with a letter (like code-reviewer)."
        )


def create(
    folder: Path,
    name: str,
    description: str,
    *,
    roster: Roster | None = None,
    make_folder: bool = False,
) -> Path:
    """Write `<folder>/<name>.md` from the template; `make_folder` creates a missing folder."""
    check_name(name)
    description = " ".join(description.split())
    if not description:
        raise ManageRefused(
            "A description is needed: Claude Code skips agents without one, and uses it to "
            "decide when to delegate."
        )
    _refuse_taken(name, roster)
    if not folder.is_dir():
        if folder.exists():
            raise ManageRefused(f"{folder} is a file, not a folder; choose another place.")
        if not make_folder:
            raise ManageRefused(f"The folder {folder} does not exist; create it first.")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ManageRefused(f"Could not create {folder}: {_reason(error)}") from error
    path = folder / f"{name}.md"
    text = TEMPLATE.format(name=name, description=_yaml_scalar(description))
    _write_new(path, text.encode("utf-8"))
    return path


def duplicate(
    spec: AgentSpec, new_name: str, *, folder: Path | None = None, roster: Roster | None = None
) -> Path:
    """Copy `spec`'s file as `<new_name>.md` beside it (or into `folder`), renamed inside.

    Only the `name` line changes; every other byte is the original's.
    """
    check_name(new_name)
    _refuse_taken(new_name, roster)
    data, mode = _read(spec)
    target = (folder or spec.path.parent) / f"{new_name}.md"
    if folder is not None and not folder.is_dir():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ManageRefused(f"Could not create {folder}: {_reason(error)}") from error
    _write_new(target, _renamed(data, spec, new_name), mode)
    return target


def rename(spec: AgentSpec, new_name: str, roster: Roster) -> Path:
    """Rename the file to `<new_name>.md` and its `name` line with it, or refuse.

    The new file is written before the old one is removed, so a failure at any point
    leaves at least one whole copy.
    """
    check_name(new_name)
    if spec.origin is Origin.BUNDLED:
        raise ManageRefused(
            f"{spec.display_name} is bundled with the workbench and cannot be renamed; "
            "duplicate it instead."
        )
    if spec.name is not None and name_key(spec.name) == name_key(new_name):
        target = spec.path.with_name(f"{new_name}.md")
        if target == spec.path and spec.name == new_name:
            raise ManageRefused(f"The agent is already called {new_name}.")
    else:
        _refuse_taken(new_name, roster)
    data, mode = _read(spec)
    renamed = _renamed(data, spec, new_name)
    target = spec.path.with_name(f"{new_name}.md")
    if target == spec.path:
        _replace(target, renamed, mode)
        return target
    _write_new(target, renamed, mode)
    try:
        spec.path.unlink()
    except OSError as error:
        with contextlib.suppress(OSError):
            target.unlink()
        raise ManageRefused(
            f"Could not remove {spec.path.name}: {_reason(error)}; nothing was renamed."
        ) from error
    return target


def trash_dir(workspace: Path) -> Path:
    return workspace / STATE_DIR / TRASH_DIR


def delete(spec: AgentSpec, workspace: Path) -> TrashEntry:
    """Move `spec`'s file into the workspace's trash, with a record of where it was."""
    if spec.origin is Origin.BUNDLED:
        raise ManageRefused(
            f"{spec.display_name} is bundled with the workbench and cannot be deleted."
        )
    if not spec.path.is_file():
        raise ManageRefused(f"{spec.path} is no longer there; reload the agents (ctrl+r).")
    folder = trash_dir(workspace)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ManageRefused(f"Could not create the trash {folder}: {_reason(error)}") from error
    now = datetime.now(UTC)
    stem = f"{now:%Y%m%dT%H%M%S%fZ}-{spec.path.stem}"
    while (folder / f"{stem}.md").exists() or (folder / f"{stem}.json").exists():
        stem = f"{stem}-{secrets.token_hex(2)}"
    entry = TrashEntry(
        folder / f"{stem}.md", folder / f"{stem}.json", spec.path.absolute(), spec.name, now
    )
    record = {
        "original": str(entry.original),
        "name": spec.name,
        "deleted_at": now.isoformat(),
    }
    _write_new(entry.record, (json.dumps(record, indent=2) + "\n").encode("utf-8"))
    try:
        _move(spec.path, entry.file)
    except ManageRefused:
        with contextlib.suppress(OSError):
            entry.record.unlink()
        raise
    return entry


def trash_entries(workspace: Path) -> list[TrashEntry]:
    """What the trash holds, newest first; a record whose file is gone is left out."""
    folder = trash_dir(workspace)
    if not folder.is_dir():
        return []
    entries = []
    for record in folder.glob("*.json"):
        file = record.with_suffix(".md")
        try:
            data = json.loads(record.read_text(encoding="utf-8"))
            original = Path(data["original"])
            deleted_at = datetime.fromisoformat(data["deleted_at"])
            name = data.get("name")
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if file.is_file() or file.is_symlink():
            entries.append(TrashEntry(file, record, original, name, deleted_at))
    return sorted(entries, key=lambda entry: entry.deleted_at, reverse=True)


def restore(entry: TrashEntry) -> Path:
    """Put a deleted file back where it was, refusing if something is there now."""
    if entry.original.exists() or entry.original.is_symlink():
        raise ManageRefused(
            f"{entry.original} exists again, so the deleted copy was not put back over it; "
            f"it is still in the trash: {entry.file}"
        )
    try:
        entry.original.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ManageRefused(
            f"Could not create {entry.original.parent}: {_reason(error)}"
        ) from error
    _move(entry.file, entry.original)
    with contextlib.suppress(OSError):
        entry.record.unlink()
    return entry.original


def _refuse_taken(name: str, roster: Roster | None) -> None:
    taken = roster.get(name) if roster is not None else None
    if taken is not None:
        raise ManageRefused(
            f"An agent named {taken.display_name} already exists ({taken.origin.value}): "
            f"{taken.path}. Choose another name."
        )


def _read(spec: AgentSpec) -> tuple[bytes, int]:
    try:
        data = spec.path.read_bytes()
        mode = stat.S_IMODE(spec.path.stat().st_mode)
    except OSError as error:
        raise ManageRefused(f"Could not read {spec.path}: {_reason(error)}") from error
    return data, mode


def _renamed(data: bytes, spec: AgentSpec, new_name: str) -> bytes:
    """`data` with the lines of its `name` key replaced by `name: <new_name>`.

    The file is parsed again (it may have changed since the roster was read), and the
    result is parsed once more to prove the name reads back as intended.
    """
    current = parse_agent(data, spec.path, spec.origin)
    span = current.span("name")
    if not current.is_agent or span is None:
        raise ManageRefused(
            f"{spec.path.name} has no `name` line to change; add one in the editor first."
        )
    lines = data.split(b"\n")
    last = lines[span.end - 1]
    ending = b"\r" if last.endswith(b"\r") else b""
    lines[span.start - 1 : span.end] = [f"name: {new_name}".encode() + ending]
    result = b"\n".join(lines)
    if parse_agent(result, spec.path, spec.origin).name != new_name:
        raise ManageRefused(
            f"Could not change the name in {spec.path.name} safely; edit it by hand instead."
        )
    return result


def _write_new(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write a whole file at `path`, refusing if anything is already there.

    The data goes to a temporary file first, which is then hard-linked into place: the
    link fails if the name is taken, so a file that appeared meanwhile is never replaced.
    """
    if path.exists() or path.is_symlink():
        raise ManageRefused(f"{path} already exists; choose another name.")
    try:
        temporary = write_beside(path, data, mode)
        try:
            _link_or_rename(temporary, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    except FileExistsError as error:
        raise ManageRefused(f"{path} already exists; choose another name.") from error
    except OSError as error:
        raise ManageRefused(f"Could not write {path}: {_reason(error)}") from error


def _link_or_rename(source: Path, target: Path) -> None:
    """Put `source` at `target` without replacing anything; `source` may remain."""
    try:
        os.link(source, target, follow_symlinks=False)
    except FileExistsError:
        raise
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        if target.exists() or target.is_symlink():
            raise FileExistsError(errno.EEXIST, "file exists", str(target)) from error
        os.rename(source, target)


def _move(source: Path, target: Path) -> None:
    """Move a file without replacing anything at `target`, across file systems too."""
    try:
        _link_or_rename(source, target)
    except FileExistsError as error:
        raise ManageRefused(f"{target} already exists; nothing was moved.") from error
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise ManageRefused(f"Could not move {source} to {target}: {_reason(error)}") from error
        data, mode = source.read_bytes(), stat.S_IMODE(source.stat().st_mode)
        _write_new(target, data, mode)
    try:
        if source.exists() or source.is_symlink():
            source.unlink()
    except OSError as error:
        with contextlib.suppress(OSError):
            target.unlink()
        raise ManageRefused(f"Could not remove {source}: {_reason(error)}") from error


def _replace(path: Path, data: bytes, mode: int) -> None:
    try:
        replace_file(path, data, mode)
    except OSError as error:
        raise ManageRefused(f"Could not write {path}: {_reason(error)}") from error


def _yaml_scalar(text: str) -> str:
    """`text` as a YAML value: plain when YAML reads it back unchanged, else double-quoted."""
    try:
        plain = yaml.safe_load(f"key: {text}")
    except yaml.YAMLError:
        plain = None
    if isinstance(plain, dict) and plain.get("key") == text:
        return text
    return json.dumps(text, ensure_ascii=False)


def _reason(error: OSError) -> str:
    return error.strerror or str(error)
