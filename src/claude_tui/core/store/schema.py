"""What the store's tables hold: the columns, the values a message may have, and the checks.

The tables themselves are built by ``migrations``; this module is what the queries share about
them. A message's ``blocks`` are what it is made of; its ``content`` and ``thinking`` columns are
derived from them (:func:`block_columns`) and never set on their own, so search and the list
always agree with what the message holds. Its attachments' bytes go to their own table, a
reference left in the blocks (``attachment_json``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from claude_tui.core.blocks import Block, block_to_store, plain_text, thinking_of
from claude_tui.core.store.attachment_json import Attachment, detach

STATUSES = ("complete", "streaming", "cancelled", "error", "incomplete")
"""Every status a message can have; ``streaming`` rows left at start-up become ``incomplete``."""

ROLES = ("user", "assistant")

SESSION_COLUMNS = (
    "id, title, model, system, created_at, updated_at, archived, message_count, streaming_count,"
    " web_search, web_fetch"
)
WEB_FIELDS = ("web_search", "web_fetch")
"""A session's own web search and web fetch: ``True``/``False``, or ``None`` to follow the
config (kept as 1, 0 or NULL)."""


def web_column(value: bool | None) -> int | None:
    """A session's web choice as its column holds it."""
    return None if value is None else int(value)


def web_value(value: object) -> bool | None:
    """A web column as the session's choice: NULL (or anything not 0/1) follows the config."""
    return bool(value) if value in (0, 1) else None


MESSAGE_COLUMNS = (
    "id, session_id, parent_id, role, content, thinking, blocks, status, stop_reason, error,"
    " model, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens,"
    " cache_creation_1h_tokens, context_tokens, web_search_requests, web_fetch_requests,"
    " ttft_ms, duration_ms, created_at"
)
USAGE_COLUMNS = (
    "input_tokens", "output_tokens", "cache_creation_tokens", "cache_read_tokens",
    "cache_creation_1h_tokens", "context_tokens", "web_search_requests", "web_fetch_requests",
)  # fmt: skip
DERIVED = frozenset({"content", "thinking", "blocks"})
"""The columns :func:`block_columns` writes, from the message's blocks."""
UPDATABLE = frozenset(MESSAGE_COLUMNS.replace(" ", "").split(",")) - DERIVED - {
    "id", "session_id", "parent_id", "role", "created_at"
}  # fmt: skip
"""Message columns an update may set by name. Names reach SQL only after this check.

Not ``parent_id``: a message's place in the tree is fixed when it is added, so a parent always
exists before its children and has a smaller id, and a path can never loop. Not the text
columns: they follow from the blocks."""
ADDABLE = UPDATABLE | {"created_at", "parent_id"}
"""Message columns ``add_message`` takes as keywords (created_at too, for imports)."""


def block_columns(blocks: Sequence[Block]) -> tuple[dict[str, str], list[Attachment]]:
    """The columns a message's blocks decide: the blocks' JSON, the plain text that is searched
    and listed, and the thinking; and the attachments whose bytes were taken out of the JSON,
    to be stored once beside it (``attachments.link``), a reference left in their place.

    The plain text names each attachment by its line (``📎 report.pdf · 12 pages · 1.2 MB``),
    so search finds a session by a file's name; its contents are never searched."""
    items = [block_to_store(block) for block in blocks]
    found = [attachment for item in items if (attachment := detach(item)) is not None]
    columns = {
        "content": plain_text(blocks),
        "thinking": thinking_of(blocks),
        "blocks": json.dumps(items, ensure_ascii=False),  # as ``blocks.blocks_to_json``
    }
    return columns, found


def check_blocks(blocks: object) -> list[Block]:
    """``blocks`` as a list, or ValueError: a caller's mistake is caught before SQL sees it."""
    if isinstance(blocks, str | bytes) or not isinstance(blocks, Sequence):
        raise ValueError(f"blocks must be a list of blocks, not {type(blocks).__name__}")
    checked = list(blocks)
    for block in checked:
        if not isinstance(block, Block):
            raise ValueError(f"blocks must hold blocks, not {type(block).__name__}")
    return checked


def check_fields(fields: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    """Validate message fields in Python rather than with CHECK constraints.

    A new status or column then needs no table rebuild (painful with the FTS table and its
    triggers), and a caller's mistake is a clear ValueError instead of an IntegrityError.
    """
    unknown = sorted(set(fields) - allowed)
    if unknown:
        hint = " (they follow from blocks=)" if DERIVED & set(unknown) else ""
        raise ValueError(f"not a message field that can be set here: {', '.join(unknown)}{hint}")
    checked = dict(fields)
    if "status" in checked:
        if checked["status"] not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}: {checked['status']!r}")
        checked["status"] = str(checked["status"])  # a StrEnum member, stored as plain text
    return checked


def check_text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text, not {type(value).__name__}")
    return str(value)


# --- values: ids and times -------------------------------------------------------------------


def now_iso() -> str:
    """Now, in the store's timestamp format (always with microseconds, so it sorts as text)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def new_session_id() -> str:
    """12 hex digits (48 random bits): short enough to type, a prefix of it shorter still."""
    return uuid.uuid4().hex[:12]


def is_session_id(value: str) -> bool:
    return len(value) == 12 and all(ch in "0123456789abcdef" for ch in value)
