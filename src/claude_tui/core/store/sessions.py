"""The queries on sessions themselves: creating, finding, listing, searching, renaming,
archiving and deleting them.

Timestamps are ISO-8601 UTC strings with microseconds ("2026-11-22T00:50:53.123456+00:00"), so
they sort as text and round-trip exactly. Nothing here ever sees an API key.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from claude_tui.core.store.connection import StoreConnection, StoreError
from claude_tui.core.store.rows import SessionInfo, session_from_row
from claude_tui.core.store.schema import (
    SESSION_COLUMNS,
    WEB_FIELDS,
    new_session_id,
    now_iso,
    web_column,
)


class SessionQueries(StoreConnection):
    """Sessions as the sidebar and the CLI see them: metadata, never their messages."""

    def create_session(
        self,
        *,
        model: str,
        system: str = "",
        title: str = "",
        web_search: bool | None = None,
        web_fetch: bool | None = None,
    ) -> SessionInfo:
        """A new, empty session; ``web_search``/``web_fetch`` are its own choice (``None``:
        it follows the config's)."""
        now = now_iso()
        web = (web_column(web_search), web_column(web_fetch))
        for _ in range(5):  # 48 random bits: a collision is rare, five in a row is impossible
            session_id = new_session_id()
            try:
                with self._transaction() as conn:
                    conn.execute(
                        "INSERT INTO sessions (id, title, model, system, created_at, updated_at,"
                        " web_search, web_fetch) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (session_id, title, model, system, now, now, *web),
                    )
            except StoreError as exc:
                if not isinstance(exc.__cause__, sqlite3.IntegrityError):
                    raise
                continue
            return SessionInfo(
                session_id, title, model, system, now, now, False, 0, False, web_search, web_fetch
            )
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

        Message text (``content``: the plain text of the blocks) is matched per word as a prefix
        through FTS5; titles by substring (LIKE, case-blind for ASCII). Blank text lists the
        sessions instead. ``archived`` None: both.
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

    def set_session_field(self, session_id: str, field: str, value: str | bool | None) -> None:
        """Change a session's ``model`` or ``system`` prompt (``/model``, ``/system``: text), or
        its own ``web_search`` or ``web_fetch`` (``/web``: on, off, or ``None`` for the
        config's)."""
        if field in ("model", "system"):
            if not isinstance(value, str):
                raise ValueError(f"{field} must be text, not {type(value).__name__}")
            self._update_session(session_id, field, value)
        elif field in WEB_FIELDS:
            if value is not None and not isinstance(value, bool):
                raise ValueError(f"{field} must be on, off or None, not {value!r}")
            self._update_session(session_id, field, web_column(value))
        else:
            raise ValueError(f"not a session setting: {field}")

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


def fts_query(text: str) -> str | None:
    """User text as an FTS5 query that cannot be a syntax error: each word a quoted prefix.

    Words with nothing the tokenizer indexes (``"``, ``*``, ``(``) are dropped; quoting turns
    operators such as ``AND`` or ``NEAR`` into plain words. None when no word is left.
    """
    terms = [
        '"' + word.replace('"', '""') + '"*'
        for word in text.split()
        if any(ch.isalnum() for ch in word)
    ]
    return " ".join(terms) or None


def like_pattern(word: str) -> str:
    """``%word%`` with LIKE's wildcards escaped (use with ``ESCAPE '\\'``)."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
