"""``/attach PATH…`` and ``/detach [name]``: the chips above the prompt, from the keyboard.

``/attach`` takes several paths, ``~``, quotes and wildcards (``*.png``: expanded in a worker,
sorted, at most 50) as a shell would (``core.attachments.paths``); each file becomes a chip at
once and is read in a worker (``ui/chat/attachments.py``), so the command never waits on a
large file. ``/detach`` removes one chip by its file name (as shown), or all.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from claude_tui.core.sanitize import sanitize_line
from claude_tui.core.slash import Command, CommandError
from claude_tui.ui.chat.attachments import joined_names
from claude_tui.ui.chat.commands.registry import handles

if TYPE_CHECKING:
    from claude_tui.ui.chat.screen import ChatScreen

ATTACH_USAGE = (
    "Name the files to attach: /attach PATH… (several at once; ~, quotes and * work; "
    "Tab completes). Or type @path in the prompt, or paste the paths."
)


@handles("attach")
async def attach(chat: ChatScreen, command: Command) -> None:
    from claude_tui.core.attachments.paths import attach_args

    try:
        paths = attach_args(command.args, Path.cwd())
    except ValueError as error:
        raise CommandError(f"{error}. {ATTACH_USAGE}") from None
    if not paths:
        raise CommandError(ATTACH_USAGE)
    chat.attachments.add(paths)


@handles("detach")
async def detach(chat: ChatScreen, command: Command) -> None:
    attached = [chip.name for chip in chat.attachments.chips]
    if not attached:
        raise CommandError("There is nothing attached.")
    gone = chat.attachments.detach(command.args.strip())
    if not gone:
        names = joined_names(dict.fromkeys(attached))
        raise CommandError(f"No attachment is called {sanitize_line(command.args)}: {names}.")
    if len(gone) == 1:
        chat.notify(f"Removed {sanitize_line(gone[0])}.", timeout=3)
    else:
        chat.notify(f"Removed {len(gone)} attachments.", timeout=3)
