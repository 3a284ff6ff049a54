"""New, duplicate, rename, delete and restore: refusals, and every other byte kept."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from workbench.agentfile.discover import Source
from workbench.agentfile.manage import (
    ManageRefused,
    create,
    delete,
    duplicate,
    rename,
    restore,
    trash_entries,
)
from workbench.agentfile.parse import parse_agent
from workbench.agentfile.roster import Roster, load_roster
from workbench.agentfile.spec import AgentSpec, Origin

ORIGINAL = (
    "---\n"
    "# kept comment\n"
    "name: 'reviewer'\n"
    "description: Reviews code: carefully.\n"
    "tools:\n"
    "  - Read\n"
    "---\n"
    "Body with trailing spaces   \n"
    "no final newline"
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "ws" / ".claude" / "agents"
    path.mkdir(parents=True)
    return path


def roster_of(folder: Path) -> Roster:
    return load_roster([Source(folder, Origin.PROJECT)])


def write(folder: Path, name: str, text: str, newline: str = "\n") -> AgentSpec:
    path = folder / name
    path.write_bytes(text.replace("\n", newline).encode())
    found = roster_of(folder).for_paths([path])
    return found[0]


def test_create_writes_a_loadable_agent_from_the_template(folder: Path) -> None:
    path = create(folder, "api-helper", "Answers API questions: quickly, with links.")
    assert path == folder / "api-helper.md"
    spec = parse_agent(path.read_bytes(), path, Origin.PROJECT)
    assert spec.name == "api-helper"
    assert spec.description == "Answers API questions: quickly, with links."
    assert spec.tools == ("Read", "Grep", "Glob") and spec.model == "inherit"
    assert spec.yaml_valid and not spec.has_errors and spec.body.strip()


def test_create_refuses_bad_names_clashes_and_missing_folders(folder: Path, tmp_path: Path) -> None:
    for bad in ("Api Helper", "api_helper", "-api", "api--x", "", "api:x"):
        with pytest.raises(ManageRefused, match="not a usable agent name"):
            create(folder, bad, "d")
    create(folder, "taken", "first")
    before = (folder / "taken.md").read_bytes()
    with pytest.raises(ManageRefused, match="already exists"):
        create(folder, "taken", "second")
    assert (folder / "taken.md").read_bytes() == before
    with pytest.raises(ManageRefused, match="already exists"):
        create(tmp_path / "elsewhere", "taken", "d", roster=roster_of(folder), make_folder=True)
    with pytest.raises(ManageRefused, match="description is needed"):
        create(folder, "blank", "   ")
    missing = tmp_path / "no" / "such"
    with pytest.raises(ManageRefused, match="does not exist"):
        create(missing, "fresh", "d")
    assert not missing.exists()
    assert create(missing, "fresh", "d", make_folder=True) == missing / "fresh.md"
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_duplicate_changes_only_the_name_line(folder: Path, newline: str) -> None:
    spec = write(folder, "reviewer.md", ORIGINAL, newline)
    copy = duplicate(spec, "reviewer-variant", roster=roster_of(folder))
    assert copy == folder / "reviewer-variant.md"
    expected = ORIGINAL.replace("name: 'reviewer'", "name: reviewer-variant")
    assert copy.read_bytes() == expected.replace("\n", newline).encode()
    assert spec.path.read_bytes() == ORIGINAL.replace("\n", newline).encode()


def test_duplicate_refuses_a_taken_name_and_can_go_elsewhere(folder: Path, tmp_path: Path) -> None:
    spec = write(folder, "reviewer.md", ORIGINAL)
    write(folder, "other.md", ORIGINAL.replace("'reviewer'", "other"))
    with pytest.raises(ManageRefused, match="already exists"):
        duplicate(spec, "other", roster=roster_of(folder))
    (folder / "loose.md").write_text("no frontmatter\n")
    with pytest.raises(ManageRefused, match="already exists"):
        duplicate(spec, "loose")
    elsewhere = tmp_path / "project" / ".claude" / "agents"
    assert duplicate(spec, "mine", folder=elsewhere) == elsewhere / "mine.md"


def test_duplicate_of_a_file_without_a_name_is_refused(folder: Path) -> None:
    spec = write(folder, "anon.md", "---\ndescription: d\n---\nBody\n")
    with pytest.raises(ManageRefused, match="no `name` line"):
        duplicate(spec, "named")
    assert not (folder / "named.md").exists()


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_rename_moves_the_file_and_the_name_together(folder: Path, newline: str) -> None:
    spec = write(folder, "reviewer.md", ORIGINAL, newline)
    os.chmod(spec.path, 0o640)
    path = rename(spec, "critic", roster_of(folder))
    assert path == folder / "critic.md" and not spec.path.exists()
    expected = ORIGINAL.replace("name: 'reviewer'", "name: critic").replace("\n", newline)
    assert path.read_bytes() == expected.encode()
    assert path.stat().st_mode & 0o777 == 0o640


def test_rename_refuses_a_clash_and_changes_nothing(folder: Path) -> None:
    spec = write(folder, "reviewer.md", ORIGINAL)
    write(folder, "sub.md", ORIGINAL.replace("'reviewer'", "critic"))
    with pytest.raises(ManageRefused, match="already exists"):
        rename(spec, "critic", roster_of(folder))
    (folder / "plain.md").write_text("not an agent\n")
    with pytest.raises(ManageRefused, match="already exists"):
        rename(spec, "plain", roster_of(folder))
    with pytest.raises(ManageRefused, match="already called"):
        rename(spec, "reviewer", roster_of(folder))
    assert spec.path.read_text() == ORIGINAL
    assert sorted(p.name for p in folder.iterdir()) == ["plain.md", "reviewer.md", "sub.md"]


def test_rename_of_a_file_named_otherwise_and_a_bundled_agent(folder: Path) -> None:
    spec = write(folder, "odd-file.md", ORIGINAL)
    assert rename(spec, "odd-file", roster_of(folder)) == spec.path
    assert "name: odd-file\n" in spec.path.read_text()
    bundled = AgentSpec(path=spec.path, origin=Origin.BUNDLED, name="odd-file")
    with pytest.raises(ManageRefused, match="bundled"):
        rename(bundled, "new-name", roster_of(folder))


def test_delete_then_restore_gives_back_the_same_bytes(folder: Path) -> None:
    workspace = folder.parent.parent
    spec = write(folder, "reviewer.md", ORIGINAL, "\r\n")
    before = spec.path.read_bytes()
    entry = delete(spec, workspace)
    assert not spec.path.exists()
    assert entry.file.parent == workspace / ".workbench" / "trash"
    assert entry.file.name.endswith("-reviewer.md") and entry.file.read_bytes() == before
    assert json.loads(entry.record.read_text())["original"] == str(spec.path)
    assert trash_entries(workspace) == [entry]
    assert restore(entry) == spec.path
    assert spec.path.read_bytes() == before
    assert trash_entries(workspace) == [] and not entry.record.exists()


def test_restore_refuses_when_the_place_is_taken_and_keeps_the_trash(folder: Path) -> None:
    workspace = folder.parent.parent
    spec = write(folder, "reviewer.md", ORIGINAL)
    entry = delete(spec, workspace)
    spec.path.write_text("someone else's\n")
    with pytest.raises(ManageRefused, match="exists again"):
        restore(entry)
    assert spec.path.read_text() == "someone else's\n"
    assert entry.file.read_text() == ORIGINAL and trash_entries(workspace) == [entry]


def test_trash_lists_newest_first_and_skips_broken_records(folder: Path) -> None:
    workspace = folder.parent.parent
    first = delete(write(folder, "a.md", ORIGINAL.replace("'reviewer'", "a")), workspace)
    second = delete(write(folder, "a.md", ORIGINAL.replace("'reviewer'", "a")), workspace)
    (first.file.parent / "junk.json").write_text("{not json")
    assert trash_entries(workspace) == [second, first]
    assert first.file != second.file


def test_bundled_agents_are_not_deleted(folder: Path) -> None:
    spec = write(folder, "reviewer.md", ORIGINAL)
    bundled = AgentSpec(path=spec.path, origin=Origin.BUNDLED, name="reviewer")
    with pytest.raises(ManageRefused, match="bundled"):
        delete(bundled, folder.parent.parent)
    assert spec.path.exists()
