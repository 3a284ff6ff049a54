"""Loading a roster against the least any tool must do: read each file and `yaml.load` it.

The product does more than the baseline (lenient reading of invalid YAML, key spans,
mojibake checks, lint), so the goal is a bounded overhead, not parity. Peak memory is
measured in its own pass because tracemalloc slows the code it watches.
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from benchmarks.runner import Benchmark, Result, median

NAME = "roster_load"
GOAL = 2.0
REPO = Path(__file__).resolve().parents[1]
INVALID_SHARE = 0.07
"""About this share of real agent files have an unquoted `: ` in the description."""


def run(quick: bool) -> list[Result]:
    sizes = (1_000,) if quick else (1_000, 5_000)
    rounds = 3 if quick else 7
    corpus = _corpus()
    results = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="workbench-bench-") as folder:
            root = Path(folder)
            source = _fill(root, size, corpus)
            results.append(_measure(root, size, rounds, source))
    return results


def _corpus() -> Path | None:
    """The shared corpus of real agent files, when this checkout sits beside it."""
    shared = os.environ.get("WORKBENCH_SHARED_DIR")
    folder = (Path(shared) if shared else REPO.parent / "shared") / "corpus" / "agents"
    return folder if folder.is_dir() else None


def _fill(root: Path, size: int, corpus: Path | None) -> str:
    """Write `size` agent files into `root`; returns where they came from, for the notes."""
    originals = sorted(corpus.rglob("*.md")) if corpus else []
    if not originals:
        for index in range(size):
            (root / f"agent-{index:05d}.md").write_text(_synthetic(index), encoding="utf-8")
        return "synthetic files"
    for index in range(size):
        original = originals[index % len(originals)]
        shutil.copyfile(original, root / f"{index:05d}-{original.name}")
    return f"{len(originals)} corpus files, cycled"


def _synthetic(index: int) -> str:
    description = f"Use this agent for task {index} in the backend."
    if index % round(1 / INVALID_SHARE) == 0:
        # Unquoted `: ` makes the frontmatter invalid YAML, as in real files.
        description = f"Use this agent when: the backend needs task {index}. Example: a review."
    else:
        description = f'"{description}"'
    front = [
        "---",
        f"name: agent-{index}",
        f"description: {description}",
        "tools: Read, Grep, Glob, Bash",
        "model: sonnet",
        "color: blue",
        "---",
    ]
    body = [f"# Agent {index}", ""]
    for section in range(6):
        body += [f"## Section {section}", "", "You review changes and report findings.", ""]
        body += ["- check the invariants", "- run the tests", ""]
    return "\n".join(front + body) + "\n"


def _measure(root: Path, size: int, rounds: int, source: str) -> Result:
    def product() -> object:
        return _load_product(root, size)

    def baseline() -> object:
        return _load_baseline(root)

    product()
    baseline()
    product_times: list[float] = []
    baseline_times: list[float] = []
    for _ in range(rounds):
        product_times.append(_timed(product))
        baseline_times.append(_timed(baseline))
    product_s, baseline_s = median(product_times), median(baseline_times)
    assert product_s is not None and baseline_s is not None
    product_mb, baseline_mb = _peak_mb(product), _peak_mb(baseline)
    return Result(
        f"{NAME}[{size}]",
        GOAL,
        product_s=product_s,
        baseline_s=baseline_s,
        ratio=product_s / baseline_s,
        product_samples=tuple(product_times),
        baseline_samples=tuple(baseline_times),
        product_peak_mb=product_mb,
        baseline_peak_mb=baseline_mb,
        notes=f"{rounds} rounds; {source}; peak memory {product_mb:.1f} MB vs "
        f"{baseline_mb:.1f} MB ({product_mb / baseline_mb:.1f}x)",
    )


def _load_product(root: Path, size: int) -> object:
    # Imported here so that a broken product shows as this benchmark crashing.
    from workbench.agentfile.discover import Source
    from workbench.agentfile.roster import load_roster
    from workbench.agentfile.spec import Origin

    roster = load_roster([Source(root, Origin.EXPLICIT)])
    if len(roster.specs) != size:
        raise RuntimeError(f"the roster holds {len(roster.specs)} specs for {size} files")
    return roster


def _load_baseline(root: Path) -> object:
    """Read, decode and `yaml.load` each file's frontmatter.

    The parsed values are kept, as the roster keeps its specs, so both sides hold their
    results when memory is measured. Bad bytes are replaced, as the product does, so one odd
    file cannot stop the baseline.
    """
    loaded: list[Any] = []
    for path in _walk(root):
        text = path.read_bytes().decode("utf-8", errors="replace")
        front = _frontmatter(text)
        if front is None:
            continue
        try:
            loaded.append(yaml.load(front, Loader=yaml.CSafeLoader))
        except yaml.YAMLError:
            loaded.append(None)
    return loaded


def _walk(root: Path) -> Iterator[Path]:
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            yield Path(folder, name)


def _frontmatter(text: str) -> str | None:
    """The text between a first `---` line and the next line starting with `---`."""
    first_end = text.find("\n")
    if first_end == -1 or text[:first_end].rstrip() != "---":
        return None
    end = text.find("\n---", first_end)
    return text[first_end + 1 : end if end != -1 else len(text)]


def _timed(load: Callable[[], object]) -> float:
    gc.collect()  # the previous round's garbage is not this round's cost
    started = time.perf_counter()
    loaded = load()
    elapsed = time.perf_counter() - started
    del loaded  # freeing what was loaded, after the clock stops, is not loading it
    return elapsed


def _peak_mb(load: Callable[[], object]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        load()
        return tracemalloc.get_traced_memory()[1] / 1_048_576
    finally:
        tracemalloc.stop()


BENCHMARK = Benchmark(NAME, GOAL, run)
