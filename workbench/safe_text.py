"""Text from files and models, made safe to put on a terminal.

A description, a tool result or a model reply can hold escape sequences that retitle the
terminal, move the cursor or worse; Textual and Rich pass them through. Every string that
did not come from this program goes through `printable` before any screen or stdout.
"""

from __future__ import annotations

import json
from typing import Any

_VISIBLE = {code: 0x2400 + code for code in range(0x20) if code not in (0x09, 0x0A)}
_VISIBLE[0x7F] = 0x2421
_VISIBLE.update({code: 0xFFFD for code in range(0x80, 0xA0)})

_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in (0x7F, *range(0x80, 0xA0))}


def printable(text: str) -> str:
    """Control characters become their visible symbols (ESC shows as ␛); tabs and newlines stay."""
    return text.translate(_VISIBLE)


def json_text(data: Any, *, indent: int | None = 2) -> str:
    """JSON that keeps non-ASCII readable but escapes what a terminal would act on.

    `json.dumps` escapes C0 controls itself; DEL and the C1 range (U+0080–U+009F, which
    some terminals read as CSI and friends) are escaped here.
    """
    encoded = json.dumps(data, ensure_ascii=False, indent=indent, default=str)
    return encoded.translate(_JSON_ESCAPES)
