"""The tools an agent can call, with Claude Code's names and parameters."""
