"""The repairs `workbench lint --fix` may make, and writing them back safely.

Only two findings have a repair that cannot change what an agent means: mojibake (ftfy's
encoding fixer restores the characters the author typed) and an unquoted one-line
description that strict YAML rejects (quoting it keeps the very string the lenient reader
saw). Every other byte stays: line endings, a missing final newline, a byte-order mark,
key order, spacing and comments. A repair that cannot be verified is not made.
"""

from __future__ import annotations

import codecs
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from workbench.agentfile import frontmatter, mojibake
from workbench.agentfile.parse import parse_agent
from workbench.agentfile.spec import Origin

FIXABLE = frozenset({"mojibake", "yaml-invalid"})
"""The codes `--fix` repairs; anything else is left for a person to judge."""

_PLAIN_START = frozenset("'\"[]{}|>&*!%@`#,?")
"""Characters that would make the value something other than a plain scalar if they led it."""


@dataclass(frozen=True)
class Change:
    """One repaired line, with the text before and after (line ending excluded)."""

    line: int
    code: str
    before: str
    after: str


@dataclass(frozen=True)
class Plan:
    """What fixing one file would do: the bytes it read, the bytes it would write."""

    path: Path
    original: bytes
    fixed: bytes
    changes: tuple[Change, ...]


class FixRefused(Exception):
    """A file that cannot be fixed safely; the message says why and what to do."""


def plan(path: Path, data: bytes) -> Plan:
    """The repairs for `data`, the content of `path`; no change when none is safe."""
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        text = data[len(codecs.BOM_UTF8) if bom else 0 :].decode("utf-8")
    except UnicodeDecodeError:
        return Plan(path, data, data, ())
    changes = repairs(text, path)
    if not changes:
        return Plan(path, data, data, ())
    fixed = apply(text, changes).encode("utf-8")
    if bom:
        fixed = codecs.BOM_UTF8 + fixed
    return Plan(path, data, fixed, changes)


def repairs(text: str, path: Path) -> tuple[Change, ...]:
    """The safe repairs for `text`, the decoded content of `path`, in line order.

    Nothing is written: `lint --fix` applies them to the file and the editor to its buffer.
    Changes to one line follow each other, each `before` being the previous `after`.
    """
    lines = text.split("\n")
    changes = _repair_mojibake(lines)
    changes += _quote_description(lines, path)
    return tuple(sorted(changes, key=lambda change: change.line))


def apply(text: str, changes: tuple[Change, ...]) -> str:
    """`text` with each changed line replaced, its `\r` ending (if any) kept."""
    lines = text.split("\n")
    for change in changes:
        ending = "\r" if lines[change.line - 1].endswith("\r") else ""
        lines[change.line - 1] = change.after + ending
    return "\n".join(lines)


def _repair_mojibake(lines: list[str]) -> list[Change]:
    """Replace each damaged line of `lines` (a working copy) with ftfy's encoding repair."""
    changes = []
    for number, broken, repaired in mojibake.find("\n".join(lines)):
        ending = "\r" if lines[number - 1].endswith("\r") else ""
        lines[number - 1] = repaired + ending
        changes.append(Change(number, "mojibake", broken, repaired))
    return changes


def _quote_description(lines: list[str], path: Path) -> list[Change]:
    """Single-quote a one-line plain description when that alone makes the YAML valid.

    Single quotes keep backslashes literal, so the `\\n` escapes many descriptions carry
    stay the two characters the lenient reader saw; only `'` itself is doubled. The fix
    stands only if strict YAML then reads every field exactly as the lenient reader did.
    """
    spec = parse_agent("\n".join(lines).encode("utf-8"), path, Origin.EXPLICIT)
    span = spec.span("description")
    if spec.yaml_valid or not spec.is_agent or span is None or span.start != span.end:
        return []
    index = span.start - 1
    line = lines[index]
    ending = "\r" if line.endswith("\r") else ""
    content = line.removesuffix("\r")
    key, colon, rest = content.partition(":")
    value = rest.strip()
    if key != "description" or not value or value[0] in _PLAIN_START:
        return []
    lead = rest[: len(rest) - len(rest.lstrip())]
    trail = rest[len(rest.rstrip()) :]
    quoted = "'" + value.replace("'", "''") + "'"
    replacement = f"{key}{colon}{lead}{quoted}{trail}"
    candidate = [*lines[:index], replacement + ending, *lines[index + 1 :]]
    if not _reads_the_same(candidate, dict(spec.fields)):
        return []
    lines[index] = replacement + ending
    return [Change(span.start, "yaml-invalid", content, replacement)]


def _reads_the_same(lines: list[str], lenient: dict[str, object]) -> bool:
    cut = frontmatter.split("\n".join(lines))
    if not cut.closed:
        return False
    try:
        strict = yaml.safe_load(cut.text)
    except yaml.YAMLError:
        return False
    return isinstance(strict, dict) and strict == lenient


def write(fix: Plan) -> None:
    """Replace the file with the fixed bytes, all or nothing.

    The new content goes to a temporary file in the same folder, is synced, gets the old
    file's mode and is renamed over it; just before the rename the file is read again, so
    an edit made meanwhile (by an editor, another tool) is never overwritten. A symbolic
    link is followed, so the link itself stays a link.
    """
    target = Path(os.path.realpath(fix.path))
    try:
        info = target.stat()
    except OSError as error:
        raise FixRefused(f"cannot read it again: {error.strerror or error}") from None
    if not os.access(target, os.W_OK) or not info.st_mode & stat.S_IWUSR:
        raise FixRefused("the file is read-only; make it writable to fix it")
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".fix", dir=target.parent
    )
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(fix.fixed)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, stat.S_IMODE(info.st_mode))
        if _current(target, info) != fix.original:
            raise FixRefused("the file changed since it was read; run `lint --fix` again")
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)


def _current(target: Path, before: os.stat_result) -> bytes | None:
    """The file's bytes now, or None when it was replaced or touched since `before`."""
    try:
        now = target.stat()
        data = target.read_bytes()
    except OSError:
        return None
    if (now.st_ino, now.st_mtime_ns, now.st_size) != (
        before.st_ino,
        before.st_mtime_ns,
        before.st_size,
    ):
        return None
    return data


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; some filesystems cannot sync a folder, which is fine."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
