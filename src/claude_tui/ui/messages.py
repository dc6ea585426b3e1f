"""Textual messages that carry work done off the UI thread back onto it.

Worker threads call ``post_message`` (which is thread-safe); handlers run on the UI thread, the
only place widgets are touched.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from claude_tui.core.conversation import Conversation, Turn
from claude_tui.core.events import StreamEvent
from claude_tui.core.store import SessionInfo


@dataclass
class ReplyEvent(Message, bubble=False):
    """One event from the stream runner of reply ``reply_id``."""

    reply_id: int
    event: StreamEvent


@dataclass
class SessionSaved(Message, bubble=False):
    """The user turn of reply ``reply_id`` is saved, in session ``session_id``."""

    reply_id: int
    session_id: str


@dataclass
class TurnsSaved(Message, bubble=False):
    """Turns now have rows in the store: their ids, for ``/edit`` to branch from."""

    saved: tuple[tuple[Turn, int], ...]


@dataclass
class SessionsListed(Message, bubble=False):
    """A page of sessions for the sidebar (``append``: after the pages already shown)."""

    sessions: list[SessionInfo]
    append: bool
    exhausted: bool
    query: str
    serial: int = 0
    """Which reload this answers: reloads run in parallel worker threads and can finish out
    of order, and an older list must not replace a newer one."""


@dataclass
class SessionLoaded(Message, bubble=False):
    info: SessionInfo
    conversation: Conversation


@dataclass
class StoreProblem(Message):
    """Saving or reading sessions failed; the chat goes on, the user is told (by the screen,
    which it bubbles up to from the part whose store work failed)."""

    message: str


@dataclass
class SessionsChanged(Message, bubble=False):
    """Something in the store changed (rename, delete): the sidebar should read it again."""
