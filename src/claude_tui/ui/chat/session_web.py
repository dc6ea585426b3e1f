"""A session's own web search and web fetch, kept with it in the store (as its model is).

``/web`` sets them on the ``SessionState``; this saves them, at once for a saved session and,
for a new one, when its first message saves it (``ReplyController.take_saved``): whatever the
session chose before or while that first reply streamed is what it is reopened with.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from claude_tui.core.store import SessionStore
from claude_tui.core.web_choice import WEB_TOOLS
from claude_tui.ui.chat.session_state import SessionState
from claude_tui.ui.store_work import in_store

if TYPE_CHECKING:
    from claude_tui.ui.chat.screen import ChatScreen

WEB_KEYS = tuple(tool.key for tool in WEB_TOOLS)


def own_web(state: SessionState) -> dict[str, bool | None]:
    """The session's own choice of each tool, by setting name; ``None``: it follows config."""
    return {key: getattr(state, key) for key in WEB_KEYS}


def save_web(chat: ChatScreen, state: SessionState, keys: Iterable[str] = WEB_KEYS) -> None:
    """Write the session's choice of the tools ``keys`` name to the store, once it is saved
    (until then its first message saves it: ``save_web_once_saved``)."""
    session_id = state.session_id
    if session_id is None:
        return
    values = {key: getattr(state, key) for key in keys}

    def job(store: SessionStore) -> None:
        for key, value in values.items():
            store.set_session_field(session_id, key, value)

    in_store(
        chat,
        chat.options.store_path,
        job,
        lambda _: None,
        lambda text: chat.app.call_from_thread(chat.notify, f"Not saved: {text}", severity="error"),
        expected=(KeyError,),  # the session was deleted meanwhile
    )


def save_web_once_saved(chat: ChatScreen, state: SessionState) -> None:
    """The session was just saved by its first message: keep any choice it made before."""
    chosen = [key for key, value in own_web(state).items() if value is not None]
    if chosen:
        save_web(chat, state, chosen)
