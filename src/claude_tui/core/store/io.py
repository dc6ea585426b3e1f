"""A session as export JSON and back: the shape ``claude-tui export`` writes and ``import`` reads.

The export is the store at full fidelity (every column but the row ids), so an import of an
export gives back the same export. Branches are kept as positions, not ids: a message's
``parent`` is the index in ``messages`` of the message it follows, written only where that is not
simply the one before it, and ``leaf``, the active path's tip, only when it is not the last
message. A session that was never edited therefore exports exactly as before branches existed,
and an older export imports as the one straight path it was. An import gives the messages new
row ids and maps the positions onto them. Likewise ``web_search`` and ``web_fetch`` are written
only for a session that chose them itself (``/web``); a file without them imports as a session
that follows the config.

Each message's ``blocks`` are written in the store's form (``blocks.block_to_store``: the API's
JSON plus the app's own marks), and read back exactly. ``content`` and ``thinking`` are written
too, derived from the blocks, so a person (or an older claude-tui, which knows no blocks) can
still read the file. An import takes the blocks when the file has them and derives both texts
from them; an export from before blocks existed has only the texts, and its messages get the
blocks ``blocks_from_text`` makes of them, as the schema migration gives saved messages.

An attachment is in its block as the API takes it, base64 (or a text source's text) and all,
never as the store's reference to its stored bytes: the file stands alone. Imported, the bytes
go to the ``attachments`` table as any written message's do, once however many times the same
file is imported.

Checking that a document *is* an export is ``export``'s job; these functions take one that has
passed :func:`~claude_tui.core.store.export.validate_export`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from claude_tui.core.blocks import Block, block_from_store, block_to_store, blocks_from_text
from claude_tui.core.store import attachments
from claude_tui.core.store.attachment_json import Attachment
from claude_tui.core.store.rows import SessionInfo, StoredMessage
from claude_tui.core.store.schema import (
    USAGE_COLUMNS,
    WEB_FIELDS,
    block_columns,
    is_session_id,
    new_session_id,
    web_column,
)

_EXPORT_HEAD = ("role", "content", "thinking")
_EXPORT_FIELDS = ("status", "stop_reason", "error", "model")
_EXPORT_TAIL = ("ttft_ms", "duration_ms", "created_at")
_SESSION_KEYS = ("title", "model", "system", "created_at", "updated_at")
_IMPORT_COLUMNS = (
    "id", "session_id", "parent_id", "role", "content", "thinking", "blocks",
    *_EXPORT_FIELDS, *USAGE_COLUMNS, *_EXPORT_TAIL,
)  # fmt: skip


def export_session(
    info: SessionInfo, messages: Sequence[StoredMessage], leaf_id: int | None = None
) -> dict[str, Any]:
    """The session and all its messages (in id order) as export JSON; ``usage`` groups the token
    counts, ``parent`` and ``leaf`` place the branches (see the module's docstring)."""
    position = {message.id: index for index, message in enumerate(messages)}
    exported: dict[str, Any] = {
        "id": info.id,
        "title": info.title,
        "model": info.model,
        "system": info.system,
        "created_at": info.created_at,
        "updated_at": info.updated_at,
    }
    for key in WEB_FIELDS:  # only a session's own choice: one that follows the config has none
        if getattr(info, key) is not None:
            exported[key] = getattr(info, key)
    leaf = position.get(leaf_id) if leaf_id is not None else None
    if leaf is not None and leaf != len(messages) - 1:
        exported["leaf"] = leaf
    exported["messages"] = [
        _export_message(message, index, position) for index, message in enumerate(messages)
    ]
    return exported


def _export_message(message: StoredMessage, index: int, position: dict[int, int]) -> dict[str, Any]:
    exported: dict[str, Any] = {}
    parent = position.get(message.parent_id) if message.parent_id is not None else None
    if parent != (index - 1 if index else None):
        exported["parent"] = parent
    exported.update((name, getattr(message, name)) for name in _EXPORT_HEAD)
    exported["blocks"] = [block_to_store(block) for block in message.blocks]
    exported.update((name, getattr(message, name)) for name in _EXPORT_FIELDS)
    exported["usage"] = {name: getattr(message, name) for name in USAGE_COLUMNS}
    exported.update((name, getattr(message, name)) for name in _EXPORT_TAIL)
    return exported


def insert_export(conn: sqlite3.Connection, data: dict[str, Any]) -> str:
    """Insert a validated export in the caller's transaction; returns the session's id.

    The exported id is kept when it is well formed and free, so a round trip through a file gives
    back the same session; otherwise the session gets a new one. Message *i* gets row id
    ``base + i``, ``base`` past every id in use (the transaction holds the write lock), so each
    ``parent`` and the ``leaf`` map to ids with no lookup, and the messages keep their order.
    """
    session_id = data["id"]
    if (
        not is_session_id(session_id)
        or conn.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone()
    ):
        session_id = new_session_id()
    conn.execute(
        "INSERT INTO sessions (id, title, model, system, created_at, updated_at, web_search,"
        " web_fetch) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            session_id,
            *(data[key] for key in _SESSION_KEYS),
            *(web_column(data.get(key)) for key in WEB_FIELDS),
        ),
    )
    base = int(conn.execute("SELECT coalesce(max(id), 0) + 1 FROM messages").fetchone()[0])
    rows, found = [], []
    for index, message in enumerate(data["messages"]):
        row, attached = _import_row(session_id, base, index, message)
        rows.append(row)
        found.append(attached)
    conn.executemany(
        f"INSERT INTO messages ({', '.join(_IMPORT_COLUMNS)})"
        f" VALUES ({', '.join('?' * len(_IMPORT_COLUMNS))})",
        rows,
    )
    for index, attached in enumerate(found):
        attachments.link(conn, base + index, attached)
    if data["leaf"] is not None:
        conn.execute(
            "UPDATE sessions SET leaf_id = ? WHERE id = ?", (base + data["leaf"], session_id)
        )
    return str(session_id)


def _import_row(
    session_id: str, base: int, index: int, message: dict[str, Any]
) -> tuple[tuple[Any, ...], list[Attachment]]:
    """Values in ``_IMPORT_COLUMNS`` order, and the attachments taken out of the blocks; a
    ``streaming`` row can only be ``incomplete`` now."""
    values: dict[str, Any] = {
        name: message[name] for name in ("role", *_EXPORT_FIELDS, *_EXPORT_TAIL)
    }
    values.update(message["usage"])
    columns, found = block_columns(imported_blocks(message))
    values.update(columns)
    if values["status"] == "streaming":
        values["status"] = "incomplete"
    parent = None if message["parent"] is None else base + message["parent"]
    row = (base + index, session_id, parent, *(values[name] for name in _IMPORT_COLUMNS[3:]))
    return row, found


def imported_blocks(message: dict[str, Any]) -> list[Block]:
    """A validated message's blocks: as the file has them, or made from its text and thinking
    when it has none (an export from before blocks existed)."""
    if message["blocks"] is None:
        return blocks_from_text(message["content"], message["thinking"])
    return [block_from_store(item) for item in message["blocks"]]
