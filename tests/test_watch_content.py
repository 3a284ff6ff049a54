"""Reading a workspace file for display: every problem with the file is a kind and a message."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from workbench.watch.content import LOAD_LIMIT, RENDER_LIMIT, FileContent, Kind, read_content


def test_utf8_text_is_read_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "context.md"
    text = "# Context\n\nnaïve café – ok\n"
    path.write_text(text, encoding="utf-8")
    content = read_content(path)
    assert content == FileContent(Kind.TEXT, text, size=31, loaded=31)
    assert content.has_text and not content.truncated and not content.replaced


def test_a_bom_is_dropped_and_crlf_becomes_lf(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_bytes(codecs.BOM_UTF8 + b"one\r\ntwo\r\nlone\rcr\r\n")
    content = read_content(path)
    assert content.text == "one\ntwo\nlone\rcr\n"
    assert content.crlf and content.kind is Kind.TEXT


def test_text_that_is_not_utf8_is_decoded_with_replacement_characters(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("café olé\n".encode("latin-1"))
    content = read_content(path)
    assert content.kind is Kind.TEXT and content.replaced
    assert content.text == "caf\ufffd ol\ufffd\n"


def test_a_nul_byte_makes_a_file_binary(tmp_path: Path) -> None:
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(2_200_000))
    content = read_content(path)
    assert content.kind is Kind.BINARY and not content.has_text
    assert content.text == "" and content.size == path.stat().st_size
    assert content.message == "binary file, 2.1 MB: not shown"


def test_text_over_the_render_limit_is_large_but_whole(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    line = "x" * 99 + "\n"
    path.write_text(line * (RENDER_LIMIT // 100 + 10), encoding="utf-8")
    content = read_content(path)
    assert content.kind is Kind.LARGE and content.has_text
    assert len(content.text) == path.stat().st_size and not content.truncated


def test_a_huge_file_is_cut_at_a_line_end_after_the_load_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.log"
    line = "é" * 49 + "\n"  # 99 bytes: the limit falls inside a line and inside a character
    with path.open("w", encoding="utf-8") as handle:
        for _ in range(LOAD_LIMIT // 99 + 1000):
            handle.write(line)
    content = read_content(path)
    assert content.kind is Kind.LARGE and content.truncated
    assert content.size == path.stat().st_size
    assert content.loaded <= LOAD_LIMIT and content.loaded % 99 == 0
    assert content.text.endswith(line) and not content.replaced


def test_a_missing_file(tmp_path: Path) -> None:
    assert read_content(tmp_path / "gone.md") == FileContent(Kind.MISSING, message="not found")


def test_a_directory(tmp_path: Path) -> None:
    content = read_content(tmp_path)
    assert content.kind is Kind.DIRECTORY and content.message == "a folder, not a file"


def test_a_symlink_loop(tmp_path: Path) -> None:
    loop = tmp_path / "loop.md"
    loop.symlink_to(loop)
    assert read_content(loop) == FileContent(Kind.UNREADABLE, message="a symlink loop")


def test_a_fifo_is_not_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    assert read_content(fifo) == FileContent(Kind.UNREADABLE, message="not a regular file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_permission_denied(tmp_path: Path) -> None:
    path = tmp_path / "secret.md"
    path.write_text("secret", encoding="utf-8")
    path.chmod(0)
    try:
        assert read_content(path) == FileContent(Kind.UNREADABLE, message="permission denied")
    finally:
        path.chmod(0o600)


def test_an_empty_file_is_empty_text(tmp_path: Path) -> None:
    path = tmp_path / "empty.md"
    path.touch()
    assert read_content(path) == FileContent(Kind.TEXT)
