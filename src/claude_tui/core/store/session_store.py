"""The session store: every query in one object, and those that span them (export, import,
statistics).

The queries live by subject in ``sessions``, ``messages`` and ``branches``; this class puts them
together, so a caller opens one store and has them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from claude_tui.core.store import io as store_io
from claude_tui.core.store.branches import BranchQueries
from claude_tui.core.store.messages import MessageQueries
from claude_tui.core.store.sessions import SessionQueries

if TYPE_CHECKING:
    from claude_tui.core.stats import Stats


class SessionStore(SessionQueries, MessageQueries, BranchQueries):
    """Sessions, their messages and branches. Open one with :meth:`open`, one per thread."""

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
