"""Agent files opened for editing: byte-exact round trips, conflicts, and recovery."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual.document._document import Document

from tests.support.shared import shared_path
from workbench.agentfile.document import AgentDocument, Conflict, DocumentError, Recovery


def editor_text(document: AgentDocument) -> str:
    """The text as Textual's TextArea holds it (its `Document`), which is what gets saved."""
    return Document(document.text).text


def test_every_seed_and_corpus_file_round_trips_byte_for_byte() -> None:
    folders = [shared_path("seeds"), shared_path("corpus", "agents")]
    files = [p for folder in folders for p in sorted(folder.rglob("*")) if p.is_file()]
    files = [p for p in files if p.name not in ("MANIFEST.tsv", "README.md")]
    assert len(files) > 1000
    for path in files:
        try:
            document = AgentDocument.open(path)
        except DocumentError:
            continue
        assert document.encode(editor_text(document)) == document.data, path


@pytest.mark.parametrize(
    "data",
    [
        b"---\r\nname: a\r\n---\r\nBody\r\n",
        b"\xef\xbb\xbf---\nname: a\n---\nBody",
        b"---\nname: a\n---\nno final newline",
    ],
)
def test_an_edit_keeps_line_endings_bom_and_final_newline(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(data)
    document = AgentDocument.open(path)
    saved = document.save(editor_text(document).replace("Body", "Text").replace("no", "No"))
    expected = data.replace(b"Body", b"Text").replace(b"no final", b"No final")
    assert path.read_bytes() == expected == saved.data


def test_a_file_changed_on_disk_is_not_overwritten_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("---\nname: a\n---\nmine\n")
    document = AgentDocument.open(path)
    path.write_text("---\nname: a\n---\ntheirs\n")
    with pytest.raises(Conflict) as raised:
        document.save("---\nname: a\n---\nmine, edited\n")
    assert raised.value.disk_text == "---\nname: a\n---\ntheirs\n"
    assert "theirs" in path.read_text()
    document.save("---\nname: a\n---\nmine, edited\n", overwrite=True)
    assert path.read_text() == "---\nname: a\n---\nmine, edited\n"


def test_a_deleted_file_is_a_conflict_too(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("---\nname: a\n---\n")
    document = AgentDocument.open(path)
    path.unlink()
    with pytest.raises(Conflict) as raised:
        document.save("---\nname: a\n---\nmore\n")
    assert raised.value.disk_text is None
    document.save("---\nname: a\n---\nmore\n", overwrite=True)
    assert path.read_text().endswith("more\n")


def test_files_that_cannot_be_edited_say_why(tmp_path: Path) -> None:
    latin = tmp_path / "latin.md"
    latin.write_bytes("---\nname: caf\xe9\n---\n".encode("latin-1"))
    with pytest.raises(DocumentError, match="not UTF-8 text \\(line 2\\)"):
        AgentDocument.open(latin)
    with pytest.raises(DocumentError, match="does not exist"):
        AgentDocument.open(tmp_path / "missing.md")
    with pytest.raises(DocumentError, match="is a folder"):
        AgentDocument.open(tmp_path)
    binary = tmp_path / "binary.md"
    binary.write_bytes(b"---\nname: a\x00b\n---\n")
    with pytest.raises(DocumentError, match="is a binary file \\(it contains NUL bytes\\)"):
        AgentDocument.open(binary)
    pipe = tmp_path / "pipe.md"
    os.mkfifo(pipe)
    with pytest.raises(DocumentError, match="is not a regular file"):
        AgentDocument.open(pipe)  # returns at once: nothing waits for a writer


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes whatever the permissions")
def test_a_read_only_file_opens_read_only_and_refuses_to_save(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("---\nname: a\n---\n")
    path.chmod(0o444)
    document = AgentDocument.open(path)
    assert not document.writable
    with pytest.raises(DocumentError, match="cannot be written"):
        document.save("changed")
    assert path.read_text() == "---\nname: a\n---\n"


def test_recovery_keeps_and_drops_unsaved_text(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("---\nname: a\n---\n")
    recovery = Recovery(tmp_path)
    document = AgentDocument.open(path)
    recovery.keep(document, "unsaved words")
    found = recovery.find(path)
    assert found is not None and found.text == "unsaved words" and found.path == path
    assert [r.path for r in recovery.all()] == [path]
    recovery.drop(path)
    assert recovery.find(path) is None
