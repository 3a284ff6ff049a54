"""Running Bash commands inside bubblewrap: the machine read-only, the workspace writable.

What the sandbox does, for each command:

- the whole filesystem is mounted read-only, with a private `/dev`, `/proc` and an
  empty `/tmp` (so nothing of the host's `/tmp` is visible or writable);
- the workspace and the folders granted with --add-dir are writable at their own paths;
- the protected paths that exist in them (`.claude/settings*.json`, `.claude/agents`,
  `.claude/hooks`, `.claude/skills`, `.mcp.json`, `.git`, `.workbench`) are mounted
  read-only again, and `.claude` itself is read-only except for its existing ordinary
  children (`.claude/tasks`, `.claude/docs`, …), so a new `.claude/agents/` cannot be made;
- no network unless asked for (`--unshare-net` leaves only a loopback device), its own
  process namespace (when the command's process is killed, everything it started dies
  with it), no capabilities when the workbench runs as root, a new terminal session, and
  the workspace as the working directory.

What it does not cover, honestly:

- the host's `/tmp` is hidden, including programs or virtual environments kept there
  (the workspace itself is still mounted when it lives under `/tmp`);
- reads: every file the user can read stays readable (`~/.ssh` included); the Bash tool
  removes secret-looking variables from the environment, which is all it does for secrets;
- a protected path that does not exist yet at a workspace root can be created: `.mcp.json`,
  `.git` (`git init`), `.workbench`, or `.claude` and everything in it when the workspace
  has no `.claude` folder at all. Creating mount points for them would litter the
  workspace with empty files and folders;
- protected paths deeper down (`sub/.git` of a nested repository) and children of
  `.claude` created after the sandbox was set up are ordinary writable workspace;
- with `allow_network`, the network is the host's, unfiltered;
- anything bubblewrap itself cannot stop (kernel bugs, resources: a command can still fill
  the disk inside the workspace or use all the CPU until its timeout).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from workbench.engine.protected import existing_protected, is_protected


class Sandbox:
    def __init__(
        self, workspace: Path, granted: Iterable[Path] = (), allow_network: bool = False
    ) -> None:
        self.workspace = Path(os.path.realpath(workspace))
        self.granted = tuple(Path(os.path.realpath(path)) for path in granted)
        self.allow_network = allow_network

    @property
    def roots(self) -> tuple[Path, ...]:
        """The writable folders: the workspace, then the granted ones."""
        return (self.workspace, *self.granted)

    def available(self) -> bool:
        """Whether bubblewrap is installed and can actually run here (checked once)."""
        return self.unavailable_reason() is None

    def unavailable_reason(self) -> str | None:
        """Why commands cannot be sandboxed, for a person to fix; None when they can."""
        program = shutil.which("bwrap")
        if program is None:
            return "bubblewrap (bwrap) is not installed or not on PATH"
        return _probe(program, self.allow_network)

    def wrap(self, argv: list[str]) -> list[str]:
        """`argv` as a bubblewrap command line that runs it in the sandbox."""
        program = shutil.which("bwrap") or "bwrap"
        args = [program, *_base_options(self.allow_network)]
        for root in self.roots:
            args += ["--bind", str(root), str(root)]
        for root in self.roots:
            args += self._protect(root)
        args += ["--setenv", "TMPDIR", "/tmp", "--chdir", str(self.workspace), "--", *argv]
        return args

    def _protect(self, root: Path) -> list[str]:
        args: list[str] = []
        claude = Path(os.path.realpath(root / ".claude"))
        if claude.is_dir() and self._writable(claude):
            args += ["--ro-bind", str(claude), str(claude)]
            for child in sorted(claude.iterdir()):
                if child.is_symlink() or is_protected(root / ".claude" / child.name, root):
                    continue
                args += ["--bind", str(child), str(child)]
        for path in existing_protected(root):
            # Resolved, so a protected name that links elsewhere in the workspace protects
            # what it points to; those under `.claude` are already read-only, harmlessly twice.
            real = Path(os.path.realpath(path))
            if real.exists() and self._writable(real):
                args += ["--ro-bind", str(real), str(real)]
        return args

    def _writable(self, path: Path) -> bool:
        return any(path == root or path.is_relative_to(root) for root in self.roots)


def _base_options(allow_network: bool) -> list[str]:
    options = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    if not allow_network:
        options.append("--unshare-net")
    options += ["--unshare-pid", "--die-with-parent", "--new-session"]
    if os.geteuid() == 0:
        # Root keeps its capabilities inside by default, and could remount `/` writable.
        options += ["--cap-drop", "ALL"]
    return options


@cache
def _probe(program: str, allow_network: bool) -> str | None:
    """Run `true` with the options `wrap` uses; None if it worked, else what went wrong."""
    try:
        done = subprocess.run(
            [program, *_base_options(allow_network), "--", "true"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=15,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as error:
        return f"bubblewrap could not be started: {error}"
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip() or f"exit code {done.returncode}"
        return f"bubblewrap cannot create a sandbox here: {detail}"
    return None
