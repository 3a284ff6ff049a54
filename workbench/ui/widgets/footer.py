"""Textual's footer, without the widgets it leaves behind each time it is rebuilt.

The footer rebuilds its keys whenever the focused widget's bindings change, and each key
binds itself to the footer's `compact` setting with a watcher stored on the footer. Textual
(8.2, issue #6666) drops such watchers only when `compact` changes, which it never does:
every focus change kept the old keys alive, and each new key searched the growing list.
Over a session of thousands of focus changes that is thousands of dead widgets, more work
for every garbage collection, and a footer that rebuilds more slowly each time.
"""

from __future__ import annotations

from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    async def recompose(self) -> None:
        await super().recompose()
        # Where Textual's `watch` keeps the watchers of this widget's reactives.
        watchers = getattr(self, "__watchers", {}).get("compact")
        if watchers:
            watchers[:] = [(node, call) for node, call in watchers if node.is_attached]
