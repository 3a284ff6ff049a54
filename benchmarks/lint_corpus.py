"""Linting every corpus file, prose checks included, against parsing them alone.

`workbench lint` loads the roster and then reads every prompt for the agents and
workspace files it names; that reading must stay a bounded addition to the load.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks.pairs import compared, interleave, timed
from benchmarks.roster_load import _corpus, _fill
from benchmarks.runner import Benchmark, Result

NAME = "lint_corpus"
GOAL = 2.0
SYNTHETIC_FILES = 1_182
"""As many as the shared corpus holds, when it is not there."""


def run(quick: bool) -> list[Result]:
    rounds = 3 if quick else 7
    with tempfile.TemporaryDirectory(prefix="workbench-bench-") as folder:
        workspace = Path(folder)
        corpus = _corpus()
        if corpus is None:
            corpus = workspace / "agents"
            corpus.mkdir()
            source = _fill(corpus, SYNTHETIC_FILES, None)
        else:
            source = "the shared corpus"
        files = sorted(corpus.rglob("*.md"))
        product, baseline = interleave(
            timed(lambda: _lint(corpus, workspace, len(files))),
            timed(lambda: _parse(files)),
            rounds,
        )
    return [
        compared(
            NAME,
            GOAL,
            product,
            baseline,
            f"{rounds} rounds; {len(files)} files of {source}; prose checks against an "
            "empty workspace",
        )
    ]


def _lint(corpus: Path, workspace: Path, size: int) -> object:
    """What `workbench lint` does before printing: load, lint, duplicates, prose checks."""
    from workbench.agentfile.discover import Source
    from workbench.agentfile.roster import load_roster
    from workbench.agentfile.spec import Origin

    roster = load_roster([Source(corpus, Origin.EXPLICIT)], workspace=workspace)
    if len(roster.specs) != size:
        raise RuntimeError(f"the roster holds {len(roster.specs)} specs for {size} files")
    return roster


def _parse(files: list[Path]) -> object:
    """The roster load alone: read and parse each file into a spec, nothing checked."""
    from workbench.agentfile.parse import parse_agent
    from workbench.agentfile.spec import Origin

    return [parse_agent(path.read_bytes(), path, Origin.EXPLICIT) for path in files]


BENCHMARK = Benchmark(NAME, GOAL, run)
