"""How the session database's tables came to be: every schema version, step by step.

``MIGRATIONS`` is append-only: entry *n* takes the file from ``user_version`` *n* to *n + 1*,
and a file is never edited in place by anything else. Old files therefore upgrade by the same
steps a new file is built by, and a test that builds from empty tests every step. A step that
rewrites rows drops the trigger that bumps a session on every message update first, and restores
it after: rewriting how a message is kept is not an edit, and must not reorder the list.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from claude_tui.core.store import attachments
from claude_tui.core.store.attachment_json import detach

Step = str | Callable[[sqlite3.Connection], None]
"""One statement of a migration, or, where SQL alone cannot do it (hashing), a function run
in the step's transaction (:func:`run_step`)."""

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

_V3: tuple[str, ...] = (
    # Blocks. A message is a list of content blocks (text, thinking with its signature, tool
    # calls and results, kinds the app does not know yet), kept as the JSON of
    # ``blocks.blocks_to_json``. ``content`` stays, derived from the blocks as plain text, for
    # search (the FTS index reads it) and the list; ``thinking`` stays too, derived likewise.
    # Every existing message gets the blocks ``blocks.blocks_from_text(content, thinking)``
    # gives: its thinking (no signature was ever saved) as a thinking block if there is any,
    # then its text as a text block (also when empty, unless there was thinking).
    "DROP TRIGGER messages_touch_session",
    "ALTER TABLE messages ADD COLUMN blocks TEXT NOT NULL DEFAULT '[]'",
    """UPDATE messages SET blocks = CASE
        WHEN thinking = '' THEN json_array(json_object('type', 'text', 'text', content))
        WHEN content = '' THEN
            json_array(json_object('type', 'thinking', 'thinking', thinking, 'signature', ''))
        ELSE json_array(
            json_object('type', 'thinking', 'thinking', thinking, 'signature', ''),
            json_object('type', 'text', 'text', content)
        )
    END""",
    f"""CREATE TRIGGER messages_touch_session AFTER UPDATE ON messages
    WHEN NOT (OLD.status = 'streaming' AND NEW.status = 'incomplete') BEGIN
        UPDATE sessions SET updated_at = max(updated_at, {_SQL_NOW}) WHERE id = NEW.session_id;
    END""",
)

_V4: tuple[str, ...] = (
    # Prompt caching. A cache write that lives an hour costs 2x the input price, one that lives
    # 5 minutes 1.25x, so the cost needs to know how many of a reply's writes were which: this
    # is the hour-long part of ``cache_creation_tokens``. Older replies get NULL, read as none
    # (the app never asked for an hour before). Adding a nullable column rewrites no row, so it
    # neither touches the FTS index nor bumps any session.
    "ALTER TABLE messages ADD COLUMN cache_creation_1h_tokens INTEGER",
)

_V5: tuple[str, ...] = (
    # Continued replies. A reply cut short and continued is one row holding the token counts
    # of all its requests, summed, for its cost; the context window it left is only the last
    # request's input (uncached, cache reads, cache writes), kept here so a reopened session's
    # gauge and send check read that, not the sum. Older rows get NULL, read as the sum of the
    # row's input columns (right for any reply of one request). No row is rewritten.
    "ALTER TABLE messages ADD COLUMN context_tokens INTEGER",
)


def _keep_attachments_once(conn: sqlite3.Connection) -> None:
    """Version 6's rewrite of saved messages: each image or document block that holds its
    file's bytes inline gives them to ``attachments`` and keeps a reference (``attachment_json``),
    exactly as a message written from now on. Only the ``blocks`` column changes: ``content``
    (the search index's) already named the file rather than holding it.

    Rows are found by a substring test first and read one at a time, so an old file with large
    inline images is never all in memory at once.

    Unlike the other steps, this one runs live code, not fixed SQL: ``attachment_json.detach``
    and ``attachments.link`` are part of this migration's contract. A change to either changes
    what migration 6 writes (in files it has yet to migrate), so it must keep what they write
    readable as before; ``tests/core/test_migration_v6.py`` pins their output on a fixed
    input."""
    candidates = conn.execute(
        "SELECT id FROM messages WHERE instr(blocks, '\"image\"') OR instr(blocks, '\"document\"')"
    ).fetchall()
    for (message_id,) in candidates:
        (text,) = conn.execute("SELECT blocks FROM messages WHERE id = ?", (message_id,)).fetchone()
        try:
            items = json.loads(text)
        except (TypeError, ValueError, RecursionError):
            continue  # damaged: read back from its text columns, as before; left untouched
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            continue
        found = [attachment for item in items if (attachment := detach(item)) is not None]
        if found:
            conn.execute(
                "UPDATE messages SET blocks = ? WHERE id = ?",
                (json.dumps(items, ensure_ascii=False), message_id),
            )
            attachments.link(conn, message_id, found)


_V6: tuple[Step, ...] = (
    # Attachments, kept once. An image or document block sent the file inline (base64, or a
    # text source's text), and the blocks column kept it so: the same file in ten turns was ten
    # copies. Now the bytes live here once, keyed by their SHA-256, and the block keeps a
    # reference under the app's mark. ``data`` is the last column, so reading the others never
    # reads a blob's overflow pages; a rowid table, as rows this large want.
    """CREATE TABLE attachments (
        sha256 TEXT PRIMARY KEY NOT NULL,
        media_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        data BLOB NOT NULL
    )""",
    # Which message uses which attachment: by message (the primary key) when a message is
    # deleted or rewritten, by attachment (the index) to know whether any use is left.
    """CREATE TABLE message_attachments (
        message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        sha256 TEXT NOT NULL REFERENCES attachments (sha256),
        PRIMARY KEY (message_id, sha256)
    ) WITHOUT ROWID""",
    "CREATE INDEX message_attachments_by_sha256 ON message_attachments (sha256)",
    # The last use gone (its message deleted with its session, or rewritten without it), the
    # bytes go too, in that same transaction. Cascades fire it as any delete does.
    """CREATE TRIGGER attachments_free AFTER DELETE ON message_attachments
    WHEN NOT EXISTS (SELECT 1 FROM message_attachments WHERE sha256 = OLD.sha256) BEGIN
        DELETE FROM attachments WHERE sha256 = OLD.sha256;
    END""",
    # Saved messages move their inline bytes in; not an edit, so no session is bumped.
    "DROP TRIGGER messages_touch_session",
    _keep_attachments_once,
    f"""CREATE TRIGGER messages_touch_session AFTER UPDATE ON messages
    WHEN NOT (OLD.status = 'streaming' AND NEW.status = 'incomplete') BEGIN
        UPDATE sessions SET updated_at = max(updated_at, {_SQL_NOW}) WHERE id = NEW.session_id;
    END""",
)

_V7: tuple[str, ...] = (
    # Web search and web fetch. The server counts a reply's searches and fetches apart from its
    # tokens (``usage.server_tool_use``), and a search is priced per search, so the cost of a
    # reopened session, and /stats over every session, need the count kept with the reply; a
    # fetch costs only its tokens, but is counted for /stats. Older rows get NULL, read as
    # none (the app never sent the tools before). No row is rewritten.
    "ALTER TABLE messages ADD COLUMN web_search_requests INTEGER",
    "ALTER TABLE messages ADD COLUMN web_fetch_requests INTEGER",
)

_V8: tuple[str, ...] = (
    # Web search and web fetch, per session. ``/web`` sets them for one conversation, kept with
    # it as its model is: 1 on, 0 off, NULL for a session that never said, which follows the
    # config's ``web_search`` / ``web_fetch``. Older sessions get NULL, so they behave as they
    # did. Adding nullable columns rewrites no row and bumps no session.
    "ALTER TABLE sessions ADD COLUMN web_search INTEGER",
    "ALTER TABLE sessions ADD COLUMN web_fetch INTEGER",
)

MIGRATIONS: tuple[tuple[Step, ...], ...] = (_V1, _V2, _V3, _V4, _V5, _V6, _V7, _V8)
"""Append-only. Never edit an entry that has shipped; add the next one."""

SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNewError(Exception):
    """The file was written by a newer claude-tui; touching it could lose that version's data."""


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def run_step(conn: sqlite3.Connection, step: Step) -> None:
    """Execute one statement of a migration, or call its function."""
    if isinstance(step, str):
        conn.execute(step)
    else:
        step(conn)


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
                for step in MIGRATIONS[version]:
                    run_step(conn, step)
                conn.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return start
