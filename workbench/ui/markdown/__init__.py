"""Markdown that arrives in small pieces, shown at a cost linear in its length.

Textual's `Markdown` mounts a widget per block and lays all of them out again whenever text is
appended, so a long streamed reply slows to a crawl (100 KB took minutes, with stalls of
seconds). `MarkdownFlow` draws the same picture (the same blocks, margins, bullets, tables and
keylines, line for line) into lines of its own, in one widget that renders by lines:

- Text that can no longer change is *settled*: every top-level block but the last, every item
  but the last of a top-level list, every 64-line segment of a fence still being written. It is
  parsed and wrapped once, and never looked at again (unless the width or kind of theme changes).
- The rest, the *tail*, is parsed and wrapped again at most every 50 ms (longer when that gets
  expensive), so thousands of small appends cost a few dozen renders.
- Work is done in steps of about 20 ms, so a backlog (text arriving faster than it is drawn)
  never blocks the event loop for long; only the lines on screen become strips.

Every string is passed through `printable` before it is drawn, and text only ever becomes
`Content` directly (never markup), so neither terminal escapes nor Rich or Textual markup in a
reply can act. Deliberate differences from `Markdown`: long code lines fold instead of
scrolling sideways, fences without a language are not guessed at (plain text), links are
underlined text that does nothing when clicked, and control characters show as symbols.

The modules, in the order text passes through them: `tokens` cuts markdown-it's tokens into
blocks, `document` builds nodes from them, `settler` decides which are settled as `units`,
`layout` (with `fences` and `tables`) turns units into `lines` styled by `styles`, and `flow`
is the widget that drives it all and draws the lines.
"""

from workbench.ui.markdown.flow import MarkdownFlow

__all__ = ["MarkdownFlow"]
