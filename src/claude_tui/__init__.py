"""claude-tui: a full-screen terminal chat client for Claude."""

__version__ = "0.1.0"
