"""One watched file in a tab: the live view beside its history, and any two versions compared."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import ContentSwitcher, Static

from workbench.plurals import counted
from workbench.safe_text import printable
from workbench.sizes import human_size
from workbench.ui.widgets.file_viewer import FileViewer
from workbench.ui.widgets.version_diff import VersionDiff
from workbench.ui.widgets.version_list import VersionList, when
from workbench.watch.history import Version
from workbench.watch.live import LiveFiles


class FileTab(Vertical):
    BINDINGS = [
        Binding("h", "toggle_history", "History", id="file.history"),
        Binding("escape", "live", "Live file", id="file.live", show=False),
    ]

    class GoToCall(Message):
        """Show the tool call that wrote a version, in its chat."""

        def __init__(self, version: Version) -> None:
            super().__init__()
            self.version = version

    def __init__(self, rel: str, live: LiveFiles, *, id: str) -> None:
        super().__init__(id=id, classes="file-tab")
        self.rel = rel
        self.live = live
        self.path: Path = live.workspace / rel

    def compose(self) -> ComposeResult:
        yield Static("", classes="file-header", markup=False)
        with Horizontal(classes="file-body"):
            with ContentSwitcher(initial="file-live", classes="file-views"):
                yield FileViewer(self.path, id="file-live")
                yield Vertical(id="file-compare")
            yield VersionList(classes="file-history")

    def on_mount(self) -> None:
        self._refresh_history()

    def changed(self) -> None:
        """The file changed on disk (or a run wrote it): show what is there now."""
        self.query_one(FileViewer).reload()
        self._refresh_history()

    async def show_change(self, number: int) -> None:
        """Open on what version `number` changed, from the tool call that made it."""
        history = self.query_one(VersionList)
        history.display = True
        self._refresh_history()
        history.select_number(number)
        version = history.current
        if version is not None:
            await self._compare(history.previous_of(version), version)

    def focus_content(self) -> None:
        """Focus what the tab shows (the file, or the comparison), so its keys work at once."""
        shown = self.query_one(ContentSwitcher).visible_content
        if shown is None:
            return
        target = (
            shown if shown.can_focus else next((w for w in shown.query("*") if w.focusable), None)
        )
        if target is not None:
            target.focus()

    def _refresh_history(self) -> None:
        versions = self.live.history.versions(self.rel)
        self.query_one(VersionList).show(versions)
        header = Text(printable(self.rel), style="bold")
        file = self.live.get(self.rel)
        if file is not None:
            header.append(f"  {file.area.value}", style="dim")
            if file.exists:
                header.append(f"  {human_size(file.size)}", style="dim")
            else:
                header.append("  deleted", style="red")
        if versions:
            latest = versions[-1]
            count = counted(len(versions), "version")
            header.append(f"  {count} · last: ", style="dim")
            header.append(printable(latest.author.label), style="cyan")
            header.append(f" at {when(latest.at)}", style="dim")
        self.query_one(".file-header", Static).update(header)

    def action_toggle_history(self) -> None:
        history = self.query_one(VersionList)
        history.display = not history.display
        if history.display:
            history.focus()

    def action_live(self) -> None:
        self.query_one(FileViewer).show_live()
        self.query_one(ContentSwitcher).current = "file-live"

    @on(VersionList.Show)
    def _show(self, message: VersionList.Show) -> None:
        message.stop()
        version = message.version
        text = self.live.history.text(version)
        viewer = self.query_one(FileViewer)
        self.query_one(ContentSwitcher).current = "file-live"
        if text is None:
            reason = "the file was deleted" if version.deleted else "its content was not kept"
            self.notify(f"Version {version.number}: {reason}.", timeout=3)
            return
        viewer.show_version(text, _version_label(version))

    @on(VersionList.Compare)
    async def _compare_message(self, message: VersionList.Compare) -> None:
        message.stop()
        await self._compare(message.older, message.newer)

    async def _compare(self, older: Version | None, newer: Version) -> None:
        history = self.live.history
        holder = self.query_one("#file-compare", Vertical)
        await holder.remove_children()
        before = history.text(older) if older is not None else None
        after = history.text(newer)
        missing = [
            v for v in (older, newer) if v is not None and not v.deleted and history.text(v) is None
        ]
        if missing:
            numbers = ", ".join(f"v{v.number}" for v in missing)
            await holder.mount(
                Static(f"The content of {numbers} was not kept (too large, or pruned).")
            )
        else:
            await holder.mount(
                VersionDiff(
                    before,
                    after,
                    before_label=_version_label(older) if older else "(no earlier version)",
                    after_label=_version_label(newer),
                )
            )
        self.query_one(ContentSwitcher).current = "file-compare"

    @on(VersionList.GoToCall)
    def _go_to_call(self, message: VersionList.GoToCall) -> None:
        message.stop()
        self.post_message(self.GoToCall(message.version))


def _version_label(version: Version) -> str:
    return f"v{version.number} · {when(version.at)} · {version.author.label}"
