"""Slash-command handlers, registered against the one table of commands in ``core/slash.py``.

Each handler says which command it handles with ``@handles("name")``; a name the table does not
have, or a second handler for one, is an error at import. That every command in the table has
its handler is checked by ``tests/ui/test_slash_commands.py``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeAlias

from claude_tui.core.slash import Command, CommandError, Unknown
from claude_tui.core.slash_table import BY_NAME

if TYPE_CHECKING:
    from claude_tui.ui.chat.screen import ChatScreen

Handler: TypeAlias = "Callable[[ChatScreen, Command], Awaitable[bool | None]]"
"""Runs a command on the chat screen. False leaves the input as it is (the handler put text
there itself); a ``CommandError`` is shown to the user and leaves it too, to be fixed."""

HANDLERS: dict[str, Handler] = {}
"""Each command's handler, by name."""


def handles(name: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of the command ``name``."""
    if name not in BY_NAME:
        raise ValueError(f"/{name} is not in the table of commands (core/slash.py)")

    def register(handler: Handler) -> Handler:
        if name in HANDLERS:
            raise ValueError(f"/{name} has two handlers")
        HANDLERS[name] = handler
        return handler

    return register


async def run_command(chat: ChatScreen, parsed: Command | Unknown) -> bool:
    """Run a command. False leaves the input as it is: the command failed (the user can fix
    it), or it put text there itself (``/edit``)."""
    if isinstance(parsed, Unknown):
        chat.notify(parsed.message, title="Not sent", severity="warning", timeout=6)
        return False
    handler = HANDLERS.get(parsed.name)
    if handler is None:  # the table and the handlers disagree: a bug, said plainly
        chat.notify(f"/{parsed.name} is not available yet.", severity="error")
        return False
    try:
        result = await handler(chat, parsed)
    except CommandError as error:
        chat.notify(str(error), title=f"/{parsed.name}", severity="warning", timeout=6)
        return False
    return result is not False


def tell_error(chat: ChatScreen, text: str) -> None:
    """From a worker's thread: show the user what went wrong, as an error."""
    chat.app.call_from_thread(chat.notify, text, severity="error")
