"""Counts in words: "1 file", "2 files", "1,204 lines"."""

from __future__ import annotations


def counted(number: int, noun: str) -> str:
    """`number` and `noun`, with an s unless the number is one."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
