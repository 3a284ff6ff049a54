"""Read, Write, Edit and MultiEdit against real folders: paging, the jail, read-before-write."""

from __future__ import annotations

import os
import stat
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from workbench.engine.jail import Jail
from workbench.engine.tools.base import FileChange, Tool, ToolContext, ToolError, ToolResult
from workbench.engine.tools.edit import Edit, MultiEdit
from workbench.engine.tools.read import Read
from workbench.engine.tools.schema import check_input
from workbench.engine.tools.write import Write


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    return Path(os.path.realpath(root))


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    root = tmp_path / "outside"
    root.mkdir()
    (root / "secret.txt").write_text("the secret\n")
    return Path(os.path.realpath(root))


@pytest.fixture
def ctx(ws: Path) -> ToolContext:
    return ToolContext(jail=Jail.of(ws))


async def call(tool: Tool, context: ToolContext, /, **tool_input: Any) -> ToolResult:
    """Run `tool` as the engine does: the input is checked against its schema first."""
    problem = check_input(tool.input_schema, tool_input)
    assert problem is None, problem
    return await tool.run(tool_input, context)


async def fails(tool: Tool, context: ToolContext, /, **tool_input: Any) -> str:
    with pytest.raises(ToolError) as caught:
        await call(tool, context, **tool_input)
    return str(caught.value)


async def read_in_full(context: ToolContext, path: Path) -> None:
    await call(Read(), context, file_path=str(path))
    assert path in context.read_files


# --- Read ---------------------------------------------------------------------------------


async def test_read_numbers_lines_like_cat_n_and_remembers_a_full_read(
    ws: Path, ctx: ToolContext
) -> None:
    path = ws / "notes.txt"
    path.write_text("alpha\nbeta\n\ngamma")
    result = await call(Read(), ctx, file_path="notes.txt")
    assert result.content == "     1\talpha\n     2\tbeta\n     3\t\n     4\tgamma"
    assert not result.is_error
    assert ctx.read_files[path] == path.stat().st_mtime_ns


async def test_read_accepts_absolute_paths(ws: Path, ctx: ToolContext) -> None:
    (ws / "a.txt").write_text("x\n")
    result = await call(Read(), ctx, file_path=str(ws / "a.txt"))
    assert result.content == "     1\tx"


async def test_read_with_offset_and_limit_is_partial_and_not_remembered(
    ws: Path, ctx: ToolContext
) -> None:
    path = ws / "ten.txt"
    path.write_text("".join(f"line {n}\n" for n in range(1, 11)))
    result = await call(Read(), ctx, file_path="ten.txt", offset=4, limit=3)
    lines = result.content.splitlines()
    assert lines[:3] == ["     4\tline 4", "     5\tline 5", "     6\tline 6"]
    assert "lines 4–6 of 10" in lines[3]
    assert "offset=7" in lines[3]
    assert path not in ctx.read_files


async def test_read_offset_zero_means_the_start(ws: Path, ctx: ToolContext) -> None:
    (ws / "a.txt").write_text("one\ntwo\n")
    result = await call(Read(), ctx, file_path="a.txt", offset=0)
    assert result.content.startswith("     1\tone")


async def test_read_tail_page_of_a_file_is_not_a_full_read(ws: Path, ctx: ToolContext) -> None:
    path = ws / "a.txt"
    path.write_text("one\ntwo\nthree\n")
    result = await call(Read(), ctx, file_path="a.txt", offset=2)
    assert "lines 2–3 of 3" in result.content
    assert "offset=" not in result.content
    assert path not in ctx.read_files


async def test_read_shows_2000_lines_by_default(ws: Path, ctx: ToolContext) -> None:
    path = ws / "long.txt"
    path.write_text("".join(f"{n}\n" for n in range(1, 2501)))
    result = await call(Read(), ctx, file_path="long.txt")
    lines = result.content.splitlines()
    assert lines[1999] == "  2000\t2000"
    assert "lines 1–2,000 of 2,500" in lines[2000]
    assert "offset=2001" in lines[2000]
    assert len(lines) == 2001
    assert path not in ctx.read_files


async def test_read_stops_at_the_size_cap_with_a_note(ws: Path, ctx: ToolContext) -> None:
    (ws / "wide.txt").write_text("".join(f"{n:04} {'y' * 195}\n" for n in range(1, 1001)))
    result = await call(Read(), ctx, file_path="wide.txt")
    lines = result.content.splitlines()
    assert len(result.content) <= 101_000
    shown = len(lines) - 1
    assert 400 < shown < 1000
    assert f"size limit: lines 1–{shown} of 1,000" in lines[-1]
    assert f"offset={shown + 1}" in lines[-1]


async def test_read_cuts_long_lines_with_a_marker(ws: Path, ctx: ToolContext) -> None:
    (ws / "wide.txt").write_text("x" * 5000 + "\nshort\n")
    result = await call(Read(), ctx, file_path="wide.txt")
    first, second = result.content.splitlines()
    assert first.startswith("     1\t" + "x" * 2000 + "…")
    assert "2,000 of 5,000 characters" in first
    assert "x" * 2001 not in first
    assert second == "     2\tshort"


async def test_read_of_an_empty_file_says_so(ws: Path, ctx: ToolContext) -> None:
    path = ws / "empty.txt"
    path.write_text("")
    result = await call(Read(), ctx, file_path="empty.txt")
    assert "empty" in result.content
    assert not result.is_error
    assert path in ctx.read_files


async def test_read_past_the_end_gives_the_line_count(ws: Path, ctx: ToolContext) -> None:
    (ws / "a.txt").write_text("1\n2\n3\n")
    result = await call(Read(), ctx, file_path="a.txt", offset=10)
    assert "has 3 lines" in result.content
    assert "offset 10 is past its end" in result.content


async def test_read_of_a_directory_points_to_ls_and_glob(ws: Path, ctx: ToolContext) -> None:
    (ws / "src").mkdir()
    message = await fails(Read(), ctx, file_path="src")
    assert "is a directory" in message
    assert "LS" in message
    assert "Glob" in message


async def test_read_refuses_binary_files(ws: Path, ctx: ToolContext) -> None:
    (ws / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    message = await fails(Read(), ctx, file_path="image.png")
    assert "binary" in message


async def test_read_shows_invalid_utf8_with_replacement_characters(
    ws: Path, ctx: ToolContext
) -> None:
    (ws / "latin.txt").write_bytes("café\nnaïve\n".encode("latin-1"))
    result = await call(Read(), ctx, file_path="latin.txt")
    lines = result.content.splitlines()
    assert lines[0] == "     1\tcaf\ufffd"
    assert lines[1] == "     2\tna\ufffdve"
    assert "not valid UTF-8" in lines[2]


async def test_read_hides_crlf_and_a_byte_order_mark(ws: Path, ctx: ToolContext) -> None:
    (ws / "win.txt").write_bytes(b"\xef\xbb\xbfone\r\ntwo\r\n")
    result = await call(Read(), ctx, file_path="win.txt")
    assert result.content == "     1\tone\n     2\ttwo"


async def test_read_of_a_missing_file_suggests_similar_names(ws: Path, ctx: ToolContext) -> None:
    (ws / "config.yaml").write_text("a: 1\n")
    message = await fails(Read(), ctx, file_path="config.yml")
    assert "does not exist" in message
    assert str(ws / "config.yaml") in message


async def test_read_of_a_50_mb_file_streams_one_page(ws: Path, ctx: ToolContext) -> None:
    path = ws / "big.log"
    line = b"0123456789" * 3 + b"abcdefgh\n"
    with path.open("wb") as handle:
        for _ in range(100):
            handle.write(line * 13_000)
    assert path.stat().st_size > 50_000_000
    tracemalloc.start()
    try:
        result = await call(Read(), ctx, file_path="big.log")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    lines = result.content.splitlines()
    assert len(lines) == 2001
    assert lines[0] == "     1\t" + "0123456789" * 3 + "abcdefgh"
    assert "lines 1–2,000 of 1,300,000" in lines[-1]
    assert peak < 10_000_000
    assert path not in ctx.read_files


@pytest.mark.parametrize("lines", [1_000, 95_267, 95_268, 95_269, 200_000])
@pytest.mark.parametrize("tail", [b"", b"last line without a newline"])
async def test_read_counts_every_line_of_the_rest(
    ws: Path, ctx: ToolContext, lines: int, tail: bytes
) -> None:
    """The count runs over the rest of the file in chunks: lines on a chunk's edge, and
    a last line without its newline, each count once."""
    (ws / "counted.txt").write_bytes(b"x\n" * lines + tail)
    result = await call(Read(), ctx, file_path="counted.txt", limit=1)
    total = lines + (1 if tail else 0)
    assert f"lines 1–1 of {total:,}." in result.content


async def test_read_of_a_50_mb_single_line_keeps_only_its_start(ws: Path, ctx: ToolContext) -> None:
    path = ws / "minified.js"
    with path.open("wb") as handle:
        for _ in range(50):
            handle.write(b"a" * 1_000_000)
    tracemalloc.start()
    try:
        result = await call(Read(), ctx, file_path="minified.js")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.content.startswith("     1\t" + "a" * 2000 + "…")
    assert "of 50,000,000 characters" in result.content
    assert len(result.content) < 2200
    assert peak < 10_000_000


async def test_read_refuses_paths_that_climb_out(ws: Path, ctx: ToolContext, outside: Path) -> None:
    message = await fails(Read(), ctx, file_path="../outside/secret.txt")
    assert "outside" in message
    assert "the secret" not in message


async def test_read_refuses_absolute_paths_outside(
    ws: Path, ctx: ToolContext, outside: Path
) -> None:
    message = await fails(Read(), ctx, file_path=str(outside / "secret.txt"))
    assert "outside the workspace" in message


async def test_read_refuses_a_symlink_pointing_outside(
    ws: Path, ctx: ToolContext, outside: Path
) -> None:
    (ws / "link.txt").symlink_to(outside / "secret.txt")
    message = await fails(Read(), ctx, file_path="link.txt")
    assert "symbolic link" in message


async def test_read_hints_at_the_workspace_path_for_a_root_absolute_path(
    ws: Path, ctx: ToolContext
) -> None:
    (ws / "docs" / "tasks").mkdir(parents=True)
    (ws / "docs" / "tasks" / "context.md").write_text("# Context\n")
    message = await fails(Read(), ctx, file_path="/docs/tasks/context.md")
    assert f"probably meant {ws / 'docs' / 'tasks' / 'context.md'}" in message


async def test_read_reads_granted_folders(ws: Path, outside: Path) -> None:
    context = ToolContext(jail=Jail.of(ws, (outside,)))
    result = await call(Read(), context, file_path=str(outside / "secret.txt"))
    assert result.content == "     1\tthe secret"


# --- Write --------------------------------------------------------------------------------


async def test_write_creates_the_file_and_its_folders(ws: Path, ctx: ToolContext) -> None:
    result = await call(Write(), ctx, file_path="src/pkg/mod.py", content="a = 1\nb = 2\n")
    path = ws / "src" / "pkg" / "mod.py"
    assert path.read_text() == "a = 1\nb = 2\n"
    assert result.content == f"Created {path} (2 lines)."
    assert result.changes == (FileChange(path, None, "a = 1\nb = 2\n"),)
    assert ctx.read_files[path] == path.stat().st_mtime_ns


async def test_write_refuses_an_existing_file_not_read(ws: Path, ctx: ToolContext) -> None:
    path = ws / "a.txt"
    path.write_text("keep me\n")
    message = await fails(Write(), ctx, file_path="a.txt", content="gone\n")
    assert "Read it first" in message
    assert path.read_text() == "keep me\n"


async def test_write_refuses_after_a_partial_read(ws: Path, ctx: ToolContext) -> None:
    path = ws / "a.txt"
    path.write_text("1\n2\n3\n")
    await call(Read(), ctx, file_path="a.txt", limit=1)
    message = await fails(Write(), ctx, file_path="a.txt", content="gone\n")
    assert "Read it first" in message


async def test_write_replaces_a_file_read_in_full(ws: Path, ctx: ToolContext) -> None:
    path = ws / "a.txt"
    path.write_text("old\n")
    await read_in_full(ctx, path)
    result = await call(Write(), ctx, file_path="a.txt", content="new\nlines\n")
    assert path.read_text() == "new\nlines\n"
    assert result.content == f"Updated {path} (2 lines)."
    assert result.changes == (FileChange(path, "old\n", "new\nlines\n"),)


async def test_write_refuses_a_file_changed_since_it_was_read(ws: Path, ctx: ToolContext) -> None:
    path = ws / "a.txt"
    path.write_text("old\n")
    await read_in_full(ctx, path)
    path.write_text("someone else's\n")
    os.utime(path, ns=(ctx.read_files[path] + 5_000_000_000,) * 2)
    message = await fails(Write(), ctx, file_path="a.txt", content="mine\n")
    assert "changed since you read it" in message
    assert "Read it again" in message
    assert path.read_text() == "someone else's\n"


async def test_write_then_write_again_needs_no_new_read(ws: Path, ctx: ToolContext) -> None:
    await call(Write(), ctx, file_path="a.txt", content="one\n")
    await call(Write(), ctx, file_path="a.txt", content="two\n")
    assert (ws / "a.txt").read_text() == "two\n"


async def test_write_keeps_permission_bits_and_leaves_no_temporary_file(
    ws: Path, ctx: ToolContext
) -> None:
    path = ws / "run.sh"
    path.write_text("#!/bin/sh\n")
    path.chmod(0o750)
    await read_in_full(ctx, path)
    await call(Write(), ctx, file_path="run.sh", content="#!/bin/sh\necho hi\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o750
    assert sorted(p.name for p in ws.iterdir()) == ["run.sh"]


async def test_write_gives_new_files_the_usual_permissions(ws: Path, ctx: ToolContext) -> None:
    await call(Write(), ctx, file_path="new.txt", content="x")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((ws / "new.txt").stat().st_mode) == 0o666 & ~umask


async def test_write_through_a_symlink_replaces_the_target(ws: Path, ctx: ToolContext) -> None:
    (ws / "real.txt").write_text("old\n")
    (ws / "alias.txt").symlink_to(ws / "real.txt")
    await call(Read(), ctx, file_path="alias.txt")
    await call(Write(), ctx, file_path="alias.txt", content="new\n")
    assert (ws / "alias.txt").is_symlink()
    assert (ws / "real.txt").read_text() == "new\n"


async def test_write_refuses_escapes(ws: Path, ctx: ToolContext, outside: Path) -> None:
    (ws / "out").symlink_to(outside)
    for raw in ("../outside/new.txt", str(outside / "new.txt"), "out/new.txt"):
        message = await fails(Write(), ctx, file_path=raw, content="x")
        assert "outside" in message
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]


async def test_write_refuses_a_directory(ws: Path, ctx: ToolContext) -> None:
    (ws / "src").mkdir()
    message = await fails(Write(), ctx, file_path="src", content="x")
    assert "is a directory" in message


async def test_write_targets_its_file_path(ws: Path) -> None:
    assert Write().target({"file_path": "a/b.txt", "content": ""}) == "a/b.txt"


# --- Edit ---------------------------------------------------------------------------------


@pytest.fixture
async def module(ws: Path, ctx: ToolContext) -> Path:
    path = ws / "mod.py"
    path.write_text("def f():\n    return 1\n\n\ndef g():\n    return 1\n")
    await read_in_full(ctx, path)
    return path


async def test_edit_replaces_a_unique_string_and_shows_the_region(
    module: Path, ctx: ToolContext
) -> None:
    before = module.read_text()
    result = await call(
        Edit(), ctx, file_path="mod.py", old_string="def g():", new_string="def h():"
    )
    after = module.read_text()
    assert after == before.replace("def g():", "def h():")
    assert result.content.startswith(f"Edited {module}: replaced 1 occurrence.")
    assert "     5\tdef h():" in result.content
    assert "     6\t    return 1" in result.content
    assert result.changes == (FileChange(module, before, after),)
    assert ctx.read_files[module] == module.stat().st_mtime_ns


async def test_edit_requires_a_read(ws: Path, ctx: ToolContext) -> None:
    (ws / "a.txt").write_text("x\n")
    message = await fails(Edit(), ctx, file_path="a.txt", old_string="x", new_string="y")
    assert "Read it first" in message


async def test_edit_refuses_a_file_changed_since_read(module: Path, ctx: ToolContext) -> None:
    module.write_text(module.read_text() + "# more\n")
    os.utime(module, ns=(ctx.read_files[module] + 5_000_000_000,) * 2)
    message = await fails(Edit(), ctx, file_path="mod.py", old_string="f()", new_string="k()")
    assert "changed since you read it" in message


async def test_edit_refuses_an_ambiguous_string(module: Path, ctx: ToolContext) -> None:
    message = await fails(
        Edit(), ctx, file_path="mod.py", old_string="return 1", new_string="return 2"
    )
    assert "occurs 2 times" in message
    assert "lines 2, 6" in message
    assert "replace_all" in message


async def test_edit_replace_all_changes_every_occurrence(module: Path, ctx: ToolContext) -> None:
    result = await call(
        Edit(),
        ctx,
        file_path="mod.py",
        old_string="return 1",
        new_string="return 2",
        replace_all=True,
    )
    assert module.read_text().count("return 2") == 2
    assert "replaced 2 occurrences" in result.content


async def test_edit_reports_a_missing_string(module: Path, ctx: ToolContext) -> None:
    message = await fails(
        Edit(), ctx, file_path="mod.py", old_string="def nowhere():", new_string="x"
    )
    assert "was not found" in message


async def test_edit_hints_at_trailing_whitespace(ws: Path, ctx: ToolContext) -> None:
    path = ws / "a.py"
    path.write_text("x = 1   \ny = 2\n")
    await read_in_full(ctx, path)
    message = await fails(Edit(), ctx, file_path="a.py", old_string="x = 1\ny = 2", new_string="z")
    assert "at line 1 if whitespace at the ends of lines" in message


async def test_edit_hints_at_crlf_in_a_mixed_file(ws: Path, ctx: ToolContext) -> None:
    path = ws / "a.txt"
    path.write_bytes(b"one\r\ntwo\nthree\nfour\n")
    await read_in_full(ctx, path)
    message = await fails(Edit(), ctx, file_path="a.txt", old_string="one\ntwo", new_string="1\n2")
    assert "line endings" in message


async def test_edit_hints_at_indentation(ws: Path, ctx: ToolContext) -> None:
    path = ws / "a.py"
    path.write_text("if x:\n\tcall()\n")
    await read_in_full(ctx, path)
    message = await fails(
        Edit(), ctx, file_path="a.py", old_string="if x:\n    call()", new_string="pass"
    )
    assert "indentation" in message


async def test_edit_hints_at_copied_line_numbers(module: Path, ctx: ToolContext) -> None:
    message = await fails(
        Edit(),
        ctx,
        file_path="mod.py",
        old_string="     1\tdef f():\n     2\t    return 1",
        new_string="x",
    )
    assert "line numbers copied from Read" in message


async def test_edit_refuses_identical_strings(module: Path, ctx: ToolContext) -> None:
    message = await fails(Edit(), ctx, file_path="mod.py", old_string="f()", new_string="f()")
    assert "identical" in message


async def test_edit_keeps_crlf_line_endings(ws: Path, ctx: ToolContext) -> None:
    path = ws / "win.txt"
    path.write_bytes(b"alpha\r\nbeta\r\ngamma\r\n")
    await read_in_full(ctx, path)
    await call(
        Edit(), ctx, file_path="win.txt", old_string="alpha\nbeta", new_string="one\ntwo\nthree"
    )
    assert path.read_bytes() == b"one\r\ntwo\r\nthree\r\ngamma\r\n"


async def test_edit_adds_crlf_lines_to_a_crlf_file_from_a_single_line_match(
    ws: Path, ctx: ToolContext
) -> None:
    path = ws / "win.txt"
    path.write_bytes(b"alpha\r\nbeta\r\n")
    await read_in_full(ctx, path)
    await call(Edit(), ctx, file_path="win.txt", old_string="beta", new_string="beta\ngamma")
    assert path.read_bytes() == b"alpha\r\nbeta\r\ngamma\r\n"


async def test_edit_keeps_lf_when_the_model_sends_crlf(ws: Path, ctx: ToolContext) -> None:
    path = ws / "unix.txt"
    path.write_bytes(b"alpha\nbeta\n")
    await read_in_full(ctx, path)
    await call(Edit(), ctx, file_path="unix.txt", old_string="alpha\r\nbeta", new_string="a\r\nb")
    assert path.read_bytes() == b"a\nb\n"


async def test_edit_with_empty_old_string_creates_a_file(ws: Path, ctx: ToolContext) -> None:
    result = await call(Edit(), ctx, file_path="new/file.md", old_string="", new_string="# Hi\n")
    path = ws / "new" / "file.md"
    assert path.read_text() == "# Hi\n"
    assert result.changes == (FileChange(path, None, "# Hi\n"),)
    assert result.content.startswith(f"Created {path}")


async def test_edit_with_empty_old_string_refuses_a_file_with_content(
    module: Path, ctx: ToolContext
) -> None:
    message = await fails(Edit(), ctx, file_path="mod.py", old_string="", new_string="x")
    assert "already has content" in message


async def test_edit_of_a_missing_file_points_to_write(ws: Path, ctx: ToolContext) -> None:
    message = await fails(Edit(), ctx, file_path="nope.py", old_string="a", new_string="b")
    assert "does not exist" in message
    assert "Write" in message


async def test_edit_refuses_a_file_that_is_not_utf8(ws: Path, ctx: ToolContext) -> None:
    path = ws / "latin.txt"
    path.write_bytes("café\n".encode("latin-1"))
    await read_in_full(ctx, path)
    message = await fails(Edit(), ctx, file_path="latin.txt", old_string="caf", new_string="x")
    assert "not valid UTF-8" in message
    assert path.read_bytes() == "café\n".encode("latin-1")


async def test_edit_keeps_permission_bits(module: Path, ctx: ToolContext) -> None:
    module.chmod(0o700)
    ctx.read_files[module] = module.stat().st_mtime_ns
    await call(Edit(), ctx, file_path="mod.py", old_string="def f", new_string="def k")
    assert stat.S_IMODE(module.stat().st_mode) == 0o700


async def test_edit_refuses_a_symlink_out(ws: Path, ctx: ToolContext, outside: Path) -> None:
    (ws / "link.txt").symlink_to(outside / "secret.txt")
    message = await fails(Edit(), ctx, file_path="link.txt", old_string="the", new_string="a")
    assert "outside" in message
    assert (outside / "secret.txt").read_text() == "the secret\n"


# --- MultiEdit ----------------------------------------------------------------------------


async def test_multiedit_applies_edits_in_order(module: Path, ctx: ToolContext) -> None:
    before = module.read_text()
    result = await call(
        MultiEdit(),
        ctx,
        file_path="mod.py",
        edits=[
            {"old_string": "def f():\n    return 1", "new_string": "def f():\n    return 10"},
            {"old_string": "return 10", "new_string": "return 100"},
            {"old_string": "def", "new_string": "async def", "replace_all": True},
        ],
    )
    after = module.read_text()
    assert after == "async def f():\n    return 100\n\n\nasync def g():\n    return 1\n"
    assert "applied 3 edits" in result.content
    assert "     2\t    return 100" in result.content
    assert "     5\tasync def g():" in result.content
    assert result.changes == (FileChange(module, before, after),)


async def test_multiedit_is_all_or_nothing(module: Path, ctx: ToolContext) -> None:
    before = module.read_text()
    seen = dict(ctx.read_files)
    message = await fails(
        MultiEdit(),
        ctx,
        file_path="mod.py",
        edits=[
            {"old_string": "def f", "new_string": "def k"},
            {"old_string": "not there", "new_string": "x"},
        ],
    )
    assert message.startswith("Edit 2 of 2:")
    assert "No edit was applied" in message
    assert module.read_text() == before
    assert ctx.read_files == seen


async def test_multiedit_can_create_a_file(ws: Path, ctx: ToolContext) -> None:
    await call(
        MultiEdit(),
        ctx,
        file_path="new.txt",
        edits=[
            {"old_string": "", "new_string": "hello world\n"},
            {"old_string": "world", "new_string": "there"},
        ],
    )
    assert (ws / "new.txt").read_text() == "hello there\n"


async def test_multiedit_requires_a_read(ws: Path, ctx: ToolContext) -> None:
    (ws / "a.txt").write_text("x\n")
    message = await fails(
        MultiEdit(), ctx, file_path="a.txt", edits=[{"old_string": "x", "new_string": "y"}]
    )
    assert "Read it first" in message


async def test_multiedit_schema_rejects_an_empty_list(ctx: ToolContext) -> None:
    problem = check_input(MultiEdit.input_schema, {"file_path": "a", "edits": []})
    assert problem == "`edits` must not be empty"


@pytest.mark.parametrize("text", ["é" * 50, "plain ascii text " * 3, "日本語のテキスト" * 6])
async def test_read_pages_agree_whatever_the_characters(
    ws: Path, ctx: ToolContext, text: str
) -> None:
    lines = [f"{text} {n}" for n in range(1, 3001)]
    (ws / "wide.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = await call(Read(), ctx, file_path="wide.txt")
    shown = [line for line in result.content.splitlines() if not line.startswith("[")]
    assert shown == [f"{n:>6}\t{lines[n - 1]}" for n in range(1, len(shown) + 1)]
    assert sum(len(line) + 1 for line in shown) <= 100_000
    assert len(shown) == 2000 or "of 3,000" in result.content
    after = await call(Read(), ctx, file_path="wide.txt", offset=len(shown) + 1, limit=5)
    assert after.content.splitlines()[0] == f"{len(shown) + 1:>6}\t{lines[len(shown)]}"
