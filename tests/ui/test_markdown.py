"""MarkdownFlow: streamed Markdown that looks like Textual's Markdown, safe and fast."""

from __future__ import annotations

import asyncio
import random

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.pilot import Pilot
from textual.selection import Selection
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Markdown

from workbench.ui.markdown import MarkdownFlow

HEADINGS = """\
# Release notes for the workbench, a title long enough to wrap on a narrow pane

Some *emphasis*, **strong** text, ~~struck~~ words, `inline code`, a
[link](https://example.com) and ![a picture](pic.png).\\
After a hard break. See [the guide][guide], whose link is defined at the end.

## Second level

### Third level
#### Fourth
##### Fifth
###### Sixth

Setext title
============

Setext subtitle
---------------

[guide]: https://example.com/guide
"""

LISTS = """\
- first
- second
  - nested one
  - nested two
    - deeper
      - deepest
- third

1. one
2. two
3. three
4. four
5. five
6. six
7. seven
8. eight
9. nine
10. ten
11. eleven

- loose item

- loose item with more

  a second paragraph in the item

  ```python
  print("in a list")
  ```

3. starts at three
4. four
   - bullet under a number
"""

CODE = """\
Before the code.

```python
# greet someone
def greet(name):
    \"\"\"Say hello.\"\"\"
    return f"hi {name}"
```

```js
const x = [1, 2].map(f);
```

    indented code
    keeps its lines

> A quote with a list:
> - a
> - b
>
> ```
> code in a quote
> ```
>
> > and a nested quote

***

<div>raw HTML blocks are not shown</div>

After the rule.
"""

TABLE = """\
| Name | Meaning | Count |
|:-----|:-------:|------:|
| `alpha` | the first letter, with a description long enough to wrap | 1 |
| **beta** | *second* | 22 |
| gamma | third | 333 |

Text after the table.
"""

# Code lines stay within 26 columns: at width 34, Markdown would crop longer ones where
# MarkdownFlow folds them (see test_long_code_lines_fold_instead_of_being_cut).
DOCUMENTS = {"headings": HEADINGS, "lists": LISTS, "code": CODE, "table": TABLE}
ALL = "\n".join(DOCUMENTS.values())


class Pane(App[None]):
    """A chat-like pane: a vertically scrolling container holding one widget."""

    def __init__(self, widget: Widget) -> None:
        super().__init__()
        self._widget = widget

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield self._widget


def screen_lines(pilot: Pilot[None], widget: Widget) -> list[str]:
    """The text the screen shows in the widget's region, each line right-stripped.

    Textual has no public API for the screen's text, so this reads the compositor's strips
    (what `App.export_screenshot` draws). It covers container widgets like `Markdown`.
    """
    strips = pilot.app.screen._compositor.render_strips()
    region = widget.region
    return [
        strip.text[region.x : region.right].rstrip() for strip in strips[region.y : region.bottom]
    ]


def flow_strips(flow: MarkdownFlow) -> list[Strip]:
    """Every line of the widget, on screen or not (it renders by lines, so this is direct)."""
    width, height = flow.outer_size
    return flow.render_lines(Region(0, 0, width, height))


def flow_lines(flow: MarkdownFlow) -> list[str]:
    return [strip.text.rstrip() for strip in flow_strips(flow)]


async def shown_by_markdown(source: str, width: int) -> list[str]:
    markdown = Markdown(source)
    async with Pane(markdown).run_test(size=(width, 400)) as pilot:
        await pilot.pause()
        return screen_lines(pilot, markdown)


async def shown_by_flow(pieces: list[str], width: int, *, flush: bool = False) -> list[str]:
    """Append the pieces (rendering after each one when `flush`), finish, read the screen."""
    flow = MarkdownFlow()
    async with Pane(flow).run_test(size=(width, 400)) as pilot:
        for piece in pieces:
            flow.append(piece)
            if flush:
                flow.flush()
        await flow.finish()
        await pilot.pause()
        return screen_lines(pilot, flow)


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
@pytest.mark.parametrize("width", [72, 34])
async def test_final_text_is_what_markdown_shows(name: str, width: int) -> None:
    """Line for line, the same characters as Textual's Markdown (trailing spaces ignored).

    Margins, bullets, numbering, quote borders, rules, table keylines, wrapping and heading
    alignment are all compared, not just the words. Colours are not compared.
    """
    source = DOCUMENTS[name]
    expected = await shown_by_markdown(source, width)
    assert await shown_by_flow([source], width) == expected
    assert len(expected) > 10


async def test_streaming_one_character_at_a_time_ends_as_one_append() -> None:
    """Rendering after every single character exercises every point where a block can settle."""
    whole = await shown_by_flow([ALL], 60)
    streamed = await shown_by_flow(list(ALL), 60, flush=True)
    assert streamed == whole
    assert whole == await shown_by_markdown(ALL, 60)


async def test_streaming_draws_on_a_timer_and_settles_the_same() -> None:
    flow = MarkdownFlow()
    async with Pane(flow).run_test(size=(60, 400)) as pilot:
        for start in range(0, len(ALL), 7):
            flow.append(ALL[start : start + 7])
            if start % 350 == 0:
                await pilot.pause(0.06)
        await flow.finish()
        await pilot.pause()
        assert flow.render_count > 3
        assert screen_lines(pilot, flow) == await shown_by_flow([ALL], 60)


async def test_switching_to_an_ansi_theme_lays_out_again_like_markdown() -> None:
    """ANSI themes drop the fences' margins; a reply already drawn follows the switch."""

    async def shown_after_switch(widget: Widget) -> list[str]:
        async with Pane(widget).run_test(size=(60, 400)) as pilot:
            if isinstance(widget, MarkdownFlow):
                widget.append(CODE)
                await widget.finish()
            await pilot.pause()
            before = screen_lines(pilot, widget)
            pilot.app.theme = "ansi-dark"
            await pilot.pause()
            after = screen_lines(pilot, widget)
            assert len(after) < len(before)
            return after

    assert await shown_after_switch(MarkdownFlow()) == await shown_after_switch(Markdown(CODE))


async def test_a_long_fence_streamed_line_by_line_looks_like_markdown() -> None:
    """A fence being written is settled in segments; the result must not show the seams."""
    rows = [("" if n % 9 == 0 else f"value_{n} = {n} * 2") for n in range(300)]
    source = "Code:\n\n```python\n" + "\n".join(rows) + "\n\n\n```\n\nDone.\n"
    pieces = [line + "\n" for line in source.split("\n")]
    streamed = await shown_by_flow(pieces, 60, flush=True)
    assert streamed == await shown_by_markdown(source, 60)
    assert len(streamed) > 300


async def test_ordered_list_renumbers_when_it_reaches_ten_while_streaming() -> None:
    source = "".join(f"{n}. item {n}\n" for n in range(1, 13))
    streamed = await shown_by_flow(list(source), 40, flush=True)
    assert streamed[:2] == ["    1. item 1", "    2. item 2"]
    assert streamed == await shown_by_markdown(source, 40)


async def test_long_code_lines_fold_instead_of_being_cut() -> None:
    """The one deliberate difference: Markdown scrolls a fence sideways, hiding the rest."""
    code = "value = compute(" + ", ".join(f"arg{n}" for n in range(12)) + ")"
    source = f"```python\n{code}\n```\n"
    flow = MarkdownFlow()
    async with Pane(flow).run_test(size=(40, 20)) as pilot:
        flow.append(source)
        await flow.finish()
        await pilot.pause()
        lines = flow_lines(flow)
    assert "".join(lines).replace(" ", "") == code.replace(" ", "")
    assert len(lines) == 1 + 1 + 3 + 1 + 1  # margin, padding, three folded lines, padding, margin


async def test_source_is_the_text_as_given_and_crlf_is_a_line_break() -> None:
    flow = MarkdownFlow()
    async with Pane(flow).run_test(size=(40, 20)) as pilot:
        for piece in ["# Title\r", "\n\r\nbody\r", "\nmore"]:
            flow.append(piece)
            flow.flush()
        await flow.finish()
        await pilot.pause()
        assert flow.source == "# Title\r\n\r\nbody\r\nmore"
        assert [line for line in flow_lines(flow) if line] == [
            " " * (2 + (36 - 5) // 2) + "Title",  # padding, then centred in 36 columns
            "  body more",
        ]
        with pytest.raises(RuntimeError):
            flow.append("late")


async def test_text_can_be_selected() -> None:
    flow = MarkdownFlow()
    async with Pane(flow).run_test(size=(40, 20)) as pilot:
        flow.append("# Title\n\n- one\n- two\n")
        await flow.finish()
        await pilot.pause()
        selected = flow.get_selection(Selection(None, None))
    assert selected is not None
    text, _ = selected
    assert [line.strip() for line in text.splitlines() if line.strip()] == [
        "Title",
        "• one",
        "• two",
    ]


async def test_text_appended_before_mounting_is_drawn_and_removal_ends_the_wait() -> None:
    early = MarkdownFlow()
    early.append("written before the widget was mounted")
    async with Pane(early).run_test(size=(60, 20)) as pilot:
        await early.finish()
        await pilot.pause()
        assert flow_lines(early)[0] == "  written before the widget was mounted"
        removed = MarkdownFlow()
        await pilot.app.query_one(VerticalScroll).mount(removed)
        removed.append("text that will never be drawn " * 1000)
        await removed.remove()
        await asyncio.wait_for(removed.finish(), timeout=5)


async def test_the_first_frame_showing_a_new_flow_shows_its_text() -> None:
    """A reply's first words come with its flow, as the chat mounts it: the frame that lays
    the flow out draws them, rather than a blank line until the flow's next step."""
    async with Pane(MarkdownFlow()).run_test(size=(60, 20)) as pilot:
        flow = MarkdownFlow()
        flow.append("The plan is in **cursor-plan.md**.")
        await asyncio.sleep(0.1)  # idle, so the next frame is drawn as soon as it is asked for
        pilot.app.query_one(VerticalScroll).mount(flow)
        while not flow.size.width:  # not laid out yet
            await pilot.app.screen.wait_for_refresh()
        assert screen_lines(pilot, flow) == ["  The plan is in cursor-plan.md.", ""]


async def test_height_is_the_content() -> None:
    flow = MarkdownFlow()
    async with Pane(flow).run_test(size=(40, 30)) as pilot:
        flow.append("one paragraph\n\nanother paragraph")
        await flow.finish()
        await pilot.pause()
        assert flow_lines(flow) == ["  one paragraph", "", "  another paragraph", ""]
        assert flow.outer_size.height == 4


ESCAPES = "\x1b]52;c;ZXZpbA==\x07 \x1b[2J \x07 \x9b31m \x1b]0;title\x1b\\"
MARKUP = "[bold]not bold[/bold] [link=https://evil.example]x[/link] [@click=app.quit]q[/]"


async def test_control_sequences_are_shown_as_symbols_and_markup_is_literal() -> None:
    source = (
        f"# {ESCAPES}\n\n{ESCAPES} {MARKUP}\n\n- `{ESCAPES}` {MARKUP}\n\n"
        f"```python\nprint('{ESCAPES}') # {MARKUP}\n```\n\n"
        f"| {MARKUP} | {ESCAPES} |\n|---|---|\n| {ESCAPES} | {MARKUP} |\n"
    )
    flow = MarkdownFlow()
    async with Pane(flow).run_test(size=(200, 60)) as pilot:
        for start in range(0, len(source), 3):
            flow.append(source[start : start + 3])
        await flow.finish()
        await pilot.pause()
        strips = flow_strips(flow)
        for strip in strips:
            for segment in strip:
                assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in segment.text)
                assert segment.style is None or not segment.style.link
        text = "\n".join(strip.text for strip in strips)
        assert text.count("␛]52;c;ZXZpbA==␇") == 6
        assert "␛[2J" in text and "�31m" in text and "␛]0;title␛\\" in text
        assert text.count("[bold]not bold[/bold]") == 5
        assert text.count("[link=https://evil.example]x[/link]") == 5
        assert text.count("[@click=app.quit]q[/]") == 5
        assert pilot.app.is_running


async def test_long_lines_wide_and_right_to_left_text_stay_inside_the_pane() -> None:
    source = (
        "%" * 50_000
        + "\n\n"
        + "word " * 10_000
        + "\n\n```\n"
        + "@" * 50_000
        + "\n```\n\n"
        + "Emoji 👩‍👩‍👧‍👦🎉🚀 and wide 漢字かなカナ한국어 " * 20
        + "\n\n"
        + "שלום עולם، مرحبا بالعالم ‏RTL‏ text " * 20
        + "\n\n| 漢字 | "
        + "z" * 50_000
        + " |\n|---|---|\n| 🎉 | שלום |\n"
    )
    flow = MarkdownFlow()
    async with Pane(flow).run_test(size=(50, 30)) as pilot:
        flow.append(source)
        await flow.finish()
        await pilot.pause()
        scroll = pilot.app.query_one(VerticalScroll)
        width = scroll.scrollable_content_region.width
        assert flow.outer_size.width <= width
        assert scroll.virtual_size.width <= width
        strips = flow_strips(flow)
        assert len(strips) > 3_000
        assert {strip.cell_length for strip in strips} == {flow.outer_size.width}
        text = "".join(strip.text for strip in strips).replace(" ", "")
        assert text.count("%") == 50_000 and text.count("@") == 50_000
        assert "שלוםעולם" in text and "漢字かなカナ" in text


def long_reply(size: int) -> str:
    """A deterministic reply mixing the blocks an agent writes, long lists above all."""
    rng = random.Random(5)
    words = ["agent", "tool", "result", "stream", "render", "widget", "token", "cache", "parse"]
    parts: list[str] = []
    total = 0
    while total < size:
        sentence = " ".join(rng.choice(words) for _ in range(12))
        block = rng.choice(
            [
                f"## {sentence[:30]}\n\n{sentence} **{sentence}** `{words[0]}`.\n\n",
                "".join(f"- {rng.choice(words)} {sentence}\n" for _ in range(40)) + "\n",
                f"```python\ndef f(x):\n    return x  # {sentence}\n```\n\n",
                f"| a | b |\n|---|---|\n| {sentence} | 1 |\n| {words[1]} | 2 |\n\n",
                "".join(f"{n}. {sentence}\n" for n in range(1, 13)) + "\n",
            ]
        )
        parts.append(block)
        total += len(block)
    return "".join(parts)


async def test_a_100kb_reply_in_20000_deltas_shows_what_the_whole_reply_shows() -> None:
    """How fast and how smoothly it streams is `python -m benchmarks chat_stream`'s job."""
    source = long_reply(100_000)
    rng = random.Random(3)
    cuts = sorted(rng.sample(range(1, len(source)), 19_999))
    pieces = [source[a:b] for a, b in zip([0, *cuts], [*cuts, len(source)], strict=True)]
    flow = MarkdownFlow()
    async with Pane(flow).run_test(size=(100, 40)) as pilot:
        pilot.app.query_one(VerticalScroll).anchor()
        for piece in pieces:
            flow.append(piece)
            await asyncio.sleep(0)
        await flow.finish()
        await pilot.pause()
        streamed = flow_lines(flow)
        assert flow.source == source
    once = MarkdownFlow()
    async with Pane(once).run_test(size=(100, 40)) as pilot:
        once.append(source)
        await once.finish()
        await pilot.pause()
        assert flow_lines(once) == streamed
