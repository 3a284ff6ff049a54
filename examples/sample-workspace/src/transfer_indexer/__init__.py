"""Index ERC-20 Transfer events into SQLite and serve them over HTTP."""

__version__ = "0.2.0"
