"""markdown-it's token stream, cut into the top-level blocks and list items that settle."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

LIST_OPEN = ("bullet_list_open", "ordered_list_open")


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    return MarkdownIt("gfm-like")


def top_blocks(tokens: Sequence[Token]) -> list[tuple[int, list[Token]]]:
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


def list_items(tokens: Sequence[Token]) -> list[tuple[int, list[Token]]]:
    """The items of a list block (its tokens without the list's own open and close)."""
    return [block for block in top_blocks(tokens[1:-1]) if block[1][0].type == "list_item_open"]
