"""Textual's `TextArea` with undo that cannot crash on a large paste.

Textual 8.2 restores the shorter text before the selection when undoing; if the text's
height crosses the scroll bar's threshold in between, the scroll bar's watcher places
the cursor on a row that no longer exists and the app exits with a ValueError (Textual
issue #6686). Undoing a pasted log in the prompt box or the editor did exactly that.
"""

from __future__ import annotations

from textual.widgets import TextArea


class UndoSafeTextArea(TextArea):
    """Places the cursor on the nearest row that exists while undo restores the text."""

    def _recompute_cursor_offset(self) -> None:
        self._cursor_offset = self.wrapped_document.location_to_offset(
            self.clamp_visitable(self.cursor_location)
        )
