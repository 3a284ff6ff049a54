"""Markdown that arrives in small pieces, shown at a cost linear in its length.

Textual's `Markdown` mounts a widget per block and lays all of them out again whenever text is
appended, so a long streamed reply slows to a crawl (100 KB took minutes, with stalls of
seconds). `MarkdownFlow` draws the same picture (the same blocks, margins, bullets, tables and
keylines, line for line) into lines of its own, in one widget that renders by lines:

- Text that can no longer change is *settled*: every top-level block but the last, every item
  but the last of a top-level list, every 64-line segment of a fence still being written. It is
  parsed and wrapped once, and never looked at again (unless the width or kind of theme changes).
- The rest, the *tail*, is parsed and wrapped again at most every 50 ms (longer when that gets
  expensive), so thousands of small appends cost a few dozen renders.
- Work is done in steps of about 20 ms, so a backlog (text arriving faster than it is drawn)
  never blocks the event loop for long; only the lines on screen become strips.

Every string is passed through `printable` before it is drawn, and text only ever becomes
`Content` directly (never markup), so neither terminal escapes nor Rich or Textual markup in a
reply can act. Deliberate differences from `Markdown`: long code lines fold instead of
scrolling sideways, fences without a language are not guessed at (plain text), links are
underlined text that does nothing when clicked, and control characters show as symbols.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import lru_cache
from time import perf_counter

from markdown_it import MarkdownIt
from markdown_it.token import Token
from rich.cells import cell_len
from rich.segment import Segment
from textual.await_complete import AwaitComplete
from textual.content import Content, Span
from textual.geometry import Size
from textual.highlight import (
    ANSIDarkHighlightTheme,
    ANSILightHighlightTheme,
    HighlightTheme,
    highlight,
)
from textual.selection import Selection
from textual.strip import Strip
from textual.style import Style
from textual.timer import Timer
from textual.widget import Widget

from workbench.safe_text import printable

MIN_INTERVAL = 0.05
"""Seconds between renders of the tail while text streams in."""
MAX_INTERVAL = 0.5
"""The longest the tail waits, however expensive it has become to render."""
COST_FACTOR = 4
"""The tail waits this many times its last render's cost: rendering stays under ~20% of the time."""
STEP_BUDGET = 0.02
"""Seconds of work in one step before the event loop gets a turn; bounds the stalls."""
STEP_PAUSE = 0.002
"""Seconds before the next step when there is work now (a backlog, or `finish`); not 0, which
Textual's timers cannot take."""
SLICE_CHARS = 1024
"""Text taken from the backlog at a time, so a step can stop on its budget."""
FENCE_SEGMENT = 64
"""Lines of code highlighted together. A fence being written settles a segment at a time."""
BULLETS = ("• ", "▪ ", "‣ ", "⭑ ", "◦ ")
"""Unordered bullets by nesting depth, as Textual's `Markdown` draws them."""

_NEWLINES = re.compile(r"\r\n?")
_WHITESPACE = re.compile(r"\s+")
_LIST_OPEN = ("bullet_list_open", "ordered_list_open")
_TABLE_PARTS = ("thead", "tbody", "tr", "th", "td")
_EMPTY = Content("")

_EM = ".markdown-flow--em"
_STRONG = ".markdown-flow--strong"
_STRIKE = ".markdown-flow--s"
_CODE = ".markdown-flow--code-inline"
_LINK = ".markdown-flow--link"
_BULLET = ".markdown-flow--bullet"
_QUOTE = ".markdown-flow--quote"
_QUOTE_BORDER = ".markdown-flow--quote-border"
_FENCE = ".markdown-flow--fence"
_RULE = ".markdown-flow--rule"
_TABLE = ".markdown-flow--table"
_TABLE_HEADER = ".markdown-flow--table-header"
_KEYLINE = ".markdown-flow--keyline"
_HEADINGS = {level: f".markdown-flow--h{level}" for level in range(1, 7)}


# The document model: what Textual's Markdown would mount as widgets, as plain data.


@dataclass(frozen=True)
class _Text:
    """A paragraph (level 0) or a heading (levels 1 to 6)."""

    content: Content
    level: int = 0


@dataclass(frozen=True)
class _Rule:
    pass


@dataclass(frozen=True)
class _Quote:
    children: tuple[_Node, ...]


@dataclass(frozen=True)
class _Item:
    bullet: str
    """The bullet for unordered items; for ordered ones the number written in the source."""
    children: tuple[_Node, ...]


@dataclass(frozen=True)
class _List:
    items: tuple[_Item, ...]
    ordered: bool
    start: int


@dataclass(frozen=True)
class _Table:
    headers: tuple[Content, ...]
    rows: tuple[tuple[Content, ...], ...]


@dataclass(frozen=True)
class _Fence:
    code: str
    language: str


@dataclass(frozen=True)
class _FencePart:
    """Segments of a top-level fence, settled while the fence was still being written."""

    segments: tuple[str, ...]
    language: str
    first: bool
    """It has the fence's top margin and padding."""
    last: bool
    """It has the fence's bottom padding and margin."""


_Node = _Text | _Rule | _Quote | _Item | _List | _Table | _Fence | _FencePart


@dataclass
class _Open:
    """A block whose closing token has not been seen yet, while tokens become nodes."""

    kind: str
    level: int = 0
    ordered: bool = False
    bullet: str = ""
    content: Content = _EMPTY
    children: list[_Node | _Open] = field(default_factory=list)


def _inline(token: Token) -> Content:
    """Inline text as Textual's MarkdownBlock shows it: styles, no link targets, no HTML."""
    if token.children is None:
        return _EMPTY
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
            opened.append((_CODE, position))
            add(child.content)
            close()
        elif kind == "em_open":
            opened.append((_EM, position))
        elif kind == "strong_open":
            opened.append((_STRONG, position))
        elif kind == "s_open":
            opened.append((_STRIKE, position))
        elif kind == "link_open":
            opened.append((_LINK, position))
        elif kind == "image":
            opened.append((_LINK, position))
            add("🖼  ")
            if alt := str(child.attrs.get("alt", "")):
                add(f"({alt})")
            for grandchild in child.children or ():
                add(grandchild.content)
            close()
        elif kind.endswith("_close"):
            close()
    return Content("".join(parts), spans=spans)


def _build(tokens: Sequence[Token]) -> list[_Node]:
    """Block tokens to nodes, mirroring `Markdown._parse_markdown` (HTML blocks are dropped)."""
    roots: list[_Node] = []
    stack: list[_Open] = []

    def place(node: _Node | _Open) -> None:
        if stack:
            stack[-1].children.append(node)
        elif not isinstance(node, _Open):
            roots.append(node)

    for token in tokens:
        kind = token.type
        if kind == "heading_open":
            stack.append(_Open("h", level=int(token.tag[1:])))
        elif kind == "hr":
            place(_Rule())
        elif kind == "paragraph_open":
            stack.append(_Open("p"))
        elif kind == "blockquote_open":
            stack.append(_Open("quote"))
        elif kind == "bullet_list_open":
            stack.append(_Open("ul"))
        elif kind == "ordered_list_open":
            stack.append(_Open("ol"))
        elif kind == "list_item_open":
            if token.info:
                stack.append(_Open("item", ordered=True, bullet=token.info))
            else:
                depth = sum(1 for block in stack if block.kind == "item" and not block.ordered)
                stack.append(_Open("item", bullet=BULLETS[depth % len(BULLETS)]))
        elif kind in ("table_open", *(f"{part}_open" for part in _TABLE_PARTS)):
            stack.append(_Open(kind.removesuffix("_open")))
        elif kind.endswith("_close"):
            if stack:
                place(_close(stack.pop()))
        elif kind == "inline":
            if stack:
                stack[-1].content = _inline(token)
        elif kind in ("fence", "code_block"):
            place(_Fence(printable(token.content.rstrip()), printable(token.info.strip())))
    return roots


def _close(block: _Open) -> _Node | _Open:
    children = tuple(child for child in block.children if not isinstance(child, _Open))
    if block.kind == "p":
        return _Text(block.content)
    if block.kind == "h":
        return _Text(block.content, block.level)
    if block.kind == "quote":
        return _Quote(children)
    if block.kind == "item":
        return _Item(block.bullet, children)
    if block.kind in ("ul", "ol"):
        items = tuple(child for child in children if isinstance(child, _Item))
        return _List(items, block.kind == "ol", _start(items[0].bullet) if items else 1)
    if block.kind == "table":
        return _table(block)
    return block


def _start(number: str) -> int:
    try:
        return int(number)
    except ValueError:
        return 1


def _table(block: _Open) -> _Table:
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
    return _Table(tuple(headers), tuple(rows))


def _parts(block: _Open, kind: str) -> list[_Open]:
    return [child for child in block.children if isinstance(child, _Open) and child.kind == kind]


def _top_blocks(tokens: Sequence[Token]) -> list[tuple[int, list[Token]]]:
    """The top-level blocks: each one's first line and its tokens."""
    blocks: list[tuple[int, list[Token]]] = []
    index = 0
    while index < len(tokens):
        head = tokens[index]
        end = index
        if head.nesting == 1:
            depth = 0
            for end in range(index, len(tokens)):
                depth += tokens[end].nesting
                if depth == 0:
                    break
        line = head.map[0] if head.map else (blocks[-1][0] if blocks else 0)
        blocks.append((line, list(tokens[index : end + 1])))
        index = end + 1
    return blocks


def _line_starts(text: str) -> list[int]:
    """The offset of every line of `text`, and its length at the end."""
    starts = [0]
    position = text.find("\n")
    while position >= 0:
        starts.append(position + 1)
        position = text.find("\n", position + 1)
    if starts[-1] != len(text):
        starts.append(len(text))
    return starts


def _list_items(tokens: Sequence[Token]) -> list[tuple[int, list[Token]]]:
    """The items of a list block (its tokens without the list's own open and close)."""
    return [block for block in _top_blocks(tokens[1:-1]) if block[1][0].type == "list_item_open"]


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("gfm-like")


# Laying nodes out into lines, with the margins, bullets and borders of Textual's Markdown CSS.


@dataclass(frozen=True)
class _Context:
    top_level: bool = False
    """A direct child of the document, where paragraphs keep their bottom margin."""
    in_list: bool = False
    """Inside a list, where nested lists lose their margin."""


_TOP = _Context(top_level=True)
_IN_LIST = _Context(in_list=True)


@dataclass
class _Family:
    """A top-level list whose items are settled one at a time."""

    ordered: bool
    start: int
    count: int = 0
    symbol_size: int = 0
    first_unit: int = 0

    def needed(self, total: int) -> int:
        """Width of the widest ordered number for `total` items (Textual pads to it)."""
        return len(f"{self.start + total - 1}. ") if self.ordered and total else 0

    def bullet(self, index: int, item: _Item) -> str:
        if self.ordered:
            return f"{self.start + index}. ".rjust(self.symbol_size + 1)
        return item.bullet


@dataclass(frozen=True)
class _FenceGroup:
    """A top-level fence whose segments are settled while it is still being written."""

    opener: str
    """Its first line: the text kept for later starts with it, so it parses as this fence."""
    language: str


@dataclass(frozen=True)
class _Unit:
    """One settled (or live) piece of the document: a top-level block, list item or fence part."""

    node: _Node
    group: _Family | _FenceGroup | None = None
    """The list or fence it is a piece of; pieces of one group have no margin between them."""
    index: int = 0
    source: str = ""
    """Its text, kept only when it may hold a link to a definition that comes later."""


class _Layout:
    """Turns nodes into lines no wider than the width asked for."""

    def __init__(self, ansi: bool, dark: bool) -> None:
        self.ansi = ansi
        self.dark = dark

    def unit(self, unit: _Unit, previous: _Unit | None, width: int) -> list[Content]:
        """The unit's lines, after the collapsed margin between it and the unit before it."""
        lines = [_EMPTY] * self.gap(previous, unit)
        if isinstance(unit.group, _Family) and isinstance(unit.node, _Item):
            bullet = unit.group.bullet(unit.index, unit.node)
            lines.extend(self.item(unit.node, bullet, width))
        else:
            lines.extend(self.node(unit.node, width, _TOP))
        return lines

    def gap(self, previous: _Unit | None, unit: _Unit) -> int:
        if previous is not None and unit.group is not None and previous.group is unit.group:
            return 0
        top = 0 if isinstance(unit.group, _Family) else self.margins(unit.node, _TOP)[0]
        return top if previous is None else max(self.bottom(previous), top)

    def bottom(self, unit: _Unit | None) -> int:
        if unit is None:
            return 0
        # A top-level list's bottom margin follows its last item.
        return 1 if isinstance(unit.group, _Family) else self.margins(unit.node, _TOP)[1]

    def margins(self, node: _Node, context: _Context) -> tuple[int, int]:
        if isinstance(node, _Text):
            if node.level == 0:
                return (0, 1) if context.top_level else (0, 0)
            return (2, 1) if node.level <= 2 else (1, 1)
        if isinstance(node, _Rule | _Table):
            return (0, 1)
        if isinstance(node, _Quote):
            return (1, 1)
        if isinstance(node, _List):
            return (0, 0) if context.in_list else (0, 1)
        if isinstance(node, _Fence):
            return (0, 0) if self.ansi else (1, 1)
        if isinstance(node, _FencePart):
            margin = 0 if self.ansi else 1
            return (margin if node.first else 0, margin if node.last else 0)
        return (0, 0)

    def stack(self, nodes: Sequence[_Node], width: int, context: _Context) -> list[Content]:
        """Blocks one under another, adjacent margins collapsed as in Textual's vertical layout."""
        lines: list[Content] = []
        previous: int | None = None
        for node in nodes:
            top, bottom = self.margins(node, context)
            lines.extend([_EMPTY] * (top if previous is None else max(previous, top)))
            lines.extend(self.node(node, width, context))
            previous = bottom
        lines.extend([_EMPTY] * (previous or 0))
        return lines

    def node(self, node: _Node, width: int, context: _Context) -> list[Content]:
        if isinstance(node, _Text):
            return self.text(node, width)
        if isinstance(node, _Rule):
            return [_EMPTY, Content.styled("─" * width, _RULE)]
        if isinstance(node, _Quote):
            return self.quote(node, width, context)
        if isinstance(node, _List):
            family = _Family(node.ordered, node.start)
            family.symbol_size = family.needed(len(node.items))
            lines: list[Content] = []
            for index, item in enumerate(node.items):
                lines.extend(self.item(item, family.bullet(index, item), width))
            return lines
        if isinstance(node, _Item):
            return self.item(node, node.bullet, width)
        if isinstance(node, _Fence):
            return self.fence(_FencePart(_segments(node.code), node.language, True, True), width)
        if isinstance(node, _FencePart):
            return self.fence(node, width)
        return self.table(node, width)

    def text(self, node: _Text, width: int) -> list[Content]:
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
        return [_fit(line, span).stylize_before(_HEADINGS[node.level]) for line in lines]

    def quote(self, node: _Quote, width: int, context: _Context) -> list[Content]:
        inner_width = max(width - 3, 1)
        inner = self.stack(node.children, inner_width, _Context(in_list=context.in_list))
        border = Content.styled("▌", _QUOTE_BORDER)
        return [
            (border + " " + _fit(line, inner_width) + " ").stylize_before(_QUOTE)
            for line in inner or [_EMPTY]
        ]

    def item(self, item: _Item, bullet: str, width: int) -> list[Content]:
        indent = cell_len(bullet)
        inner = self.stack(item.children, max(width - indent, 1), _IN_LIST)
        if not inner:
            # Textual's horizontal row of bullet and empty body collapses to nothing.
            return []
        marker = Content.styled(bullet, _BULLET)
        blank = Content(" " * indent)
        return [marker + inner[0], *(blank + line for line in inner[1:])]

    def fence(self, part: _FencePart, width: int) -> list[Content]:
        """Code in segments of `FENCE_SEGMENT` lines, each highlighted on its own.

        Segments depend on the code alone, so a fence settled segment by segment while it
        was written looks the same as one given whole (a string spanning two segments may be
        coloured differently than if highlighted whole; only in fences that long).
        """
        padding = _fit(_EMPTY, width).stylize_before(_FENCE)
        lines = [padding] if part.first else []
        for segment in part.segments:
            lines.extend(self._segment_lines(segment, part.language, width))
        if part.last:
            lines.append(padding)
        return lines

    def _segment_lines(self, code: str, language: str, width: int) -> list[Content]:
        theme = HighlightTheme
        if self.ansi:
            theme = ANSIDarkHighlightTheme if self.dark else ANSILightHighlightTheme
        # Tabs are expanded first: Pygments expands them in its tokens, so spans computed
        # from the tokens would drift from text that still held them.
        content = highlight(code.expandtabs(8), language=language or "text", theme=theme)
        pad = 0 if self.ansi else 2
        code_width = max(width - 2 * pad, 2)
        margin = Content(" " * pad)
        rows = content.split("\n", allow_blank=True)
        # `highlight` drops a last empty line, which a segment may well end with.
        rows.extend([_EMPTY] * (code.count("\n") + 1 - len(rows)))
        lines: list[Content] = []
        for row in rows:
            folded = row.fold(code_width) if row.cell_length > code_width else [row]
            lines.extend(_fit(margin + part, width).stylize_before(_FENCE) for part in folded)
        return lines

    def table(self, node: _Table, width: int) -> list[Content]:
        """A grid of cells with keylines, as `MarkdownTableContent`'s grid layout places them."""
        columns = max(len(node.headers), 1)
        cells = [*node.headers, *(cell for row in node.rows for cell in row)]
        grid = [cells[start : start + columns] for start in range(0, len(cells), columns)]
        auto = [0] * columns
        minimums = [1] * columns
        for row in grid:
            for column, cell in enumerate(row):
                plain = cell.plain
                auto[column] = max(auto[column], max(map(cell_len, plain.split("\n"))) + 2)
                words = plain.split()
                minimum = max(map(cell_len, words)) if words else 0
                minimums[column] = max(minimums[column], minimum + 2)
        widths = _resolve(auto, max(width - 2, 0), minimums)
        heights = [
            max(len(_cell_lines(cell, widths[column])) for column, cell in enumerate(row))
            for row in grid
        ]
        keyline = Content.styled
        lines = [keyline("┌" + "┬".join("─" * w for w in widths) + "┐", _KEYLINE)]
        for index, (row, height) in enumerate(zip(grid, heights, strict=True)):
            header = index == 0 and bool(node.headers)
            blocks = [
                _cell_block(cell, widths[column], height, header) for column, cell in enumerate(row)
            ]
            blocks.extend([Content(" " * w)] * height for w in widths[len(row) :])
            for y in range(height):
                line = keyline("│", _KEYLINE)
                for block in blocks:
                    line = line + block[y] + keyline("│", _KEYLINE)
                lines.append(line)
            left, middle, right = ("└", "┴", "┘") if index == len(grid) - 1 else ("├", "┼", "┤")
            lines.append(keyline(left + middle.join("─" * w for w in widths) + right, _KEYLINE))
        return [_fit(line, width).stylize_before(_TABLE) for line in lines]


def _segments(code: str) -> tuple[str, ...]:
    """Code cut into segments of `FENCE_SEGMENT` lines."""
    lines = code.split("\n")
    return tuple(
        "\n".join(lines[start : start + FENCE_SEGMENT])
        for start in range(0, len(lines), FENCE_SEGMENT)
    )


def _cell_lines(cell: Content, width: int) -> list[Content]:
    """A cell's text lines: padding 0 1, `text-overflow: ellipsis` (long words are cut)."""
    if width - 2 <= 0:
        return []
    return cell.wrap(width - 2, overflow="ellipsis")


def _cell_block(cell: Content, width: int, height: int, header: bool) -> list[Content]:
    lines = _cell_lines(cell, width)[:height]
    if header:
        # Header cells are `content-align: left bottom`.
        lines = [_EMPTY] * (height - len(lines)) + lines
        lines = [line.stylize_before(_TABLE_HEADER) for line in lines]
    else:
        lines = lines + [_EMPTY] * (height - len(lines))
    return [_fit(" " + line, width) for line in lines]


def _resolve(sizes: list[int], total: int, minimums: list[int]) -> list[int]:
    """Column widths as Textual's `resolve` gives them with expand, shrink and minimums."""
    widths = [Fraction(size) for size in sizes]
    space = total - (len(sizes) - 1)
    used = sum(widths, Fraction(0))
    if used and space > used:
        widths = [width + width / used * (space - used) for width in widths]
    excess = used - space
    if used and excess > 0:
        for index, (minimum, width) in enumerate(zip(minimums, widths, strict=True)):
            remove = max(width / used, Fraction(1)) * excess
            updated = max(Fraction(minimum), width - remove)
            widths[index] = updated
            used = used - width + updated
            excess = used - space
            if excess <= 0:
                break
        used = sum(widths, Fraction(0))
        excess = used - space
        if excess > 0 and used:
            widths = [width - width / used * excess for width in widths]
    offsets = [0]
    running = Fraction(0)
    for width in widths:
        running += width
        offsets.append(running.__floor__())
        running += 1
        offsets.append(running.__floor__())
    return [end - start for start, end in zip(offsets[::2], offsets[1::2], strict=False)]


def _fit(line: Content, width: int) -> Content:
    """Exactly `width` cells: padded with spaces, or cut."""
    length = line.cell_length
    if length < width:
        return line.pad_right(width - length)
    if length > width:
        return line.truncate(width)
    return line


class MarkdownFlow(Widget):
    """Streamed Markdown that looks like Textual's `Markdown` and stays fast as it grows.

    Call `append` for every piece of text as it arrives and `finish` when the stream ends.
    Both must be called on the app's event loop (from a thread, use `call_from_thread`).
    """

    COMPONENT_CLASSES = {
        "markdown-flow--em",
        "markdown-flow--strong",
        "markdown-flow--s",
        "markdown-flow--code-inline",
        "markdown-flow--link",
        "markdown-flow--bullet",
        "markdown-flow--quote",
        "markdown-flow--quote-border",
        "markdown-flow--fence",
        "markdown-flow--rule",
        "markdown-flow--table",
        "markdown-flow--table-header",
        "markdown-flow--keyline",
        *(f"markdown-flow--h{level}" for level in range(1, 7)),
    }

    DEFAULT_CSS = """
    MarkdownFlow {
        width: 1fr;
        height: auto;
        padding: 0 2;
        color: $foreground;
        & > .markdown-flow--em { text-style: italic; }
        & > .markdown-flow--strong { text-style: bold; }
        & > .markdown-flow--s { text-style: strike; }
        & > .markdown-flow--link { text-style: underline; }
        &:dark > .markdown-flow--code-inline { background: $warning 10%; color: $text-warning 95%; }
        &:light > .markdown-flow--code-inline { background: $error 5%; color: $text-error 95%; }
        &:ansi > .markdown-flow--code-inline { background: ansi_default; }
        & > .markdown-flow--bullet { color: $text-primary; }
        &:light > .markdown-flow--bullet { color: $text-secondary; }
        & > .markdown-flow--quote { background: $boost; }
        & > .markdown-flow--quote-border { color: $text-primary 50%; }
        &:light > .markdown-flow--quote-border { color: $text-secondary; }
        & > .markdown-flow--fence { color: rgb(210,210,210); background: black 10%; }
        &:light > .markdown-flow--fence { background: white 30%; }
        &:ansi > .markdown-flow--fence { background: transparent; }
        & > .markdown-flow--rule { color: $secondary; }
        &:light > .markdown-flow--table { background: white 30%; }
        & > .markdown-flow--table-header { color: $primary; }
        & > .markdown-flow--keyline { color: $foreground 20%; }
        & > .markdown-flow--h1 {
            color: $markdown-h1-color;
            background: $markdown-h1-background;
            text-style: $markdown-h1-text-style;
        }
        & > .markdown-flow--h2 {
            color: $markdown-h2-color;
            background: $markdown-h2-background;
            text-style: $markdown-h2-text-style;
        }
        & > .markdown-flow--h3 {
            color: $markdown-h3-color;
            background: $markdown-h3-background;
            text-style: $markdown-h3-text-style;
        }
        & > .markdown-flow--h4 {
            color: $markdown-h4-color;
            background: $markdown-h4-background;
            text-style: $markdown-h4-text-style;
        }
        & > .markdown-flow--h5 {
            color: $markdown-h5-color;
            background: $markdown-h5-background;
            text-style: $markdown-h5-text-style;
        }
        & > .markdown-flow--h6 {
            color: $markdown-h6-color;
            background: $markdown-h6-background;
            text-style: $markdown-h6-text-style;
        }
    }
    """

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._pieces: list[str] = []
        self._pending: list[str] = []
        self._held_return = False
        self._finished = False
        self._tail = ""
        """Text after the settled part, sanitised, not yet known to be final."""
        self._references: dict[str, object] = {}
        self._late_labels: list[tuple[str, int]] = []
        """Link labels defined after some units were settled, with how many there were."""
        self._units: list[_Unit] = []
        self._family: _Family | None = None
        """The top-level list whose items are still arriving."""
        self._fence: _FenceGroup | None = None
        """The top-level fence whose lines are still arriving."""
        self._tail_units: list[_Unit] = []
        self._width = 0
        """The width `_lines` were laid out for; 0 before the first layout."""
        self._lines: list[Content] = []
        self._starts: list[int] = []
        """The first line of each settled unit, in `_lines`."""
        self._tail_lines: list[Content] = []
        self._layout = _Layout(ansi=False, dark=True)
        self._styles: dict[str, Style] = {}
        self._timer: Timer | None = None
        self._interval = MIN_INTERVAL
        self._complete = False
        """The final form is laid out (or the widget is gone): nothing more will be drawn."""
        self._completion: asyncio.Future[None] | None = None
        self._renders = 0

    @property
    def source(self) -> str:
        """All text appended so far, exactly as it was given."""
        if len(self._pieces) > 1:
            self._pieces[:] = ["".join(self._pieces)]
        return self._pieces[0] if self._pieces else ""

    @property
    def finished(self) -> bool:
        """True once `finish` was called."""
        return self._finished

    @property
    def render_count(self) -> int:
        """How many times pending text was parsed and laid out (for tests and benchmarks)."""
        return self._renders

    def append(self, text: str) -> None:
        """Add the next piece of the reply. Cheap: the text is drawn on a timer.

        Raises:
            RuntimeError: after `finish`.
        """
        if self._finished:
            raise RuntimeError("MarkdownFlow.append after finish: start a new MarkdownFlow")
        if not text:
            return
        self._pieces.append(text)
        self._pending.append(text)
        self._schedule(self._interval)

    def flush(self) -> None:
        """Draw all pending text now, however long it takes, rather than in timed steps."""
        if self.is_mounted and self._pending and not self._complete:
            self._cancel_timer()
            self._step(budget=None)

    def finish(self) -> AwaitComplete:
        """The stream has ended: draw what is left, in its final form.

        Returns immediately; a long backlog is still drawn in steps. Await the result to wait
        until the final form is laid out.
        """
        if not self._finished:
            self._finished = True
            self._cancel_timer()
            self._schedule(STEP_PAUSE)
        if self._completion is None:
            self._completion = asyncio.get_running_loop().create_future()
            if self._complete:
                self._completion.set_result(None)
        return AwaitComplete(self._completion)

    def on_mount(self) -> None:
        self._layout = self._current_layout()
        if (self._pending or self._finished) and self._timer is None and not self._complete:
            # `is_mounted` only turns true after this handler, so `_schedule` would wait.
            self._timer = self.set_timer(STEP_PAUSE, self._on_timer, name="markdown-flow")

    def on_unmount(self) -> None:
        # Nobody will draw the rest; whoever awaits `finish` must not wait forever.
        self._set_complete()

    def _set_complete(self) -> None:
        self._complete = True
        if self._completion is not None and not self._completion.done():
            self._completion.set_result(None)

    def _schedule(self, delay: float) -> None:
        if self._timer is None and self.is_mounted and not self._complete:
            self._timer = self.set_timer(delay, self._on_timer, name="markdown-flow")

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _on_timer(self) -> None:
        self._timer = None
        self._step(budget=STEP_BUDGET)

    def _current_layout(self) -> _Layout:
        return _Layout(ansi=self.app.native_ansi_color, dark=self.app.current_theme.dark)

    # Parsing: settle what cannot change any more, keep the rest as the tail.

    def _step(self, budget: float | None) -> None:
        """Take pending text until the budget is spent, then draw the tail once."""
        if self._complete:
            return
        started = perf_counter()
        self._renders += 1
        height = len(self._lines) + len(self._tail_lines)
        while self._pending and (budget is None or perf_counter() - started < budget):
            self._consume(self._take(SLICE_CHARS))
        final = self._finished and not self._pending
        if final:
            self._consume("", final=True)
            self._tail = self._settle(self._tail, final=True)
            self._tail_units = []
            self._resolve_late_references()
        else:
            self._tail_units = self._live_units()
        if self._width:
            self._tail_lines = self._lay_out_tail(self._width)
        self.refresh(layout=not self._width or height != len(self._lines) + len(self._tail_lines))
        cost = perf_counter() - started
        self._interval = min(MAX_INTERVAL, max(MIN_INTERVAL, cost * COST_FACTOR))
        if final:
            self._set_complete()
        elif self._pending:
            self._schedule(STEP_PAUSE)

    def _take(self, size: int) -> str:
        text = "".join(self._pending)
        self._pending.clear()
        if len(text) > size:
            self._pending.append(text[size:])
            text = text[:size]
        return text

    def _consume(self, text: str, *, final: bool = False) -> None:
        """Sanitise new text, add it to the tail and settle the tail's finished blocks."""
        if self._held_return:
            text = "\r" + text
            self._held_return = False
        if text.endswith("\r") and not final:
            # Possibly half of a CRLF, so it waits for the next piece.
            text = text[:-1]
            self._held_return = True
        text = printable(_NEWLINES.sub("\n", text))
        self._tail += text
        if "\n" in text and not final:
            # Only whole lines can be settled: the line being written may still turn the
            # paragraph above it into a heading, or a row into a table.
            complete = self._tail.rfind("\n") + 1
            self._tail = self._settle(self._tail[:complete], final=False) + self._tail[complete:]

    def _parse(self, text: str) -> tuple[list[Token], dict[str, object]]:
        env: dict[str, object] = {"references": dict(self._references)} if self._references else {}
        return _parser().parse(text, env), env

    def _settle(self, text: str, *, final: bool) -> str:
        """Settle the finished blocks at the start of `text`; return the text still open.

        Every top-level block but the last is finished, because CommonMark never reopens a
        block once another has begun. Of a last block that is a list, every item but the
        last is finished; of a fence, every segment before its last written line.
        """
        tokens, env = self._parse(text)
        blocks = _top_blocks(tokens)
        keep_from: int | None = None
        kept = ""
        settled_before = len(self._units)
        starts = _line_starts(text)
        links = "[" in text

        def source(block: list[Token]) -> str:
            span = block[0].map
            return text[starts[span[0]] : starts[span[1]]] if links and span else ""

        for index, (line, block) in enumerate(blocks):
            last = index == len(blocks) - 1 and not final
            head = block[0]
            if index == 0 and self._fence is not None and head.type != "fence":
                self._fence = None  # not expected: the kept text starts with the fence's opener
            if head.type == "fence" and (last or (index == 0 and self._fence is not None)):
                keep_from = line
                kept = self._settle_fence(head, text[starts[line] :], starts[line], last)
                if last:
                    break
                continue
            if head.type not in _LIST_OPEN:
                if last:
                    keep_from = line
                    kept = text[starts[line] :]
                    break
                self._close_family()
                for node in _build(block):
                    self._push(_Unit(node, source=source(block)))
                continue
            items = _list_items(block)
            family = self._family
            if index > 0 or family is None:
                # The text kept last time starts at an item of the open list, so only the
                # first block can continue it.
                self._close_family()
                first = items[0][1][0].info if items else ""
                family = _Family(head.type == "ordered_list_open", _start(first))
                family.first_unit = len(self._units)
                self._family = family
            for _, item in items[:-1] if last else items:
                nodes = _build(item)
                node = nodes[0] if nodes and isinstance(nodes[0], _Item) else _Item("", ())
                self._push(_Unit(node, family, family.count, source(item)))
                family.count += 1
            self._resize_bullets(family, family.count)
            if last and items:
                keep_from = items[-1][0]
                kept = text[starts[keep_from] :]
                break
            self._close_family()
        if final:
            self._close_family()
        self._keep_references(env, keep_from, settled_before)
        return kept

    def _settle_fence(self, head: Token, text: str, offset: int, last: bool) -> str:
        """Settle a top-level fence a segment at a time; return its text still open.

        `text` starts at the fence's first line. Only segments followed by a line with
        something on it are settled: the fence's trailing blank lines are not shown, and
        until more comes nobody knows whether a blank line is trailing.
        """
        group = self._fence
        rows = printable(head.content).split("\n")
        if not last:
            if group is None:
                self._close_family()
                self._push(_Unit(_build([head])[0]))
            else:
                code = "\n".join(rows).rstrip()
                segments = _segments(code) if code else ()
                self._push(_Unit(_FencePart(segments, group.language, False, True), group))
                self._fence = None
            return ""
        written = [index for index, row in enumerate(rows) if row.strip()]
        count = written[-1] // FENCE_SEGMENT if written else 0
        if not count:
            return text
        if group is None:
            self._close_family()
            opener = text[: text.index("\n") + 1]
            group = self._fence = _FenceGroup(opener, printable(head.info.strip()))
            first = True
        else:
            first = False
        settled = _segments("\n".join(rows[: count * FENCE_SEGMENT]))
        self._push(_Unit(_FencePart(settled, group.language, first, False), group))
        rest = 0
        for _ in range(1 + count * FENCE_SEGMENT):
            rest = text.index("\n", rest) + 1
        return group.opener + text[rest:]

    def _keep_references(
        self, env: dict[str, object], before_line: int | None, settled_before: int
    ) -> None:
        """Link definitions in settled text stay known to the text after them.

        Units settled by earlier parses could not see them; `finish` redoes those that
        mention the label.
        """
        found = env.get("references")
        if not isinstance(found, dict):
            return
        for label, reference in found.items():
            if label in self._references or not isinstance(reference, dict):
                continue
            span = reference.get("map")
            if before_line is None or (isinstance(span, list) and span[1] <= before_line):
                self._references[label] = reference
                if settled_before:
                    self._late_labels.append((str(label), settled_before))

    def _resolve_late_references(self) -> None:
        """Parse again the settled units that use a link label defined after them."""
        first: int | None = None
        for index, unit in enumerate(self._units):
            labels = [label for label, before in self._late_labels if index < before]
            if not labels or not unit.source:
                continue
            words = " ".join(unit.source.split()).upper()
            if not any(label in words for label in labels):
                continue
            blocks = _top_blocks(self._parse(unit.source)[0])
            tokens = blocks[0][1] if blocks else []
            if isinstance(unit.group, _Family) and tokens and tokens[0].type in _LIST_OPEN:
                items = _list_items(tokens)
                tokens = items[0][1] if items else []
            nodes = _build(tokens)
            if nodes and type(nodes[0]) is type(unit.node):
                self._units[index] = replace(unit, node=nodes[0])
                first = index if first is None else first
        self._late_labels.clear()
        if first is not None and self._width:
            del self._lines[self._starts[first] :]
            del self._starts[first:]
            for index in range(first, len(self._units)):
                self._lay_out_unit(index)

    def _close_family(self) -> None:
        family, self._family = self._family, None
        if family is not None:
            self._resize_bullets(family, family.count, exact=True)

    def _resize_bullets(self, family: _Family, total: int, *, exact: bool = False) -> None:
        """Ordered bullets are padded to the widest number; when that changes, redo the list.

        While the list grows the padding only widens (so the picture does not jitter); once
        the list is closed it is made exact.
        """
        needed = family.needed(total)
        if needed == family.symbol_size or (needed < family.symbol_size and not exact):
            return
        family.symbol_size = needed
        if self._width and family.first_unit < len(self._units):
            del self._lines[self._starts[family.first_unit] :]
            del self._starts[family.first_unit :]
            for index in range(family.first_unit, len(self._units)):
                self._lay_out_unit(index)

    def _push(self, unit: _Unit) -> None:
        self._units.append(unit)
        if self._width:
            self._lay_out_unit(len(self._units) - 1)

    def _live_units(self) -> list[_Unit]:
        """Units for the unsettled text; they are built again at every render."""
        if not self._tail.strip():
            return []
        units: list[_Unit] = []
        for index, (_, block) in enumerate(_top_blocks(self._parse(self._tail)[0])):
            family, fence = self._family, self._fence
            if index == 0 and fence is not None and block[0].type == "fence":
                code = printable(block[0].content).rstrip()
                part = _FencePart(_segments(code) if code else (), fence.language, False, True)
                units.append(_Unit(part, fence))
            elif index == 0 and family is not None and block[0].type in _LIST_OPEN:
                items = _list_items(block)
                for offset, (_, tokens) in enumerate(items):
                    nodes = _build(tokens)
                    if nodes and isinstance(nodes[0], _Item):
                        units.append(_Unit(nodes[0], family, family.count + offset))
                self._resize_bullets(family, family.count + len(items))
            else:
                units.extend(_Unit(node) for node in _build(block))
        return units

    # Layout and rendering.

    def _lay_out_unit(self, index: int) -> None:
        previous = self._units[index - 1] if index else None
        self._starts.append(len(self._lines))
        self._lines.extend(self._layout.unit(self._units[index], previous, self._width))

    def _lay_out_tail(self, width: int) -> list[Content]:
        lines: list[Content] = []
        previous = self._units[-1] if self._units else None
        for unit in self._tail_units:
            lines.extend(self._layout.unit(unit, previous, width))
            previous = unit
        # The document ends with the bottom margin of its last block, as in Markdown.
        lines.extend([_EMPTY] * self._layout.bottom(previous))
        return lines

    def _lay_out(self, width: int) -> None:
        if width == self._width:
            return
        self._width = width
        self._lines = []
        self._starts = []
        if width:
            for index in range(len(self._units)):
                self._lay_out_unit(index)
        self._tail_lines = self._lay_out_tail(width) if width else []

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._lay_out(width)
        return len(self._lines) + len(self._tail_lines)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        if not self.is_mounted:
            return
        layout = self._current_layout()
        if (layout.ansi, layout.dark) != (self._layout.ansi, self._layout.dark):
            # Code colours and fence margins depend on the kind of theme.
            self._layout = layout
            width, self._width = self._width, 0
            self._lay_out(width)
            self.refresh(layout=True)

    def _style(self, name: str | Style) -> Style:
        if isinstance(name, Style):
            return name
        if (style := self._styles.get(name)) is None:
            if name.startswith("."):
                style = self.get_visual_style(name[1:], partial=True)
            else:
                try:
                    style = Style.parse(name)
                except Exception:
                    style = Style()
            self._styles[name] = style
        return style

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        self._lay_out(width)
        base = self.visual_style
        if 0 <= y < len(self._lines):
            line = self._lines[y]
        elif 0 <= y - len(self._lines) < len(self._tail_lines):
            line = self._tail_lines[y - len(self._lines)]
        else:
            return Strip.blank(width, base.rich_style)
        selection = self.text_selection
        if selection is not None and (span := selection.get_span(y)) is not None:
            start, end = span
            selected = Style.from_styles(self.screen.get_component_styles("screen--selection"))
            line = line.stylize(selected, start, len(line.plain) if end == -1 else end)
        segments = [
            Segment(text, style.rich_style)
            for text, style in line.render(base, end="", parse_style=self._style)
        ]
        strip = Strip(segments, line.cell_length)
        return strip.crop_extend(0, width, base.rich_style).apply_offsets(0, y)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        lines = [*self._lines, *self._tail_lines]
        return selection.extract("\n".join(line.plain.rstrip() for line in lines)), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()


__all__ = ["MarkdownFlow"]
