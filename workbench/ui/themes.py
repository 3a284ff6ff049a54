"""Themes as YAML files: the bundled ones and the person's own, reloaded when they change.

A theme file holds the fields of Textual's `Theme`. A file someone is editing is broken
half the time, so a bad file never stops anything: it becomes a `ThemeProblem` naming the
file and what is wrong, and whatever theme was registered under that name stays.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.theme import Theme

from workbench.agentfile.frontmatter import safe_load
from workbench.config import paths
from workbench.parsed_files import ParsedFiles, parsed

SUFFIXES = (".yaml", ".yml")
COLOR_FIELDS = (
    "primary",
    "secondary",
    "warning",
    "error",
    "success",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
FIELDS = tuple(field.name for field in dataclasses.fields(Theme))
DEFAULT_THEME = "workbench-dark"


@dataclass(frozen=True)
class ThemeProblem:
    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class ThemeError(ValueError):
    """What is wrong with a theme file, in words a person can act on."""


def theme_folders() -> tuple[Path, ...]:
    """Bundled themes first, so the person's own file of the same name wins."""
    return (paths.bundled_dir("themes"), paths.user_config_file().parent / "themes")


def read_theme(path: Path, kept: ParsedFiles | None = None) -> Theme:
    """The theme in `path`, or the one `kept` holds for the same bytes; raises `ThemeError`
    saying what is wrong with it."""
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ThemeError("not UTF-8 text") from None
    except OSError as error:
        raise ThemeError(f"cannot be read: {error.strerror or error}") from None
    return parsed(kept, ("theme", str(path)), data, lambda: _parsed(text))


def _parsed(text: str) -> Theme:
    import yaml  # only when a theme is not kept from an earlier launch

    try:
        data = safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "invalid syntax"
        raise ThemeError(f"not valid YAML{where}: {problem}") from None
    if not isinstance(data, dict):
        raise ThemeError("must be a mapping of Theme fields (name, primary, background, …)")
    return _theme(data)


def _theme(data: dict[Any, Any]) -> Theme:
    unknown = sorted(str(key) for key in data if key not in FIELDS)
    if unknown:
        raise ThemeError(f"unknown field {', '.join(unknown)}; a theme has {', '.join(FIELDS)}")
    for required in ("name", "primary"):
        if not isinstance(data.get(required), str) or not data[required].strip():
            raise ThemeError(f"`{required}` is required and must be text")
    for name in COLOR_FIELDS:
        if data.get(name) is not None:
            _check_color(name, data[name])
    variables = data.get("variables", {})
    if not isinstance(variables, dict) or not all(
        isinstance(k, str) and isinstance(v, str | int | float) for k, v in variables.items()
    ):
        raise ThemeError("`variables` must map names to values")
    data["variables"] = {key: str(value) for key, value in variables.items()}
    for name in ("dark", "ansi"):
        if name in data and not isinstance(data[name], bool):
            raise ThemeError(f"`{name}` must be true or false")
    for name in ("luminosity_spread", "text_alpha"):
        value = data.get(name)
        if value is not None and (not isinstance(value, int | float) or not 0 <= value <= 1):
            raise ThemeError(f"`{name}` must be a number from 0 to 1")
    theme = Theme(**data)
    try:
        theme.to_color_system().generate()
    except Exception as error:
        raise ThemeError(f"Textual cannot use it: {error}") from None
    return theme


def _check_color(name: str, value: object) -> None:
    if not isinstance(value, str):
        raise ThemeError(f'`{name}` must be a color such as "#1e90ff", not {value!r}')
    try:
        Color.parse(value)
    except ColorParseError:
        raise ThemeError(f"`{name}`: {value!r} is not a color") from None


Stamp = tuple[int, int]


class ThemeLibrary:
    """The theme files of some folders, and which of them changed since last looked at."""

    def __init__(self, folders: Iterable[Path], kept: ParsedFiles | None = None) -> None:
        self.folders = tuple(folders)
        self._kept = kept
        self._stamps: dict[Path, Stamp] = {}

    def load(self) -> tuple[list[Theme], list[ThemeProblem]]:
        """Every theme file, valid or not."""
        self._stamps = {}
        return self._read(self._files())

    def changed(self) -> tuple[list[Theme], list[ThemeProblem]]:
        """The files written or added since the last look: a stat per file, so it can be
        called every second."""
        files = self._files()
        fresh = [path for path, stamp in files.items() if self._stamps.get(path) != stamp]
        self._stamps = {path: self._stamps.get(path, stamp) for path, stamp in files.items()}
        return self._read({path: files[path] for path in fresh})

    def _read(self, files: dict[Path, Stamp]) -> tuple[list[Theme], list[ThemeProblem]]:
        themes: list[Theme] = []
        problems: list[ThemeProblem] = []
        for path, stamp in files.items():
            self._stamps[path] = stamp
            try:
                themes.append(read_theme(path, self._kept))
            except ThemeError as error:
                problems.append(ThemeProblem(path, str(error)))
        return themes, problems

    def _files(self) -> dict[Path, Stamp]:
        found: dict[Path, Stamp] = {}
        for folder in self.folders:
            try:
                entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
            except OSError:
                continue
            for entry in entries:
                if not entry.name.endswith(SUFFIXES) or entry.name.startswith("."):
                    continue
                try:
                    info = entry.stat()
                except OSError:
                    continue
                found[Path(entry.path)] = (info.st_mtime_ns, info.st_size)
        return found
