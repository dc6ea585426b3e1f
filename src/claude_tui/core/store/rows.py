"""What the session store hands out: its rows as frozen dataclasses, and a new session's title.

Kept apart from the queries so that code which only reads sessions (the sidebar, the CLI, the
history loader) depends on plain values, not on SQLite.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from claude_tui.core.blocks import Block, block_from_store, blocks_from_text
from claude_tui.core.store.attachment_json import restore
from claude_tui.core.store.schema import web_value

TITLE_LIMIT = 60
"""About how many characters of the first user line become a new session's title."""


@dataclass(frozen=True)
class SessionInfo:
    """Metadata only: what the sidebar and ``claude-tui sessions`` need."""

    id: str
    title: str
    model: str
    system: str
    created_at: str
    updated_at: str
    archived: bool
    message_count: int
    """Every message, on every branch (the active path may be shorter)."""
    streaming: bool
    """Some message of the session still has status ``streaming``."""
    web_search: bool | None = None
    """The session's own web search (``/web on|off``); ``None``: the config's ``web_search``."""
    web_fetch: bool | None = None
    """The session's own web fetch (``/web fetch on|off``); ``None``: the config's."""


@dataclass(frozen=True)
class StoredMessage:
    id: int
    session_id: str
    parent_id: int | None
    role: str
    content: str
    """Plain text derived from ``blocks`` (``blocks.plain_text``): what is searched and listed."""
    thinking: str
    """The thinking blocks' text, derived from ``blocks``."""
    blocks: list[Block]
    """What the message is made of, in order."""
    status: str
    stop_reason: str | None
    error: str | None
    model: str | None
    input_tokens: int | None
    output_tokens: int | None
    cache_creation_tokens: int | None
    cache_read_tokens: int | None
    cache_creation_1h_tokens: int | None
    """The hour-long part of ``cache_creation_tokens``; ``None`` for replies saved before the
    store kept it (they were all 5-minute writes)."""
    context_tokens: int | None
    """The last request's whole input, for a reply continued over several requests (whose
    token counts above are their sums); ``None`` for replies saved before the store kept it
    (``StreamMetrics.context_tokens``)."""
    web_search_requests: int | None
    """Web searches the server made for the reply (priced per search); ``None`` for replies
    saved before the store kept them, read as none."""
    web_fetch_requests: int | None
    """Web fetches the server made for the reply; ``None`` as above."""
    ttft_ms: float | None
    duration_ms: float | None
    created_at: str


def title_from(content: str, limit: int = TITLE_LIMIT) -> str:
    """The first non-blank line, trimmed, cut on a word boundary near ``limit`` with "…"."""
    line = next((line.strip() for line in content.splitlines() if line.strip()), "")
    if len(line) <= limit:
        return line
    cut = line[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:  # a word boundary not too far back; else cut mid-word
        cut = cut[:space]
    return cut.rstrip() + "…"


def session_from_row(row: tuple[Any, ...]) -> SessionInfo:
    """A row of ``SELECT {SESSION_COLUMNS}`` as a :class:`SessionInfo`."""
    session_id, title, model, system, created_at, updated_at, archived, count, streaming, *web = row
    return SessionInfo(
        session_id, title, model, system, created_at, updated_at, bool(archived), count,
        streaming > 0, *(web_value(value) for value in web),
    )  # fmt: skip


def message_from_row(
    row: tuple[Any, ...], attachments: Mapping[str, bytes] | None = None
) -> StoredMessage:
    """A row of ``SELECT {MESSAGE_COLUMNS}`` as a :class:`StoredMessage`; ``attachments`` (SHA-256
    to bytes) has the bytes its blocks refer to (``attachment_json``)."""
    message_id, session_id, parent_id, role, content, thinking, blocks, *rest = row
    return StoredMessage(
        message_id, session_id, parent_id, role, content, thinking,
        blocks_from_column(blocks, content, thinking, attachments or {}), *rest,
    )  # fmt: skip


def blocks_from_column(
    value: object, content: str, thinking: str, attachments: Mapping[str, bytes] | None = None
) -> list[Block]:
    """A message's saved blocks, their attachments' bytes put back from ``attachments``; if
    they cannot be read, its text and thinking as blocks.

    A damaged ``blocks`` value (not JSON, not a list of objects: a disk error, a hand edit, a
    bug in some version) must not stop the session from opening, nor lose the message: the
    derived ``content`` and ``thinking`` columns still hold what a person could read of it, so
    the message comes back as ``blocks_from_text(content, thinking)`` instead. What is lost is
    only what text cannot hold (signatures, tool calls, unknown kinds); the damaged value stays
    in the file untouched until the message is written again. An attachment whose bytes are
    missing loses only itself (``attachment_json.missing_placeholder``).
    """
    if isinstance(value, str):
        try:
            items = json.loads(value)
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise ValueError("blocks must be a JSON list of objects")
            return [block_from_store(restore(item, attachments or {})) for item in items]
        except (ValueError, TypeError, RecursionError):
            pass
    return blocks_from_text(content, thinking)
