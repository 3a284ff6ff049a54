"""The model table: aliases, served ids and retirement dates, from one data file."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

ALIASES = ("sonnet", "opus", "haiku", "fable")
INHERIT = "inherit"


@dataclass(frozen=True)
class ModelTable:
    default: str
    aliases: dict[str, str]
    served: tuple[str, ...]
    retired: dict[str, dt.date] = field(default_factory=dict)

    def resolve(self, model: str | None) -> str:
        """The id a request uses: aliases mapped, `inherit` and absent meaning the default."""
        if not model or model == INHERIT:
            model = self.default
        return self.aliases.get(model, model)

    def retirement(self, model_id: str, today: dt.date | None = None) -> dt.date | None:
        """The date `model_id` stopped being served, or None while it still is."""
        date = self.retired.get(model_id)
        if date is not None and date <= (today or dt.date.today()):
            return date
        return None

    def with_overrides(self, default: str | None, aliases: dict[str, str]) -> ModelTable:
        return ModelTable(
            default=default or self.default,
            aliases={**self.aliases, **aliases},
            served=self.served,
            retired=self.retired,
        )


@cache
def builtin_models() -> ModelTable:
    data = tomllib.loads(resources.files("workbench.config").joinpath("models.toml").read_text())
    return ModelTable(
        default=data["default"],
        aliases=dict(data["aliases"]),
        served=tuple(data["served"]["ids"]),
        retired={key: value for key, value in data["retired"].items()},
    )
