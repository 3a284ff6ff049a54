"""The prompt box as a person uses it: send, break lines, walk history, complete commands."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from textual import events, on
from textual.app import App, ComposeResult
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input

from workbench.prompt_history import PromptHistory
from workbench.ui.widgets.prompt_box import COMMANDS, PromptBox

AGENTS = ["offchain-planner", "backend-reviewer", "backend-implementer"]


class PromptApp(App[None]):
    """A prompt box and an input after it (where tab goes when there is nothing to complete)."""

    def __init__(
        self,
        history: PromptHistory | Path | None = None,
        completions: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        super().__init__()
        self.history = history
        self.completions = completions
        self.sent: list[Message] = []

    def compose(self) -> ComposeResult:
        yield PromptBox(self.history, completions=self.completions, id="prompt")
        yield Input(id="after")

    def on_mount(self) -> None:
        self.box.focus()

    @property
    def box(self) -> PromptBox:
        return self.query_one(PromptBox)

    @on(PromptBox.Submitted)
    @on(PromptBox.Command)
    @on(PromptBox.UnknownCommand)
    def record(self, message: Message) -> None:
        self.sent.append(message)


def sent(app: PromptApp) -> list[tuple[str, ...]]:
    """The box's messages as plain tuples, easy to compare."""
    out: list[tuple[str, ...]] = []
    for message in app.sent:
        if isinstance(message, PromptBox.Submitted):
            out.append(("submitted", message.text))
        elif isinstance(message, PromptBox.Command):
            out.append(("command", message.name, message.argument))
        elif isinstance(message, PromptBox.UnknownCommand):
            out.append(("unknown", message.name, message.text))
    return out


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*("space" if char == " " else char for char in text))


async def send(pilot: Pilot[None], text: str) -> None:
    """Put the text in the box at once (typing is tested elsewhere) and press enter."""
    box = pilot.app.query_one(PromptBox)
    box.insert(text)
    await pilot.press("enter")
    await pilot.pause()


async def test_enter_posts_the_text_without_trailing_space_and_clears_the_box() -> None:
    app = PromptApp()
    async with app.run_test() as pilot:
        await type_text(pilot, "fix the bug  ")
        await pilot.press("enter")
        await pilot.pause()
        assert sent(app) == [("submitted", "fix the bug")]
        assert app.sent[0].control is app.box
        assert app.box.text == ""


async def test_enter_on_an_empty_or_blank_box_posts_nothing() -> None:
    app = PromptApp()
    async with app.run_test() as pilot:
        await pilot.press("enter")
        await type_text(pilot, "   ")
        await pilot.press("enter")
        await pilot.pause()
        assert app.sent == []
        assert app.box.prompt_history.entries == ()


async def test_ctrl_j_and_shift_enter_break_the_line_and_the_whole_text_is_sent() -> None:
    app = PromptApp()
    async with app.run_test() as pilot:
        await type_text(pilot, "one")
        await pilot.press("ctrl+j")
        await type_text(pilot, "two")
        await pilot.press("shift+enter")
        await type_text(pilot, "three")
        assert app.box.text == "one\ntwo\nthree"
        await pilot.press("enter")
        await pilot.pause()
        assert sent(app) == [("submitted", "one\ntwo\nthree")]


async def test_the_box_grows_with_its_text_up_to_eight_lines() -> None:
    app = PromptApp()
    async with app.run_test(size=(80, 40)) as pilot:
        assert app.box.outer_size.height == 3
        app.box.load_text("\n".join(["line"] * 4))
        await pilot.pause()
        assert app.box.outer_size.height == 6
        app.box.load_text("\n".join(["line"] * 30))
        await pilot.pause()
        assert app.box.outer_size.height == 10


async def test_history_survives_a_restart_and_keeps_the_draft(tmp_path: Path) -> None:
    path = tmp_path / "ws" / ".workbench" / "prompt-history.jsonl"
    first = PromptApp(PromptHistory(path))
    async with first.run_test() as pilot:
        for prompt in ("first", "second", "second", "third"):
            await send(pilot, prompt)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == ["first", "second", "third"]

    again = PromptApp(tmp_path / "ws")
    async with again.run_test() as pilot:
        box = again.box
        await type_text(pilot, "draft")
        shown = []
        for _ in range(4):
            await pilot.press("up")
            shown.append(box.text)
        assert shown == ["third", "second", "first", "first"]
        shown = []
        for _ in range(4):
            await pilot.press("down")
            shown.append(box.text)
        assert shown == ["second", "third", "draft", "draft"]
        assert box.cursor_location == (0, 5)


async def test_up_and_down_move_inside_a_multi_line_text_before_walking_history() -> None:
    history = PromptHistory(None)
    history.append("earlier")
    history.append("older line\nnewer line")
    app = PromptApp(history)
    async with app.run_test() as pilot:
        box = app.box
        await type_text(pilot, "top")
        await pilot.press("ctrl+j")
        await type_text(pilot, "bottom")
        await pilot.press("up")
        assert box.text == "top\nbottom" and box.cursor_location[0] == 0
        await pilot.press("up")
        assert box.text == "older line\nnewer line"
        assert box.cursor_location == (0, len("older line"))
        await pilot.press("up")
        assert box.text == "earlier"
        await pilot.press("down")
        assert box.text == "older line\nnewer line" and box.cursor_at_end_of_text
        await pilot.press("down")
        assert box.text == "top\nbottom"
        await pilot.press("shift+up")
        assert box.text == "top\nbottom" and box.selected_text == "\nbottom"


def test_a_broken_history_file_reads_as_what_can_be_saved(tmp_path: Path) -> None:
    path = tmp_path / "prompt-history.jsonl"
    path.write_bytes(
        b'"kept"\n\xff\xfe garbage\n{"not": "a string"}\n[[[[[[\n"also \\u001b]0;kept"\n"trunc'
    )
    history = PromptHistory(path)
    assert history.entries == ("kept", "also ␛]0;kept")
    assert history.append("new")
    assert PromptHistory(path).entries == ("kept", "also ␛]0;kept", "new")


def test_missing_or_unreadable_history_is_empty_and_writes_are_ignored(tmp_path: Path) -> None:
    assert PromptHistory(tmp_path / "absent" / "history.jsonl").entries == ()
    (tmp_path / "a-directory.jsonl").mkdir()
    assert PromptHistory(tmp_path / "a-directory.jsonl").entries == ()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the state folder should be")
    history = PromptHistory(blocker / ".workbench" / "prompt-history.jsonl")
    assert history.append("still remembered in memory")
    assert history.entries == ("still remembered in memory",)


def test_history_is_capped_and_the_file_compacted(tmp_path: Path) -> None:
    path = tmp_path / "prompt-history.jsonl"
    history = PromptHistory(path, limit=3)
    for number in range(10):
        history.append(f"prompt {number}")
    assert history.entries == ("prompt 7", "prompt 8", "prompt 9")
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 6
    assert PromptHistory(path, limit=3).entries == ("prompt 7", "prompt 8", "prompt 9")


async def test_a_broken_history_file_does_not_stop_the_box(tmp_path: Path) -> None:
    path = tmp_path / "prompt-history.jsonl"
    path.write_bytes(b"\x00\xff not json at all")
    app = PromptApp(PromptHistory(path))
    async with app.run_test() as pilot:
        await pilot.press("up")
        assert app.box.text == ""
        await send(pilot, "works")
        await pilot.press("up")
        assert app.box.text == "works"
    assert PromptHistory(path).entries == ("works",)


async def test_tab_completes_commands_then_agent_names() -> None:
    app = PromptApp(completions={"agent": AGENTS})
    async with app.run_test() as pilot:
        box = app.box
        await type_text(pilot, "/ag")
        assert box.suggestion == "ent"
        await pilot.press("tab")
        assert box.text == "/agent "
        assert box.suggestion == "offchain-planner"
        await type_text(pilot, "backend-i")
        assert box.suggestion == "mplementer"
        await pilot.press("tab")
        assert box.text == "/agent backend-implementer"
        assert app.focused is box
        await pilot.press("enter")
        await pilot.pause()
        assert sent(app) == [("command", "agent", "backend-implementer")]


async def test_completion_lists_can_change_and_right_accepts_the_ghost_text() -> None:
    app = PromptApp()
    async with app.run_test() as pilot:
        box = app.box
        await type_text(pilot, "/model ")
        assert box.suggestion == ""
        box.completions = {"model": ["opus", "sonnet"], "mode": ["plan", "acceptEdits"]}
        assert box.suggestion == "opus"
        await type_text(pilot, "s")
        await pilot.press("right")
        assert box.text == "/model sonnet"
        box.clear()
        await type_text(pilot, "/mode")
        assert box.suggestion == ""  # an exact command wins over the longer `/model`
        await pilot.press("tab")
        assert box.text == "/mode " and box.suggestion == "plan"


async def test_tab_moves_focus_when_there_is_nothing_to_complete() -> None:
    app = PromptApp()
    async with app.run_test() as pilot:
        await type_text(pilot, "plain words")
        await pilot.press("tab")
        assert app.focused is app.query_one("#after", Input)
        assert app.box.text == "plain words"


async def test_slash_commands_escapes_paths_and_typos() -> None:
    app = PromptApp()
    async with app.run_test(notifications=True) as pilot:
        await send(pilot, "/agent offchain-planner")
        await send(pilot, "/cost")
        await send(pilot, "//agent is a word I want to send")
        await send(pilot, "/src/app.py is broken")
        await send(pilot, "/tmp")
        assert sent(app) == [
            ("command", "agent", "offchain-planner"),
            ("command", "cost", ""),
            ("submitted", "/agent is a word I want to send"),
            ("submitted", "/src/app.py is broken"),
            ("unknown", "tmp", "/tmp"),
        ]
        assert app.box.text == "/tmp"
        assert "//" in next(iter(app._notifications)).message
        assert app.box.prompt_history.entries[-1] == "/src/app.py is broken"


async def test_every_command_is_recognised() -> None:
    app = PromptApp()
    async with app.run_test() as pilot:
        for command in COMMANDS:
            await send(pilot, f"/{command}")
        assert sent(app) == [("command", command, "") for command in COMMANDS]


async def test_a_200_kb_paste_is_one_edit_and_is_sent_whole() -> None:
    text = "\n".join(f"{number:05} " + "x" * 34 for number in range(5000))
    assert len(text) > 200_000
    app = PromptApp()
    async with app.run_test() as pilot:
        await type_text(pilot, "see: ")
        app.post_message(events.Paste(text))
        await pilot.pause()
        assert app.box.text == "see: " + text
        assert app.box.outer_size.height == 10
        await pilot.press("ctrl+z")
        assert app.box.text == "see: "
        await pilot.press("ctrl+y")
        await pilot.press("enter")
        await pilot.pause()
        assert sent(app) == [("submitted", "see: " + text)]
        assert app.box.text == ""


async def test_a_paste_cannot_put_escape_sequences_on_the_terminal() -> None:
    app = PromptApp()
    async with app.run_test() as pilot:
        app.post_message(events.Paste("red \x1b[31mtext\x1b[0m\r\nnext line"))
        await pilot.pause()
        assert app.box.text == "red ␛[31mtext␛[0m\nnext line"


async def test_ctrl_c_copies_the_selection() -> None:
    app = PromptApp()
    async with app.run_test() as pilot:
        await type_text(pilot, "copy me")
        await pilot.press("shift+home", "ctrl+c")
        assert app.clipboard == "copy me"
        assert app.box.text == "copy me"


def test_bindings_have_ids_and_leave_the_app_keys_alone() -> None:
    added = [binding for binding in PromptBox.BINDINGS if not isinstance(binding, tuple)]
    assert added and all(getattr(binding, "id", None) for binding in added)
    keys = {key for binding in added for key in getattr(binding, "key", "").split(",")}
    assert not keys & {"ctrl+q", "escape", "ctrl+c"}


async def test_a_read_only_box_neither_sends_nor_walks_history() -> None:
    history = PromptHistory(None)
    history.append("earlier")
    app = PromptApp(history)
    async with app.run_test() as pilot:
        app.box.insert("waiting for the agent")
        app.box.read_only = True
        await pilot.press("up", "enter")
        await pilot.pause()
        assert app.sent == [] and app.box.text == "waiting for the agent"


async def test_text_and_enter_arriving_together_send_the_text() -> None:
    app = PromptApp()
    async with app.run_test() as pilot:
        for character in "quick task":
            app.post_message(events.Key(character, character))
        app.post_message(events.Key("enter", "\r"))
        await pilot.pause()
        await pilot.pause()
        assert sent(app) == [("submitted", "quick task")]
        assert app.box.text == ""
