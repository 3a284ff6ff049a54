"""Discovery and precedence: which agent wins a name, and that nothing is lost."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.files import agent_text, write_agent
from workbench.agentfile.discover import Source, sources
from workbench.agentfile.roster import load_roster
from workbench.agentfile.spec import Origin
from workbench.config import paths


def test_sources_in_precedence_order(tmp_path: Path, isolated_config: Path) -> None:
    extra = tmp_path / "extra"
    found = sources(tmp_path, [extra])
    assert [(s.origin, s.path) for s in found] == [
        (Origin.EXPLICIT, extra),
        (Origin.PROJECT, tmp_path / ".claude" / "agents"),
        (Origin.USER, isolated_config / ".claude" / "agents"),
        (Origin.BUNDLED, paths.bundled_dir("agents")),
    ]
    assert [s.origin for s in sources(tmp_path, user=False)] == [Origin.PROJECT, Origin.BUNDLED]


def test_higher_precedence_wins_and_the_other_stays_visible(tmp_path: Path) -> None:
    project = tmp_path / ".claude" / "agents"
    user = tmp_path / "user-agents"
    mine = write_agent(project, "reviewer.md", agent_text("reviewer"))
    theirs = write_agent(user, "reviewer.md", agent_text("reviewer"))
    roster = load_roster([Source(user, Origin.USER), Source(project, Origin.PROJECT)])
    winner, loser = roster.namesakes(roster.specs[0])
    assert (winner.path, winner.active) == (mine, True)
    assert (loser.path, loser.active) == (theirs, False)
    [duplicate] = [d for d in loser.diagnostics if d.code == "duplicate-name"]
    assert str(mine) in duplicate.message and duplicate.line == 2
    assert roster.get("reviewer") is winner
    assert roster.get("Reviewer") is winner


def test_ties_within_an_origin_go_to_command_line_order_then_path(tmp_path: Path) -> None:
    b = write_agent(tmp_path / "b", "x.md", agent_text("same"))
    a = write_agent(tmp_path / "a", "x.md", agent_text("same"))
    roster = load_roster([Source(b, Origin.EXPLICIT), Source(a, Origin.EXPLICIT)])
    assert roster.get("same").path == b  # type: ignore[union-attr]
    folder = tmp_path / "folder"
    write_agent(folder / "z", "one.md", agent_text("dup"))
    first = write_agent(folder / "a", "two.md", agent_text("dup"))
    assert load_roster([Source(folder, Origin.PROJECT)]).get("dup").path == first  # type: ignore[union-attr]


def test_folders_are_scanned_recursively_for_markdown_only(tmp_path: Path) -> None:
    write_agent(tmp_path / "deep" / "er", "a.md", agent_text("a"))
    write_agent(tmp_path, "notes.txt", agent_text("txt"))
    roster = load_roster([Source(tmp_path, Origin.PROJECT)])
    assert [s.name for s in roster.specs] == ["a"]


def test_an_explicit_file_of_any_extension_counts(tmp_path: Path) -> None:
    path = write_agent(tmp_path, "agent.txt", agent_text("from-txt"))
    assert load_roster([Source(path, Origin.EXPLICIT)]).get("from-txt") is not None


def test_the_same_file_through_two_sources_counts_once(tmp_path: Path) -> None:
    project = tmp_path / ".claude" / "agents"
    path = write_agent(project, "a.md", agent_text("a"))
    roster = load_roster([Source(path, Origin.EXPLICIT), Source(project, Origin.PROJECT)])
    [spec] = roster.specs
    assert spec.origin is Origin.EXPLICIT
    assert not [d for d in spec.diagnostics if d.code == "duplicate-name"]


def test_one_broken_file_never_breaks_the_rest(tmp_path: Path) -> None:
    write_agent(tmp_path, "a-good.md", agent_text("a-good"))
    write_agent(tmp_path, "b-binary.md", b"\x00\x01\x02")
    write_agent(tmp_path, "c-latin1.md", "---\nname: caf\xe9\n".encode("latin-1"))
    write_agent(tmp_path, "d-list.md", "---\n- a\n---\n")
    write_agent(tmp_path, "e-empty.md", "")
    write_agent(tmp_path, "f-notes.md", "# Notes\n")
    roster = load_roster([Source(tmp_path, Origin.PROJECT)])
    assert [s.path.name for s in roster.specs] == [
        "a-good.md",
        "b-binary.md",
        "c-latin1.md",
        "d-list.md",
        "e-empty.md",
        "f-notes.md",
    ]
    assert roster.specs[0].diagnostics == ()
    assert all(spec.diagnostics for spec in roster.specs[1:])
    assert [s.name for s in roster.agents] == ["a-good", None, "caf\ufffd", None]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    path = write_agent(tmp_path, "locked.md", agent_text("locked"))
    path.chmod(0)
    [spec] = load_roster([Source(tmp_path, Origin.PROJECT)]).specs
    assert spec.diagnostics[0].code == "unreadable"


def test_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    write_agent(tmp_path, "a.md", agent_text("a"))
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert [s.name for s in load_roster([Source(tmp_path, Origin.PROJECT)]).specs] == ["a"]


def test_missing_folders_are_empty(tmp_path: Path) -> None:
    assert load_roster([Source(tmp_path / "nope", Origin.PROJECT)]).specs == ()


def test_enormous_file_is_refused_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.md"
    with path.open("wb") as handle:
        handle.truncate(40 * 1024 * 1024)
    [spec] = load_roster([Source(tmp_path, Origin.PROJECT)]).specs
    assert spec.diagnostics[0].code == "unreadable"
    assert "too large" in spec.diagnostics[0].message


def test_a_fifo_among_agents_is_reported_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.md")
    [spec] = load_roster([Source(tmp_path, Origin.PROJECT)]).specs
    assert spec.diagnostics[0].code == "unreadable"


def test_a_file_with_errors_never_shadows_a_sound_agent_of_its_name(tmp_path: Path) -> None:
    """Claude Code skips a file with errors, so the name goes to the next sound agent."""
    project = tmp_path / ".claude" / "agents"
    user = tmp_path / "user-agents"
    broken = write_agent(project, "reviewer.md", "---\nname: reviewer\n---\nNo description.\n")
    sound = write_agent(user, "reviewer.md", agent_text("reviewer"))
    roster = load_roster([Source(project, Origin.PROJECT), Source(user, Origin.USER)])
    chosen = roster.get("reviewer")
    assert chosen is not None and chosen.path == sound and chosen.active
    assert not [d for d in chosen.diagnostics if d.code == "duplicate-name"]
    [skipped] = [s for s in roster.specs if s.path == broken]
    assert not skipped.active
    assert [d.code for d in skipped.diagnostics] == ["missing-description"]
    assert roster.namesakes(skipped) == (chosen, skipped)


def test_a_name_only_broken_files_hold_still_finds_the_first_of_them(tmp_path: Path) -> None:
    first = write_agent(tmp_path / "a", "x.md", "---\nname: lonely\n---\nBody\n")
    write_agent(tmp_path / "b", "x.md", "---\nname: lonely\n---\nBody\n")
    roster = load_roster([Source(tmp_path, Origin.PROJECT)])
    found = roster.get("lonely")
    assert found is not None and found.path == first and not found.active
