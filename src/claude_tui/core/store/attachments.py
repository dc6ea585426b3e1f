"""The ``attachments`` table: each attached file's bytes kept once, whichever messages use it.

A row is keyed by the hex SHA-256 of the bytes, so the same file sent in many turns or many
sessions is one row (``INSERT OR IGNORE``). ``message_attachments`` says which message uses
which row; deleting a message (with its session, by cascade) deletes its links, and a trigger
frees a row when its last link goes, in the same transaction (migration 6). Nothing refers to
the file the bytes came from: the session keeps them after it is deleted or edited.

Only reads of a session's messages touch these tables: the list, search and statistics read
``sessions`` and ``messages``, whose rows hold references, never the bytes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any

from claude_tui.core.store.attachment_json import Attachment, references
from claude_tui.core.store.rows import StoredMessage, message_from_row
from claude_tui.core.store.schema import MESSAGE_COLUMNS, now_iso

_BLOCKS = MESSAGE_COLUMNS.replace(" ", "").split(",").index("blocks")
_CHUNK = 500
"""SHA-256s per ``IN (...)``: far below SQLite's limit on bound values."""


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def link(
    conn: sqlite3.Connection,
    message_id: int,
    found: Iterable[Attachment],
    *,
    replacing: bool = False,
) -> None:
    """Store ``found`` (each once) and record that ``message_id`` uses them, in the caller's
    transaction. ``replacing``: the message's blocks were rewritten, so links to anything it no
    longer holds go (and an attachment nothing else uses with them).

    Part of migration 6's contract (``migrations._keep_attachments_once`` calls it on version 5
    files): changing what it writes changes what that migration does, pinned by
    ``tests/core/test_migration_v6.py``."""
    unique = {attachment.sha256: attachment for attachment in found}
    if replacing:
        keep = sorted(unique)
        conn.execute(
            "DELETE FROM message_attachments WHERE message_id = ?"
            f" AND sha256 NOT IN ({', '.join('?' * len(keep))})",
            (message_id, *keep),
        )
    for sha256, attachment in unique.items():
        # Checked first so a file stored already is not bound (copied) again: a 30 MB PDF
        # sent in a second turn costs a lookup, not another 30 MB through SQLite.
        if conn.execute("SELECT 1 FROM attachments WHERE sha256 = ?", (sha256,)).fetchone() is None:
            conn.execute(
                "INSERT INTO attachments (sha256, media_type, size, created_at, data)"
                " VALUES (?, ?, ?, ?, ?)",
                (sha256, attachment.media_type, len(attachment.data), now_iso(), attachment.data),
            )
        conn.execute(
            "INSERT OR IGNORE INTO message_attachments (message_id, sha256) VALUES (?, ?)",
            (message_id, sha256),
        )


def fetch(conn: sqlite3.Connection, wanted: Collection[str]) -> dict[str, bytes]:
    """The bytes of the attachments with these SHA-256s; one missing is simply not there."""
    stored: dict[str, bytes] = {}
    for chunk in _chunks(sorted(wanted)):
        rows = conn.execute(
            f"SELECT sha256, data FROM attachments WHERE sha256 IN ({', '.join('?' * len(chunk))})",
            tuple(chunk),
        )
        stored.update((str(sha256), bytes(data)) for sha256, data in rows)
    return stored


def read_messages(conn: sqlite3.Connection, rows: Sequence[tuple[Any, ...]]) -> list[StoredMessage]:
    """Rows of ``SELECT {MESSAGE_COLUMNS}`` as messages, their attachments' bytes put back.

    One query for all the rows' attachments (per 500 of them), not one per block; only the
    rows whose blocks hold a reference are read for them (a substring test, then their JSON).
    Run it in the transaction that read the rows, so no delete comes between."""
    wanted: set[str] = set()
    for row in rows:
        text = row[_BLOCKS]
        if isinstance(text, str) and '"stored"' in text:
            wanted |= references(text)
    stored = fetch(conn, wanted) if wanted else {}
    return [message_from_row(row, stored) for row in rows]
