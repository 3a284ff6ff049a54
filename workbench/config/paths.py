"""Where things live: bundled data, the user's Claude and workbench folders, workspace state."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

APP_NAME = "agent-workbench"
STATE_DIR = ".workbench"
"""The workbench's own state inside a workspace (runs, history); kept out of version control."""


def bundled_dir(name: str) -> Path:
    """A folder shipped with the product (`agents`, `themes`).

    An installed wheel carries it inside the package; a source checkout keeps it at the
    repository root, where the editable install finds it.
    """
    packaged = Path(str(resources.files("workbench"))) / "_bundled" / name
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / name


def real_path(path: Path) -> Path:
    """`path` with its symlinks resolved as far as they go.

    `Path.resolve` raises RuntimeError on a symlink loop under Python 3.11; an agents folder
    can hold one, and showing or tracking such a file must not crash whoever does it.
    """
    return Path(os.path.realpath(path))


def claude_config_dir() -> Path:
    configured = os.environ.get("CLAUDE_CONFIG_DIR")
    return Path(configured).expanduser() if configured else Path.home() / ".claude"


def user_agents_dir() -> Path:
    return claude_config_dir() / "agents"


def user_config_file() -> Path:
    configured = os.environ.get("WORKBENCH_CONFIG")
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def user_cache_dir() -> Path:
    """What the workbench may rebuild at any time (`WORKBENCH_CACHE_DIR` moves it)."""
    configured = os.environ.get("WORKBENCH_CACHE_DIR")
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME))


def workspace_config_file(workspace: Path) -> Path:
    return workspace / STATE_DIR / "config.toml"
