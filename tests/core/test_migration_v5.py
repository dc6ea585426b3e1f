"""Schema version 5 (the last request's context of a continued reply) opens older files: their
replies read it as unknown, and the gauge falls back to the sum of the row's input columns."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from claude_tui.core.context_window import context_tokens
from claude_tui.core.store import SessionStore
from claude_tui.core.store import migrations as store_migrations
from claude_tui.core.store.history import conversation_from_stored

STAMP = "2026-11-01T10:00:00.000000+00:00"


def _v4_file(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    for statements in store_migrations.MIGRATIONS[:4]:
        for statement in statements:
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 4")
    conn.execute(
        "INSERT INTO sessions (id, model, created_at, updated_at) VALUES (?, 'm', ?, ?)",
        ("aaaaaaaaaaaa", STAMP, STAMP),
    )
    conn.execute(
        "INSERT INTO messages (session_id, role, content, blocks, created_at)"
        " VALUES ('aaaaaaaaaaaa', 'user', 'q', '[]', ?)",
        (STAMP,),
    )
    conn.execute(
        "INSERT INTO messages (session_id, parent_id, role, content, status, model,"
        " input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens,"
        " cache_creation_1h_tokens, ttft_ms, duration_ms, blocks, created_at)"
        " VALUES ('aaaaaaaaaaaa', 1, 'assistant', 'ok', 'complete', 'm', 300, 10, 20, 5, 0,"
        ' 200.0, 900.0, \'[{"type": "text", "text": "ok"}]\', ?)',
        (STAMP,),
    )
    conn.execute("UPDATE sessions SET leaf_id = 2, updated_at = ?", (STAMP,))
    conn.close()


def test_a_version_4_file_opens_and_its_replies_gauge_their_input_sum(tmp_path: Path) -> None:
    path = tmp_path / "v4.db"
    _v4_file(path)
    with SessionStore.open(path) as store:
        version = store._conn.execute("PRAGMA user_version").fetchone()[0]
        assert version == store_migrations.SCHEMA_VERSION >= 5
        info = store.get_session("aaaaaaaaaaaa")
        assert info is not None and info.updated_at == STAMP  # not an edit
        user, reply = store.messages("aaaaaaaaaaaa")
        assert reply.context_tokens is None
        (_, turn) = conversation_from_stored([user, reply]).turns
        assert turn.metrics is not None and turn.metrics.context_tokens is None
        assert context_tokens(turn.metrics) == 325
        # A continued reply written now keeps its last request's context apart from the sums.
        store.add_message("aaaaaaaaaaaa", "user", "again")
        store.add_message(
            "aaaaaaaaaaaa", "assistant", "sure", status="complete", model="m",
            input_tokens=900, output_tokens=30, context_tokens=400, duration_ms=10.0,
        )  # fmt: skip
        *_, prompt, last = store.messages("aaaaaaaaaaaa")
        (_, again) = conversation_from_stored([prompt, last]).turns
        assert last.context_tokens == 400 and context_tokens(again.metrics) == 400
    with SessionStore.open(path) as store:  # opened again, nothing is migrated twice
        assert len(store.all_messages("aaaaaaaaaaaa")) == 4
