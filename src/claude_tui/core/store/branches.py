"""The queries on a session's tree: its active path, the versions of a message, switching.

A session's messages form a tree through ``parent_id``: an edit or a retry starts a new branch
and deletes nothing. ``sessions.leaf_id`` is the tip of the active branch; the active path is
the way from the root to it (what opening the session shows, see ``MessageQueries.messages``).
"""

from __future__ import annotations

from claude_tui.core.store.connection import StoreConnection
from claude_tui.core.store.schema import MESSAGE_COLUMNS

TIP_SQL = (
    "SELECT coalesce(leaf_id, (SELECT max(id) FROM messages WHERE session_id = sessions.id))"
    " FROM sessions WHERE id = ?"
)
"""The session's active tip; a session without a recorded one (none yet) ends at its newest."""

PATH_SQL = f"""
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


class BranchQueries(StoreConnection):
    """Which version of each message the session shows, and the others beside it."""

    def active_leaf(self, session_id: str) -> int | None:
        """The id of the active path's last message; None for an empty or unknown session."""
        rows = self._rows(TIP_SQL, (session_id,))
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
