"""The team's shared test data (`../shared`): seeds, corpus, conformance recordings.

Tests that need it skip cleanly when it is absent, e.g. on a clone outside the team's
machines. `WORKBENCH_SHARED_DIR` points elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("WORKBENCH_SHARED_DIR", ROOT.parent / "shared"))


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared test data not available: {path}")
    return path


def seed_files() -> list[Path]:
    return sorted(shared_path("seeds").glob("*.txt"))
