"""Nodes laid out into lines, with the margins, bullets and borders of Textual's Markdown CSS.

Margins collapse as in Textual's vertical layout, so a settled unit's lines depend only on
the unit, the one before it and the width: that is what lets units be laid out once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from textual.content import Content

from workbench.ui.markdown import styles
from workbench.ui.markdown.document import (
    Fence,
    FencePart,
    Item,
    List,
    Node,
    Quote,
    Rule,
    Table,
    Text,
)
from workbench.ui.markdown.fences import fence_lines, segments
from workbench.ui.markdown.lines import EMPTY, fit
from workbench.ui.markdown.tables import table_lines
from workbench.ui.markdown.units import Family, Unit


@dataclass(frozen=True)
class _Context:
    top_level: bool = False
    """A direct child of the document, where paragraphs keep their bottom margin."""
    in_list: bool = False
    """Inside a list, where nested lists lose their margin."""


_TOP = _Context(top_level=True)
_IN_LIST = _Context(in_list=True)


@dataclass(frozen=True)
class Layout:
    """Turns nodes into lines no wider than the width asked for.

    `ansi` and `dark` describe the theme: code colours and fence margins depend on them.
    """

    ansi: bool
    dark: bool

    def unit(self, unit: Unit, previous: Unit | None, width: int) -> list[Content]:
        """The unit's lines, after the collapsed margin between it and the unit before it."""
        lines = [EMPTY] * self._gap(previous, unit)
        if isinstance(unit.group, Family) and isinstance(unit.node, Item):
            bullet = unit.group.bullet(unit.index, unit.node)
            lines.extend(self._item(unit.node, bullet, width))
        else:
            lines.extend(self._node(unit.node, width, _TOP))
        return lines

    def bottom(self, unit: Unit | None) -> int:
        """The bottom margin of the unit, which follows it if it is the last."""
        if unit is None:
            return 0
        # A top-level list's bottom margin follows its last item.
        return 1 if isinstance(unit.group, Family) else self._margins(unit.node, _TOP)[1]

    def _gap(self, previous: Unit | None, unit: Unit) -> int:
        if previous is not None and unit.group is not None and previous.group is unit.group:
            return 0
        top = 0 if isinstance(unit.group, Family) else self._margins(unit.node, _TOP)[0]
        return top if previous is None else max(self.bottom(previous), top)

    def _margins(self, node: Node, context: _Context) -> tuple[int, int]:
        if isinstance(node, Text):
            if node.level == 0:
                return (0, 1) if context.top_level else (0, 0)
            return (2, 1) if node.level <= 2 else (1, 1)
        if isinstance(node, Rule | Table):
            return (0, 1)
        if isinstance(node, Quote):
            return (1, 1)
        if isinstance(node, List):
            return (0, 0) if context.in_list else (0, 1)
        if isinstance(node, Fence):
            return (0, 0) if self.ansi else (1, 1)
        if isinstance(node, FencePart):
            margin = 0 if self.ansi else 1
            return (margin if node.first else 0, margin if node.last else 0)
        return (0, 0)

    def _stack(self, nodes: Sequence[Node], width: int, context: _Context) -> list[Content]:
        """Blocks one under another, adjacent margins collapsed as in Textual's vertical layout."""
        lines: list[Content] = []
        previous: int | None = None
        for node in nodes:
            top, bottom = self._margins(node, context)
            lines.extend([EMPTY] * (top if previous is None else max(previous, top)))
            lines.extend(self._node(node, width, context))
            previous = bottom
        lines.extend([EMPTY] * (previous or 0))
        return lines

    def _node(self, node: Node, width: int, context: _Context) -> list[Content]:
        if isinstance(node, Text):
            return self._text(node, width)
        if isinstance(node, Rule):
            return [EMPTY, Content.styled("─" * width, styles.RULE)]
        if isinstance(node, Quote):
            return self._quote(node, width, context)
        if isinstance(node, List):
            family = Family(node.ordered, node.start)
            family.symbol_size = family.needed(len(node.items))
            lines: list[Content] = []
            for index, item in enumerate(node.items):
                lines.extend(self._item(item, family.bullet(index, item), width))
            return lines
        if isinstance(node, Item):
            return self._item(node, node.bullet, width)
        if isinstance(node, Fence):
            whole = FencePart(segments(node.code), node.language, True, True)
            return fence_lines(whole, width, ansi=self.ansi, dark=self.dark)
        if isinstance(node, FencePart):
            return fence_lines(node, width, ansi=self.ansi, dark=self.dark)
        return table_lines(node, width)

    def _text(self, node: Text, width: int) -> list[Content]:
        lines = node.content.wrap(max(width, 1))
        if node.level == 0:
            return lines
        shape = max(line.cell_length for line in lines)
        if node.level == 1:
            # content-align: center moves the wrapped lines as one block.
            left = max(0, width - shape) // 2
            lines = [line.pad_left(left) for line in lines]
        # H3 is `width: auto`: its background stops where its text does.
        span = shape if node.level == 3 else width
        return [fit(line, span).stylize_before(styles.HEADINGS[node.level]) for line in lines]

    def _quote(self, node: Quote, width: int, context: _Context) -> list[Content]:
        inner_width = max(width - 3, 1)
        inner = self._stack(node.children, inner_width, _Context(in_list=context.in_list))
        border = Content.styled("▌", styles.QUOTE_BORDER)
        return [
            (border + " " + fit(line, inner_width) + " ").stylize_before(styles.QUOTE)
            for line in inner or [EMPTY]
        ]

    def _item(self, item: Item, bullet: str, width: int) -> list[Content]:
        indent = cell_len(bullet)
        inner = self._stack(item.children, max(width - indent, 1), _IN_LIST)
        if not inner:
            # Textual's horizontal row of bullet and empty body collapses to nothing.
            return []
        marker = Content.styled(bullet, styles.BULLET)
        blank = Content(" " * indent)
        return [marker + inner[0], *(blank + line for line in inner[1:])]
