"""Streamed text split into settled units, which never change, and a tail still open.

Text that can no longer change is parsed and turned into units once: every top-level block
but the last, every item but the last of a top-level list, every segment of a fence still
being written. Only the tail is parsed again as more text arrives, so the work stays linear
in the length of the reply.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from markdown_it.token import Token

from workbench.safe_text import printable
from workbench.ui.markdown.document import FencePart, Item, build, list_start
from workbench.ui.markdown.fences import FENCE_SEGMENT, segments
from workbench.ui.markdown.tokens import LIST_OPEN, list_items, parser, top_blocks
from workbench.ui.markdown.units import Family, FenceGroup, Unit

_NEWLINES = re.compile(r"\r\n?")


class Settler:
    """Settles streamed text into `units` and builds the units of the rest on request."""

    def __init__(self, changed: Callable[[int], object]) -> None:
        self.units: list[Unit] = []
        self._changed = changed
        """Called with the index of the first unit that is new or changed, to lay them out."""
        self._held_return = False
        self._tail = ""
        """Text after the settled part, sanitised, not yet known to be final."""
        self._references: dict[str, object] = {}
        self._late_labels: list[tuple[str, int]] = []
        """Link labels defined after some units were settled, with how many there were."""
        self._family: Family | None = None
        """The top-level list whose items are still arriving."""
        self._fence: FenceGroup | None = None
        """The top-level fence whose lines are still arriving."""

    def consume(self, text: str, *, final: bool = False) -> None:
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

    def finish(self) -> None:
        """No more text comes: settle all of it, links to late definitions included."""
        self.consume("", final=True)
        self._tail = self._settle(self._tail, final=True)
        self._resolve_late_references()

    def live_units(self) -> list[Unit]:
        """Units for the unsettled text; they are built again at every render."""
        if not self._tail.strip():
            return []
        units: list[Unit] = []
        for index, (_, block) in enumerate(top_blocks(self._parse(self._tail)[0])):
            family, fence = self._family, self._fence
            if index == 0 and fence is not None and block[0].type == "fence":
                units.append(_fence_end(block[0], fence))
            elif index == 0 and family is not None and block[0].type in LIST_OPEN:
                items = list_items(block)
                for offset, (_, tokens) in enumerate(items):
                    nodes = build(tokens)
                    if nodes and isinstance(nodes[0], Item):
                        units.append(Unit(nodes[0], family, family.count + offset))
                self._resize_bullets(family, family.count + len(items))
            else:
                units.extend(Unit(node) for node in build(block))
        return units

    def _parse(self, text: str) -> tuple[list[Token], dict[str, object]]:
        env: dict[str, object] = {"references": dict(self._references)} if self._references else {}
        return parser().parse(text, env), env

    def _settle(self, text: str, *, final: bool) -> str:
        """Settle the finished blocks at the start of `text`; return the text still open.

        Every top-level block but the last is finished, because CommonMark never reopens a
        block once another has begun. Of a last block that is a list, every item but the
        last is finished; of a fence, every segment before its last written line.
        """
        tokens, env = self._parse(text)
        blocks = top_blocks(tokens)
        keep_from: int | None = None
        kept = ""
        settled_before = len(self.units)
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
                kept = self._settle_fence(head, text[starts[line] :], last)
                if last:
                    break
                continue
            if head.type not in LIST_OPEN:
                if last:
                    keep_from = line
                    kept = text[starts[line] :]
                    break
                self._close_family()
                for node in build(block):
                    self._push(Unit(node, source=source(block)))
                continue
            items = list_items(block)
            family = self._family
            if index > 0 or family is None:
                # The text kept last time starts at an item of the open list, so only the
                # first block can continue it.
                self._close_family()
                first = items[0][1][0].info if items else ""
                family = Family(head.type == "ordered_list_open", list_start(first))
                family.first_unit = len(self.units)
                self._family = family
            for _, item in items[:-1] if last else items:
                nodes = build(item)
                node = nodes[0] if nodes and isinstance(nodes[0], Item) else Item("", ())
                self._push(Unit(node, family, family.count, source(item)))
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

    def _settle_fence(self, head: Token, text: str, last: bool) -> str:
        """Settle a top-level fence a segment at a time; return its text still open.

        `text` starts at the fence's first line. Only segments followed by a line with
        something on it are settled: the fence's trailing blank lines are not shown, and
        until more comes nobody knows whether a blank line is trailing.
        """
        group = self._fence
        if not last:
            if group is None:
                self._close_family()
                self._push(Unit(build([head])[0]))
            else:
                self._push(_fence_end(head, group))
                self._fence = None
            return ""
        rows = printable(head.content).split("\n")
        written = [index for index, row in enumerate(rows) if row.strip()]
        count = written[-1] // FENCE_SEGMENT if written else 0
        if not count:
            return text
        if group is None:
            self._close_family()
            opener = text[: text.index("\n") + 1]
            group = self._fence = FenceGroup(opener, printable(head.info.strip()))
            first = True
        else:
            first = False
        settled = segments("\n".join(rows[: count * FENCE_SEGMENT]))
        self._push(Unit(FencePart(settled, group.language, first, False), group))
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
        for index, unit in enumerate(self.units):
            labels = [label for label, before in self._late_labels if index < before]
            if not labels or not unit.source:
                continue
            words = " ".join(unit.source.split()).upper()
            if not any(label in words for label in labels):
                continue
            blocks = top_blocks(self._parse(unit.source)[0])
            tokens = blocks[0][1] if blocks else []
            if isinstance(unit.group, Family) and tokens and tokens[0].type in LIST_OPEN:
                items = list_items(tokens)
                tokens = items[0][1] if items else []
            nodes = build(tokens)
            if nodes and type(nodes[0]) is type(unit.node):
                self.units[index] = replace(unit, node=nodes[0])
                first = index if first is None else first
        self._late_labels.clear()
        if first is not None:
            self._changed(first)

    def _close_family(self) -> None:
        family, self._family = self._family, None
        if family is not None:
            self._resize_bullets(family, family.count, exact=True)

    def _resize_bullets(self, family: Family, total: int, *, exact: bool = False) -> None:
        """Ordered bullets are padded to the widest number; when that changes, redo the list.

        While the list grows the padding only widens (so the picture does not jitter); once
        the list is closed it is made exact.
        """
        needed = family.needed(total)
        if needed == family.symbol_size or (needed < family.symbol_size and not exact):
            return
        family.symbol_size = needed
        if family.first_unit < len(self.units):
            self._changed(family.first_unit)

    def _push(self, unit: Unit) -> None:
        self.units.append(unit)
        self._changed(len(self.units) - 1)


def _fence_end(token: Token, group: FenceGroup) -> Unit:
    """The last part of a fence settled in segments: the code after its settled segments."""
    code = printable(token.content).rstrip()
    return Unit(FencePart(segments(code) if code else (), group.language, False, True), group)


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
