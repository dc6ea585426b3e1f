"""Schema version 4 (the hour-long part of cache writes) opens older files and loses nothing.

A version-3 file is built by the store's own first three steps, with a reply that used the cache
before the store kept its TTL; the release's version-2 fixture goes through every step."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from claude_tui.core.store import SessionStore
from claude_tui.core.store import migrations as store_migrations
from claude_tui.core.store.history import conversation_from_stored

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "v2-sessions.db"
SONNET = "claude-sonnet-5-5"
STAMP = "2026-11-01T10:00:00.000000+00:00"


def _v3_file(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    for statements in store_migrations.MIGRATIONS[:3]:
        for statement in statements:
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 3")
    conn.execute(
        "INSERT INTO sessions (id, model, created_at, updated_at) VALUES (?, ?, ?, ?)",
        ("aaaaaaaaaaaa", SONNET, STAMP, STAMP),
    )
    conn.execute(
        "INSERT INTO messages (session_id, role, content, blocks, created_at)"
        " VALUES ('aaaaaaaaaaaa', 'user', 'a long paste', '[]', ?)",
        (STAMP,),
    )
    conn.execute(
        "INSERT INTO messages (session_id, parent_id, role, content, status, model,"
        " input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens, ttft_ms,"
        " duration_ms, blocks, created_at)"
        " VALUES ('aaaaaaaaaaaa', 1, 'assistant', 'ok', 'complete', ?, 3, 10, 20000, 5000,"
        ' 200.0, 900.0, \'[{"type": "text", "text": "ok"}]\', ?)',
        (SONNET, STAMP),
    )
    conn.execute("UPDATE sessions SET leaf_id = 2, updated_at = ?", (STAMP,))
    conn.close()


def test_a_version_3_file_opens_and_its_writes_count_as_five_minute_ones(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    _v3_file(path)
    with SessionStore.open(path) as store:
        version = store._conn.execute("PRAGMA user_version").fetchone()[0]
        assert version == store_migrations.SCHEMA_VERSION >= 4
        info = store.get_session("aaaaaaaaaaaa")
        assert info is not None and info.updated_at == STAMP  # not an edit: the list keeps order
        user, reply = store.messages("aaaaaaaaaaaa")
        assert reply.cache_creation_1h_tokens is None  # not known, rather than a made-up 0
        assert (reply.cache_creation_tokens, reply.cache_read_tokens) == (20_000, 5000)
        (_, turn) = conversation_from_stored([user, reply]).turns
        assert turn.metrics is not None and turn.metrics.cache_creation_1h_tokens == 0
        expected = (3 * 3.0 + 10 * 15.0 + 20_000 * 3.75 + 5000 * 0.30) / 1_000_000
        assert turn.metrics.cost() == pytest.approx(expected)
        assert store.usage_totals().cost() == pytest.approx(expected)
        # A reply written now keeps its hour-long writes in the new column.
        store.add_message("aaaaaaaaaaaa", "user", "again")
        store.add_message(
            "aaaaaaaaaaaa",
            "assistant",
            "sure",
            status="complete",
            model=SONNET,
            input_tokens=3,
            cache_creation_tokens=100,
            cache_creation_1h_tokens=100,
        )
        assert store.all_messages("aaaaaaaaaaaa")[-1].cache_creation_1h_tokens == 100
    # Opened again, nothing is migrated twice.
    with SessionStore.open(path) as store:
        assert len(store.all_messages("aaaaaaaaaaaa")) == 4


def test_the_release_fixture_goes_through_every_step(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    shutil.copyfile(FIXTURE, path)
    with SessionStore.open(path) as store:
        listed = [*store.list_sessions(), *store.list_sessions(archived=True)]
        messages = [m for s in listed for m in store.all_messages(s.id)]
        assert messages and all(m.cache_creation_1h_tokens is None for m in messages)
        assert any(m.cache_read_tokens for m in messages)
        assert store.usage_totals().cache_creation_1h_tokens == 0
