"""Where tools may reach: the workspace and the folders granted with --add-dir, nothing else.

Paths are taken literally, as the model wrote them: absolute, or relative to the workspace
root. Each is resolved with symlinks followed before it is judged, so a link that points
out of the workspace is refused like any other escape.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from workbench.engine.tools.base import ToolError


@dataclass(frozen=True)
class Jail:
    workspace: Path
    granted: tuple[Path, ...] = ()

    @classmethod
    def of(cls, workspace: Path, granted: tuple[Path, ...] = ()) -> Jail:
        return cls(
            Path(os.path.realpath(workspace)), tuple(Path(os.path.realpath(p)) for p in granted)
        )

    @property
    def roots(self) -> tuple[Path, ...]:
        return (self.workspace, *self.granted)

    def resolve(self, raw: str) -> Path:
        """The real path `raw` names, or a `ToolError` that says why it is out of reach."""
        if not raw or "\x00" in raw:
            raise ToolError(f"{raw!r} is not a usable path")
        given = Path(raw)
        candidate = given if given.is_absolute() else self.workspace / given
        real = Path(os.path.realpath(candidate))
        if any(real == root or real.is_relative_to(root) for root in self.roots):
            return real
        raise ToolError(self._refusal(raw, given, real))

    def contains(self, path: Path) -> bool:
        real = Path(os.path.realpath(path))
        return any(real == root or real.is_relative_to(root) for root in self.roots)

    def _refusal(self, raw: str, given: Path, real: Path) -> str:
        where = f"the workspace {self.workspace}"
        if self.granted:
            where += " or the folders granted with --add-dir"
        message = f"{raw} is outside {where}; tools cannot read or write it."
        if real != Path(os.path.abspath(given if given.is_absolute() else self.workspace / given)):
            message += f" (It resolves to {real} through a symbolic link.)"
        if given.is_absolute() and not given.exists():
            meant = self.workspace / given.relative_to(given.anchor)
            if meant.exists():
                message += (
                    f" Paths in this workspace are relative to its root: "
                    f"you probably meant {meant}."
                )
        return message
