"""The component classes that style the lines, as the selectors spans name them by.

Spans hold these names rather than styles, so a line laid out once takes the colours of the
current theme whenever it is drawn; the widget resolves them against its CSS.
"""

from __future__ import annotations

EM = ".markdown-flow--em"
STRONG = ".markdown-flow--strong"
STRIKE = ".markdown-flow--s"
CODE = ".markdown-flow--code-inline"
LINK = ".markdown-flow--link"
BULLET = ".markdown-flow--bullet"
QUOTE = ".markdown-flow--quote"
QUOTE_BORDER = ".markdown-flow--quote-border"
FENCE = ".markdown-flow--fence"
RULE = ".markdown-flow--rule"
TABLE = ".markdown-flow--table"
TABLE_HEADER = ".markdown-flow--table-header"
KEYLINE = ".markdown-flow--keyline"
HEADINGS = {level: f".markdown-flow--h{level}" for level in range(1, 7)}

COMPONENT_CLASSES = frozenset(
    selector.removeprefix(".")
    for selector in (
        EM,
        STRONG,
        STRIKE,
        CODE,
        LINK,
        BULLET,
        QUOTE,
        QUOTE_BORDER,
        FENCE,
        RULE,
        TABLE,
        TABLE_HEADER,
        KEYLINE,
        *HEADINGS.values(),
    )
)
"""Every class above, without its dot, for the widget to declare."""
