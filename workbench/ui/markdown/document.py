"""The document model: what Textual's `Markdown` would mount as widgets, as plain data.

Nodes are built from markdown-it's block tokens the way `Markdown._parse_markdown` builds its
block widgets, so the lines laid out from them can match Textual's picture block for block.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it.token import Token
from textual.content import Content, Span

from workbench.safe_text import printable
from workbench.ui.markdown import styles
from workbench.ui.markdown.lines import EMPTY

BULLETS = ("• ", "▪ ", "‣ ", "⭑ ", "◦ ")
"""Unordered bullets by nesting depth, as Textual's `Markdown` draws them."""

_WHITESPACE = re.compile(r"\s+")
_INLINE_STYLES = {
    "em_open": styles.EM,
    "strong_open": styles.STRONG,
    "s_open": styles.STRIKE,
    "link_open": styles.LINK,
}
"""Inline tokens that open a span, and the span's style."""
_BLOCKS = {
    "paragraph_open": "p",
    "blockquote_open": "quote",
    "bullet_list_open": "ul",
    "ordered_list_open": "ol",
    **{f"{part}_open": part for part in ("table", "thead", "tbody", "tr", "th", "td")},
}
"""Block tokens that open a block with no more to it than its kind."""


@dataclass(frozen=True)
class Text:
    """A paragraph (level 0) or a heading (levels 1 to 6)."""

    content: Content
    level: int = 0


@dataclass(frozen=True)
class Rule:
    """A thematic break."""


@dataclass(frozen=True)
class Quote:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Item:
    bullet: str
    """The bullet for unordered items; for ordered ones the number written in the source."""
    children: tuple[Node, ...]


@dataclass(frozen=True)
class List:
    items: tuple[Item, ...]
    ordered: bool
    start: int


@dataclass(frozen=True)
class Table:
    headers: tuple[Content, ...]
    rows: tuple[tuple[Content, ...], ...]


@dataclass(frozen=True)
class Fence:
    code: str
    language: str


@dataclass(frozen=True)
class FencePart:
    """Segments of a top-level fence, settled while the fence was still being written."""

    segments: tuple[str, ...]
    language: str
    first: bool
    """It has the fence's top margin and padding."""
    last: bool
    """It has the fence's bottom padding and margin."""


Node = Text | Rule | Quote | Item | List | Table | Fence | FencePart


@dataclass
class _Open:
    """A block whose closing token has not been seen yet, while tokens become nodes."""

    kind: str
    level: int = 0
    ordered: bool = False
    bullet: str = ""
    content: Content = EMPTY
    children: list[Node | _Open] = field(default_factory=list)


def build(tokens: Sequence[Token]) -> list[Node]:
    """Block tokens to nodes, mirroring `Markdown._parse_markdown` (HTML blocks are dropped)."""
    roots: list[Node] = []
    stack: list[_Open] = []

    def place(node: Node | _Open) -> None:
        if stack:
            stack[-1].children.append(node)
        elif not isinstance(node, _Open):
            roots.append(node)

    for token in tokens:
        kind = token.type
        if kind == "heading_open":
            stack.append(_Open("h", level=int(token.tag[1:])))
        elif kind == "hr":
            place(Rule())
        elif (opens := _BLOCKS.get(kind)) is not None:
            stack.append(_Open(opens))
        elif kind == "list_item_open":
            if token.info:
                stack.append(_Open("item", ordered=True, bullet=token.info))
            else:
                depth = sum(1 for block in stack if block.kind == "item" and not block.ordered)
                stack.append(_Open("item", bullet=BULLETS[depth % len(BULLETS)]))
        elif kind.endswith("_close"):
            if stack:
                place(_close(stack.pop()))
        elif kind == "inline":
            if stack:
                stack[-1].content = _inline(token)
        elif kind in ("fence", "code_block"):
            place(Fence(printable(token.content.rstrip()), printable(token.info.strip())))
    return roots


def list_start(number: str) -> int:
    """The first number of an ordered list, from its first item's number as written."""
    try:
        return int(number)
    except ValueError:
        return 1


def _inline(token: Token) -> Content:
    """Inline text as Textual's MarkdownBlock shows it: styles, no link targets, no HTML."""
    if token.children is None:
        return EMPTY
    parts: list[str] = []
    spans: list[Span] = []
    opened: list[tuple[str, int]] = []
    position = 0

    def add(text: str) -> None:
        nonlocal position
        text = printable(text)
        parts.append(text)
        position += len(text)

    def close() -> None:
        if opened:
            style, start = opened.pop()
            spans.append(Span(start, position, style))

    for child in token.children:
        kind = child.type
        if kind == "text":
            add(_WHITESPACE.sub(" ", child.content))
        elif kind == "hardbreak":
            add("\n")
        elif kind == "softbreak":
            add(" ")
        elif kind == "code_inline":
            opened.append((styles.CODE, position))
            add(child.content)
            close()
        elif (style := _INLINE_STYLES.get(kind)) is not None:
            opened.append((style, position))
        elif kind == "image":
            opened.append((styles.LINK, position))
            add("🖼  ")
            if alt := str(child.attrs.get("alt", "")):
                add(f"({alt})")
            for grandchild in child.children or ():
                add(grandchild.content)
            close()
        elif kind.endswith("_close"):
            close()
    return Content("".join(parts), spans=spans)


def _close(block: _Open) -> Node | _Open:
    children = tuple(child for child in block.children if not isinstance(child, _Open))
    if block.kind in ("p", "h"):
        return Text(block.content, block.level)
    if block.kind == "quote":
        return Quote(children)
    if block.kind == "item":
        return Item(block.bullet, children)
    if block.kind in ("ul", "ol"):
        items = tuple(child for child in children if isinstance(child, Item))
        return List(items, block.kind == "ol", list_start(items[0].bullet) if items else 1)
    if block.kind == "table":
        return _table(block)
    return block


def _table(block: _Open) -> Table:
    headers: list[Content] = []
    rows: list[tuple[Content, ...]] = []

    def walk(part: _Open) -> None:
        for child in part.children:
            if not isinstance(child, _Open):
                continue
            if child.kind == "tr":
                headers.extend(cell.content for cell in _parts(child, "th"))
                if cells := tuple(cell.content for cell in _parts(child, "td")):
                    rows.append(cells)
            else:
                walk(child)

    walk(block)
    return Table(tuple(headers), tuple(rows))


def _parts(block: _Open, kind: str) -> list[_Open]:
    return [child for child in block.children if isinstance(child, _Open) and child.kind == kind]
