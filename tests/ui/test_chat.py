"""The chat as a person uses it, against the loopback API server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.errors import NoWidget
from textual.widget import Widget
from textual.widgets import Button, OptionList, TabbedContent
from textual.widgets._footer import FooterKey

from tests.support.fake_api import FakeAnthropic, error_event, stall, text_turn, tool_turn
from tests.support.pilot import (
    chat,
    make_app,
    roster_shown,
    settle,
    shown_text,
    type_and_send,
    until,
)
from workbench.engine.events import TextDelta, UsageUpdated
from workbench.engine.transcript import read_records
from workbench.engine.usage import Usage
from workbench.ui.app import WorkbenchApp
from workbench.ui.markdown import MarkdownFlow
from workbench.ui.widgets.chat import ChatView
from workbench.ui.widgets.chat_log import ChatLog
from workbench.ui.widgets.permission_prompt import PermissionPrompt
from workbench.ui.widgets.prompt_box import PromptBox
from workbench.ui.widgets.roster import RosterPanel
from workbench.ui.widgets.todo_list import TodoList
from workbench.ui.widgets.tool_block import ToolBlock


def reply_text(view: ChatView) -> str:
    return "".join(flow.source for flow in view.query(MarkdownFlow))


async def test_enter_on_a_roster_row_opens_a_chat_with_the_prompt_focused(
    workspace: Path,
) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        app.screen.query_one(RosterPanel).select_name("indexer-planner")
        app.screen.query_one("#roster-list", OptionList).focus()
        await pilot.press("enter")
        await settle(pilot)
        view = chat(app)
        assert view.spec.name == "indexer-planner"
        assert isinstance(app.focused, PromptBox)
        header = str(view.query_one(".chat-header").render())
        assert "indexer-planner" in header and "claude-haiku-5-5" in header
        assert "Read, Grep, Glob, Write" in header and "mode default" in header


async def test_agent_option_opens_the_chat_ready_to_type(workspace: Path) -> None:
    app = make_app(workspace, agent="offchain-planner", model="sonnet", permission_mode="plan")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await settle(pilot)
        view = chat(app)
        assert view.spec.name == "offchain-planner"
        assert isinstance(app.focused, PromptBox)
        header = str(view.query_one(".chat-header").render())
        assert "claude-sonnet-5-5" in header and "mode plan" in header


async def test_slash_agent_switches_agent_and_says_it_is_a_new_conversation(
    workspace: Path,
) -> None:
    app = make_app(workspace, agent="offchain-planner")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await settle(pilot)
        await type_and_send(pilot, "/agent api-architect")
        await settle(pilot)
        view = chat(app)
        assert view.spec.name == "api-architect"
        assert "New conversation with api-architect." in _lines(view)


async def test_a_task_streams_its_answer_and_lists_the_files(
    api: FakeAnthropic, workspace: Path
) -> None:
    api.script(
        tool_turn(("Read", {"file_path": "docs/tasks/context.md"}), text="Reading first."),
        text_turn("## Plan\n\nThe read API needs **cursors**.\n"),
    )
    app = make_app(workspace, agent="indexer-planner")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await settle(pilot)
        await type_and_send(pilot, "What is the goal?")
        view = chat(app)
        await until(pilot, lambda: not view.working and "cursors" in reply_text(view))
        assert "Reading first." in reply_text(view)
        [block] = view.query(ToolBlock)
        assert block.finished is not None and not block.finished.is_error
        files = view.files.query_one(OptionList)
        assert [str(o.prompt) for o in files.options] == ["R docs/tasks/context.md"]
        status = str(view.query_one(".chat-status").render())
        assert "2 turns" in status and "$" in status


async def test_y_allows_once_and_n_denies(api: FakeAnthropic, workspace: Path) -> None:
    api.script(
        tool_turn(("Write", {"file_path": ".claude/docs/plan.md", "content": "# Plan\n"})),
        tool_turn(("Bash", {"command": "touch should-not-exist"})),
        text_turn("Done."),
    )
    app = make_app(workspace, agent="backend-implementer")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await settle(pilot)
        await type_and_send(pilot, "Plan it")
        view = chat(app)
        await until(pilot, lambda: bool(view.query(PermissionPrompt)))
        prompt = view.query_one(PermissionPrompt)
        assert prompt.question.name == "Write"
        shown = shown_text(prompt.query_one(".permission-question"))
        assert ".claude/docs/plan.md" in shown and "+# Plan" in shown
        assert not (workspace / ".claude" / "docs" / "plan.md").exists()
        assert view.state.asking
        await pilot.press("y")
        await until(pilot, lambda: (workspace / ".claude" / "docs" / "plan.md").exists())
        await until(
            pilot,
            lambda: (
                bool(view.query(PermissionPrompt))
                and view.query_one(PermissionPrompt).question.name == "Bash"
            ),
        )
        question = view.query_one(PermissionPrompt).query_one(".permission-question")
        assert "touch should-not-exist" in shown_text(question)
        await pilot.press("n")
        await until(pilot, lambda: not view.working)
        assert not (workspace / "should-not-exist").exists()
        assert "Done." in reply_text(view)


def wholly_in_view(app: WorkbenchApp, widget: Widget) -> bool:
    """On screen and not cut by anything around it."""
    try:
        geometry = app.screen.find_widget(widget)
    except NoWidget:
        return False
    return bool(geometry.region) and geometry.visible_region == geometry.region


async def test_at_80x24_a_question_leaves_the_status_prompt_and_keys_in_view(
    api: FakeAnthropic, workspace: Path
) -> None:
    plan = "# Plan\n\n" + "".join(f"- step {n}\n" for n in range(40))
    api.script(
        tool_turn(("Write", {"file_path": ".claude/docs/plan.md", "content": plan})),
        text_turn("Done."),
    )
    app = make_app(workspace, agent="backend-implementer")
    async with app.run_test(size=(80, 24)) as pilot:
        await roster_shown(pilot)
        await settle(pilot)
        await type_and_send(pilot, "Plan it")
        view = chat(app)
        await until(pilot, lambda: bool(view.query(PermissionPrompt)))
        view.query_one(TodoList).show([{"content": f"Task {n}"} for n in range(6)])
        await settle(pilot)

        status = view.query_one(".chat-status")
        assert "waiting for your answer" in shown_text(status)
        prompt = view.query_one(PermissionPrompt)
        question = prompt.query_one(".permission-scroll")
        shown = [status, view.query_one(PromptBox), question, *prompt.query(Button)]
        assert [widget for widget in shown if not wholly_in_view(app, widget)] == []
        heading = shown_text(prompt.query_one(".permission-question")).splitlines()[0]
        assert heading == "Allow Write .claude/docs/plan.md?" and question.scroll_y == 0
        assert question.max_scroll_y > 0, "the rest of the diff scrolls"
        keys = {key.key for key in app.screen.query(FooterKey) if wholly_in_view(app, key)}
        assert {"y", "a", "n", "e"} <= keys

        # The reason field takes the answers' place: the question keeps its room.
        await pilot.press("e")
        await settle(pilot)
        why = prompt.query_one(".permission-why")
        assert wholly_in_view(app, why) and wholly_in_view(app, question)
        assert question.region.height >= 3
        # esc goes back to the answers; the run goes on waiting.
        await pilot.press("escape")
        await settle(pilot)
        assert view.working and not why.display
        assert all(wholly_in_view(app, button) for button in prompt.query(Button))

        await pilot.press("y")
        await until(pilot, lambda: not view.working)
        assert "step 39" in (workspace / ".claude/docs/plan.md").read_text()


async def test_a_allows_the_tool_for_the_rest_of_the_conversation(
    api: FakeAnthropic, workspace: Path
) -> None:
    api.script(
        tool_turn(("Write", {"file_path": "a.md", "content": "a"})),
        tool_turn(("Write", {"file_path": "b.md", "content": "b"})),
        text_turn("Both."),
    )
    app = make_app(workspace, agent="backend-implementer")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await settle(pilot)
        await type_and_send(pilot, "Two files")
        view = chat(app)
        await until(pilot, lambda: bool(view.query(PermissionPrompt)))
        await pilot.press("a")
        await until(pilot, lambda: not view.working)
        assert (workspace / "b.md").read_text() == "b"


async def test_e_denies_and_tells_the_agent_why(api: FakeAnthropic, workspace: Path) -> None:
    api.script(
        tool_turn(("Write", {"file_path": "src/x.py", "content": "code"})),
        text_turn("Understood."),
    )
    app = make_app(workspace, agent="backend-implementer")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await settle(pilot)
        await type_and_send(pilot, "Code it")
        view = chat(app)
        await until(pilot, lambda: bool(view.query(PermissionPrompt)))
        await pilot.press("e")
        await pilot.press(*"plans only")
        await pilot.press("enter")
        await until(pilot, lambda: not view.working)
        sent = api.message_requests[1].json["messages"][-1]["content"][0]["content"]
        assert "plans only" in sent
        assert not (workspace / "src" / "x.py").exists()


async def test_escape_interrupts_and_a_follow_up_continues(
    api: FakeAnthropic, workspace: Path
) -> None:
    api.script(
        stall(text_turn("Thinking slowly about this", chunks=4), after_events=3, seconds=10),
        text_turn("Continuing from where we were."),
    )
    app = make_app(workspace, agent="indexer-planner")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await settle(pilot)
        await type_and_send(pilot, "Start")
        view = chat(app)
        await until(pilot, lambda: bool(reply_text(view)))
        await pilot.press("escape")
        await until(pilot, lambda: not view.working)
        assert "interrupted" in _lines(view)
        await type_and_send(pilot, "Go on")
        await until(pilot, lambda: not view.working and "Continuing" in reply_text(view))
        sent = api.message_requests[1].json["messages"]
        assert [m["role"] for m in sent] == ["user", "assistant", "user"]
        assert sent[1]["content"][0]["text"].startswith("Think")
        api.unexpected.clear()


async def test_two_runs_at_once_in_two_tabs(api: FakeAnthropic, workspace: Path) -> None:
    slow = stall(text_turn("first agent answer", chunks=3), after_events=3, seconds=3)
    api.script(slow, text_turn("second agent answer"))
    app = make_app(workspace, agent="indexer-planner")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await settle(pilot)
        await type_and_send(pilot, "First task")
        first = chat(app)
        await until(pilot, lambda: first.working)
        app.screen.query_one(RosterPanel).select_name("backend-implementer")
        await pilot.pause()
        await app.screen.open_chat(app.roster.get("backend-implementer"))
        await settle(pilot)
        second = chat(app)
        assert second is not first
        await type_and_send(pilot, "Second task")
        await until(pilot, lambda: "second agent answer" in reply_text(second))
        assert first.working
        await until(pilot, lambda: not first.working and not second.working, timeout=8)
        assert "first agent answer" in reply_text(first)
        assert "second agent answer" in reply_text(second)
        tabs = app.screen.query_one("#center", TabbedContent)
        assert tabs.tab_count == 3


async def test_resume_shows_an_earlier_run_and_continues_it(
    api: FakeAnthropic, workspace: Path
) -> None:
    api.script(text_turn("The first answer."), text_turn("The second answer."))
    app = make_app(workspace, agent="indexer-planner")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await settle(pilot)
        await type_and_send(pilot, "First question")
        view = chat(app)
        await until(pilot, lambda: not view.working and reply_text(view))
        session = view.conversation.session_id
    app = make_app(workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await app.screen._resume(session)
        await settle(pilot)
        view = chat(app)
        assert "The first answer." in reply_text(view)
        assert "First question" in _lines(view)
        await type_and_send(pilot, "Second question")
        await until(pilot, lambda: not view.working and "The second answer." in reply_text(view))
        assert view.conversation.session_id == session
        users = [r["text"] for r in read_records(view.conversation.path) if r["type"] == "user"]
        assert users == ["First question", "Second question"]


async def test_the_status_line_changes_with_the_message_that_changed_it(workspace: Path) -> None:
    """Updated before the new message has mounted, the status line would take a frame of
    its own, and the message would wait a whole frame interval for the next one."""
    app = make_app(workspace, agent="indexer-planner")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await settle(pilot)
        view = chat(app)
        status = view.query_one(".chat-status")
        assert "0 turns" in shown_text(status)
        usage = Usage(input_tokens=1_200, output_tokens=300)
        done = UsageUpdated(turn=usage, run=usage, conversation=usage, cost_usd=None)
        view.post_message(ChatView.Batch([TextDelta(block=0, text="The plan is written."), done]))
        seen: list[tuple[bool, bool]] = []
        for _ in range(1_000):
            await asyncio.sleep(0)
            flows = view.query(MarkdownFlow)
            seen.append(("1 turn" in shown_text(status), bool(flows) and flows.first().is_mounted))
            if seen[-1][0]:
                break
        assert seen[-1] == (True, True)
        assert all(mounted for updated, mounted in seen if updated)
        await settle(pilot)
        flow = view.query_one(MarkdownFlow)
        assert "1.2k in / 300 out" in shown_text(status)
        assert "The plan is written." in shown_text(flow)


async def test_control_sequences_from_the_model_never_reach_the_terminal(
    api: FakeAnthropic, workspace: Path
) -> None:
    api.script(
        tool_turn(("Bash", {"command": "printf '\\033]52;c;aGk=\\007'"})),
        text_turn("Title \x1b]0;owned\x07 and \x1b[2J clear \x9b31m"),
    )
    app = make_app(workspace, agent="offchain-planner", permission_mode="bypassPermissions")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await settle(pilot)
        await type_and_send(pilot, "Print escapes")
        view = chat(app)
        await until(pilot, lambda: not view.working)
        await pilot.pause(0.2)
        for block in view.query(ToolBlock):
            block.expanded = True
        await pilot.pause()
        screen = app.export_screenshot()
        assert "\x1b]" not in screen and "\x07" not in screen and "\x9b" not in screen
        flows = "\n".join(shown_text(flow) for flow in view.query(MarkdownFlow))
        assert "␛]0;owned␇" in flows and "␛[2J" in flows


async def test_no_credentials_explains_how_to_configure(workspace: Path) -> None:
    app = make_app(workspace, agent="indexer-planner")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await settle(pilot)
        await type_and_send(pilot, "Hello")
        await pilot.pause()
        text = _lines(chat(app))
        assert "ANTHROPIC_API_KEY" in text and "ANTHROPIC_BASE_URL" in text
        assert not chat(app).working


async def test_quitting_during_a_run_asks_and_leaves_a_valid_transcript(
    api: FakeAnthropic, workspace: Path
) -> None:
    api.script(stall(text_turn("slow answer here", chunks=3), after_events=3, seconds=10))
    app = make_app(workspace, agent="indexer-planner")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await settle(pilot)
        await type_and_send(pilot, "Long task")
        view = chat(app)
        await until(pilot, lambda: bool(reply_text(view)))
        path = view.conversation.path
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "Confirm"
        await pilot.press("y")
        await until(pilot, lambda: not app.is_running, timeout=5)
    records = list(read_records(path))
    assert records[-1]["type"] == "outcome" and records[-1]["outcome"] == "cancelled"
    api.unexpected.clear()


def _lines(view: ChatView) -> str:
    """Every line the chat log shows, as plain text."""
    log = view.query_one(ChatLog)
    return "\n".join(str(widget.render()) for widget in log.query(".chat-line, .user-message"))


async def test_an_api_failure_keeps_the_partial_answer_and_offers_retry(
    api: FakeAnthropic, workspace: Path
) -> None:
    api.script(
        error_event(
            text_turn("Half of the answer", chunks=2),
            after_events=3,
            error_type="invalid_request_error",
        ),
        text_turn("The whole answer."),
    )
    app = make_app(workspace, agent="indexer-planner")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await settle(pilot)
        await type_and_send(pilot, "Answer me")
        view = chat(app)
        await until(pilot, lambda: not view.working)
        assert "Half" in reply_text(view)
        errors = [str(w.render()) for w in view.query(".run-error")]
        assert errors and "invalid_request_error" in errors[0]
        assert view.state.failed
        await pilot.click(".retry")
        await until(pilot, lambda: not view.working and "The whole answer." in reply_text(view))
        assert api.message_requests[-1].json["messages"][-1]["content"][-1]["text"] == "Answer me"


async def test_a_huge_tool_result_is_cut_and_opens_whole_in_the_viewer(
    api: FakeAnthropic, workspace: Path
) -> None:
    (workspace / "big.log").write_text("line of log output\n" * 600_000)
    api.script(
        tool_turn(("Bash", {"command": "cat big.log"})),
        text_turn("That was long."),
    )
    app = make_app(workspace, agent="backend-implementer", permission_mode="bypassPermissions")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await settle(pilot)
        await type_and_send(pilot, "Show the log")
        view = chat(app)
        await until(pilot, lambda: not view.working, timeout=15)
        [block] = view.query(ToolBlock)
        block.expanded = True
        await pilot.pause()
        result = shown_text(block.query_one(".tool-result"))
        assert "more characters" in result
        block.post_message(ToolBlock.OpenResult("Bash cat big.log", block.finished.content))
        await pilot.pause()
        assert app.screen.__class__.__name__ == "TextViewer"


async def test_a_long_run_that_ends_unwatched_is_announced(
    api: FakeAnthropic, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.script(stall(text_turn("Finished the work."), after_events=2, seconds=0.6))
    api.script(text_turn("Done again."))
    app = make_app(workspace, agent="indexer-planner")
    monkeypatch.setattr(type(app), "LONG_RUN_S", 0.0)
    rings: list[bool] = []
    monkeypatch.setattr(type(app), "bell", lambda self: rings.append(True))
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await roster_shown(pilot)
        await settle(pilot)
        await type_and_send(pilot, "Work")
        view = chat(app)
        await until(pilot, lambda: view.working)
        app.app_focus = False
        await until(pilot, lambda: not view.working)
        await pilot.pause()
        finished = [n for n in app._notifications if "indexer-planner finished" in n.message]
        assert len(finished) == 1
        assert rings == [True]
        await type_and_send(pilot, "Again")
        await until(pilot, lambda: "Done again." in reply_text(view))
        await until(pilot, lambda: not view.working)
        await pilot.pause()
        finished = [n for n in app._notifications if "indexer-planner finished" in n.message]
        assert len(finished) == 1, "a run watched to its end is not announced"


async def test_cost_and_help_commands(api: FakeAnthropic, workspace: Path) -> None:
    api.script(text_turn("ok"))
    app = make_app(workspace, agent="indexer-planner")
    async with app.run_test(size=(160, 48)) as pilot:
        await roster_shown(pilot)
        await settle(pilot)
        await type_and_send(pilot, "Hello")
        view = chat(app)
        await until(pilot, lambda: not view.working)
        await type_and_send(pilot, "/cost")
        await type_and_send(pilot, "/help")
        await pilot.pause()
        text = _lines(view)
        assert "This conversation:" in text and "input" in text
        assert "/resume" in text and "esc interrupts" in text
