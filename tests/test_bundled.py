"""The agents and sample workspace that ship with the product."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.support.shared import ROOT
from workbench.agentfile.discover import Source
from workbench.agentfile.roster import load_roster
from workbench.agentfile.spec import Origin
from workbench.config import paths

EXPECTED = {
    "offchain-planner": (
        "opus",
        None,
        ("Read", "Write", "Edit", "Bash", "Glob", "Grep", "WebFetch", "WebSearch"),
    ),
    "api-architect": ("sonnet", "blue", None),
    "backend-implementer": ("sonnet", "blue", ("Write", "Read", "Bash")),
    "standards-engineer": (None, None, ("Read", "Write", "Edit", "Bash", "Glob", "Grep")),
    "backend-reviewer": ("sonnet", "yellow", None),
}


def test_bundled_agents_keep_the_seed_roles_and_lint_clean() -> None:
    roster = load_roster([Source(paths.bundled_dir("agents"), Origin.BUNDLED)])
    found = {spec.name: (spec.model, spec.color, spec.tools) for spec in roster.specs}
    assert found == EXPECTED
    assert all(spec.diagnostics == () for spec in roster.specs)


def test_bundled_names_avoid_the_seeds_and_their_missing_agents() -> None:
    forbidden = {
        "backend-offchain-engineer",
        "backend-architect",
        "backend-engineer",
        "senior-architect",
        "security-auditor",
    }
    assert not forbidden & set(EXPECTED)


def test_offchain_planner_ends_with_its_fixed_sentence() -> None:
    body = (paths.bundled_dir("agents") / "offchain-planner.md").read_text()
    assert body.rstrip().endswith(
        "Plan written to .claude/docs/offchain-plan.md. Read it before you start implementing."
    )
    assert "docs/tasks/context.md" in body and ".claude/docs/offchain-plan.md" in body


def test_sample_workspace_has_the_files_agents_coordinate_through() -> None:
    sample = ROOT / "examples" / "sample-workspace"
    for relative in (
        "docs/tasks/context.md",
        ".claude/tasks",
        ".claude/docs",
        "CLAUDE.md",
        "standards",
        ".claude/skills",
        ".claude/agents",
    ):
        assert (sample / relative).exists(), relative
    assert ".workbench/" in (sample / ".gitignore").read_text().split()


def test_wheel_ships_the_bundled_agents(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
    )
    [wheel] = tmp_path.glob("agent_workbench-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for agent in EXPECTED:
        assert f"workbench/_bundled/agents/{agent}.md" in names
    assert "workbench/config/models.toml" in names
    assert any(name.endswith(".tcss") for name in names)
