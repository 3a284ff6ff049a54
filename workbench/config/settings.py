"""Settings, layered: the user's config file, then the workspace's, then the environment.

Command-line flags are applied by the caller on top. A workspace config arrives with a
cloned repository, so it is not trusted with anything that could leak or widen access;
it may choose models, a theme, the bell and what to watch, nothing else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from workbench.atomic import replace_file
from workbench.config import paths
from workbench.config.models import ModelTable, builtin_models
from workbench.parsed_files import ParsedFiles
from workbench.watch.areas import BadPattern, clean_pattern


@dataclass(frozen=True)
class WatchSettings:
    """The `[watch]` table: which workspace files the files pane follows."""

    paths: tuple[str, ...] = ()
    """Globs relative to the workspace, watched besides (or instead of) the defaults."""
    defaults: bool = True
    """Whether the conventional places (context, tasks, plans, rules, skills, agents) count."""
    force_polling: bool = False
    """Poll instead of relying on change notifications, for network filesystems."""


@dataclass(frozen=True)
class Settings:
    default_model: str | None = None
    """Model for agents whose `model` is absent or `inherit`; an alias or a full id."""
    model_aliases: dict[str, str] = field(default_factory=dict)
    """Overrides of the alias table, e.g. `sonnet = "claude-sonnet-5"`."""
    theme: str | None = None
    """Textual theme name."""
    bell: bool = True
    """Ring the terminal bell when a long run ends while the terminal is not in focus."""
    watch: WatchSettings = field(default_factory=lambda: WatchSettings())
    problems: tuple[str, ...] = ()
    """What could not be read, for the person to see; a broken file never stops start-up."""

    def models(self, kept: ParsedFiles | None = None) -> ModelTable:
        """The bundled table with these settings' choices; `kept` as for `builtin_models`."""
        return builtin_models(kept).with_overrides(self.default_model, self.model_aliases)


def load_settings(workspace: Path | None) -> Settings:
    settings = Settings()
    settings = _merge(settings, paths.user_config_file(), trusted=True)
    if workspace is not None:
        settings = _merge(settings, paths.workspace_config_file(workspace), trusted=False)
    environ = os.environ
    return replace(
        settings,
        default_model=environ.get("WORKBENCH_MODEL") or settings.default_model,
        theme=environ.get("WORKBENCH_THEME") or settings.theme,
    )


def _merge(settings: Settings, path: Path, *, trusted: bool) -> Settings:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return settings
    except (OSError, UnicodeDecodeError) as error:
        return _with_problem(settings, f"{path}: not read ({error}); its settings are ignored")
    import tomllib  # only when there is a file to read: most launches have none

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return _with_problem(settings, f"{path}: not read ({error}); its settings are ignored")
    problems: list[str] = []
    models = data.get("models", {})
    if not isinstance(models, dict):
        problems.append(f"{path}: [models] must be a table")
        models = {}
    aliases = models.get("aliases", {})
    if not isinstance(aliases, dict) or not all(isinstance(v, str) for v in aliases.values()):
        problems.append(f"{path}: [models.aliases] must map alias names to model ids")
        aliases = {}
    allowed = {"models", "theme", "bell", "watch"}
    problems.extend(
        f"{path}: `{key}` is not a setting a {'user' if trusted else 'workspace'} "
        "config can set; ignored"
        for key in data
        if key not in allowed
    )
    return Settings(
        default_model=_string(models.get("default")) or settings.default_model,
        model_aliases={**settings.model_aliases, **aliases},
        theme=_string(data.get("theme")) or settings.theme,
        bell=_flag(data, "bell", settings.bell, f"{path}:", problems),
        watch=_watch(data.get("watch", {}), settings.watch, path, problems),
        problems=settings.problems + tuple(problems),
    )


def _watch(table: Any, current: WatchSettings, path: Path, problems: list[str]) -> WatchSettings:
    if not isinstance(table, dict):
        problems.append(f"{path}: [watch] must be a table")
        return current
    for key in sorted(table.keys() - {"paths", "defaults", "force_polling"}):
        problems.append(f"{path}: [watch] has no setting `{key}`; ignored")
    globs = table.get("paths", [])
    if not isinstance(globs, list) or not all(isinstance(g, str) for g in globs):
        problems.append(f"{path}: [watch] paths must be a list of globs")
        globs = []
    cleaned: list[str] = []
    for glob in globs:
        try:
            cleaned.append(clean_pattern(glob))
        except BadPattern as error:
            problems.append(f"{path}: [watch] paths: {error}; ignored")
    return WatchSettings(
        paths=(*current.paths, *cleaned),
        defaults=_flag(table, "defaults", current.defaults, f"{path}: [watch]", problems),
        force_polling=_flag(
            table, "force_polling", current.force_polling, f"{path}: [watch]", problems
        ),
    )


def _flag(table: dict[str, Any], key: str, current: bool, where: str, problems: list[str]) -> bool:
    value = table.get(key, current)
    if isinstance(value, bool):
        return value
    problems.append(f"{where} `{key}` must be true or false")
    return current


class SaveFailed(Exception):
    """The setting could not be written; the message names the file and why."""


def save_theme(name: str) -> None:
    """Remember `name` as the theme in the user config; the rest of the file (comments,
    order, other settings) stays as the person wrote it."""
    import tomlkit
    from tomlkit.exceptions import ParseError

    path = paths.user_config_file()
    try:
        text = path.read_text(encoding="utf-8")
        mode: int | None = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        text, mode = "", None
    except (OSError, UnicodeDecodeError) as error:
        raise SaveFailed(f"{path} cannot be read: {error}") from None
    try:
        document = tomlkit.parse(text)
    except ParseError as error:
        raise SaveFailed(f"{path} is not valid TOML ({error}); it was left as it is") from None
    document["theme"] = name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, tomlkit.dumps(document).encode("utf-8"), mode)
    except OSError as error:
        raise SaveFailed(f"{path} cannot be written: {error.strerror or error}") from None


def _with_problem(settings: Settings, problem: str) -> Settings:
    return replace(settings, problems=(*settings.problems, problem))


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
