"""A session as export JSON and back: the shape ``claude-tui export`` writes and ``import`` reads.

The export is the store at full fidelity (every column but the row ids), so an import of an
export gives back the same export. Checking that a document *is* an export is ``export``'s job;
these functions take one that has passed :func:`~claude_tui.core.export.validate_export`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from claude_tui.core.store_rows import SessionInfo, StoredMessage
from claude_tui.core.store_schema import USAGE_COLUMNS, is_session_id, new_session_id

_EXPORT_FIELDS = ("role", "content", "thinking", "status", "stop_reason", "error", "model")
_EXPORT_TAIL = ("ttft_ms", "duration_ms", "created_at")
_SESSION_KEYS = ("title", "model", "system", "created_at", "updated_at")
_IMPORT_COLUMNS = ("session_id", *_EXPORT_FIELDS, *USAGE_COLUMNS, *_EXPORT_TAIL)


def export_session(info: SessionInfo, messages: Sequence[StoredMessage]) -> dict[str, Any]:
    """The session and its messages as export JSON; ``usage`` groups the token counts."""
    return {
        "id": info.id,
        "title": info.title,
        "model": info.model,
        "system": info.system,
        "created_at": info.created_at,
        "updated_at": info.updated_at,
        "messages": [_export_message(message) for message in messages],
    }


def _export_message(message: StoredMessage) -> dict[str, Any]:
    exported = {name: getattr(message, name) for name in _EXPORT_FIELDS}
    exported["usage"] = {name: getattr(message, name) for name in USAGE_COLUMNS}
    exported.update((name, getattr(message, name)) for name in _EXPORT_TAIL)
    return exported


def insert_export(conn: sqlite3.Connection, data: dict[str, Any]) -> str:
    """Insert a validated export in the caller's transaction; returns the session's id.

    The exported id is kept when it is well formed and free, so a round trip through a file gives
    back the same session; otherwise the session gets a new one.
    """
    session_id = data["id"]
    if (
        not is_session_id(session_id)
        or conn.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone()
    ):
        session_id = new_session_id()
    conn.execute(
        "INSERT INTO sessions (id, title, model, system, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (session_id, *(data[key] for key in _SESSION_KEYS)),
    )
    conn.executemany(
        f"INSERT INTO messages ({', '.join(_IMPORT_COLUMNS)})"
        f" VALUES ({', '.join('?' * len(_IMPORT_COLUMNS))})",
        [_import_row(session_id, message) for message in data["messages"]],
    )
    return str(session_id)


def _import_row(session_id: str, message: dict[str, Any]) -> tuple[Any, ...]:
    """Values in ``_IMPORT_COLUMNS`` order; a ``streaming`` row can only be ``incomplete`` now."""
    values = {name: message[name] for name in (*_EXPORT_FIELDS, *_EXPORT_TAIL)}
    values.update(message["usage"])
    if values["status"] == "streaming":
        values["status"] = "incomplete"
    return (session_id, *(values[name] for name in _IMPORT_COLUMNS[1:]))
