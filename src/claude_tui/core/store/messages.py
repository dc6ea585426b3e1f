"""The queries on messages: adding and updating them, and reading a session's messages back.

A message is its blocks (``core.blocks``); the ``content`` and ``thinking`` columns are derived
from them on every write (``schema.block_columns``), so a caller gives blocks, or, for a message
that is only text (a typed prompt, an old export), the text, from which the blocks follow.

An image's or a document's bytes are not kept in the blocks column: they are stored once in the
``attachments`` table in the same transaction (``attachments.link``), and every read puts them
back (``attachments.read_messages``), so what is read equals what was written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from claude_tui.core.blocks import Block, blocks_from_text, text_of
from claude_tui.core.store import attachments
from claude_tui.core.store.branches import PATH_SQL, TIP_SQL
from claude_tui.core.store.connection import StoreConnection
from claude_tui.core.store.rows import StoredMessage, title_from
from claude_tui.core.store.schema import (
    ADDABLE,
    MESSAGE_COLUMNS,
    ROLES,
    UPDATABLE,
    block_columns,
    check_blocks,
    check_fields,
    check_text,
    now_iso,
)


def given_blocks(content: object, thinking: object, blocks: Sequence[Block] | None) -> list[Block]:
    """The blocks a new message is made of: ``blocks``, or else the text and thinking as blocks.

    Raises ValueError when both or neither are given: the text columns follow from the blocks,
    so a message given both could say two different things.
    """
    if blocks is not None:
        if content is not None or thinking is not None:
            raise ValueError("give a message's blocks or its text, not both")
        return check_blocks(blocks)
    if content is None:
        raise ValueError("a message needs its blocks (or its text)")
    text = check_text(content, "content")
    return blocks_from_text(text, "" if thinking is None else check_text(thinking, "thinking"))


def _check_parent(conn: sqlite3.Connection, session_id: str, parent_id: object) -> None:
    row = conn.execute("SELECT session_id FROM messages WHERE id = ?", (parent_id,)).fetchone()
    if row is None or row[0] != session_id:
        raise ValueError(f"parent_id {parent_id!r} is not a message of session {session_id}")


class MessageQueries(StoreConnection):
    """A session's messages: written as a reply streams, read back when it is opened."""

    def add_message(
        self,
        session_id: str,
        role: str,
        content: str | None = None,
        /,
        *,
        blocks: Sequence[Block] | None = None,
        **fields: Any,
    ) -> int:
        """Add a message and make it the tip of the session's active path; returns its id.

        The message is ``blocks``; or, for a message known only as text, ``content`` (with
        ``thinking=`` if it has any), turned into blocks by ``blocks_from_text``.

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
        thinking = fields.pop("thinking", None)
        message_blocks = given_blocks(content, thinking, blocks)
        columns, found = block_columns(message_blocks)
        fields = check_fields(fields, ADDABLE)
        fields.setdefault("created_at", now_iso())
        fields.update(session_id=session_id, role=str(role), **columns)
        # The prompt's own words, not the line of an attachment before them.
        title = title_from(text_of(message_blocks) or columns["content"]) if role == "user" else ""
        with self._transaction() as conn:
            tip = conn.execute(TIP_SQL, (session_id,)).fetchone()
            if tip is None:
                raise KeyError(session_id)
            if "parent_id" not in fields:
                fields["parent_id"] = tip[0]
            elif fields["parent_id"] is not None:
                _check_parent(conn, session_id, fields["parent_id"])
            names = ", ".join(fields)
            marks = ", ".join("?" * len(fields))
            cursor = conn.execute(
                f"INSERT INTO messages ({names}) VALUES ({marks})", tuple(fields.values())
            )
            conn.execute(
                "UPDATE sessions SET updated_at = max(updated_at, ?), leaf_id = ?,"
                " title = CASE WHEN title = '' THEN ? ELSE title END WHERE id = ?",
                (fields["created_at"], cursor.lastrowid, title, session_id),
            )
            assert cursor.lastrowid is not None
            attachments.link(conn, cursor.lastrowid, found)
        return cursor.lastrowid

    def update_message(
        self, message_id: int, *, blocks: Sequence[Block] | None = None, **fields: Any
    ) -> None:
        """Set some columns of a message, and its blocks if given (with the text derived from
        them); raises KeyError for an unknown message.

        One UPDATE statement: triggers bump the session, its streaming flag and the search index,
        so a once-a-second flush of a streaming reply stays cheap. New blocks also renew the
        message's links to its attachments (one indexed DELETE when it has none, as a reply).
        """
        fields = check_fields(fields, UPDATABLE)
        found = None
        if blocks is not None:
            columns, found = block_columns(check_blocks(blocks))
            fields.update(columns)
        if not fields:
            return
        assignments = ", ".join(f"{name} = ?" for name in fields)
        with self._transaction() as conn:
            cursor = conn.execute(
                f"UPDATE messages SET {assignments} WHERE id = ?", (*fields.values(), message_id)
            )
            if cursor.rowcount and found is not None:
                attachments.link(conn, message_id, found, replacing=True)
        if cursor.rowcount == 0:
            raise KeyError(message_id)

    def messages(self, session_id: str) -> list[StoredMessage]:
        """The session's active path, root to tip: what opening the session shows.

        Versions left behind by edits and retries are not on it; :meth:`all_messages` has them.
        """
        return self._read(PATH_SQL, (session_id,))

    def all_messages(self, session_id: str) -> list[StoredMessage]:
        """Every message of the session, every branch, in the order they were added."""
        return self._read(
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE session_id = ? ORDER BY id",
            (session_id,),
        )

    def _read(self, sql: str, params: tuple[Any, ...]) -> list[StoredMessage]:
        """The messages ``sql`` selects, with their attachments' bytes, read in one snapshot."""
        with self._snapshot() as conn:
            return attachments.read_messages(conn, conn.execute(sql, params).fetchall())

    def mark_interrupted(self) -> int:
        """Mark every reply still ``streaming`` as ``incomplete``; returns how many.

        Call once at start-up: such a row was being written by an app that was killed. Its
        blocks stay as last flushed, those that never saw their stop marked partial.
        """
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE messages SET status = 'incomplete' WHERE status = 'streaming'"
            )
        return cursor.rowcount
