"""agent-workbench: a terminal workbench for Claude-Code-style subagents."""

__version__ = "0.1.0"
