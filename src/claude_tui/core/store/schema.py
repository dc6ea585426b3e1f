"""How the session database file is created, opened and migrated.

Kept apart from the store's queries so the schema's history reads top to bottom: ``MIGRATIONS``
is append-only, entry *n* takes the file from ``user_version`` *n* to *n + 1*, and a file is
never edited in place by anything else. Old files therefore upgrade by the same steps a new file
is built by, and a test that builds from empty tests every step.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

STATUSES = ("complete", "streaming", "cancelled", "error", "incomplete")
"""Every status a message can have; ``streaming`` rows left at start-up become ``incomplete``."""

ROLES = ("user", "assistant")

BUSY_TIMEOUT_MS = 5000

SESSION_COLUMNS = (
    "id, title, model, system, created_at, updated_at, archived, message_count, streaming_count"
)
MESSAGE_COLUMNS = (
    "id, session_id, parent_id, role, content, thinking, status, stop_reason, error, model,"
    " input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, ttft_ms,"
    " duration_ms, created_at"
)
USAGE_COLUMNS = ("input_tokens", "output_tokens", "cache_creation_tokens", "cache_read_tokens")
UPDATABLE = frozenset(MESSAGE_COLUMNS.replace(" ", "").split(",")) - {
    "id", "session_id", "parent_id", "role", "created_at"
}  # fmt: skip
"""Message columns an update may set. Names reach SQL only after this check.

Not ``parent_id``: a message's place in the tree is fixed when it is added, so a parent always
exists before its children and has a smaller id, and a path can never loop."""
ADDABLE = (UPDATABLE - {"content"}) | {"created_at", "parent_id"}
"""Message columns ``add_message`` takes as keywords (created_at too, for imports)."""

_SQL_NOW = "strftime('%Y-%m-%dT%H:%M:%f000+00:00', 'now')"
"""Now as the store's ISO-8601 text; SQLite only has milliseconds, so the rest is zero-padded."""

_V1: tuple[str, ...] = (
    """CREATE TABLE sessions (
        id TEXT PRIMARY KEY NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        model TEXT NOT NULL DEFAULT '',
        system TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        archived INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
        message_count INTEGER NOT NULL DEFAULT 0,
        streaming_count INTEGER NOT NULL DEFAULT 0
    )""",
    # Matches list_sessions' ORDER BY exactly, so a page is an index range scan, never a sort.
    "CREATE INDEX sessions_by_recency ON sessions (archived, updated_at DESC, id DESC)",
    """CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        parent_id INTEGER REFERENCES messages (id) ON DELETE SET NULL,
        role TEXT NOT NULL,
        content TEXT NOT NULL DEFAULT '',
        thinking TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'complete',
        stop_reason TEXT,
        error TEXT,
        model TEXT,
        input_tokens INTEGER,
        output_tokens INTEGER,
        cache_creation_tokens INTEGER,
        cache_read_tokens INTEGER,
        ttft_ms REAL,
        duration_ms REAL,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX messages_by_session ON messages (session_id, id)",
    # Without it every deleted message would scan the whole table for children to un-parent.
    "CREATE INDEX messages_by_parent ON messages (parent_id) WHERE parent_id IS NOT NULL",
    # Tiny (only live replies), and lets the start-up sweep skip the whole table.
    "CREATE INDEX messages_streaming ON messages (session_id) WHERE status = 'streaming'",
    """CREATE VIRTUAL TABLE messages_fts USING fts5 (
        content, content = 'messages', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, content) VALUES (NEW.id, NEW.content);
    END""",
    """CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, content)
        VALUES ('delete', OLD.id, OLD.content);
    END""",
    """CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages
    WHEN OLD.content IS NOT NEW.content BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, content)
        VALUES ('delete', OLD.id, OLD.content);
        INSERT INTO messages_fts (rowid, content) VALUES (NEW.id, NEW.content);
    END""",
    # The sidebar's message count and streaming flag are kept on the session row, so listing a
    # page never touches the messages table however large it grows.
    """CREATE TRIGGER messages_count_insert AFTER INSERT ON messages BEGIN
        UPDATE sessions SET message_count = message_count + 1,
            streaming_count = streaming_count + (NEW.status = 'streaming')
        WHERE id = NEW.session_id;
    END""",
    """CREATE TRIGGER messages_count_delete AFTER DELETE ON messages BEGIN
        UPDATE sessions SET message_count = message_count - 1,
            streaming_count = streaming_count - (OLD.status = 'streaming')
        WHERE id = OLD.session_id;
    END""",
    """CREATE TRIGGER messages_count_status AFTER UPDATE OF status ON messages
    WHEN OLD.status IS NOT NEW.status BEGIN
        UPDATE sessions
        SET streaming_count = streaming_count + (NEW.status = 'streaming')
            - (OLD.status = 'streaming')
        WHERE id = NEW.session_id;
    END""",
    # Every edit of a message bumps its session, so a streaming flush is one UPDATE statement.
    # Marking a killed reply incomplete at start-up is not an edit: it must not reorder the list.
    f"""CREATE TRIGGER messages_touch_session AFTER UPDATE ON messages
    WHEN NOT (OLD.status = 'streaming' AND NEW.status = 'incomplete') BEGIN
        UPDATE sessions SET updated_at = max(updated_at, {_SQL_NOW}) WHERE id = NEW.session_id;
    END""",
)

_V2: tuple[str, ...] = (
    # Branches. Until now only a reply named a parent (its prompt), and a session was all its
    # messages in id order. Every message now gets the one before it in its session as parent,
    # so an old session becomes one path that reads exactly as it did; then an edit or a retry
    # can start a second path from any message, and nothing is ever deleted to make room.
    # Re-parenting is not an edit: the trigger that bumps a session on every message update is
    # dropped for it (it would move every session to the top of the list) and then restored.
    "DROP TRIGGER messages_touch_session",
    """UPDATE messages SET parent_id = (
        SELECT max(earlier.id) FROM messages AS earlier
        WHERE earlier.session_id = messages.session_id AND earlier.id < messages.id
    )""",
    f"""CREATE TRIGGER messages_touch_session AFTER UPDATE ON messages
    WHEN NOT (OLD.status = 'streaming' AND NEW.status = 'incomplete') BEGIN
        UPDATE sessions SET updated_at = max(updated_at, {_SQL_NOW}) WHERE id = NEW.session_id;
    END""",
    # The tip of the session's active path: what opening it shows, and what a new message
    # follows. Kept explicitly rather than taken to be the newest message: going back to an
    # older version must stick (reopened, the session shows it) before anything is written on
    # it, and choosing a branch is one UPDATE, never a write into the conversation.
    # Not a foreign key: messages are only deleted with their session, and a key would make
    # each of those deletes search the sessions table for rows naming the message.
    "ALTER TABLE sessions ADD COLUMN leaf_id INTEGER",
    "UPDATE sessions SET leaf_id = (SELECT max(id) FROM messages WHERE session_id = sessions.id)",
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1, _V2)
"""Append-only. Never edit an entry that has shipped; add the next one."""

SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNewError(Exception):
    """The file was written by a newer claude-tui; touching it could lose that version's data."""


def prepare_file(path: Path, *, own_directory: bool) -> None:
    """Create the file 0600 before SQLite sees it, so no other user can ever read it.

    SQLite creates ``-wal`` and ``-shm`` with the main file's mode, so they follow. Leftovers
    from an older run are tightened too. The directory is made 0700; an existing one is only
    tightened when it is ours (``own_directory``), never a directory the caller chose.
    """
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    if own_directory:
        os.chmod(directory, 0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    for suffix in ("-wal", "-shm"):
        # Not "if it exists, then chmod": SQLite deletes both when another connection (another
        # thread's store) closes last, which can fall between the two.
        with contextlib.suppress(FileNotFoundError):
            os.chmod(path.with_name(path.name + suffix), 0o600)


def connect(path: Path) -> sqlite3.Connection:
    """Open ``path`` in autocommit mode with the store's pragmas; transactions are explicit."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    return conn


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the file up to ``SCHEMA_VERSION``; returns the version it started at.

    Each step runs in its own write transaction together with its ``user_version`` bump, so a
    crash mid-step leaves the file at the previous version, and two processes opening a new file
    at once cannot both apply a step (the second re-reads the version under the write lock).
    """
    start = user_version(conn)
    if start > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"schema version {start} is newer than this claude-tui knows ({SCHEMA_VERSION})"
        )
    while (version := user_version(conn)) < SCHEMA_VERSION:
        conn.execute("BEGIN IMMEDIATE")
        try:
            if user_version(conn) == version:
                for statement in MIGRATIONS[version]:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return start


# --- values: ids, times, fields --------------------------------------------------------------


def now_iso() -> str:
    """Now, in the store's timestamp format (always with microseconds, so it sorts as text)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def new_session_id() -> str:
    """12 hex digits (48 random bits): short enough to type, a prefix of it shorter still."""
    return uuid.uuid4().hex[:12]


def is_session_id(value: str) -> bool:
    return len(value) == 12 and all(ch in "0123456789abcdef" for ch in value)


def check_fields(fields: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    """Validate message fields in Python rather than with CHECK constraints.

    A new status or column then needs no table rebuild (painful with the FTS table and its
    triggers), and a caller's mistake is a clear ValueError instead of an IntegrityError.
    """
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValueError(f"not a message field that can be set here: {', '.join(unknown)}")
    checked = dict(fields)
    if "status" in checked:
        if checked["status"] not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}: {checked['status']!r}")
        checked["status"] = str(checked["status"])  # a StrEnum member, stored as plain text
    for name in ("content", "thinking"):
        if name in checked:
            checked[name] = check_text(checked[name], name)
    return checked


def check_text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text, not {type(value).__name__}")
    return str(value)


# --- search ----------------------------------------------------------------------------------


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


def describe_error(path: Path, exc: BaseException) -> str:
    """A one-line message that says what is wrong with the database and which file it is."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return f"the session database {path} is locked by another program: {text}"
    if "not a database" in text or "malformed" in text:
        return f"the session database {path} is damaged or not a database: {text}"
    return f"the session database {path} cannot be used: {text}"
