"""``/web``: turn the model's web search (``/web on|off``) and web fetch (``/web fetch on|off``)
on or off, or say how they are set (``/web``).

Like ``/thinking`` they are app-wide settings, saved through ``ClaudeTUI.update_settings``. A
model without the tool still has the setting taken, so it applies again after ``/model``
switches to one that has it; the user is told that this model's replies go without it
(``core.request_shape`` leaves the tool out of the request).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from claude_tui.core.capabilities import ModelCapabilities
from claude_tui.core.config import Settings
from claude_tui.core.slash import Command, CommandError
from claude_tui.ui.chat.commands.registry import handles

if TYPE_CHECKING:
    from claude_tui.ui.chat.screen import ChatScreen

USAGE = "Usage: /web [fetch] on|off"
TOOLS = {"search": ("web_search", "Web search"), "fetch": ("web_fetch", "Web fetch")}
"""The word after /web (none for search): the setting it changes and its name in notices."""


def parse_web(args: str) -> tuple[str, bool | None]:
    """``[fetch] [on|off]`` as ``(tool, on)``: ``on`` ``None`` asks for the state."""
    words = args.lower().split()
    tool = "search"
    if words and words[0] in TOOLS:
        tool = words.pop(0)
    if len(words) > 1:
        raise CommandError(f"{USAGE}: too many words.")
    if not words:
        return tool, None
    if words[0] not in ("on", "off"):
        raise CommandError(f"{USAGE}: say on or off, not {words[0]!r}.")
    return tool, words[0] == "on"


def web_status(settings: Settings, caps: ModelCapabilities) -> str:
    """``Web search on · web fetch off`` and, where one is on, whether this model has it."""
    parts = []
    for key, name in TOOLS.values():
        on = bool(getattr(settings, key))
        text = f"{name} {'on' if on else 'off'}"
        if on and not getattr(caps, key):
            text += f" ({settings.model} has none)"
        parts.append(text)
    return " · ".join(parts)


@handles("web")
async def web(chat: ChatScreen, command: Command) -> None:
    """Set web search or web fetch, or show both; on is taken even where the session's model
    lacks the tool, with a notice that its replies are sent without it."""
    tool, on = parse_web(command.args)
    settings = chat.session_settings(chat.current)
    caps = chat.app.capabilities(settings.model)
    if on is None:
        chat.notify(web_status(settings, caps), title="/web", timeout=6)
        return
    key, name = TOOLS[tool]
    chat.app.update_settings(**{key: on})
    if on and not getattr(caps, key):
        chat.notify(
            f"{settings.model} has no {name.lower()}: replies are sent without it",
            title="/web",
            severity="warning",
            timeout=6,
        )
        return
    chat.notify(f"{name} {'on' if on else 'off'}", timeout=3)
