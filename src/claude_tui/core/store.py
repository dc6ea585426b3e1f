"""The session store: every conversation, saved in SQLite as it happens.

Timestamps are ISO-8601 UTC strings with microseconds ("2026-11-22T00:50:53.123456+00:00"), so
they sort as text and round-trip exactly. This module is the queries; the rest is in modules of
its own, and everything public is imported from here:

* ``store_schema`` — how the file is created, opened and migrated;
* ``store_connection`` — the connection, its transactions, and :class:`StoreError`;
* ``store_rows`` — :class:`SessionInfo`, :class:`StoredMessage` and :func:`title_from`;
* ``store_io`` — a session as export JSON and back.

Nothing here ever sees an API key.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from claude_tui.core import store_io
from claude_tui.core.export import validate_export
from claude_tui.core.store_connection import StoreConnection, StoreError
from claude_tui.core.store_rows import (
    TITLE_LIMIT,
    SessionInfo,
    StoredMessage,
    message_from_row,
    session_from_row,
    title_from,
)
from claude_tui.core.store_schema import (
    ADDABLE,
    MESSAGE_COLUMNS,
    ROLES,
    SESSION_COLUMNS,
    UPDATABLE,
    check_fields,
    check_text,
    fts_query,
    like_pattern,
    new_session_id,
    now_iso,
)

__all__ = [
    "TITLE_LIMIT",
    "SessionInfo",
    "SessionStore",
    "StoreError",
    "StoredMessage",
    "title_from",
]


class SessionStore(StoreConnection):
    """The queries: sessions and their messages. Open one with :meth:`open`, one per thread."""

    def create_session(self, *, model: str, system: str = "", title: str = "") -> SessionInfo:
        now = now_iso()
        for _ in range(5):  # 48 random bits: a collision is rare, five in a row is impossible
            session_id = new_session_id()
            try:
                with self._transaction() as conn:
                    conn.execute(
                        "INSERT INTO sessions (id, title, model, system, created_at, updated_at)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (session_id, title, model, system, now, now),
                    )
            except StoreError as exc:
                if not isinstance(exc.__cause__, sqlite3.IntegrityError):
                    raise
                continue
            return SessionInfo(session_id, title, model, system, now, now, False, 0, False)
        raise StoreError(f"{self._path}: could not find a free session id")

    def get_session(self, session_id: str) -> SessionInfo | None:
        rows = self._rows(f"SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?", (session_id,))
        return session_from_row(rows[0]) if rows else None

    def resolve_session_id(self, id_or_prefix: str) -> str | None:
        """The id itself, or the one id starting with this prefix; None if none or several."""
        prefix = id_or_prefix.strip().lower()
        if not prefix:
            return None
        if self._rows("SELECT 1 FROM sessions WHERE id = ?", (prefix,)):
            return prefix
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)  # a primary-key range scan, not LIKE
        rows = self._rows(
            "SELECT id FROM sessions WHERE id >= ? AND id < ? LIMIT 2", (prefix, upper)
        )
        return str(rows[0][0]) if len(rows) == 1 else None

    def latest_session(self) -> SessionInfo | None:
        page = self.list_sessions(limit=1)
        return page[0] if page else None

    def list_sessions(
        self, *, limit: int = 100, before: tuple[str, str] | None = None, archived: bool = False
    ) -> list[SessionInfo]:
        """Newest first; pass the last row's ``(updated_at, id)`` as ``before`` for the next page.

        Keyset paging walks the recency index from where the last page ended, so page 100 costs
        what page 1 costs (OFFSET would read and throw away every row before it).
        """
        sql = f"SELECT {SESSION_COLUMNS} FROM sessions WHERE archived = ?"
        params: tuple[Any, ...] = (int(archived),)
        if before is not None:
            sql += " AND (updated_at, id) < (?, ?)"
            params += tuple(before)
        sql += " ORDER BY updated_at DESC, id DESC LIMIT ?"
        return [session_from_row(row) for row in self._rows(sql, (*params, limit))]

    def search_sessions(
        self, query: str, *, limit: int = 100, archived: bool | None = None
    ) -> list[SessionInfo]:
        """Sessions whose title has every word, or one of whose messages does; newest first.

        Message text is matched per word as a prefix through FTS5; titles by substring (LIKE,
        case-blind for ASCII). Blank text lists the sessions instead. ``archived`` None: both.
        """
        words = query.split()
        if not words:
            return self.list_sessions(limit=limit, archived=bool(archived))
        title_match = " AND ".join(["title LIKE ? ESCAPE '\\'"] * len(words))
        where = f"({title_match})"
        params: list[Any] = [like_pattern(word) for word in words]
        match = fts_query(query)
        if match is not None:
            where += (
                " OR id IN (SELECT m.session_id FROM messages_fts f"
                " JOIN messages m ON m.id = f.rowid WHERE messages_fts MATCH ?)"
            )
            params.append(match)
        if archived is not None:
            where = f"archived = ? AND ({where})"
            params.insert(0, int(archived))
        sql = (
            f"SELECT {SESSION_COLUMNS} FROM sessions WHERE {where}"
            " ORDER BY updated_at DESC, id DESC LIMIT ?"
        )
        return [session_from_row(row) for row in self._rows(sql, (*params, limit))]

    def count_sessions(self, *, archived: bool | None = None) -> int:
        """How many sessions there are (``archived`` None: all of them)."""
        if archived is None:
            return int(self._rows("SELECT count(*) FROM sessions")[0][0])
        sql = "SELECT count(*) FROM sessions WHERE archived = ?"
        return int(self._rows(sql, (int(archived),))[0][0])

    def _update_session(self, session_id: str, column: str, value: Any) -> None:
        with self._transaction() as conn:
            cursor = conn.execute(
                f"UPDATE sessions SET {column} = ?, updated_at = max(updated_at, ?) WHERE id = ?",
                (value, now_iso(), session_id),
            )
        if cursor.rowcount == 0:
            raise KeyError(session_id)

    def rename_session(self, session_id: str, title: str) -> None:
        """Set the title; raises KeyError for an unknown session."""
        self._update_session(session_id, "title", title.strip())

    def set_archived(self, session_id: str, archived: bool) -> None:
        """Archive or restore; raises KeyError for an unknown session."""
        self._update_session(session_id, "archived", int(archived))

    def delete_session(self, session_id: str) -> None:
        """Delete the session and its messages; deleting one already gone is not an error."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    def add_message(self, session_id: str, role: str, content: str, **fields: Any) -> int:
        """Append a message; returns its id. Raises KeyError for an unknown session.

        The session's updated_at moves to the message's created_at (never backwards), and a user
        message gives an untitled session its title.
        """
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}: {role!r}")
        fields = check_fields(fields, ADDABLE)
        fields.setdefault("created_at", now_iso())
        fields.update(session_id=session_id, role=str(role), content=check_text(content, "content"))
        columns = ", ".join(fields)
        marks = ", ".join("?" * len(fields))
        title = title_from(content) if role == "user" else ""
        try:
            with self._transaction() as conn:
                cursor = conn.execute(
                    f"INSERT INTO messages ({columns}) VALUES ({marks})", tuple(fields.values())
                )
                conn.execute(
                    "UPDATE sessions SET updated_at = max(updated_at, ?),"
                    " title = CASE WHEN title = '' THEN ? ELSE title END WHERE id = ?",
                    (fields["created_at"], title, session_id),
                )
        except StoreError as exc:
            if isinstance(exc.__cause__, sqlite3.IntegrityError) and not self.get_session(
                session_id
            ):
                raise KeyError(session_id) from exc
            raise
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def update_message(self, message_id: int, **fields: Any) -> None:
        """Set some columns of a message; raises KeyError for an unknown message.

        One UPDATE statement: triggers bump the session, its streaming flag and the search index,
        so a once-a-second flush of a streaming reply stays cheap.
        """
        fields = check_fields(fields, UPDATABLE)
        if not fields:
            return
        assignments = ", ".join(f"{name} = ?" for name in fields)
        with self._transaction() as conn:
            cursor = conn.execute(
                f"UPDATE messages SET {assignments} WHERE id = ?", (*fields.values(), message_id)
            )
        if cursor.rowcount == 0:
            raise KeyError(message_id)

    def messages(self, session_id: str) -> list[StoredMessage]:
        rows = self._rows(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE session_id = ? ORDER BY id",
            (session_id,),
        )
        return [message_from_row(row) for row in rows]

    def mark_interrupted(self) -> int:
        """Mark every reply still ``streaming`` as ``incomplete``; returns how many.

        Call once at start-up: such a row was being written by an app that was killed.
        """
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE messages SET status = 'incomplete' WHERE status = 'streaming'"
            )
        return cursor.rowcount

    def export_session(self, session_id: str) -> dict[str, Any]:
        """The session at full fidelity, in the shape ``import_session`` reads back exactly."""
        with self._snapshot():  # one snapshot, so no message is half-way through a flush
            info = self.get_session(session_id)
            stored = self.messages(session_id)
        if info is None:
            raise KeyError(session_id)
        return store_io.export_session(info, stored)

    def import_session(self, data: dict[str, Any]) -> str:
        """Insert an exported session; returns its id (a new one if the id is taken).

        Raises ValueError naming what is wrong when ``data`` is not an export. A message saved as
        ``streaming`` comes back ``incomplete``: nothing will ever finish writing it.
        """
        data = validate_export(data)
        with self._transaction() as conn:
            return store_io.insert_export(conn, data)
