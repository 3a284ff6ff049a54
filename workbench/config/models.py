"""The model table: aliases, served ids and retirement dates, from one data file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources

from workbench.parsed_files import ParsedFiles, parsed

ALIASES = ("sonnet", "opus", "haiku", "fable")
INHERIT = "inherit"


@dataclass(frozen=True)
class Price:
    """US dollars per million tokens; `web_search` per search."""

    input: float
    output: float
    cache_write: float
    cache_read: float
    web_search: float = 0.0


@dataclass(frozen=True)
class ModelTable:
    default: str
    aliases: dict[str, str]
    served: tuple[str, ...]
    retired: dict[str, dt.date] = field(default_factory=dict)
    prices: dict[str, Price] = field(default_factory=dict)
    adaptive_thinking: tuple[str, ...] = ()
    max_output: dict[str, int] = field(default_factory=dict)

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

    def price(self, model_id: str) -> Price | None:
        """Prices of `model_id`, also for a dated id such as `claude-haiku-4-5-20251001`."""
        if model_id in self.prices:
            return self.prices[model_id]
        base = model_id.rsplit("-", 1)[0]
        return self.prices.get(base) if model_id.rsplit("-", 1)[-1].isdigit() else None

    def thinks_adaptively(self, model_id: str) -> bool:
        return model_id.startswith(self.adaptive_thinking)

    def output_limit(self, model_id: str) -> int:
        return next(
            (limit for prefix, limit in self.max_output.items() if model_id.startswith(prefix)),
            32000,
        )

    def with_overrides(self, default: str | None, aliases: dict[str, str]) -> ModelTable:
        return replace(self, default=default or self.default, aliases={**self.aliases, **aliases})


@cache
def builtin_models(kept: ParsedFiles | None = None) -> ModelTable:
    """The table the workbench ships, read once per process; with `kept`, parsed only when
    it changed since an earlier launch."""
    data = resources.files("workbench.config").joinpath("models.toml").read_bytes()
    return parsed(kept, ("models",), data, lambda: _table(data))


def _table(toml: bytes) -> ModelTable:
    import tomllib  # not imported with the module: a launch that kept the table skips it

    data = tomllib.loads(toml.decode("utf-8"))
    return ModelTable(
        default=data["default"],
        aliases=dict(data["aliases"]),
        served=tuple(data["served"]["ids"]),
        retired=dict(data["retired"]),
        prices={model: Price(**values) for model, values in data["prices"].items()},
        adaptive_thinking=tuple(data["thinking"]["adaptive"]),
        max_output=dict(data["max_output"]),
    )
