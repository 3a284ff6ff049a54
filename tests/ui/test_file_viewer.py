"""FileViewer: a workspace file shown live, Markdown rendered or raw, changes tinted in place."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from rich.color import Color
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.scroll_view import ScrollView
from textual.widgets import Static

from tests.support.pilot import shown_text
from tests.support.shared import shared_path
from workbench.ui.markdown import MarkdownFlow
from workbench.ui.widgets import file_viewer
from workbench.ui.widgets.file_viewer import (
    CHANGED_SECONDS,
    FileViewer,
    RawView,
    RenderedView,
    block_starts,
    diff_lines,
)
from workbench.watch.content import RENDER_LIMIT

SIZE = (100, 40)

TRICKY = """\
# Title

Intro paragraph with a [late link][late] and a [near one][near].

- item one

- item two, loose
  continued

  second paragraph of item two
* another list

1. one
2. two

3. three, after a blank line

10. a new list

```python
def f():

    return 1
```

<!-- a comment

# not a heading

-->

<pre>
pre text

# not a heading either
</pre>

    indented code

    after a blank line

Setext heading
==============

> quote
continued lazily

| a | b |
|---|---|
| 1 | 2 |
## Right after a table

[near]: https://example.com/near
Paragraph after a definition.

~~~
tilde fence
```
still in it
~~~

[late]: https://example.com/late
"""


class ViewerApp(App[None]):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def compose(self) -> ComposeResult:
        yield FileViewer(self.path)


async def opened(pilot: Pilot[None]) -> FileViewer:
    """The viewer once its file is read and laid out."""
    viewer = pilot.app.query_one(FileViewer)
    await viewer.reload()
    await pilot.pause()
    rendered = viewer.query_one(RenderedView)
    while rendered.display and not rendered.complete:
        await pilot.pause(0.01)
    return viewer


async def reloaded(pilot: Pilot[None], viewer: FileViewer) -> None:
    """Once the viewer has read its file again and drawn it."""
    await viewer.reload()
    await pilot.pause()


def visible(viewer: FileViewer) -> ScrollView:
    rendered = viewer.query_one(RenderedView)
    return rendered if rendered.display else viewer.query_one(RawView)


def screen(viewer: FileViewer) -> str:
    """What the viewer shows: its notice, its message or the text of the view on show."""
    notes = [viewer.query_one(f"#{name}", Static) for name in ("notice", "message")]
    views = [viewer.query_one(RenderedView), viewer.query_one(RawView)]
    parts = [shown_text(note).strip() for note in notes if note.display]
    parts += [shown_text(view).strip("\n") for view in views if view.display]
    return "\n".join(part for part in parts if part)


def notice(viewer: FileViewer) -> str:
    widget = viewer.query_one("#notice", Static)
    return shown_text(widget).strip() if widget.display else ""


def every_line(view: ScrollView) -> list[str]:
    """All the view's lines, scrolled through a screen at a time, right-stripped."""
    lines: dict[int, str] = {}
    height = view.size.height
    for top in range(0, view.virtual_size.height, height):
        view.scroll_to(y=top, animate=False)
        offset = view.scroll_offset.y  # the last screen stops at the end
        lines.update((offset + y, view.render_line(y).text.rstrip()) for y in range(height))
    view.scroll_to(y=0, animate=False)
    return [lines[y] for y in range(view.virtual_size.height)]


def background(view: ScrollView, y: int) -> Color | None:
    """The background at the end of line y of the view (past any text)."""
    segments = list(view.render_line(y))
    style = segments[-1].style if segments else None
    return style.bgcolor if style is not None else None


async def flow_lines(text: str) -> list[str]:
    """MarkdownFlow's lines for the whole text, at the width the viewer lays out."""

    class Pane(App[None]):
        CSS = "VerticalScroll { scrollbar-gutter: stable; }"

        def compose(self) -> ComposeResult:
            with VerticalScroll():
                yield MarkdownFlow()

    async with Pane().run_test(size=SIZE) as pilot:
        flow = pilot.app.query_one(MarkdownFlow)
        flow.append(text)
        await flow.finish()
        await pilot.pause()
        return [flow.render_line(y).text.rstrip() for y in range(flow.size.height)]


async def test_markdown_is_rendered(tmp_path: Path) -> None:
    path = tmp_path / "context.md"
    path.write_text("# Shared context\n\nSome **bold** words.\n\n- first\n- second\n")
    async with ViewerApp(path).run_test(size=SIZE) as pilot:
        viewer = await opened(pilot)
        shown = screen(viewer)
        assert "Shared context" in shown and "#" not in shown
        assert "Some bold words." in shown
        assert "• first" in shown and "• second" in shown


async def test_rendered_view_is_what_markdownflow_draws_for_the_whole_text(
    tmp_path: Path,
) -> None:
    """The file is rendered in blocks; cut anywhere unsafe, the picture would differ."""
    path = tmp_path / "tricky.md"
    path.write_text(TRICKY)
    async with ViewerApp(path).run_test(size=SIZE) as pilot:
        viewer = await opened(pilot)
        lines = every_line(visible(viewer))
    assert lines == await flow_lines(TRICKY)
    assert "late link" in "\n".join(lines) and "[late]" not in "\n".join(lines)


async def test_the_corpus_context_file_renders_as_markdownflow_draws_it(tmp_path: Path) -> None:
    source = shared_path(
        "corpus", "tasks", "JackSmack1971__flash-arbitrage", "docs__tasks__context.md"
    )
    text = source.read_text(encoding="utf-8")
    path = tmp_path / "context.md"
    path.write_text(text, encoding="utf-8")
    async with ViewerApp(path).run_test(size=SIZE) as pilot:
        viewer = await opened(pilot)
        lines = every_line(visible(viewer))
    assert lines == await flow_lines(text)


def test_blocks_are_cut_only_where_commonmark_starts_a_top_level_block() -> None:
    lines = TRICKY.split("\n")
    starts, definitions = block_starts(lines)
    first_lines = [lines[start] for start in starts]
    assert "# not a heading" not in first_lines
    assert "# not a heading either" not in first_lines
    assert "still in it" not in first_lines
    assert "3. three, after a blank line" not in first_lines
    assert "## Right after a table" in first_lines
    assert "Setext heading" in first_lines
    assert definitions == ["[near]: https://example.com/near", "[late]: https://example.com/late"]


def test_the_diff_maps_old_lines_to_new_ones() -> None:
    old = ["a", "b", "c", "d", "e"]
    new = ["a", "new", "new too", "c", "d", "E"]
    diff = diff_lines(old, new)
    assert diff.changed == [(1, 3), (5, 6)]
    assert [diff.moved(line) for line in range(5)] == [0, 1, 3, 4, 5]
    assert diff_lines(old, old).changed == []
    assert diff_lines(old, old[:3]).changed == []  # deleted at the end: nothing left to mark


async def test_r_toggles_raw_text_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    path.write_text("# Plan\n\n1. Do it\n")
    async with ViewerApp(path).run_test(size=SIZE) as pilot:
        viewer = await opened(pilot)
        visible(viewer).focus()
        await pilot.press("r")
        raw = screen(viewer).split("\n")
        assert raw[:3] == ["1  # Plan", "2", "3  1. Do it"]
        await pilot.press("r")
        assert screen(viewer).split() == ["Plan", "1.", "Do", "it"]


async def test_other_files_are_raw_and_r_does_nothing(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{\n\t"model": "opus"\n}\n')
    async with ViewerApp(path).run_test(size=SIZE) as pilot:
        viewer = await opened(pilot)
        visible(viewer).focus()
        assert screen(viewer).split("\n")[:3] == ["1  {", '2      "model": "opus"', "3  }"]
        await pilot.press("r")
        assert screen(viewer).startswith("1  {")


async def test_a_change_on_disk_shows_in_place_and_keeps_the_scroll_offset(
    tmp_path: Path,
) -> None:
    paragraphs = [f"Paragraph {n} says something about the project." for n in range(100)]
    path = tmp_path / "context.md"
    path.write_text("\n\n".join(paragraphs) + "\n")
    async with ViewerApp(path).run_test(size=SIZE) as pilot:
        viewer = await opened(pilot)
        view = visible(viewer)
        view.scroll_to(y=50, animate=False)
        await pilot.pause()
        top = screen(viewer).split("\n")[0].strip()
        assert top == "Paragraph 25 says something about the project."
        paragraphs[30] = "Paragraph 30 was rewritten by an agent."
        path.write_text("\n\n".join(paragraphs) + "\n")
        await reloaded(pilot, viewer)
        assert round(view.scroll_y) == 50
        assert "Paragraph 30 was rewritten by an agent." in screen(viewer)
        assert screen(viewer).split("\n")[0].strip() == top


async def test_lines_added_above_keep_the_same_text_at_the_top(tmp_path: Path) -> None:
    lines = [f"line {n}" for n in range(200)]
    path = tmp_path / "notes.txt"
    path.write_text("\n".join(lines))
    async with ViewerApp(path).run_test(size=SIZE) as pilot:
        viewer = await opened(pilot)
        view = visible(viewer)
        view.scroll_to(y=100, animate=False)
        await pilot.pause()
        assert screen(viewer).startswith("101  line 100")
        path.write_text("\n".join(["new"] * 7 + lines))
        await reloaded(pilot, viewer)
        assert screen(viewer).startswith("108  line 100")


async def test_changed_lines_are_tinted_then_cleared(tmp_path: Path) -> None:
    path = tmp_path / "context.md"
    blocks = [f"Block {n}." for n in range(10)]
    path.write_text("\n\n".join(blocks))
    async with ViewerApp(path).run_test(size=SIZE) as pilot:
        viewer = await opened(pilot)
        rendered = visible(viewer)
        plain = background(rendered, 8)
        blocks[4] = "Block 4, changed."
        path.write_text("\n\n".join(blocks))
        await reloaded(pilot, viewer)
        assert rendered.render_line(8).text.strip() == "Block 4, changed."
        assert background(rendered, 8) != plain
        assert background(rendered, 7) == plain  # the margin above is not part of it
        assert background(rendered, 10) == plain
        visible(viewer).focus()
        await pilot.press("r")
        raw = visible(viewer)
        assert isinstance(raw, RawView)
        assert raw.render_line(8).text.startswith(" 9  Block 4, changed.")
        assert background(raw, 8) != background(raw, 6)
        await pilot.pause(CHANGED_SECONDS + 0.2)
        assert background(raw, 8) == background(raw, 6)
        await pilot.press("r")
        assert background(rendered, 8) == plain


async def test_a_large_file_opens_as_raw_text_with_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    line = "# heading\n" + "word " * 19 + "\n"
    path.write_text(line * (RENDER_LIMIT * 2 // len(line)))
    async with ViewerApp(path).run_test(size=SIZE) as pilot:
        viewer = await opened(pilot)
        assert isinstance(visible(viewer), RawView)
        assert notice(viewer) == (
            "2.0 MB: shown as raw text; rendered view is for files under 1 MB"
        )
        assert screen(viewer).split("\n")[1] == "    1  # heading"
        visible(viewer).focus()
        await pilot.press("r")
        assert isinstance(visible(viewer), RawView)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("logo.md", b"\x89PNG\0\0" + bytes(3000), "logo.md: binary file, 2.9 KB: not shown"),
        ("gone.md", None, "gone.md: not found"),
    ],
)
async def test_files_without_text_show_a_message(
    tmp_path: Path, name: str, data: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    async with ViewerApp(path).run_test(size=SIZE) as pilot:
        viewer = await opened(pilot)
        assert screen(viewer) == message
        visible(viewer).focus()
        await pilot.press("r")
        assert screen(viewer) == message


async def test_a_directory_shows_a_message(tmp_path: Path) -> None:
    folder = tmp_path / "docs.md"
    folder.mkdir()
    async with ViewerApp(folder).run_test(size=SIZE) as pilot:
        assert screen(await opened(pilot)) == "docs.md: a folder, not a file"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
async def test_an_unreadable_file_shows_a_message(tmp_path: Path) -> None:
    path = tmp_path / "secret.md"
    path.write_text("secret")
    path.chmod(0)
    try:
        async with ViewerApp(path).run_test(size=SIZE) as pilot:
            assert screen(await opened(pilot)) == "secret.md: permission denied"
    finally:
        path.chmod(0o600)


async def test_text_that_is_not_utf8_shows_replacement_characters_and_a_note(
    tmp_path: Path,
) -> None:
    path = tmp_path / "notes.md"
    path.write_bytes("# Café\n\nolé\n".encode("latin-1"))
    async with ViewerApp(path).run_test(size=SIZE) as pilot:
        viewer = await opened(pilot)
        assert notice(viewer) == "not UTF-8: bytes that are not text show as �"
        assert "Caf�" in screen(viewer) and "ol�" in screen(viewer)


async def test_control_characters_from_the_file_show_as_symbols(tmp_path: Path) -> None:
    hostile = "# Title \x1b]0;pwned\x07\n\nText \x1b[31mred\x1b[0m and \x9b2J done\n"
    path = tmp_path / "hostile\x1b[2J.md"
    path.write_text(hostile)
    async with ViewerApp(path).run_test(size=SIZE) as pilot:
        viewer = await opened(pilot)
        rendered = screen(viewer)
        visible(viewer).focus()
        await pilot.press("r")
        raw = screen(viewer)
        path.unlink()
        path.mkdir()
        await reloaded(pilot, viewer)
        message = screen(viewer)
    for shown in (rendered, raw, message):
        assert not any(0x1B <= ord(c) <= 0x1B or 0x80 <= ord(c) < 0xA0 for c in shown)
    assert "Title ␛]0;pwned␇" in rendered and "Text ␛[31mred␛[0m and �2J done" in rendered
    assert "3  Text ␛[31mred␛[0m" in raw
    assert message == "hostile␛[2J.md: a folder, not a file"


async def test_a_deleted_file_keeps_its_last_text_until_it_is_back(tmp_path: Path) -> None:
    path = tmp_path / "context.md"
    path.write_text("# Context\n\nThe last words.\n")
    async with ViewerApp(path).run_test(size=SIZE) as pilot:
        viewer = await opened(pilot)
        path.unlink()
        await reloaded(pilot, viewer)
        assert "The last words." in screen(viewer)
        assert notice(viewer) == "deleted: showing the last text read until the file is back"
        assert viewer.has_class("-gone")
        path.write_text("# Context\n\nBack again.\n")
        await reloaded(pilot, viewer)
        assert "Back again." in screen(viewer) and notice(viewer) == ""
        assert not viewer.has_class("-gone")


async def test_a_version_is_shown_under_a_banner_until_show_live(tmp_path: Path) -> None:
    path = tmp_path / "context.md"
    path.write_text("# Context\n\nNow.\n")
    label = "version 3 · 14:02:11 · by run 7 (Edit)"
    async with ViewerApp(path).run_test(size=SIZE) as pilot:
        viewer = await opened(pilot)
        viewer.show_version("# Context\n\nBefore \x1b[2J.\n", label)
        await pilot.pause()
        assert notice(viewer) == label
        assert "Before ␛[2J." in screen(viewer) and "Now." not in screen(viewer)
        path.write_text("# Context\n\nLater.\n")
        await reloaded(pilot, viewer)
        assert "Before ␛[2J." in screen(viewer)
        viewer.show_live()
        await pilot.pause()
        assert notice(viewer) == ""
        assert "Later." in screen(viewer)


async def test_a_file_rewritten_in_a_tight_loop_is_read_far_fewer_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reloads asked for while a read is under way are served by one more read."""
    reads: list[Path] = []
    read = file_viewer.read_content

    def counted(path: Path) -> file_viewer.FileContent:
        reads.append(path)
        return read(path)

    path = tmp_path / "busy.md"
    path.write_text("start\n")
    async with ViewerApp(path).run_test(size=SIZE) as pilot:
        viewer = await opened(pilot)
        monkeypatch.setattr(file_viewer, "read_content", counted)
        waits = []
        for number in range(100):
            path.write_text(f"write {number}\n")
            waits.append(viewer.reload())
            await asyncio.sleep(0.001)
        await asyncio.gather(*(asyncio.ensure_future(wait()) for wait in waits))
        await pilot.pause()
        assert screen(viewer).strip() == "write 99"
    assert 1 <= len(reads) < 50


async def test_a_hidden_viewer_shows_changes_made_while_hidden(tmp_path: Path) -> None:
    path = tmp_path / "context.md"
    path.write_text("# Context\n\nFirst.\n")
    async with ViewerApp(path).run_test(size=SIZE) as pilot:
        viewer = await opened(pilot)
        viewer.display = False
        await pilot.pause()
        path.write_text("# Context\n\nSecond.\n")
        await reloaded(pilot, viewer)
        viewer.display = True
        await pilot.pause()
        assert "Second." in screen(viewer)
