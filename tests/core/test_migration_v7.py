"""Schema version 7 (web searches and fetches kept with a reply) opens older files: their
replies read none, cost what they did, and no session is bumped."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

from claude_tui.core.store import SessionStore
from claude_tui.core.store import migrations as store_migrations
from claude_tui.core.store.history import conversation_from_stored

STAMP = "2026-11-01T10:00:00.000000+00:00"
SESSION = "aaaaaaaaaaaa"


def _v6_file(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    for statements in store_migrations.MIGRATIONS[:6]:
        for statement in statements:
            store_migrations.run_step(conn, statement)
    conn.execute("PRAGMA user_version = 6")
    conn.execute(
        "INSERT INTO sessions (id, model, created_at, updated_at) VALUES (?, 'm', ?, ?)",
        (SESSION, STAMP, STAMP),
    )
    conn.execute(
        "INSERT INTO messages (session_id, role, content, blocks, created_at)"
        " VALUES (?, 'user', 'q', '[]', ?)",
        (SESSION, STAMP),
    )
    conn.execute(
        "INSERT INTO messages (session_id, parent_id, role, content, status, model,"
        " input_tokens, output_tokens, ttft_ms, duration_ms, blocks, created_at)"
        " VALUES (?, 1, 'assistant', 'ok', 'complete', 'claude-sonnet-5-5', 1000, 100,"
        ' 200.0, 900.0, \'[{"type": "text", "text": "ok"}]\', ?)',
        (SESSION, STAMP),
    )
    conn.execute("UPDATE sessions SET leaf_id = 2, updated_at = ?", (STAMP,))
    conn.close()


def test_a_version_6_file_opens_and_its_replies_made_no_searches(tmp_path: Path) -> None:
    path = tmp_path / "v6.db"
    _v6_file(path)
    with SessionStore.open(path) as store:
        version = store._conn.execute("PRAGMA user_version").fetchone()[0]
        assert version == store_migrations.SCHEMA_VERSION >= 7
        info = store.get_session(SESSION)
        assert info is not None and info.updated_at == STAMP  # not an edit
        user, reply = store.messages(SESSION)
        assert (reply.web_search_requests, reply.web_fetch_requests) == (None, None)
        (_, turn) = conversation_from_stored([user, reply]).turns
        assert turn.metrics is not None
        assert (turn.metrics.web_search_requests, turn.metrics.web_fetch_requests) == (0, 0)
        totals = store.usage_totals()
        assert (totals.web_search_requests, totals.web_fetch_requests) == (0, 0)
        assert totals.cost() == turn.metrics.cost() == (1000 * 3.0 + 100 * 15.0) / 1_000_000
        # A reply written now keeps its counts.
        store.add_message(SESSION, "user", "search")
        store.add_message(
            SESSION, "assistant", "found", status="complete", model="claude-sonnet-5-5",
            input_tokens=10, output_tokens=1, web_search_requests=2, web_fetch_requests=1,
            duration_ms=10.0,
        )  # fmt: skip
        totals = store.usage_totals()
        assert totals.web_search_requests == 2
        priced = totals.cost(web_search_price=20.0)
        assert priced is not None
        assert math.isclose(priced, (1010 * 3.0 + 101 * 15.0) / 1_000_000 + 2 * 20.0 / 1000)
        schema = store._conn.execute("SELECT sql FROM sqlite_schema").fetchall()
    with SessionStore.open(path) as store:  # opened again, nothing is migrated twice
        assert store._conn.execute("SELECT sql FROM sqlite_schema").fetchall() == schema
        assert len(store.all_messages(SESSION)) == 4
