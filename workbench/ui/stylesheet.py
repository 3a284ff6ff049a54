"""Textual's stylesheet, parsing each CSS source once for a given set of theme variables.

Textual 8.2 parses far more than it needs to. `Stylesheet.reparse`, run when the theme is
applied and when a screen brings its own CSS, starts from a fresh stylesheet with an empty
parse cache, so every source is tokenized again; `set_variables` empties the cache even when
the variables did not change; and the cache holds 64 sources, fewer than the workbench's
screens register, so past that point every new widget class re-parses all the others. Each
full parse costs the workbench about 100 ms. Here the cache is larger, shared with the
stylesheet a re-parse builds, and emptied only when a variable really changes; the rules
that come out are the same.

A widget with component classes (the chat's Markdown has two dozen) also gets each of
them matched against every rule when it mounts: several milliseconds a widget, paid again
for each reply of a long conversation. What a component's rules come to depends only on
the rules and on the path of nodes down to it (their types, ids, classes and pseudo
classes), so the result is kept per path and component until the rules change.

Parsing what the first screen needs still takes 25 to 40 ms of every launch, for CSS that
changes only when the workbench or Textual is upgraded. The parsed rules are kept in the
user's cache folder, a file per set of theme variables and Textual install, and read back
in a few milliseconds; a source whose text changed is parsed again, and a missing or
damaged file only means parsing as before.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import textual
from textual.cache import LRUCache
from textual.css.model import RuleSet
from textual.css.styles import RulesMap
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode

from workbench.parsed_files import load_own, store_own

COMPONENT_PATHS = 4096
"""Component rules kept: a path per place a widget with components sits, times its
components."""

_PathKey = tuple[tuple[type, str | None, frozenset[str], frozenset[str]], ...]
_ParseKey = tuple[str, tuple[str, str], bool, int, str]
"""Textual's own key for a parse: the CSS, where it was read from, whether it is a widget's
default CSS, its tie breaker and its scope."""


def _textual_install() -> str:
    """What tells one Textual install from another without reading package metadata, which
    costs 20 ms: the parser's file, as the installer left it."""
    parser = Path(textual.__file__).parent / "css" / "parse.py"
    stat = parser.stat()
    return f"{sys.version_info[:2]}:{parser}:{stat.st_mtime_ns}:{stat.st_size}"


class ParseCache:
    """Textual's parse cache for the current theme variables, kept on disk between launches.

    Stands in for the `LRUCache` Textual keeps its parses in (it only gets, sets and clears)."""

    def __init__(self, folder: Path | None) -> None:
        self._folder = folder
        self._parsed: dict[_ParseKey, list[RuleSet]] = {}
        self._stored: dict[_ParseKey, list[RuleSet]] | None = None
        self._file: Path | None = None
        self._unsaved = False

    def vary(self, variables: dict[str, str]) -> None:
        """Parse with these variables from now on: what the old ones gave no longer applies."""
        self.save()
        self._parsed.clear()
        self._stored = None
        self._unsaved = False
        if self._folder is not None:
            digest = hashlib.blake2b(
                repr((_textual_install(), sorted(variables.items()))).encode(), digest_size=12
            ).hexdigest()
            self._file = self._folder / f"css-{digest}.pickle"

    def __getitem__(self, key: _ParseKey) -> list[RuleSet]:
        rules = self._parsed.get(key)
        if rules is None:
            rules = self._read()[key]
            self._parsed[key] = rules
        return rules

    def __setitem__(self, key: _ParseKey, rules: list[RuleSet]) -> None:
        self._parsed[key] = rules
        self._unsaved = True

    def clear(self) -> None:
        self._parsed.clear()

    def save(self) -> None:
        """Keep what was parsed for the next launch; a source whose text changed keeps only
        its new parse. Nothing is lost when the folder cannot be written: the next launch
        parses as usual."""
        if not self._unsaved or self._file is None:
            return
        self._unsaved = False
        places = {key[1:] for key in self._parsed}
        kept = {key: rules for key, rules in self._read().items() if key[1:] not in places}
        kept.update(self._parsed)
        store_own(self._file, kept)

    def _read(self) -> dict[_ParseKey, list[RuleSet]]:
        if self._stored is None:
            self._stored = load_own(self._file) if self._file is not None else {}
        return self._stored


class CachedStylesheet(Stylesheet):
    def __init__(
        self, *, variables: dict[str, str] | None = None, parses: Path | None = None
    ) -> None:
        """`parses`: the folder parsed rules are kept in between launches; None keeps them
        for this process only."""
        super().__init__(variables=variables)
        self._parses = ParseCache(parses)
        self._parses.vary(self._variables)
        self._parse_cache = self._parses  # type: ignore[assignment]
        self._component_rules: LRUCache[tuple[_PathKey, str], RulesMap] = LRUCache(COMPONENT_PATHS)
        self._component_rules_of: object = None
        self._pseudo_classes_used: frozenset[str] = frozenset()

    def set_variables(self, variables: dict[str, str]) -> None:
        if variables != self._variables:
            super().set_variables(variables)
            self._parses.vary(variables)

    def save_parses(self) -> None:
        """Keep what was parsed so far for the next launch."""
        self._parses.save()

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

    def _process_component_classes(self, node: DOMNode) -> None:
        """Textual's component styling, reusing the rules found for the same path."""
        components = node._get_component_classes()
        if not components:
            return
        if self._component_rules_of is not self._rules:
            self._component_rules.clear()
            self._component_rules_of = self._rules
            self._pseudo_classes_used = frozenset().union(
                *(rule.pseudo_classes for rule in self._rules)
            )
        # Only the pseudo classes some rule names: the others cannot change what matches,
        # and some cost a look at every sibling (`odd`, `last-child`).
        used = self._pseudo_classes_used
        path: _PathKey = tuple(
            (
                type(n),
                n.id,
                frozenset(n._classes),
                frozenset(name for name in used if n.has_pseudo_class(name)),
            )
            for n in node.css_path_nodes
        )
        refresh = False
        before = node._component_styles.copy()
        node._component_styles.clear()
        for component in sorted(components):
            virtual_node = DOMNode(classes=component)
            virtual_node._attach(node)
            rules = self._component_rules.get((path, component))
            if rules is None:
                found: dict[tuple[object, ...], RulesMap] = {}
                self.apply(virtual_node, animate=False, cache=found)
                if found:  # none when a rule involves a node's place among its siblings
                    self._component_rules[path, component] = next(iter(found.values()))
            else:
                self.replace_rules(virtual_node, rules)
            refresh = refresh or before.get(component) != virtual_node.styles
            node._component_styles[component] = virtual_node.styles
        if refresh:
            node.refresh()
