"""The live files of a workspace: what is watched, real changes on disk, history and authors."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from tests.support.fake_api import FakeAnthropic, text_turn, tool_turn
from tests.test_cli_run import base, run
from workbench.watch.areas import Area, BadPattern, WatchSet, clean_pattern, referenced_paths
from workbench.watch.history import Author, FileHistory
from workbench.watch.live import Badge, FileUpdate, Kind, LiveFiles


class Watching:
    """A LiveFiles with its watcher running, collecting every update it reports."""

    def __init__(self, live: LiveFiles) -> None:
        self.live = live
        self.updates: list[FileUpdate] = []

    def of(self, rel: str) -> list[FileUpdate]:
        return [u for u in self.updates if u.file.rel == rel]

    async def until(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        for _ in range(int(timeout / 0.02)):
            if condition():
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"never happened; updates: {self.updates}")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    for folder in ("docs/tasks", ".claude/tasks", ".claude/docs", "standards", "src"):
        (root / folder).mkdir(parents=True)
    (root / "docs/tasks/context.md").write_text("# Context\n\nGoal: a read API.\n")
    (root / "CLAUDE.md").write_text("Rules.\n")
    (root / "src/app.py").write_text("print('hi')\n")
    return root.resolve()


@pytest.fixture
async def watching(workspace: Path) -> AsyncIterator[Watching]:
    live = LiveFiles(workspace, WatchSet.build())
    live.scan()
    watching = Watching(live)
    stop = asyncio.Event()
    task = asyncio.create_task(live.watch(watching.updates.extend, stop))
    await asyncio.sleep(0.2)
    yield watching
    stop.set()
    await asyncio.wait_for(task, 10)


def test_the_default_areas() -> None:
    watch = WatchSet.build()
    assert watch.area_of("docs/tasks/context.md") is Area.CONTEXT
    assert watch.area_of(".claude/tasks/context_session_1.md") is Area.TASKS
    assert watch.area_of(".claude/docs/offchain-plan.md") is Area.PLANS
    assert watch.area_of(".claude/doc/x.md") is Area.PLANS
    assert watch.area_of("CLAUDE.md") is Area.STANDARDS
    assert watch.area_of("services/api/CLAUDE.md") is Area.STANDARDS
    assert watch.area_of("standards/global/naming.md") is Area.STANDARDS
    assert watch.area_of(".claude/skills/x/SKILL.md") is Area.SKILLS
    assert watch.area_of(".claude/agents/a.md") is Area.AGENTS
    assert watch.area_of("src/app.py") is None
    assert watch.area_of("node_modules/pkg/CLAUDE.md") is None


def test_configured_globs_add_to_the_defaults_or_replace_them() -> None:
    both = WatchSet.build(configured=["notes/**"])
    assert both.area_of("notes/today.md") is Area.CONFIGURED
    assert both.area_of("CLAUDE.md") is Area.STANDARDS
    only = WatchSet.build(configured=["notes/**"], defaults=False)
    assert only.area_of("CLAUDE.md") is None
    assert clean_pattern("/notes/") == "notes"
    with pytest.raises(BadPattern):
        clean_pattern("../outside/**")


def test_paths_named_in_prompts_are_watched_when_they_exist(workspace: Path) -> None:
    (workspace / "api").mkdir()
    prompt = (
        "First read `/docs/tasks/context.md` and the rules in /standards, then api/ and\n"
        "see https://example.com/docs/guide.md and @types/node; save to /missing/plan.md."
    )
    found = referenced_paths([prompt], workspace)
    assert "docs/tasks/context.md" in found
    assert "standards/**" in found and "api/**" in found
    assert not any("example.com" in p or "types" in p or "missing" in p for p in found)
    watch = WatchSet.build(referenced=found)
    assert watch.area_of("api/routes.py") is Area.REFERENCED


def test_files_are_labelled_within_their_area() -> None:
    watch = WatchSet.build(configured=["notes/**"], referenced=["src/app/**", "src/cli/**"])
    assert watch.label("docs/tasks/context.md") == "context.md"
    assert watch.label("standards/global/naming.md") == "global/naming.md"
    assert watch.label("services/api/CLAUDE.md") == "services/api/CLAUDE.md"
    # Areas that gather unrelated folders show whole paths, so same-named files differ.
    assert watch.label("src/app/__init__.py") == "src/app/__init__.py"
    assert watch.label("src/cli/__init__.py") == "src/cli/__init__.py"
    assert watch.label("notes/today.md") == "notes/today.md"


def test_a_scan_finds_watched_files_without_badges(workspace: Path) -> None:
    live = LiveFiles(workspace, WatchSet.build())
    updates = live.scan()
    assert {u.file.rel for u in updates} == {"docs/tasks/context.md", "CLAUDE.md"}
    assert all(f.badge is Badge.NONE for f in live.files())
    assert [v.number for v in live.history.versions("CLAUDE.md")] == [1]


async def test_create_modify_and_delete_are_seen(watching: Watching, workspace: Path) -> None:
    note = workspace / ".claude/tasks/session.md"
    note.write_text("one\n")
    await watching.until(lambda: bool(watching.of(".claude/tasks/session.md")))
    first = watching.of(".claude/tasks/session.md")[-1]
    assert first.kind is Kind.ADDED and first.file.badge is Badge.NEW
    assert first.file.area is Area.TASKS

    note.write_text("one\ntwo\n")
    await watching.until(lambda: len(watching.of(".claude/tasks/session.md")) == 2)
    changed = watching.of(".claude/tasks/session.md")[-1]
    assert changed.kind is Kind.CHANGED and changed.version is not None
    assert watching.live.history.text(changed.version) == "one\ntwo\n"
    assert changed.file.badge is Badge.NEW, "still new: the person has not looked yet"

    note.unlink()
    await watching.until(lambda: watching.of(".claude/tasks/session.md")[-1].kind is Kind.DELETED)
    gone = watching.live.get(".claude/tasks/session.md")
    assert gone is not None and not gone.exists and gone.badge is Badge.DELETED
    watching.live.dismiss(".claude/tasks/session.md")
    assert watching.live.get(".claude/tasks/session.md") is None


async def test_an_editors_atomic_save_is_one_change(watching: Watching, workspace: Path) -> None:
    target = workspace / "docs/tasks/context.md"
    temporary = workspace / "docs/tasks/.context.md.tmp4821"
    temporary.write_text("# Context\n\nGoal: a write API.\n")
    os.replace(temporary, target)
    await watching.until(lambda: bool(watching.of("docs/tasks/context.md")))
    await asyncio.sleep(0.3)
    updates = watching.of("docs/tasks/context.md")
    assert [u.kind for u in updates] == [Kind.CHANGED]
    assert updates[0].file.badge is Badge.CHANGED
    assert not [u for u in watching.updates if "tmp" in u.file.rel]
    versions = watching.live.history.versions("docs/tasks/context.md")
    assert [v.number for v in versions] == [1, 2]
    watching.live.seen("docs/tasks/context.md")
    seen = watching.live.get("docs/tasks/context.md")
    assert seen is not None and seen.badge is Badge.NONE


async def test_a_folder_deleted_and_recreated(watching: Watching, workspace: Path) -> None:
    shutil.rmtree(workspace / "docs/tasks")
    await watching.until(
        lambda: any(u.kind is Kind.DELETED for u in watching.of("docs/tasks/context.md"))
    )
    (workspace / "docs/tasks").mkdir()
    (workspace / "docs/tasks/context.md").write_text("fresh\n")
    await watching.until(lambda: watching.of("docs/tasks/context.md")[-1].kind is Kind.ADDED)
    back = watching.live.get("docs/tasks/context.md")
    assert back is not None and back.exists and back.badge is Badge.NEW


async def test_a_folder_moved_in_brings_its_files(watching: Watching, workspace: Path) -> None:
    outside = workspace.parent / "incoming"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep/plan.md").write_text("plan\n")
    os.rename(outside, workspace / ".claude/docs/incoming")
    await watching.until(lambda: bool(watching.of(".claude/docs/incoming/deep/plan.md")))


async def test_a_file_replaced_by_a_folder(watching: Watching, workspace: Path) -> None:
    target = workspace / "CLAUDE.md"
    target.unlink()
    target.mkdir()
    await watching.until(lambda: any(u.kind is Kind.DELETED for u in watching.of("CLAUDE.md")))
    (target / "CLAUDE.md").write_text("nested\n")
    await watching.until(lambda: bool(watching.of("CLAUDE.md/CLAUDE.md")))


async def test_a_burst_of_writes_loses_nothing(watching: Watching, workspace: Path) -> None:
    tasks = workspace / ".claude/tasks"
    for round_ in range(3):
        for i in range(400):
            (tasks / f"n{i:03}.md").write_text(f"note {i} round {round_}\n")
    await watching.until(lambda: len(watching.live.files()) == 402, timeout=15)
    history = watching.live.history

    def final() -> bool:
        for i in range(400):
            latest = history.latest(f".claude/tasks/n{i:03}.md")
            if latest is None or history.text(latest) != f"note {i} round 2\n":
                return False
        return True

    await watching.until(final, timeout=15)


async def test_link_loops_and_unreadable_files_do_not_stop_watching(
    watching: Watching, workspace: Path
) -> None:
    (workspace / "standards/loop").symlink_to(workspace / "standards")
    secret = workspace / "standards/locked.md"
    secret.write_text("x\n")
    secret.chmod(0)
    await watching.until(lambda: bool(watching.of("standards/locked.md")))
    if os.geteuid() != 0:
        locked = watching.live.get("standards/locked.md")
        assert locked is not None and locked.problem == "permission denied"
    (workspace / "standards/after.md").write_text("still watching\n")
    await watching.until(lambda: bool(watching.of("standards/after.md")))


async def test_an_unchanged_rewrite_makes_no_version(watching: Watching, workspace: Path) -> None:
    claude = workspace / "CLAUDE.md"
    claude.write_text("Rules.\n")
    claude.write_text("Rules!\n")
    await watching.until(lambda: bool(watching.of("CLAUDE.md")))
    await asyncio.sleep(0.2)
    texts = [watching.live.history.text(v) for v in watching.live.history.versions("CLAUDE.md")]
    assert texts == ["Rules.\n", "Rules!\n"]


async def test_the_watcher_reports_when_the_workspace_disappears(tmp_path: Path) -> None:
    root = tmp_path / "doomed"
    (root / "docs/tasks").mkdir(parents=True)
    live = LiveFiles(root, WatchSet.build())
    task = asyncio.create_task(live.watch(lambda _updates: None))
    await asyncio.sleep(0.2)
    shutil.rmtree(root)
    from workbench.watch.live import WatchFailed

    with pytest.raises(WatchFailed, match="no longer exists"):
        await asyncio.wait_for(task, 10)


def test_an_engine_write_is_attributed_and_not_counted_twice(workspace: Path) -> None:
    history = FileHistory(workspace)
    context = workspace / "docs/tasks/context.md"
    before = context.read_text()
    history.observe("docs/tasks/context.md", before.encode())
    after = before + "Plan: in .claude/docs/plan.md\n"
    context.write_text(after)
    author = Author("session-1", "toolu_1", "Edit", "planner")
    version = history.record_write(context, before, after, author)
    assert version is not None and version.number == 2 and version.author == author
    assert history.observe("docs/tasks/context.md", after.encode()) is None
    assert history.by_call("toolu_1") == [version]


def test_when_the_watcher_sees_a_write_first_the_run_claims_it(workspace: Path) -> None:
    history = FileHistory(workspace)
    plan = workspace / ".claude/docs/plan.md"
    plan.write_text("the plan\n")
    seen = history.observe(".claude/docs/plan.md", b"the plan\n")
    assert seen is not None and seen.author.outside
    author = Author("session-1", "toolu_9", "Write", "planner")
    claimed = history.record_write(plan, None, "the plan\n", author)
    assert claimed is not None and claimed.number == 1 and claimed.author == author
    assert [v.author for v in history.versions(".claude/docs/plan.md")] == [author]


def test_an_outside_change_the_watcher_missed_is_kept_before_the_run_write(
    workspace: Path,
) -> None:
    history = FileHistory(workspace)
    history.observe("CLAUDE.md", b"Rules.\n")
    author = Author("s", "toolu_2", "Edit", "reviewer")
    history.record_write(workspace / "CLAUDE.md", "Rules v2.\n", "Rules v3.\n", author)
    versions = history.versions("CLAUDE.md")
    assert [history.text(v) for v in versions] == ["Rules.\n", "Rules v2.\n", "Rules v3.\n"]
    assert [v.author.outside for v in versions] == [True, True, False]


def test_history_outlives_the_session(workspace: Path) -> None:
    first = FileHistory(workspace)
    author = Author("s", "toolu_3", "Write", "planner")
    first.record_write(workspace / "docs/tasks/context.md", None, "v1\n", author)
    first.observe("docs/tasks/context.md", b"v2\n")
    later = FileHistory(workspace)
    versions = later.versions("docs/tasks/context.md")
    assert [later.text(v) for v in versions] == ["v1\n", "v2\n"]
    assert versions[0].author == author and versions[1].author.outside
    assert later.by_call("toolu_3") == [versions[0]]


def test_history_is_capped_but_keeps_every_files_latest(workspace: Path) -> None:
    history = FileHistory(workspace, cap_bytes=10_000)
    for i in range(40):
        history.observe("a.md", (f"{i}" * 1000).encode()[:1000])
        history.observe("b.md", b"b" * 500)
    versions = history.versions("a.md")
    assert len(versions) == 40
    assert history.text(versions[-1]) is not None and history.text(versions[0]) is None
    assert history.text(history.versions("b.md")[0]) is not None
    stored = workspace / ".workbench/history/blobs"
    assert sum(p.stat().st_size for p in stored.rglob("*") if p.is_file()) <= 10_000


def test_a_file_too_large_to_keep_is_recorded_by_size(workspace: Path) -> None:
    log = workspace / ".claude/tasks/huge.log"
    with log.open("wb") as handle:
        handle.truncate(3 * 1024 * 1024)
    live = LiveFiles(workspace, WatchSet.build())
    live.scan()
    found = live.get(".claude/tasks/huge.log")
    assert found is not None and "3.0 MB" in found.problem
    version = live.history.latest(".claude/tasks/huge.log")
    assert version is not None and not version.kept and version.size == 3 * 1024 * 1024


async def test_a_runs_write_and_an_outside_write_are_told_apart(
    fake_api: FakeAnthropic, workspace: Path
) -> None:
    agents = workspace / ".claude/agents"
    agents.mkdir()
    (agents / "planner.md").write_text(
        "---\nname: planner\ndescription: Plans.\ntools: Read, Write\n---\nPlan things.\n"
    )
    fake_api.script(
        tool_turn(("Write", {"file_path": ".claude/docs/plan.md", "content": "# Plan\n"})),
        text_turn("Plan saved."),
    )
    args = ["run", "planner", "Plan", *base(workspace, fake_api)]
    status, _out, err = await run([*args, "--permission-mode", "acceptEdits"])
    assert status == 0, err
    history = FileHistory(workspace)
    (by_run,) = history.versions(".claude/docs/plan.md")
    assert by_run.author.agent == "planner" and by_run.author.tool == "Write"
    assert history.text(by_run) == "# Plan\n"

    live = LiveFiles(workspace, WatchSet.build(), history)
    live.scan()
    (workspace / ".claude/docs/plan.md").write_text("# Plan\n\nEdited by hand.\n")
    live.settle([str(workspace / ".claude/docs/plan.md")])
    versions = history.versions(".claude/docs/plan.md")
    assert [v.author.outside for v in versions] == [False, True]
    assert history.by_call(by_run.author.tool_use_id) == [by_run]
