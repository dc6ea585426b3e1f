"""The session store: every conversation, saved in SQLite as it happens.

Everything public is imported from here; each module has one part of it:

* ``schema`` — how the file is created, opened and migrated;
* ``connection`` — the connection, its transactions, and :class:`StoreError`;
* ``rows`` — :class:`SessionInfo`, :class:`StoredMessage` and :func:`title_from`;
* ``sessions`` — the queries: sessions, their messages and branches;
* ``io`` and ``export`` — a session as export JSON (and Markdown) and back;
* ``recovery`` — a damaged file set aside and a new one started;
* ``recorder`` — a reply saved while it streams;
* ``history`` — stored messages back into a conversation.
"""

from claude_tui.core.store.connection import StoreError
from claude_tui.core.store.rows import TITLE_LIMIT, SessionInfo, StoredMessage, title_from
from claude_tui.core.store.sessions import SessionStore

__all__ = [
    "TITLE_LIMIT",
    "SessionInfo",
    "SessionStore",
    "StoreError",
    "StoredMessage",
    "title_from",
]
