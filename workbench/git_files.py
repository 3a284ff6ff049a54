"""What git last committed of a file, for comparing an edit with it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from workbench.config.paths import real_path

TIMEOUT_S = 5


class NotCommitted(Exception):
    """There is no committed version to compare with; the message says why."""


def committed_text(path: Path) -> str:
    """The file as of HEAD in the repository that holds it."""
    git = shutil.which("git")
    if git is None:
        raise NotCommitted("git is not installed")
    real = real_path(path)
    folder = real.parent
    try:
        root = _git(git, folder, "rev-parse", "--show-toplevel").strip()
        relative = real.relative_to(real_path(Path(root))).as_posix()
        data = _git(git, folder, "show", f"HEAD:{relative}")
    except FileNotFoundError:
        raise NotCommitted(f"{folder} does not exist") from None
    except subprocess.TimeoutExpired:
        raise NotCommitted("git did not answer in time") from None
    except ValueError:
        raise NotCommitted("the file is outside its repository") from None
    return data


def _git(git: str, folder: Path, *args: str) -> str:
    result = subprocess.run(
        [git, "-C", str(folder), *args],
        capture_output=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", errors="replace").strip().splitlines()
        reason = message[-1] if message else f"git {args[0]} failed"
        if "not a git repository" in reason:
            reason = "the file is not in a git repository"
        elif "invalid object name 'HEAD'" in reason:
            reason = "the repository has no commit yet"
        elif "exists on disk, but not in" in reason or "does not exist in" in reason:
            reason = "the file has never been committed"
        raise NotCommitted(reason)
    return result.stdout.decode("utf-8", errors="replace")
