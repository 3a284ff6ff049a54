"""The edit so far, compared with the saved file or with what git last committed."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from workbench.git_files import NotCommitted, committed_text
from workbench.safe_text import printable
from workbench.ui.widgets.footer import Footer
from workbench.ui.widgets.version_diff import VersionDiff


class EditDiffScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("s", "against_saved", "Against saved", id="edit_diff.saved"),
        Binding("c", "against_commit", "Against last commit", id="edit_diff.commit"),
        Binding("escape", "dismiss", "Back to the text", id="edit_diff.close"),
    ]

    def __init__(self, path: Path, saved: str, edited: str) -> None:
        super().__init__(classes="edit-diff")
        self.path, self.saved, self.edited = path, saved, edited

    def compose(self) -> ComposeResult:
        with Vertical(classes="edit-diff-box"):
            yield Static("", id="edit-diff-title", markup=False)
            yield Vertical(id="edit-diff-body")
        yield Footer()

    async def on_mount(self) -> None:
        await self.action_against_saved()

    async def action_against_saved(self) -> None:
        await self._show(self.saved, "saved", "your edit")

    def action_against_commit(self) -> None:
        self.query_one("#edit-diff-title", Static).update("Asking git for the last commit…")
        self.load_commit()

    @work(exclusive=True, exit_on_error=False)
    async def load_commit(self) -> None:
        try:
            text = await asyncio.to_thread(committed_text, self.path)
        except NotCommitted as reason:
            self.notify(f"No committed version to compare with: {reason}", timeout=4)
            await self.action_against_saved()
            return
        await self._show(text, "last commit (HEAD)", "your edit")

    async def _show(self, before: str, before_label: str, after_label: str) -> None:
        same = " (no difference)" if before == self.edited else ""
        title = f"{printable(self.path.name)}: {before_label} → {after_label}{same}"
        self.query_one("#edit-diff-title", Static).update(title)
        body = self.query_one("#edit-diff-body", Vertical)
        await body.remove_children()
        diff = VersionDiff(before, self.edited, before_label=before_label, after_label=after_label)
        await body.mount(diff)
        diff.focus()
