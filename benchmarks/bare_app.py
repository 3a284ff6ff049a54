"""The smallest Textual app that draws a line: the floor the workbench's startup is held to.

Run as `python bare_app.py MARKER` by `first_frame`, which owns the marker text; it shows
the marker and waits to be killed.
"""

import sys

from textual.app import App, ComposeResult
from textual.widgets import Static


class BareApp(App[None]):
    def __init__(self, marker: str) -> None:
        super().__init__()
        self.marker = marker

    def compose(self) -> ComposeResult:
        yield Static(self.marker)


if __name__ == "__main__":
    BareApp(sys.argv[1]).run()
