"""Gitignore-style path patterns, as `Read(...)` and `Edit(...)` rules write them.

`//abs` is absolute, `~/` is the home folder, `/path`, `./path` and `dir/path` are relative
to the workspace, and a bare name without a slash (`.env`, `*.pem`) matches at any depth.
A pattern that matches a folder covers everything inside it. The part of a pattern before
its first wildcard is resolved like the targets it is matched against, so a workspace
reached through a symbolic link still matches its own rules. `glob_regex` alone serves
patterns that are already relative to a known root, such as the protected paths.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

_GLOB_CHARS = re.compile(r"[*?\[]")


def path_matches(specifier: str, target: Path, workspace: Path) -> bool:
    """Whether a gitignore-style path pattern covers `target` or a folder holding it."""
    pattern = _path_regex(specifier, str(workspace), str(Path.home()))
    candidate = str(target)
    while True:
        if pattern.fullmatch(candidate):
            return True
        parent = os.path.dirname(candidate)
        if parent == candidate:
            return False
        candidate = parent


def glob_regex(pattern: str) -> str:
    """A `/`-separated glob as a regex: `*` and `?` stay in one segment, `**` crosses them."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("/**/", i):
            out.append("(?:/.*)?/")
            i += 4
        elif pattern.startswith("/**", i) and i + 3 == len(pattern):
            out.append("(?:/.*)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and (end := pattern.find("]", i + 2)) != -1:
            body = pattern[i + 1 : end]
            body = "^" + body[1:] if body.startswith("!") else body
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


@lru_cache(maxsize=512)
def _path_regex(specifier: str, workspace: str, home: str) -> re.Pattern[str]:
    spec = specifier.strip()
    if spec.startswith("//"):
        absolute = spec[1:]
    elif spec == "~" or spec.startswith("~/"):
        absolute = home + spec[1:]
    elif spec.startswith("/"):
        absolute = workspace + spec
    elif spec.startswith("./"):
        absolute = workspace + spec[1:]
    elif "/" in spec.rstrip("/"):
        absolute = f"{workspace}/{spec}"
    else:
        absolute = f"{workspace}/**/{spec}"
    absolute = absolute.rstrip("/") or "/"
    return re.compile(glob_regex(_real_prefix(absolute)), re.DOTALL)


def _real_prefix(path: str) -> str:
    """`path` with the part before its first wildcard resolved, as targets are."""
    glob = _GLOB_CHARS.search(path)
    cut = path.rfind("/", 0, glob.start()) if glob else len(path)
    head, rest = path[:cut] or "/", path[cut:]
    real = os.path.realpath(head)
    return real.rstrip("/") + rest if rest else real
