"""``/web``: turn the model's web search (``/web on|off``) and web fetch (``/web fetch on|off``)
on or off for this session, or say how they are set and where that comes from (``/web``).

The choice is the session's (``SessionState.web_search``/``web_fetch``), kept with it in the
store as its model is (``ui.chat.session_web``); a session that never chose follows the config's
``web_search``/``web_fetch``. It applies from the next request, so it can be changed while a
reply streams. A model without the tool still has the choice taken, so it applies again after
``/model`` switches to one that has it; the user is told, once, that this model's replies go
without it (``core.request_shape`` leaves the tool out of the request).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from claude_tui.core.slash import Command, CommandError
from claude_tui.core.web_choice import FETCH, SEARCH, missing_tool, set_notice, web_status
from claude_tui.ui.chat.commands.registry import handles
from claude_tui.ui.chat.session_web import own_web, save_web

if TYPE_CHECKING:
    from claude_tui.ui.chat.screen import ChatScreen

USAGE = "Usage: /web [fetch] on|off"
TOOLS = {"search": SEARCH, "fetch": FETCH}
"""The word after /web (none for search): the tool it sets."""


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


@handles("web")
async def web(chat: ChatScreen, command: Command) -> None:
    """Set web search or web fetch for this session, or show both; on is taken even where the
    session's model lacks the tool, with a notice that its replies are sent without it."""
    name, on = parse_web(command.args)
    state = chat.current
    settings = chat.session_settings(state)
    caps = chat.app.capabilities(settings.model)
    if on is None:
        chat.notify(web_status(settings, caps, own_web(state)), title="/web", timeout=6)
        return
    tool = TOOLS[name]
    setattr(state, tool.key, on)
    save_web(chat, state, (tool.key,))
    settings = chat.session_settings(state)
    gap = missing_tool(settings, caps, tool)
    chat.model_fit.heard(settings)  # said here: not again at the next prompt
    chat.notify(
        set_notice(tool, on, gap),
        title="/web" if gap else "",
        severity="warning" if gap else "information",
        timeout=6 if gap else 3,
    )
