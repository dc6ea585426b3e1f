"""The store's queries: sessions, their messages and branches.

Timestamps are ISO-8601 UTC strings with microseconds ("2026-11-22T00:50:53.123456+00:00"), so
they sort as text and round-trip exactly. The package's ``__init__`` says where the rest is.

A session's messages form a tree through ``parent_id``: an edit or a retry starts a new branch
and deletes nothing. ``sessions.leaf_id`` is the tip of the active branch;
:meth:`SessionStore.messages` is the path from the root to it, ``all_messages`` every branch
(what an export writes).

Nothing here ever sees an API key.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from claude_tui.core.store import io as store_io
from claude_tui.core.store.connection import StoreConnection, StoreError
from claude_tui.core.store.rows import (
    TITLE_LIMIT,
    SessionInfo,
    StoredMessage,
    message_from_row,
    session_from_row,
    title_from,
)
from claude_tui.core.store.schema import (
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

if TYPE_CHECKING:
    from claude_tui.core.stats import Stats

__all__ = [
    "TITLE_LIMIT",
    "SessionInfo",
    "SessionStore",
    "StoreError",
    "StoredMessage",
    "title_from",
]

_TIP_SQL = (
    "SELECT coalesce(leaf_id, (SELECT max(id) FROM messages WHERE session_id = sessions.id))"
    " FROM sessions WHERE id = ?"
)
"""The session's active tip; a session without a recorded one (none yet) ends at its newest."""

_PATH_SQL = f"""
WITH RECURSIVE path (message_id, depth) AS (
    SELECT coalesce(leaf_id, (SELECT max(id) FROM messages WHERE session_id = sessions.id)), 0
    FROM sessions WHERE id = ?1
    UNION ALL
    SELECT m.parent_id, path.depth + 1 FROM messages AS m JOIN path ON m.id = path.message_id
    WHERE m.session_id = ?1 AND m.parent_id < m.id
)
SELECT {MESSAGE_COLUMNS} FROM path JOIN messages ON messages.id = path.message_id
WHERE messages.session_id = ?1 ORDER BY path.depth DESC
"""
"""The active path, root first: from the tip up through each parent (a primary-key lookup a
step). ``parent_id < id`` always holds, as a parent is added before its children; the walk
checks it anyway, so no damaged row can make it loop."""


def _check_parent(conn: sqlite3.Connection, session_id: str, parent_id: object) -> None:
    row = conn.execute("SELECT session_id FROM messages WHERE id = ?", (parent_id,)).fetchone()
    if row is None or row[0] != session_id:
        raise ValueError(f"parent_id {parent_id!r} is not a message of session {session_id}")


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

    def set_session_field(self, session_id: str, field: str, value: str) -> None:
        """Change a session's ``model`` or ``system`` prompt (``/model``, ``/system``)."""
        if field not in ("model", "system"):
            raise ValueError(f"not a session setting: {field}")
        self._update_session(session_id, field, value)

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
        """Add a message and make it the tip of the session's active path; returns its id.

        Without ``parent_id`` the message follows the active path's tip (the last message
        :meth:`messages` returns). With one it follows that message of the same session, which
        starts a branch when that message already has a follower: how an edit or a retry is
        saved; ``parent_id=None`` starts a new root (an edit of the first prompt). Raises
        KeyError for an unknown session, ValueError for a parent outside it.

        The session's updated_at moves to the message's created_at (never backwards), and a user
        message gives an untitled session its title.
        """
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}: {role!r}")
        fields = check_fields(fields, ADDABLE)
        fields.setdefault("created_at", now_iso())
        fields.update(session_id=session_id, role=str(role), content=check_text(content, "content"))
        title = title_from(content) if role == "user" else ""
        with self._transaction() as conn:
            tip = conn.execute(_TIP_SQL, (session_id,)).fetchone()
            if tip is None:
                raise KeyError(session_id)
            if "parent_id" not in fields:
                fields["parent_id"] = tip[0]
            elif fields["parent_id"] is not None:
                _check_parent(conn, session_id, fields["parent_id"])
            columns = ", ".join(fields)
            marks = ", ".join("?" * len(fields))
            cursor = conn.execute(
                f"INSERT INTO messages ({columns}) VALUES ({marks})", tuple(fields.values())
            )
            conn.execute(
                "UPDATE sessions SET updated_at = max(updated_at, ?), leaf_id = ?,"
                " title = CASE WHEN title = '' THEN ? ELSE title END WHERE id = ?",
                (fields["created_at"], cursor.lastrowid, title, session_id),
            )
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
        """The session's active path, root to tip: what opening the session shows.

        Versions left behind by edits and retries are not on it; :meth:`all_messages` has them.
        """
        return [message_from_row(row) for row in self._rows(_PATH_SQL, (session_id,))]

    def all_messages(self, session_id: str) -> list[StoredMessage]:
        """Every message of the session, every branch, in the order they were added."""
        rows = self._rows(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE session_id = ? ORDER BY id",
            (session_id,),
        )
        return [message_from_row(row) for row in rows]

    def active_leaf(self, session_id: str) -> int | None:
        """The id of the active path's last message; None for an empty or unknown session."""
        rows = self._rows(_TIP_SQL, (session_id,))
        return int(rows[0][0]) if rows and rows[0][0] is not None else None

    def siblings(self, message_id: int) -> list[int]:
        """The versions of a message, oldest first, itself included: the messages of its session
        with the same parent. Raises KeyError for an unknown message."""
        rows = self._rows(
            "SELECT other.id FROM messages AS this JOIN messages AS other"
            " ON other.session_id = this.session_id AND other.parent_id IS this.parent_id"
            " WHERE this.id = ? ORDER BY other.id",
            (message_id,),
        )
        if not rows:
            raise KeyError(message_id)
        return [int(row[0]) for row in rows]

    def branch_count(self, message_id: int) -> int:
        """How many versions of this message there are (1: never edited or retried)."""
        return len(self.siblings(message_id))

    def branch_counts(self, session_id: str) -> dict[int, int]:
        """Message id to its number of versions, for every message of the session that has
        more than one: one query, so opening a session can mark every edited turn at once."""
        rows = self._rows(
            "SELECT id, versions FROM (SELECT id, count(*) OVER (PARTITION BY parent_id)"
            " AS versions FROM messages WHERE session_id = ?) WHERE versions > 1",
            (session_id,),
        )
        return {int(message_id): int(versions) for message_id, versions in rows}

    def switch_branch(self, message_id: int) -> int:
        """Make the active path go through this message; returns the new tip.

        The path goes on to the newest message below it, so going back to an older version
        shows it as it was last continued. Not an edit: the session keeps its place in the
        list. Raises KeyError for an unknown message.
        """
        with self._transaction() as conn:
            row = conn.execute(
                "WITH RECURSIVE below (message_id) AS (SELECT ?1 UNION ALL"
                " SELECT m.id FROM messages AS m JOIN below ON m.parent_id = below.message_id)"
                " SELECT max(message_id), (SELECT session_id FROM messages WHERE id = ?1)"
                " FROM below",
                (message_id,),
            ).fetchone()
            if row[1] is None:
                raise KeyError(message_id)
            conn.execute("UPDATE sessions SET leaf_id = ? WHERE id = ?", row)
        return int(row[0])

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
            stored = self.all_messages(session_id)
            leaf = self.active_leaf(session_id)
        if info is None:
            raise KeyError(session_id)
        return store_io.export_session(info, stored, leaf)

    def import_session(self, data: dict[str, Any]) -> str:
        """Insert an exported session; returns its id (a new one if the id is taken).

        Raises ValueError naming what is wrong when ``data`` is not an export. A message saved as
        ``streaming`` comes back ``incomplete``: nothing will ever finish writing it.
        """
        from claude_tui.core.store.export import validate_export  # not needed at start-up

        data = validate_export(data)
        with self._transaction() as conn:
            return store_io.insert_export(conn, data)

    def usage_totals(self) -> Stats:
        """Statistics of every session, archived ones too, for ``/stats``.

        Every saved message counts, including the branches an edit or a retry left behind:
        their tokens were spent all the same. One aggregate over the messages, grouped by model
        so the cost can be priced per model (with the user's overrides, by the caller), read in
        one snapshot with the sessions count so the two agree. ``stats.TOTALS_COLUMNS`` says
        what each row holds.
        """
        from claude_tui.core.stats import TOTALS_COLUMNS, totals_from_rows  # not at start-up

        with self._snapshot() as conn:
            sessions = int(conn.execute("SELECT count(*) FROM sessions").fetchone()[0])
            rows = conn.execute(
                f"SELECT {TOTALS_COLUMNS} FROM messages GROUP BY coalesce(model, '')"
            ).fetchall()
        return totals_from_rows(sessions, rows)
