"""Two versions of a file compared, as a person sees them: the rows on screen and the title."""

from __future__ import annotations

import re
import threading

import pytest
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.pilot import Pilot

from tests.support.pilot import until
from workbench.ui.widgets import version_diff
from workbench.ui.widgets.version_diff import VersionDiff

WIDE = (160, 40)
NARROW = (100, 40)


class DiffApp(App[None]):
    def __init__(self, before: str | None, after: str | None) -> None:
        super().__init__()
        self.before = before
        self.after = after
        self.animation_level = "none"

    def compose(self) -> ComposeResult:
        yield VersionDiff(self.before, self.after, before_label="v1", after_label="v2", id="diff")

    def on_mount(self) -> None:
        self.diff.focus()

    @property
    def diff(self) -> VersionDiff:
        return self.query_one(VersionDiff)


def numbered(count: int, changes: dict[int, str] | None = None) -> str:
    """`line 1` … `line N`, with some lines (1-based) replaced."""
    lines = [f"line {n}" for n in range(1, count + 1)]
    for n, text in (changes or {}).items():
        lines[n - 1] = text
    return "\n".join(lines) + "\n"


async def compared(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def rows(app: DiffApp) -> list[str]:
    """The widget's rows as drawn, border and title included, trailing spaces removed."""
    widget = app.diff
    lines = widget.render_lines(Region(0, 0, *widget.outer_size))
    return [line.text.rstrip() for line in lines]


def body(app: DiffApp) -> list[str]:
    """Only the diff rows, inside the border, with the scrollbar column cut off."""
    width = app.diff.scrollable_content_region.width
    return [row[1 : 1 + width].rstrip() for row in rows(app)[1:-1]]


def title(app: DiffApp) -> str:
    return rows(app)[0]


BEFORE = "import os\n\nalpha = 1\nbeta = 2\n"
AFTER = "import os\n\nalpha = 10\nbeta = 2\ngamma = 3\n"


async def test_a_wide_widget_shows_old_and_new_side_by_side() -> None:
    app = DiffApp(BEFORE, AFTER)
    async with app.run_test(size=WIDE) as pilot:
        await compared(pilot)
        assert "v1 → v2  +2 −1  split (auto)" in title(app)
        shown = body(app)
        changed = next(row for row in shown if "alpha" in row)
        assert re.fullmatch(r"\s+3 - alpha = 1\s+│\s+3 \+ alpha = 10", changed)
        added = next(row for row in shown if "gamma" in row)
        assert re.fullmatch(r"\s+│\s+5 \+ gamma = 3", added)
        assert re.fullmatch(r"\s+1\s+import os\s+│\s+1\s+import os", shown[0])


async def test_a_narrow_widget_shows_one_column_with_markers() -> None:
    app = DiffApp(BEFORE, AFTER)
    async with app.run_test(size=NARROW) as pilot:
        await compared(pilot)
        assert "unified (auto)" in title(app)
        assert body(app)[:6] == [
            " 1 1   import os",
            " 2 2",
            " 3   - alpha = 1",
            "   3 + alpha = 10",
            " 4 4   beta = 2",
            "   5 + gamma = 3",
        ]


async def test_changed_words_are_emphasised_within_a_changed_line() -> None:
    app = DiffApp("total = price * count\n", "total = price * amount\n")
    async with app.run_test(size=NARROW) as pilot:
        await compared(pilot)
        widget = app.diff
        added_line = widget.render_line(1)
        word = widget.get_component_rich_style("version-diff--added-word").bgcolor
        line = widget.get_component_rich_style("version-diff--added").bgcolor
        assert word != line
        by_text = {segment.text: segment.style for segment in added_line if segment.text.strip()}
        assert by_text["amount"] is not None and by_text["amount"].bgcolor == word
        kept = next(style for text, style in by_text.items() if "price" in text)
        assert kept is not None and kept.bgcolor == line


async def test_s_cycles_auto_split_unified_and_the_title_says_which() -> None:
    app = DiffApp(BEFORE, AFTER)
    async with app.run_test(size=WIDE) as pilot:
        await compared(pilot)
        seen = []
        for _ in range(3):
            await pilot.press("s")
            seen.append((title(app).split("−1")[1].strip(" ─╮"), "│" in body(app)[2]))
        assert seen == [("split", True), ("unified", False), ("split (auto)", True)]
        await pilot.resize_terminal(*NARROW)
        await pilot.pause()
        assert "unified (auto)" in title(app)
        assert body(app)[2] == " 3   - alpha = 1"


async def test_long_unchanged_runs_fold_and_f_shows_them() -> None:
    app = DiffApp(numbered(60), numbered(60, {30: "line thirty"}))
    async with app.run_test(size=NARROW) as pilot:
        await compared(pilot)
        shown = body(app)
        assert shown[:9] == [
            "       ⋯ 26 unchanged lines",
            " 27 27   line 27",
            " 28 28   line 28",
            " 29 29   line 29",
            " 30    - line 30",
            "    30 + line thirty",
            " 31 31   line 31",
            " 32 32   line 32",
            " 33 33   line 33",
        ]
        assert shown[9] == "       ⋯ 27 unchanged lines"
        await pilot.press("f")
        shown = body(app)
        assert shown[0] == "  1  1   line 1"
        assert not any("unchanged" in row for row in shown)
        await pilot.press("f")
        assert body(app)[0] == "       ⋯ 26 unchanged lines"


async def test_n_and_p_bring_each_change_near_the_top() -> None:
    changes = {200: "changed A", 600: "changed B", 1400: "changed C"}
    app = DiffApp(numbered(1500), numbered(1500, changes))
    async with app.run_test(size=NARROW) as pilot:
        await compared(pilot)
        await pilot.press("f")

        async def after(key: str) -> str:
            await pilot.press(key)
            return body(app)[version_diff.LEAD_ROWS]

        assert await after("n") == "  200      - line 200"
        assert await after("n") == "  600      - line 600"
        assert await after("p") == "  200      - line 200"
        assert await after("n") == "  600      - line 600"
        assert await after("n") == " 1400      - line 1400"
        assert await after("n") == " 1400      - line 1400", "no change after the last"
        assert await after("p") == "  600      - line 600"


async def test_s_and_f_keep_the_place_being_read() -> None:
    changes = {n: f"changed {n}" for n in range(100, 1500, 50)}
    app = DiffApp(numbered(1500), numbered(1500, changes))
    async with app.run_test(size=NARROW) as pilot:
        await compared(pilot)
        await pilot.press("f", "n", "n", "n")
        reading = ["  198  198   line 198", "  199  199   line 199", "  200      - line 200"]
        assert body(app)[:3] == reading
        await pilot.press("f")
        assert body(app)[:3] == reading
        await pilot.press("s")
        assert re.fullmatch(r"\s+200 - line 200\s+│\s+200 \+ changed 200", body(app)[2])


async def test_identical_versions_say_so() -> None:
    app = DiffApp(numbered(20), numbered(20))
    async with app.run_test(size=WIDE) as pilot:
        await compared(pilot)
        assert "+0 −0" in title(app)
        assert body(app)[:2] == [" These versions are identical.", "    ⋯ 20 unchanged lines"]
    app = DiffApp("a\r\nb", "a\nb\n")
    async with app.run_test(size=WIDE) as pilot:
        await compared(pilot)
        assert body(app)[0] == " These versions differ only in line endings or the final newline."


async def test_a_file_that_did_not_exist_is_all_added_or_all_removed() -> None:
    app = DiffApp(None, "first\nsecond\n")
    async with app.run_test(size=NARROW) as pilot:
        await compared(pilot)
        assert "+2 −0" in title(app)
        assert body(app)[:3] == [
            " The file did not exist before: every line is added.",
            "   1 + first",
            "   2 + second",
        ]
    app = DiffApp("first\nsecond\n", None)
    async with app.run_test(size=NARROW) as pilot:
        await compared(pilot)
        assert body(app)[:3] == [
            " The file no longer exists: every line is removed.",
            " 1   - first",
            " 2   - second",
        ]


async def test_a_long_line_is_cut_at_its_column_not_wrapped() -> None:
    app = DiffApp("short\n", "x" * 300 + "\nend\n")
    async with app.run_test(size=WIDE) as pilot:
        await compared(pilot)
        first = body(app)[0]
        assert first.endswith("x…") and len(first) == app.diff.scrollable_content_region.width
        assert "end" in body(app)[1]


async def test_a_5000_line_diff_shows_its_first_screen_and_scrolls_to_the_end() -> None:
    changes = {n: f"line {n} edited" for n in range(7, 5000, 97)}
    app = DiffApp(numbered(5000), numbered(5000, changes))
    async with app.run_test(size=WIDE) as pilot:
        await compared(pilot)
        await pilot.press("f")
        assert "+52 −52" in title(app)
        assert re.fullmatch(r"\s+1\s+line 1\s+│\s+1\s+line 1", body(app)[0])
        assert "line 7 edited" in body(app)[6]
        await pilot.press("end")
        assert re.fullmatch(r"\s*5000\s+line 5000\s+│\s*5000\s+line 5000", body(app)[-1])


async def test_comparing_is_shown_while_a_slow_comparison_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    release = threading.Event()
    compare = version_diff.compare

    def slow_compare(before: str | None, after: str | None) -> version_diff.Comparison:
        release.wait(timeout=10)
        return compare(before, after)

    monkeypatch.setattr(version_diff, "compare", slow_compare)
    app = DiffApp(BEFORE, AFTER)
    async with app.run_test(size=NARROW) as pilot:
        await until(pilot, lambda: body(app)[0] == " Comparing…")
        release.set()
        await compared(pilot)
        assert body(app)[0] == " 1 1   import os"


async def test_control_characters_and_escapes_are_shown_harmlessly() -> None:
    hostile = "\x1b[31mred\x1b[0m\n\x1b]0;owned\x07title\nbell\x07 and \x9b2J\ncol\tumn\n"
    app = DiffApp("plain\n", hostile)
    async with app.run_test(size=NARROW) as pilot:
        await compared(pilot)
        widget = app.diff
        strips = [widget.render_line(y) for y in range(widget.size.height)]
        drawn = "".join(segment.text for strip in strips for segment in strip)
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", drawn)
        assert "+ ␛[31mred␛[0m" in drawn
        assert "+ ␛]0;owned␇title" in drawn
        assert "+ col umn" in drawn
