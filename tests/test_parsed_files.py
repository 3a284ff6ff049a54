"""What an earlier launch parsed is used again only for the same bytes, by the same code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.files import agent_text, write_agent
from workbench.agentfile.discover import Source
from workbench.agentfile.roster import load_roster
from workbench.agentfile.spec import Origin
from workbench.parsed_files import ParsedFiles

REPO = Path(__file__).resolve().parents[1]


def counting(parses: list[bytes], data: bytes) -> bytes:
    parses.append(data)
    return data.upper()


def test_the_next_launch_uses_what_this_one_parsed(tmp_path: Path) -> None:
    parses: list[bytes] = []
    first = ParsedFiles(tmp_path / "kept.pickle")
    assert first.parsed(("kind", "a"), b"one", lambda: counting(parses, b"one")) == b"ONE"
    assert first.parsed(("kind", "a"), b"one", lambda: counting(parses, b"one")) == b"ONE"
    first.save()
    second = ParsedFiles(tmp_path / "kept.pickle")
    assert second.parsed(("kind", "a"), b"one", lambda: counting(parses, b"one")) == b"ONE"
    assert parses == [b"one"]


def test_other_bytes_or_another_key_are_parsed_afresh(tmp_path: Path) -> None:
    parses: list[bytes] = []
    first = ParsedFiles(tmp_path / "kept.pickle")
    first.parsed(("kind", "a"), b"one", lambda: counting(parses, b"one"))
    first.save()
    second = ParsedFiles(tmp_path / "kept.pickle")
    assert second.parsed(("kind", "a"), b"two", lambda: counting(parses, b"two")) == b"TWO"
    assert second.parsed(("kind", "b"), b"one", lambda: counting(parses, b"one")) == b"ONE"
    assert parses == [b"one", b"two", b"one"]


def test_a_file_changed_during_a_launch_keeps_only_its_last_parse(tmp_path: Path) -> None:
    parses: list[bytes] = []
    first = ParsedFiles(tmp_path / "kept.pickle")
    for version in (b"v1", b"v2", b"v3"):
        first.parsed(("kind", "a"), version, lambda version=version: counting(parses, version))
    first.save()
    second = ParsedFiles(tmp_path / "kept.pickle")
    second.parsed(("kind", "a"), b"v3", lambda: counting(parses, b"v3"))
    second.parsed(("kind", "a"), b"v1", lambda: counting(parses, b"v1"))
    assert parses == [b"v1", b"v2", b"v3", b"v1"]


def test_a_failed_parse_is_not_kept(tmp_path: Path) -> None:
    kept = ParsedFiles(tmp_path / "kept.pickle")

    def broken() -> bytes:
        raise ValueError("bad file")

    with pytest.raises(ValueError):
        kept.parsed(("kind", "a"), b"one", broken)
    assert kept.parsed(("kind", "a"), b"one", lambda: b"fixed") == b"fixed"


@pytest.mark.parametrize("content", [b"", b"not a pickle", b"\x80\x05K\x01."])
def test_a_damaged_file_only_means_parsing(tmp_path: Path, content: bytes) -> None:
    file = tmp_path / "kept.pickle"
    file.write_bytes(content)
    file.chmod(0o600)
    kept = ParsedFiles(file)
    assert kept.parsed(("kind", "a"), b"one", lambda: b"parsed") == b"parsed"
    kept.save()
    assert ParsedFiles(file).parsed(("kind", "a"), b"one", lambda: b"again") == b"parsed"


def test_results_of_code_long_replaced_are_removed(tmp_path: Path) -> None:
    old, recent = tmp_path / "parsed-old.pickle", tmp_path / "parsed-recent.pickle"
    for other in (old, recent):
        other.write_bytes(b"")
    week_ago = time.time() - 8 * 24 * 3600
    os.utime(old, (week_ago, week_ago))
    kept = ParsedFiles(tmp_path / "parsed-now.pickle")
    kept.parsed(("kind", "a"), b"one", lambda: b"ONE")
    kept.save()
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "parsed-now.pickle",
        "parsed-recent.pickle",
    ]


def test_a_cache_folder_that_is_a_file_only_means_parsing(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    kept = ParsedFiles(blocked / "kept.pickle")
    assert kept.parsed(("kind", "a"), b"one", lambda: b"ONE") == b"ONE"
    kept.save()
    assert blocked.read_text() == ""


def test_an_edited_agent_file_is_read_as_it_now_is(tmp_path: Path) -> None:
    """Same size and same time of change: only the bytes tell the edit apart."""
    folder = tmp_path / "agents"
    path = write_agent(folder, "helper.md", agent_text("helper", model="opus"))
    stat = path.stat()
    sources = [Source(folder, Origin.EXPLICIT)]
    kept = ParsedFiles(tmp_path / "cache" / "kept.pickle")
    assert load_roster(sources, kept=kept).get("helper").model == "opus"
    kept.save()
    path.write_text(agent_text("helper", model="haik"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again = load_roster(sources, kept=ParsedFiles(tmp_path / "cache" / "kept.pickle"))
    spec = again.get("helper")
    assert spec.model == "haik"
    assert [d.code for d in spec.diagnostics] == ["unknown-model"]


def test_a_roster_from_kept_parses_is_the_roster_parsing_gives(tmp_path: Path) -> None:
    workspace = REPO / "examples" / "sample-workspace"
    sources = [Source(workspace / ".claude" / "agents", Origin.PROJECT)]
    kept = ParsedFiles(tmp_path / "kept.pickle")
    load_roster(sources, kept=kept)
    kept.save()
    from_kept = load_roster(sources, kept=ParsedFiles(tmp_path / "kept.pickle"))
    assert from_kept == load_roster(sources)
    assert len(from_kept.specs) >= 3


STARTUP = """
import json, sys
from pathlib import Path
from workbench.agentfile.discover import sources
from workbench.agentfile.roster import load_roster
from workbench.config.settings import load_settings
from workbench.parsed_files import for_this_install
from workbench.ui.themes import ThemeLibrary, theme_folders

workspace = Path(sys.argv[1])
kept = for_this_install(Path(sys.argv[2]))
models = load_settings(workspace).models(kept)
roster = load_roster(sources(workspace), models, kept=kept)
themes, problems = ThemeLibrary(theme_folders(), kept).load()
kept.save()
print(json.dumps({
    "agents": sorted(spec.name for spec in roster.agents),
    "themes": sorted(theme.name for theme in themes),
    "parsers": sorted(name for name in ("yaml", "tomllib") if name in sys.modules),
}))
"""


def test_a_second_launch_reads_nothing_it_must_parse(tmp_path: Path) -> None:
    """Agents, themes and models as start-up reads them: the second time, from what the
    first kept, without importing a parser."""
    env = {
        **os.environ,
        "CLAUDE_CONFIG_DIR": str(tmp_path / "claude"),
        "WORKBENCH_CONFIG": str(tmp_path / "config.toml"),
    }
    argv = [
        sys.executable,
        "-c",
        STARTUP,
        str(REPO / "examples" / "sample-workspace"),
        str(tmp_path / "cache"),
    ]
    launches = [
        json.loads(subprocess.run(argv, env=env, capture_output=True, check=True).stdout)
        for _ in range(2)
    ]
    assert launches[0]["parsers"] == ["tomllib", "yaml"]
    assert launches[1]["parsers"] == []
    assert launches[1]["agents"] == launches[0]["agents"]
    assert launches[1]["themes"] == launches[0]["themes"]
    assert "api-architect" in launches[1]["agents"]
