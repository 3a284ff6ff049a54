"""Settings, layered: the user's config file, then the workspace's, then the environment.

Command-line flags are applied by the caller on top. A workspace config arrives with a
cloned repository, so it is not trusted with anything that could leak or widen access;
it may choose models and a theme only.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from workbench.config import paths
from workbench.config.models import ModelTable, builtin_models


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
    problems: tuple[str, ...] = ()
    """What could not be read, for the person to see; a broken file never stops start-up."""

    def models(self) -> ModelTable:
        return builtin_models().with_overrides(self.default_model, self.model_aliases)


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
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return settings
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
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
    allowed = {"models", "theme", "bell"}
    problems.extend(
        f"{path}: `{key}` is not a setting a {'user' if trusted else 'workspace'} "
        "config can set; ignored"
        for key in data
        if key not in allowed
    )
    bell = data.get("bell", settings.bell)
    if not isinstance(bell, bool):
        problems.append(f"{path}: `bell` must be true or false")
        bell = settings.bell
    return Settings(
        default_model=_string(models.get("default")) or settings.default_model,
        model_aliases={**settings.model_aliases, **aliases},
        theme=_string(data.get("theme")) or settings.theme,
        bell=bell,
        problems=settings.problems + tuple(problems),
    )


def _with_problem(settings: Settings, problem: str) -> Settings:
    return replace(settings, problems=(*settings.problems, problem))


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
