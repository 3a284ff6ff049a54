"""The run's files list measures only its new rows, and is as tall as a plain option list
holding the same rows through every change: rows added, a divider, a row that wraps, a
prompt replaced, the list cleared or set anew, the width changed."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from workbench.ui.widgets.run_files import FileRows

LONG = "R src/transfer_indexer/storage/checkpoints/batch_writer.py"


class SideBySide(App[None]):
    CSS = """
    Vertical { width: 24; height: auto; }
    OptionList { height: auto; max-height: 100; border: none; }
    Static { height: 1; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal():
            with Vertical(id="plain"):
                yield OptionList()
                yield Static("below", classes="below")
            with Vertical(id="rows"):
                yield FileRows(classes="files")
                yield Static("below", classes="below")


async def test_the_files_list_is_as_tall_as_its_rows_through_every_change() -> None:
    app = SideBySide()
    async with app.run_test(size=(60, 120)) as pilot:
        plain = app.query_one("#plain OptionList", OptionList)
        rows = app.query_one(FileRows)

        async def both(change: Callable[[OptionList], object]) -> int:
            change(plain)
            change(rows)
            await pilot.pause()
            assert rows.size.height == plain.size.height
            below = app.query_one("#rows .below").region.y
            assert below == app.query_one("#plain .below").region.y
            return rows.size.height

        assert await both(lambda rows: rows.add_options([f"R a{n}.md" for n in range(3)])) == 3
        grown = await both(lambda rows: rows.add_options([Option(LONG, id="long")]))
        assert grown > 4, "the long path wraps"
        with_divider = await both(lambda rows: rows.add_options([None, "R b.md"]))
        assert with_divider == grown + 2, "a divider under the last row counts once a row follows"
        await both(lambda rows: rows.add_options(["R f.md", None]))
        await both(lambda rows: rows.add_options(["R g.md"]))
        await both(lambda rows: rows.replace_option_prompt("long", "W short.md"))
        await both(lambda rows: rows.add_options([LONG, "R c.md"]))
        await both(lambda rows: rows.clear_options())
        assert await both(lambda rows: rows.set_options(["R d.md", "R e.md"])) == 2
        await both(lambda rows: rows.set_options([LONG, "R e.md", "R f.md"]))
        narrow = await both(lambda rows: rows.set_options(["R d.md", "R e.md", *[LONG] * 3]))

        app.query_one("#plain").styles.width = 64
        app.query_one("#rows").styles.width = 64
        await pilot.pause()
        assert rows.size.height == plain.size.height == 5 < narrow
