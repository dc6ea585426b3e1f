"""The session store: every conversation, saved in SQLite as it happens.

Everything public is imported from here; each module has one part of it:

* ``connection`` — the file, the connection, its transactions, and :class:`StoreError`;
* ``migrations`` — every schema version, step by step;
* ``schema`` — what the tables hold, and the checks on what is written to them;
* ``rows`` — :class:`SessionInfo`, :class:`StoredMessage` and :func:`title_from`;
* ``sessions``, ``messages``, ``branches`` — the queries, by subject;
* ``attachments`` and ``attachment_json`` — an attached file's bytes, kept once, out of the
  blocks that carry it, and put back on every read;
* ``session_store`` — :class:`SessionStore`: all of them, plus export, import and statistics;
* ``io`` — a session as export JSON and back into the tables;
* ``export`` and ``transcript`` — checking an export file; writing it as JSON or Markdown;
* ``recovery`` — a damaged file set aside and a new one started;
* ``recorder`` — a reply saved while it streams;
* ``history`` — stored messages back into a conversation.
"""

from claude_tui.core.store.connection import StoreError
from claude_tui.core.store.rows import TITLE_LIMIT, SessionInfo, StoredMessage, title_from
from claude_tui.core.store.session_store import SessionStore

__all__ = [
    "TITLE_LIMIT",
    "SessionInfo",
    "SessionStore",
    "StoreError",
    "StoredMessage",
    "title_from",
]
