"""Finding UTF-8 text that was once decoded as cp1252 or Latin-1 (`â€”` for `—`).

ftfy does the judging and the repair, but it is slow to import and to run, so only lines
holding a lead character followed by what a UTF-8 continuation byte looks like in cp1252
are ever shown to it; legitimate accents (`é` before a plain letter) never reach it.
The whole-file test runs on the UTF-8 bytes, where every lead character starts with 0xC3
and the regex engine can jump from one 0xC3 to the next.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_CANDIDATE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6"
    "\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_CANDIDATE_BYTES = re.compile(
    rb"\xc3[\x82-\xb4](?:\xc2[\x80-\xbf]|\xc5[\x92\x93\xa0\xa1\xb8\xbd\xbe]|\xc6\x92"
    rb"|\xcb[\x86\x9c]|\xe2\x80[\x93\x94\x98-\x9e\xa0-\xa2\xa6\xb0\xb9\xba]|\xe2\x82\xac"
    rb"|\xe2\x84\xa2)"
)


def find(text: str, encoded: bytes | None = None) -> Iterator[tuple[int, str, str]]:
    """Yield (line number, line, repaired line) for each line that holds mojibake.

    `encoded` is the file's bytes when `text` was decoded from them, which spares
    encoding the text again for the whole-file test.
    """
    if encoded is None:
        encoded = text.encode("utf-8", "surrogatepass")
    if encoded.isascii() or not _CANDIDATE_BYTES.search(encoded):
        return
    from ftfy import fix_encoding
    from ftfy.badness import is_bad

    for offset, line in enumerate(text.split("\n")):
        line = line.removesuffix("\r")
        if _CANDIDATE.search(line) and is_bad(line):
            repaired = fix_encoding(line)
            if repaired != line:
                yield offset + 1, line, repaired
