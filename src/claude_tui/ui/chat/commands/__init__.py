"""What each slash command does on the chat screen.

The commands themselves (names, arguments, help, palette entries) are one table in
``core/slash.py``; each module here registers its handlers against it (``registry.handles``).
Importing this package imports them all, so every handler is registered before one runs.
"""

from claude_tui.ui.chat.commands import app_wide, attach, compact, session, web
from claude_tui.ui.chat.commands.registry import HANDLERS, handles, run_command

__all__ = ["HANDLERS", "app_wide", "attach", "compact", "handles", "run_command", "session", "web"]
