"""`workbench lint --fix`: the bytes it writes, what it prints, and what it refuses."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest
import yaml

from tests.support.shared import seed_files, shared_path
from workbench import cli
from workbench.agentfile import fixes

UNQUOTED = "Use it when: the API changes. It's \\n<example>user: hi</example>"
"""A one-line plain description strict YAML rejects (`: `), with a `'` and a literal `\\n`."""


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = cli.main(args)
    out = capsys.readouterr()
    return status, out.out, out.err


def frontmatter(data: bytes) -> object:
    text = data.decode("utf-8-sig").replace("\r\n", "\n")
    return yaml.safe_load(text.split("---\n")[1])


def test_fifth_seed_changes_exactly_two_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    [seed] = [path for path in seed_files() if path.name.startswith("004")]
    copy = tmp_path / seed.name
    shutil.copyfile(seed, copy)
    before = seed.read_bytes()

    status, out, _ = run(["lint", "--workspace", str(tmp_path), "--fix", str(copy)], capsys)

    after = copy.read_bytes()
    old_lines, new_lines = before.split(b"\n"), after.split(b"\n")
    assert len(old_lines) == len(new_lines)
    changed = [n + 1 for n, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]
    assert changed == [3, 155]
    assert new_lines[154] == old_lines[154].replace("\u00c2\u00b2".encode(), "\u00b2".encode())
    old_value = old_lines[2].decode().removeprefix("description: ")
    assert new_lines[2].decode() == "description: '" + old_value.replace("'", "''") + "'"
    fields = frontmatter(after)
    assert isinstance(fields, dict)
    assert list(fields) == ["name", "description", "model", "color"]
    assert fields["description"] == old_value
    assert (fields["name"], fields["model"], fields["color"]) == (
        "backend-architect",
        "sonnet",
        "yellow",
    )
    assert f"{copy.name}:3: fixed yaml-invalid: " in out
    assert f"{copy.name}:155: fixed mojibake: …y (avoid O(nÂ²) when O(n … -> " in out
    assert "yaml-invalid the frontmatter" not in out and "warning mojibake" not in out
    assert status == 0


def test_crlf_bom_and_missing_final_newline_survive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        f"---\r\n# a comment\r\nname: helper\r\ndescription:  {UNQUOTED}  \r\n"
        "tools: Read\r\n---\r\nSay hi\u00e2\u20ac\u201dpolitely.\r\nBye."
    )
    path = tmp_path / "helper.md"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())

    status, out, err = run(["lint", "--workspace", str(tmp_path), "--fix", str(path)], capsys)

    quoted = "'" + UNQUOTED.replace("'", "''") + "'"
    expected = text.replace(f"  {UNQUOTED}  ", f"  {quoted}  ").replace(
        "hi\u00e2\u20ac\u201dpolitely", "hi\u2014politely"
    )
    assert path.read_bytes() == b"\xef\xbb\xbf" + expected.encode()
    assert frontmatter(path.read_bytes()) == {
        "name": "helper",
        "description": UNQUOTED,
        "tools": "Read",
    }
    assert "fixed yaml-invalid" in out and "fixed mojibake" in out
    assert "1 file checked: 0 errors, 0 warnings" in err
    assert status == 0


def test_dry_run_shows_the_changes_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "helper.md"
    path.write_text(f"---\nname: helper\ndescription: {UNQUOTED}\n---\nx\n")
    before = path.read_bytes(), path.stat().st_mtime_ns

    status, out, _ = run(
        ["lint", "--workspace", str(tmp_path), "--fix", "--dry-run", str(path)], capsys
    )

    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert "helper.md:3: would fix yaml-invalid: " in out
    assert "warning yaml-invalid" in out
    assert status == 0
    assert run(["lint", "--workspace", str(tmp_path), "--dry-run", str(path)], capsys)[0] == 2


def test_read_only_file_is_reported_and_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "helper.md"
    path.write_text(f"---\nname: helper\ndescription: {UNQUOTED}\n---\nx\n")
    path.chmod(0o444)
    before = path.read_bytes()

    status, out, err = run(["lint", "--workspace", str(tmp_path), "--fix", str(path)], capsys)

    assert status == 1
    assert f"workbench lint: {path}: not fixed: the file is read-only" in err
    assert "fixed" not in out
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["helper.md"]


def test_a_file_edited_meanwhile_is_not_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "helper.md"
    path.write_text(f"---\nname: helper\ndescription: {UNQUOTED}\n---\nx\n")
    planned = fixes.plan

    def plan_then_someone_edits(target: Path, data: bytes) -> fixes.Plan:
        repair = planned(target, data)
        with target.open("a") as file:
            file.write("edited elsewhere\n")
        return repair

    monkeypatch.setattr(fixes, "plan", plan_then_someone_edits)
    status, _, err = run(["lint", "--workspace", str(tmp_path), "--fix", str(path)], capsys)

    assert status == 1
    assert "not fixed: the file changed since it was read" in err
    assert path.read_text().endswith("x\nedited elsewhere\n")
    assert f"description: {UNQUOTED}\n" in path.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["helper.md"]


def test_the_file_mode_is_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "helper.md"
    path.write_text(f"---\nname: helper\ndescription: {UNQUOTED}\n---\nx\n")
    path.chmod(0o640)
    run(["lint", "--workspace", str(tmp_path), "--fix", str(path)], capsys)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert "'Use it when" in path.read_text()


def test_what_quoting_cannot_fix_is_left_as_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    multi_line = "---\nname: a\ndescription: Use it\n  when: asked\n---\nx\n"
    star_tools = "---\nname: b\ndescription: Use it: always\ntools: *\n---\nx\n"
    a = tmp_path / "a.md"
    b = tmp_path / "b.md"
    a.write_text(multi_line)
    b.write_text(star_tools)

    status, out, err = run(
        ["lint", "--workspace", str(tmp_path), "--format", "json", "--fix", str(a), str(b)],
        capsys,
    )

    assert (a.read_text(), b.read_text()) == (multi_line, star_tools)
    assert "fixed" not in err
    report = json.loads(out)
    assert [[d["code"] for d in item["diagnostics"]] for item in report] == [
        ["yaml-invalid"],
        ["yaml-invalid"],
    ]
    assert status == 0


def test_corpus_files_fixed_are_valid_yaml_afterwards(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = shared_path("corpus", "agents")
    _, out, _ = run(["lint", "--workspace", str(tmp_path), "--format", "json", str(corpus)], capsys)
    invalid = [
        Path(item["path"])
        for item in json.loads(out)
        if any(d["code"] == "yaml-invalid" for d in item["diagnostics"])
    ]
    copies = tmp_path / "copies"
    copies.mkdir()
    for index, path in enumerate(invalid):
        shutil.copyfile(path, copies / f"{index:03d}-{path.name}")

    _, out, _ = run(["lint", "--workspace", str(tmp_path), "--fix", str(copies)], capsys)
    fixed = {
        Path(line.split(":", 1)[0]).name
        for line in out.splitlines()
        if "fixed yaml-invalid" in line
    }
    _, out, err = run(
        ["lint", "--workspace", str(tmp_path), "--format", "json", "--fix", str(copies)], capsys
    )
    assert "fixed" not in err  # the first run left nothing more to do
    still_invalid = {
        Path(item["path"]).name
        for item in json.loads(out)
        if any(d["code"] == "yaml-invalid" for d in item["diagnostics"])
    }
    assert len(fixed) >= 60
    assert not fixed & still_invalid
    for name in fixed:
        assert isinstance(frontmatter((copies / name).read_bytes()), dict), name
