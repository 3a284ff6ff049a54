"""The pieces a streamed document settles in: top-level blocks, list items and fence parts.

A piece is laid out once and its lines kept; a list or fence still being written is a group
of pieces, so they can be laid out one at a time with no margin between them.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.ui.markdown.document import Item, Node


@dataclass
class Family:
    """A top-level list whose items are settled one at a time."""

    ordered: bool
    start: int
    count: int = 0
    symbol_size: int = 0
    first_unit: int = 0

    def needed(self, total: int) -> int:
        """Width of the widest ordered number for `total` items (Textual pads to it)."""
        return len(f"{self.start + total - 1}. ") if self.ordered and total else 0

    def bullet(self, index: int, item: Item) -> str:
        if self.ordered:
            return f"{self.start + index}. ".rjust(self.symbol_size + 1)
        return item.bullet


@dataclass(frozen=True)
class FenceGroup:
    """A top-level fence whose segments are settled while it is still being written."""

    opener: str
    """Its first line: the text kept for later starts with it, so it parses as this fence."""
    language: str


@dataclass(frozen=True)
class Unit:
    """One settled (or live) piece of the document: a top-level block, list item or fence part."""

    node: Node
    group: Family | FenceGroup | None = None
    """The list or fence it is a piece of; pieces of one group have no margin between them."""
    index: int = 0
    source: str = ""
    """Its text, kept only when it may hold a link to a definition that comes later."""
