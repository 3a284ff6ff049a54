"""Every test runs with its own empty Claude and workbench config, never the developer's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.fake_api import fake_api as fake_api
from tests.support.shared import ROOT

SAMPLE_WORKSPACE = ROOT / "examples" / "sample-workspace"
_NETWORK_ENVIRONMENT = (
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    "ANTHROPIC_BASE_URL",
    "ANTHROPIC_CUSTOM_HEADERS",
    "ANTHROPIC_PROFILE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)
"""A developer's credentials and proxies must never reach the tests' loopback server."""


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the whole session, as one person's launches share theirs: each
    app after the first reads the styles the first one parsed."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def isolated_config(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, cache_dir: Path
) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(home / ".claude"))
    monkeypatch.setenv("WORKBENCH_CONFIG", str(home / "workbench.toml"))
    monkeypatch.setenv("ANTHROPIC_CONFIG_DIR", str(home / "anthropic"))
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(cache_dir))
    for name in ("WORKBENCH_MODEL", "WORKBENCH_THEME", "TEXTUAL_THEME", *_NETWORK_ENVIRONMENT):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A private copy of the sample workspace, so tests may change it freely."""
    copy = tmp_path / "sample-workspace"
    shutil.copytree(SAMPLE_WORKSPACE, copy, ignore=shutil.ignore_patterns(".workbench"))
    return copy
