"""Tables: a grid of cells with keylines, as `MarkdownTableContent`'s grid layout places them.

Column widths are worked out the way Textual's `resolve` shares space out, so a table here
has the same columns as one drawn by Textual's `Markdown`.
"""

from __future__ import annotations

from fractions import Fraction

from rich.cells import cell_len
from textual.content import Content

from workbench.ui.markdown import styles
from workbench.ui.markdown.document import Table
from workbench.ui.markdown.lines import EMPTY, fit


def table_lines(node: Table, width: int) -> list[Content]:
    """The table's lines, keylines included, each exactly `width` cells wide."""
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
    lines = [keyline("┌" + "┬".join("─" * w for w in widths) + "┐", styles.KEYLINE)]
    for index, (row, height) in enumerate(zip(grid, heights, strict=True)):
        header = index == 0 and bool(node.headers)
        blocks = [
            _cell_block(cell, widths[column], height, header) for column, cell in enumerate(row)
        ]
        blocks.extend([Content(" " * w)] * height for w in widths[len(row) :])
        for y in range(height):
            line = keyline("│", styles.KEYLINE)
            for block in blocks:
                line = line + block[y] + keyline("│", styles.KEYLINE)
            lines.append(line)
        left, middle, right = ("└", "┴", "┘") if index == len(grid) - 1 else ("├", "┼", "┤")
        lines.append(keyline(left + middle.join("─" * w for w in widths) + right, styles.KEYLINE))
    return [fit(line, width).stylize_before(styles.TABLE) for line in lines]


def _cell_lines(cell: Content, width: int) -> list[Content]:
    """A cell's text lines: padding 0 1, `text-overflow: ellipsis` (long words are cut)."""
    if width - 2 <= 0:
        return []
    return cell.wrap(width - 2, overflow="ellipsis")


def _cell_block(cell: Content, width: int, height: int, header: bool) -> list[Content]:
    lines = _cell_lines(cell, width)[:height]
    if header:
        # Header cells are `content-align: left bottom`.
        lines = [EMPTY] * (height - len(lines)) + lines
        lines = [line.stylize_before(styles.TABLE_HEADER) for line in lines]
    else:
        lines = lines + [EMPTY] * (height - len(lines))
    return [fit(" " + line, width) for line in lines]


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
