"""File sizes in the words people read them in."""

from __future__ import annotations


def human_size(size: int) -> str:
    """`512 bytes`, `95.3 KB`, `2.0 GB`: binary multiples, as file managers show them."""
    if size < 1024:
        return f"{size} bytes"
    value = size / 1024
    for unit in ("KB", "MB", "GB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"
