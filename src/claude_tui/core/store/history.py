"""Turning stored messages back into a conversation, so a saved session reopens as it was."""

from __future__ import annotations

from claude_tui.core.conversation import Conversation, Role, Turn, TurnStatus
from claude_tui.core.metrics import StreamMetrics
from claude_tui.core.store import StoredMessage


def metrics_from_stored(message: StoredMessage) -> StreamMetrics | None:
    """The measurements saved with a reply, as a snapshot the metrics line can show."""
    if message.role != "assistant" or message.duration_ms is None:
        return None
    ended = message.duration_ms / 1000.0
    first = None if message.ttft_ms is None else message.ttft_ms / 1000.0
    return StreamMetrics(
        model=message.model or "",
        started_at=0.0,
        first_token_at=first,
        last_token_at=ended if first is not None else None,
        ended_at=ended,
        output_chars=len(message.content) + len(message.thinking),
        input_tokens=message.input_tokens,
        output_tokens=message.output_tokens,
        cache_creation_tokens=message.cache_creation_tokens or 0,
        cache_read_tokens=message.cache_read_tokens or 0,
        cache_creation_1h_tokens=message.cache_creation_1h_tokens or 0,
        context_tokens=message.context_tokens,
        web_search_requests=message.web_search_requests or 0,
        web_fetch_requests=message.web_fetch_requests or 0,
        usage_final=message.output_tokens is not None,
        stop_reason=message.stop_reason,
    )


def turn_from_stored(message: StoredMessage) -> Turn:
    """The turn a stored message shows: its blocks as saved, partial ones included (the
    conversation decides what of them goes back to the API)."""
    try:
        status = TurnStatus(message.status)
    except ValueError:
        status = TurnStatus.INCOMPLETE
    if status is TurnStatus.STREAMING:
        # Another process may still be writing it; here it is only what was saved so far.
        status = TurnStatus.INCOMPLETE
    role: Role = "assistant" if message.role == "assistant" else "user"
    return Turn(
        role=role,
        blocks=list(message.blocks),
        status=status,
        error=message.error,
        stop_reason=message.stop_reason,
        metrics=metrics_from_stored(message),
        message_id=message.id,
    )


def conversation_from_stored(messages: list[StoredMessage]) -> Conversation:
    """The turns of one path, e.g. ``SessionStore.messages`` (the active one), each with the id
    of its message, so an edit or a retry can name where it branches off."""
    return Conversation([turn_from_stored(message) for message in messages])
