"""Textual messages that carry the core's stream events onto the UI thread.

The worker thread calls ``post_message`` (which is thread-safe); handlers run on the UI thread, the
only place widgets are touched.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from claude_tui.core.events import StreamEvent


@dataclass
class ReplyEvent(Message, bubble=False):
    """One event from the stream runner of reply ``reply_id``."""

    reply_id: int
    event: StreamEvent
