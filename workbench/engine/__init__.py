"""Running agents against the Messages API: the loop, tools, permissions, transcripts.

Knows nothing of Textual; the app and the headless CLI consume the same events.
"""
