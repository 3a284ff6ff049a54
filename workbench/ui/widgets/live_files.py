"""The watched files of the workspace, grouped by area, badged with what changed."""

from __future__ import annotations

import bisect

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Collapsible, Static, Tree
from textual.widgets.tree import TreeNode

from workbench.safe_text import printable
from workbench.sizes import human_size
from workbench.watch.areas import Area, WatchSet
from workbench.watch.live import Badge, WatchedFile

BADGE_STYLES = {
    Badge.NEW: ("● new", "bold green"),
    Badge.CHANGED: ("● changed", "bold yellow"),
    Badge.DELETED: ("✖ deleted", "red"),
}


class LiveFilesPane(Vertical):
    """Files appear, change and disappear here as they do on disk; `enter` opens one."""

    BINDINGS = [
        Binding("x", "dismiss", "Dismiss deleted", id="files.dismiss"),
    ]

    class Open(Message):
        def __init__(self, rel: str) -> None:
            super().__init__()
            self.rel = rel

    class Dismiss(Message):
        def __init__(self, rel: str) -> None:
            super().__init__()
            self.rel = rel

    class Restart(Message):
        """The person asked to start the watcher again after it failed."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._watch_set = WatchSet(())
        self._leaves: dict[str, TreeNode[str]] = {}
        self._areas: dict[Area, TreeNode[str]] = {}
        self._files: dict[str, WatchedFile] = {}
        self._order: dict[Area, list[str]] = {}
        """Each area's files in the order the tree shows them."""

    def compose(self) -> ComposeResult:
        with Collapsible(title="Watching…", classes="watch-globs", collapsed=True):
            yield Static("", classes="watch-glob-list", markup=False)
        tree: Tree[str] = Tree("files", classes="live-tree")
        tree.show_root = False
        tree.guide_depth = 2
        yield tree
        yield Static("Nothing watched exists yet.", classes="empty")

    def on_mount(self) -> None:
        self.border_title = "Live files"

    def watching(self, watch_set: WatchSet) -> None:
        """Show which globs are watched; files outside them leave the tree."""
        self._watch_set = watch_set
        globs = watch_set.globs
        self.query_one(".watch-globs", Collapsible).title = f"Watching {len(globs)} patterns"
        self.query_one(".watch-glob-list", Static).update("\n".join(globs))
        for rel in [rel for rel in self._files if watch_set.area_of(rel) is None]:
            self._remove(rel)
        self._show_empty()

    def failed(self, message: str) -> None:
        """Say so above the tree, with a button to try again; built only when needed."""

        self.running()
        problem = Static(
            f"{message} Files shown here are no longer updated.",
            classes="watch-problem",
            markup=False,
        )
        restart = Button("Restart", id="watch-restart", compact=True, variant="warning")
        self.mount(Horizontal(problem, restart, classes="watch-failed"), after=".watch-globs")

    def running(self) -> None:
        self.query(".watch-failed").remove()

    def show(self, files: list[WatchedFile]) -> None:
        """Bring the tree up to date with `files` (each file's latest state)."""
        for file in files:
            self._files[file.rel] = file
            node = self._leaves.get(file.rel)
            if node is None:
                self._add(file)
            else:
                node.set_label(self._label(file))
        self._show_empty()

    def forget(self, rel: str) -> None:
        if rel in self._files:
            self._remove(rel)
            self._show_empty()

    def select(self, rel: str) -> None:
        node = self._leaves.get(rel)
        if node is not None:
            self.query_one(Tree).move_cursor(node)

    @property
    def file_tree(self) -> Tree[str]:
        return self.query_one(Tree)

    @property
    def files(self) -> dict[str, WatchedFile]:
        return dict(self._files)

    def _add(self, file: WatchedFile) -> None:
        area = self._area_node(file.area)
        order = self._order.setdefault(file.area, [])
        at = bisect.bisect(order, file.rel)
        order.insert(at, file.rel)
        before = at if at < len(order) - 1 else None
        self._leaves[file.rel] = area.add_leaf(self._label(file), data=file.rel, before=before)
        area.set_label(self._area_label(file.area))

    def _remove(self, rel: str) -> None:
        file = self._files.pop(rel)
        self._order[file.area].remove(rel)
        node = self._leaves.pop(rel, None)
        if node is not None:
            node.remove()
        area = self._areas.get(file.area)
        if area is not None:
            if area.children:
                area.set_label(self._area_label(file.area))
            else:
                area.remove()
                del self._areas[file.area]

    def _area_node(self, area: Area) -> TreeNode[str]:
        found = self._areas.get(area)
        if found is not None:
            return found
        tree: Tree[str] = self.query_one(Tree)
        areas = list(Area)
        later = (self._areas.get(a) for a in areas[areas.index(area) + 1 :])
        before = next((node for node in later if node is not None), None)
        node = tree.root.add(area.value, expand=True, before=before)
        self._areas[area] = node
        return node

    def _area_label(self, area: Area) -> Text:
        count = sum(1 for f in self._files.values() if f.area is area)
        return Text.assemble((area.value, "bold"), (f"  {count}", "dim"))

    def _label(self, file: WatchedFile) -> Text:
        name = printable(self._watch_set.label(file.rel))
        text = Text(name, style="strike dim" if not file.exists else "")
        if file.exists:
            text.append(f"  {human_size(file.size)}", style="dim")
        if file.badge is not Badge.NONE:
            badge, style = BADGE_STYLES[file.badge]
            text.append(f"  {badge}", style=style)
        if file.problem:
            text.append(f"  {printable(file.problem)}", style="italic dim")
        return text

    def _show_empty(self) -> None:
        self.query_one(".empty").display = not self._files

    @on(Tree.NodeSelected)
    def _selected(self, event: Tree.NodeSelected[str]) -> None:
        event.stop()
        if event.node.data:
            self.post_message(self.Open(event.node.data))

    @on(Button.Pressed, "#watch-restart")
    def _restart(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Restart())

    def action_dismiss(self) -> None:
        node = self.query_one(Tree).cursor_node
        rel = node.data if node is not None else None
        file = self._files.get(rel or "")
        if file is None or file.exists:
            self.notify("Only a deleted file can be dismissed.", timeout=2)
            return
        self.post_message(self.Dismiss(file.rel))
