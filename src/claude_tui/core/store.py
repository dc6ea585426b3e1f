"""The session store: every conversation, saved in SQLite as it happens.

Timestamps are ISO-8601 UTC strings with microseconds ("2026-11-22T00:50:53.123456+00:00"), so
they sort as text and round-trip exactly. The schema lives in ``store_schema``; this module is the
queries. Nothing here ever sees an API key.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claude_tui.core import paths, store_schema
from claude_tui.core.export import validate_export
from claude_tui.core.store_schema import (
    ADDABLE,
    MESSAGE_COLUMNS,
    ROLES,
    SESSION_COLUMNS,
    UPDATABLE,
    USAGE_COLUMNS,
    check_fields,
    check_text,
    describe_error,
    fts_query,
    is_session_id,
    like_pattern,
    new_session_id,
    now_iso,
)

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
    streaming: bool
    """Some message of the session still has status ``streaming``."""


@dataclass(frozen=True)
class StoredMessage:
    id: int
    session_id: str
    parent_id: int | None
    role: str
    content: str
    thinking: str
    status: str
    stop_reason: str | None
    error: str | None
    model: str | None
    input_tokens: int | None
    output_tokens: int | None
    cache_creation_tokens: int | None
    cache_read_tokens: int | None
    ttft_ms: float | None
    duration_ms: float | None
    created_at: str


class StoreError(Exception):
    """The database cannot be opened or used; the message says what and where."""


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


def _session(row: tuple[Any, ...]) -> SessionInfo:
    session_id, title, model, system, created_at, updated_at, archived, count, streaming = row
    return SessionInfo(
        session_id, title, model, system, created_at, updated_at, bool(archived), count,
        streaming > 0,
    )  # fmt: skip


class SessionStore:
    """One SQLite connection; use one store per thread (open() is cheap after the first)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self._path = path

    @classmethod
    def open(cls, path: Path | None = None) -> SessionStore:
        """Open (creating and migrating as needed) the store at ``path``, default the data dir."""
        own_directory = path is None
        path = path if path is not None else paths.data_dir() / "sessions.db"
        try:
            store_schema.prepare_file(path, own_directory=own_directory)
        except OSError as exc:
            raise StoreError(f"cannot create the session database {path}: {exc}") from exc
        try:
            conn = store_schema.connect(path)
        except sqlite3.Error as exc:
            raise StoreError(describe_error(path, exc)) from exc
        try:
            store_schema.migrate(conn)
        except (sqlite3.Error, store_schema.SchemaTooNewError) as exc:
            conn.close()
            raise StoreError(describe_error(path, exc)) from exc
        return cls(conn, path)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def path(self) -> Path:
        return self._path

    @contextmanager
    def _guard(self) -> Iterator[sqlite3.Connection]:
        """Turn any SQLite failure into a ``StoreError`` that names the file."""
        try:
            yield self._conn
        except sqlite3.Error as exc:
            raise StoreError(describe_error(self._path, exc)) from exc

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; IMMEDIATE so a busy writer is waited for, not a deadlock."""
        with self._guard() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: several queries see one state, and no writer is blocked."""
        with self._guard() as conn:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._guard() as conn:
            return conn.execute(sql, params).fetchall()

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
        return _session(rows[0]) if rows else None

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
        return [_session(row) for row in self._rows(sql, (*params, limit))]

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
        return [_session(row) for row in self._rows(sql, (*params, limit))]

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
        return [StoredMessage(*row) for row in rows]

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
        return {
            "id": info.id,
            "title": info.title,
            "model": info.model,
            "system": info.system,
            "created_at": info.created_at,
            "updated_at": info.updated_at,
            "messages": [_export_message(message) for message in stored],
        }

    def import_session(self, data: dict[str, Any]) -> str:
        """Insert an exported session; returns its id (a new one if the id is taken).

        Raises ValueError naming what is wrong when ``data`` is not an export. A message saved as
        ``streaming`` comes back ``incomplete``: nothing will ever finish writing it.
        """
        data = validate_export(data)
        session_id = data["id"]
        with self._transaction() as conn:
            if (
                not is_session_id(session_id)
                or conn.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone()
            ):
                session_id = new_session_id()
            session_keys = ("title", "model", "system", "created_at", "updated_at")
            conn.execute(
                "INSERT INTO sessions (id, title, model, system, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (session_id, *(data[key] for key in session_keys)),
            )
            conn.executemany(
                f"INSERT INTO messages ({', '.join(_IMPORT_COLUMNS)})"
                f" VALUES ({', '.join('?' * len(_IMPORT_COLUMNS))})",
                [_import_row(session_id, message) for message in data["messages"]],
            )
        return str(session_id)


_EXPORT_FIELDS = ("role", "content", "thinking", "status", "stop_reason", "error", "model")
_EXPORT_TAIL = ("ttft_ms", "duration_ms", "created_at")


def _export_message(message: StoredMessage) -> dict[str, Any]:
    exported = {name: getattr(message, name) for name in _EXPORT_FIELDS}
    exported["usage"] = {name: getattr(message, name) for name in USAGE_COLUMNS}
    exported.update((name, getattr(message, name)) for name in _EXPORT_TAIL)
    return exported


def _import_row(session_id: str, message: dict[str, Any]) -> tuple[Any, ...]:
    """Values in ``_IMPORT_COLUMNS`` order; a ``streaming`` row can only be ``incomplete`` now."""
    values = {name: message[name] for name in (*_EXPORT_FIELDS, *_EXPORT_TAIL)}
    values.update(message["usage"])
    if values["status"] == "streaming":
        values["status"] = "incomplete"
    return (session_id, *(values[name] for name in _IMPORT_COLUMNS[1:]))


_IMPORT_COLUMNS = ("session_id", *_EXPORT_FIELDS, *USAGE_COLUMNS, *_EXPORT_TAIL)
