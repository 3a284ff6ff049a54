"""Terminal control sequences from files and models never reach the terminal."""

from __future__ import annotations

import json

from workbench.safe_text import json_text, printable


def test_printable_makes_controls_visible_and_keeps_layout() -> None:
    text = "title\x1b]0;owned\x07 clear\x1b[2J bell\x07 cr\r del\x7f csi\x9b tab\tnew\nline"
    shown = printable(text)
    assert shown == "title␛]0;owned␇ clear␛[2J bell␇ cr␍ del␡ csi\ufffd tab\tnew\nline"


def test_printable_leaves_ordinary_unicode_alone() -> None:
    assert printable("naïve — café ✓ 日本") == "naïve — café ✓ 日本"


def test_json_text_escapes_what_terminals_act_on_and_stays_valid() -> None:
    data = {"name": "x\x1b[31m\x9b\x7fé—"}
    encoded = json_text(data, indent=None)
    assert "\x1b" not in encoded and "\x9b" not in encoded and "\x7f" not in encoded
    assert "é—" in encoded
    assert json.loads(encoded) == data
