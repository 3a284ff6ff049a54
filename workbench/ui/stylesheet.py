"""Textual's stylesheet, parsing each CSS source once for a given set of theme variables.

Textual 8.2 parses far more than it needs to. `Stylesheet.reparse`, run when the theme is
applied and when a screen brings its own CSS, starts from a fresh stylesheet with an empty
parse cache, so every source is tokenized again; `set_variables` empties the cache even when
the variables did not change; and the cache holds 64 sources, fewer than the workbench's
screens register, so past that point every new widget class re-parses all the others. Each
full parse costs the workbench about 100 ms. Here the cache is larger, shared with the
stylesheet a re-parse builds, and emptied only when a variable really changes; the rules
that come out are the same.
"""

from __future__ import annotations

from textual.cache import LRUCache
from textual.css.stylesheet import Stylesheet

PARSE_CACHE_SOURCES = 1024


class CachedStylesheet(Stylesheet):
    def __init__(self, *, variables: dict[str, str] | None = None) -> None:
        super().__init__(variables=variables)
        self._parse_cache = LRUCache(PARSE_CACHE_SOURCES)

    def set_variables(self, variables: dict[str, str]) -> None:
        if variables != self._variables:
            super().set_variables(variables)

    def reparse(self) -> None:
        """Parse every source again from the cache; only sources the cache lacks are read."""
        fresh = self.copy()
        fresh._parse_cache = self._parse_cache
        try:
            fresh.parse()
        except Exception:
            self._invalid_css.update(fresh._invalid_css)
            raise
        self._rules = fresh.rules
        self._rules_map = None
        self._require_parse = False
