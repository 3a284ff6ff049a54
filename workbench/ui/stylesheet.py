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
"""

from __future__ import annotations

from textual.cache import LRUCache
from textual.css.styles import RulesMap
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode

PARSE_CACHE_SOURCES = 1024
COMPONENT_PATHS = 4096
"""Component rules kept: a path per place a widget with components sits, times its
components."""

_PathKey = tuple[tuple[type, str | None, frozenset[str], frozenset[str]], ...]


class CachedStylesheet(Stylesheet):
    def __init__(self, *, variables: dict[str, str] | None = None) -> None:
        super().__init__(variables=variables)
        self._parse_cache = LRUCache(PARSE_CACHE_SOURCES)
        self._component_rules: LRUCache[tuple[_PathKey, str], RulesMap] = LRUCache(COMPONENT_PATHS)
        self._component_rules_of: object = None

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

    def _process_component_classes(self, node: DOMNode) -> None:
        """Textual's component styling, reusing the rules found for the same path."""
        components = node._get_component_classes()
        if not components:
            return
        if self._component_rules_of is not self._rules:
            self._component_rules.clear()
            self._component_rules_of = self._rules
        path: _PathKey = tuple(
            (type(n), n.id, frozenset(n._classes), frozenset(n.get_pseudo_classes()))
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
