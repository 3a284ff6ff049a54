"""The editor's request preview: built from the unsaved buffer, equal to what a run sends."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Collapsible, Static, TextArea

from tests.support.engine import collect, conversation
from tests.support.fake_api import FakeAnthropic, http_error, text_turn
from tests.support.pilot import make_app, shown_text, until
from tests.ui.test_editor import AGENT, editor, open_editor
from workbench.agentfile.parse import parse_agent
from workbench.agentfile.spec import Origin
from workbench.config.models import builtin_models
from workbench.engine.request_preview import RequestPreview
from workbench.ui.screens.editor import EditorScreen


def shown(screen: EditorScreen, selector: str) -> str:
    """The widget's text with its wrapping undone, so phrases can be looked for whole."""
    return " ".join(shown_text(screen.query_one(selector, Static)).split())


async def preview_of(pilot, screen: EditorScreen, expected: str) -> RequestPreview:  # type: ignore[no-untyped-def]
    await until(pilot, lambda: expected in shown(screen, "#preview-system"))
    assert screen.preview is not None
    return screen.preview


async def test_the_preview_shows_the_unsaved_buffer(workspace: Path) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(140, 60)) as pilot:
        screen = await open_editor(pilot, workspace)
        area = screen.query_one(TextArea)
        area.insert("Say \x1b]0;pwned\x07 hello first.\n", area.document.end)
        area.replace("tools: Read, Bash", (3, 0), (3, len(area.document.get_line(3))))
        await pilot.press("ctrl+r")
        assert screen.has_class("-preview")
        preview = await preview_of(pilot, screen, "hello first.")
        system = shown(screen, "#preview-system")
        assert "\x1b" not in system and "␛" in system, "control characters made visible"
        assert "<env>" in system and "Working directory:" in system
        assert f"Working directory: {workspace}" in preview.system_text
        summary = shown(screen, "#preview-summary")
        resolved = builtin_models().resolve("haiku")
        assert resolved != "haiku" and resolved in summary and "written as haiku" in summary
        assert "Read, Bash" in summary and "default" in summary
        assert preview.tool_names == ("Read", "Bash")
        titles = [str(c.title) for c in screen.query("#preview-tools Collapsible")]
        assert titles == ["Read", "Bash"]
        size = shown(screen, "#preview-size")
        assert "estimate (about 4 characters per token)" in size
        assert "exact counting needs ANTHROPIC_API_KEY" in size
        assert "hello first." not in (workspace / AGENT).read_text(), "nothing was saved"

        area.insert("And one more line.\n", area.document.end)
        await preview_of(pilot, screen, "And one more line.")
        await pilot.press("ctrl+r")
        assert not screen.has_class("-preview") and area.has_focus


async def test_a_configured_endpoint_counts_the_tokens(
    workspace: Path, fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    fake_api.token_count = 1234
    app = make_app(workspace)
    async with app.run_test(size=(140, 60)) as pilot:
        screen = await open_editor(pilot, workspace)
        await pilot.press("ctrl+r")
        preview = await preview_of(pilot, screen, "<env>")
        await until(pilot, lambda: "1,234 input tokens" in shown(screen, "#preview-size"))
        assert "counted by the API" in shown(screen, "#preview-size")
    counted = [r for r in fake_api.requests if r.path == "/v1/messages/count_tokens"]
    assert counted and counted[-1].json == preview.counting_arguments()


async def test_a_failed_count_falls_back_to_the_estimate(
    workspace: Path, fake_api: FakeAnthropic, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    fake_api.script_count_tokens(http_error(500))
    app = make_app(workspace)
    async with app.run_test(size=(140, 60)) as pilot:
        screen = await open_editor(pilot, workspace)
        await pilot.press("ctrl+r")
        await preview_of(pilot, screen, "<env>")
        await until(pilot, lambda: "could not count" in shown(screen, "#preview-size"))
        assert "estimate (about 4 characters per token)" in shown(screen, "#preview-size")


async def test_the_preview_is_what_a_run_sends(workspace: Path, fake_api: FakeAnthropic) -> None:
    app = make_app(workspace)
    async with app.run_test(size=(140, 60)) as pilot:
        screen = await open_editor(pilot, workspace)
        area = screen.query_one(TextArea)
        area.insert("Edited, not saved.\n", area.document.end)
        area.replace("tools: Read, Grep, Write", (3, 0), (3, len(area.document.get_line(3))))
        await pilot.press("ctrl+r")
        preview = await preview_of(pilot, screen, "Edited, not saved.")
        document = editor(app).document
        assert document is not None
        data = document.encode(area.text)
        assert len(screen.query(Collapsible)) == 3

    spec = parse_agent(data, workspace / AGENT, Origin.PROJECT, named=True)
    fake_api.script(text_turn("Done."))
    talk = conversation(fake_api, workspace, spec)
    await collect(talk.send(preview.first_message))
    talk.close()
    sent = fake_api.message_requests[0].json
    assert sent is not None
    assert sent.pop("stream") is True
    assert sent == preview.body
    assert [tool["name"] for tool in sent["tools"]] == ["Read", "Grep", "Write"]
    assert sent["model"] == builtin_models().resolve("haiku")
    assert "Edited, not saved." in sent["system"][0]["text"]
