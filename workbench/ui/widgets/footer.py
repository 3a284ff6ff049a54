"""Textual's footer, rebuilt only when the keys it shows change, and without the widgets it
leaves behind each time it is rebuilt.

Textual's footer rebuilds all its keys whenever the screen says its bindings may have
changed, which it says on every focus change and every `refresh_bindings`: in the editor,
on most keystrokes. A rebuild mounts a dozen widgets and lays the screen out again, so the
keys are rebuilt only when what they would show differs.

Each key also binds itself to the footer's `compact` setting with a watcher stored on the
footer. Textual (8.2, issue #6666) drops such watchers only when `compact` changes, which it
never does: every rebuild kept the old keys alive, and each new key searched the growing
list. Over a session of thousands of rebuilds that is thousands of dead widgets, more work
for every garbage collection, and a footer that rebuilds more slowly each time.
"""

from __future__ import annotations

from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    def __init__(self) -> None:
        super().__init__()
        self._shown: object = None
        """What the keys were last built from."""

    async def recompose(self) -> None:
        shown = self._keys_to_show()
        if shown == self._shown:
            return
        self._shown = shown
        await super().recompose()
        # Where Textual's `watch` keeps the watchers of this widget's reactives.
        watchers = getattr(self, "__watchers", {}).get("compact")
        if watchers:
            watchers[:] = [(node, call) for node, call in watchers if node.is_attached]

    def _keys_to_show(self) -> object:
        """Everything `compose` builds the keys from."""
        if not self._bindings_ready or not self.is_attached:
            return None
        return (
            self.show_command_palette,
            tuple(
                (
                    binding.key,
                    self.app.get_key_display(binding),
                    binding.description,
                    binding.action,
                    binding.show,
                    binding.group,
                    enabled,
                    tooltip,
                )
                for _node, binding, enabled, tooltip in self.screen.active_bindings.values()
            ),
        )
