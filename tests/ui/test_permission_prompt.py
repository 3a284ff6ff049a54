"""The answers of a permission question: each readable whole, however narrow the chat."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.widgets import Button

from tests.support.pilot import settle, shown_text
from workbench.engine.events import PermissionAsked
from workbench.ui.widgets.permission_prompt import PermissionPrompt


class PromptApp(App[None]):
    CSS_PATH = Path(__file__).parents[2] / "workbench" / "ui" / "widgets" / "chat.tcss"
    CSS = "#holder { height: auto; }"

    def __init__(self, always: str, width: int) -> None:
        super().__init__()
        self.always = always
        self.width = width

    def compose(self) -> ComposeResult:
        question = PermissionAsked(
            tool_use_id="toolu_1",
            name="WebFetch",
            input={"url": "https://example.com"},
            reason="web tools reach the internet, and default mode asks once per conversation",
            always_label=self.always,
            future=asyncio.get_running_loop().create_future(),
        )
        with Vertical(id="holder") as holder:
            holder.styles.width = self.width
            yield PermissionPrompt(question)


@pytest.mark.parametrize(
    ("always", "width", "rows"),
    [
        ("Write", 72, 1),
        ("WebFetch and WebSearch", 72, 2),
        ("Edit", 40, 2),
        ("WebFetch and WebSearch", 40, 4),
        ("Bash(npm run test:integration:*)", 50, 4),
    ],
)
async def test_every_answer_shows_its_whole_label(always: str, width: int, rows: int) -> None:
    app = PromptApp(always, width)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        prompt = app.query_one(PermissionPrompt)
        buttons = list(prompt.query(Button))
        labels = [str(button.label) for button in buttons]
        assert labels == ["y allow", f"a always: {always}", "n deny", "e deny, say why"]
        assert [shown_text(button).strip() for button in buttons] == labels
        inside = prompt.content_region
        assert all(button.region in inside for button in buttons)
        assert len({button.region.y for button in buttons}) == rows
