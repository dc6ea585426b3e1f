"""Schema version 3 (messages keep their blocks) loses nothing of a version-2 database.

``tests/fixtures/v2-sessions.db`` was written by the release before blocks, through its own
store and recorder (``tests/fixtures/make_v2_fixtures.py`` says what it holds). Each test opens a
copy with this version and compares it with what the file held before, read with plain SQL.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from claude_tui.core.blocks import TextBlock, ThinkingBlock, block_to_store, blocks_from_text
from claude_tui.core.store import SessionStore
from claude_tui.core.store import migrations as store_migrations
from claude_tui.core.store.history import conversation_from_stored

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "v2-sessions.db"

V2_MESSAGE_COLUMNS = (
    "id", "session_id", "parent_id", "role", "content", "thinking", "status", "stop_reason",
    "error", "model", "input_tokens", "output_tokens", "cache_creation_tokens",
    "cache_read_tokens", "ttft_ms", "duration_ms", "created_at",
)  # fmt: skip
V2_SESSION_COLUMNS = (
    "id", "title", "model", "system", "created_at", "updated_at", "archived", "message_count",
    "streaming_count", "leaf_id",
)  # fmt: skip


def _copy(tmp_path: Path) -> Path:
    path = tmp_path / "sessions.db"
    shutil.copyfile(FIXTURE, path)
    return path


def _read(path: Path, table: str, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    """Every row of ``table`` as it is in the file, by plain SQL (no store code involved)."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id").fetchall()
    finally:
        conn.close()
    return [dict(zip(columns, row, strict=True)) for row in rows]


@pytest.fixture
def v2(tmp_path: Path) -> tuple[Path, list[dict[str, Any]], list[dict[str, Any]]]:
    """A copy of the fixture, with its sessions and messages as they were before migrating."""
    path = _copy(tmp_path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    conn.close()
    return (
        path,
        _read(path, "sessions", V2_SESSION_COLUMNS),
        _read(path, "messages", V2_MESSAGE_COLUMNS),
    )


def _session_by_title(sessions: list[dict[str, Any]], title: str) -> dict[str, Any]:
    (session,) = [s for s in sessions if s["title"] == title]
    return session


def test_the_fixture_holds_what_it_promises(v2: Any) -> None:
    """The checks below are only as good as the fixture; this says it has every case."""
    _, sessions, messages = v2
    assert len(sessions) == 4
    statuses = {m["status"] for m in messages}
    assert statuses == {"complete", "cancelled", "error", "incomplete"}
    assert any(m["thinking"] for m in messages)
    assert any(m["status"] == "error" and m["error"] for m in messages)
    assert any(m["output_tokens"] and m["cache_read_tokens"] for m in messages)
    assert any(m["ttft_ms"] and m["duration_ms"] for m in messages)
    assert any(s["archived"] for s in sessions)
    branched = _session_by_title(sessions, "Rust — ownership & lifetimes 🦀")
    newest = max(m["id"] for m in messages if m["session_id"] == branched["id"])
    assert branched["leaf_id"] != newest  # the active path is not the newest branch


def test_every_session_and_message_is_kept(v2: Any) -> None:
    path, sessions, messages = v2
    with SessionStore.open(path) as store:
        version = store._conn.execute("PRAGMA user_version").fetchone()[0]
        assert version == store_migrations.SCHEMA_VERSION
        for before in sessions:
            info = store.get_session(before["id"])
            assert info is not None
            assert (
                info.title, info.model, info.system, info.created_at, info.updated_at,
                info.archived, info.message_count, info.streaming,
            ) == (
                before["title"], before["model"], before["system"], before["created_at"],
                before["updated_at"], bool(before["archived"]), before["message_count"],
                before["streaming_count"] > 0,
            )  # fmt: skip
            assert store.active_leaf(before["id"]) == before["leaf_id"]
        migrated = [m for s in sessions for m in store.all_messages(s["id"])]
    assert len(migrated) == len(messages)
    by_id = {m.id: m for m in migrated}
    for before in messages:
        after = by_id[before["id"]]
        for column in V2_MESSAGE_COLUMNS:
            assert getattr(after, column) == before[column], (before["id"], column)
        assert after.blocks == blocks_from_text(before["content"], before["thinking"])


def test_the_blocks_column_is_what_blocks_from_text_gives(v2: Any) -> None:
    """Checked on the column itself: reading a message falls back to exactly these blocks when
    the column cannot be read, so only the raw JSON shows the migration wrote them."""
    path, _, messages = v2
    SessionStore.open(path).close()
    conn = sqlite3.connect(path)
    stored = dict(conn.execute("SELECT id, blocks FROM messages").fetchall())
    conn.close()
    for before in messages:
        expected = blocks_from_text(before["content"], before["thinking"])
        assert json.loads(stored[before["id"]]) == [block_to_store(b) for b in expected]


def test_the_list_order_and_timestamps_are_unchanged(v2: Any) -> None:
    path, sessions, _ = v2
    order = {
        archived: [
            s["id"]
            for s in sorted(sessions, key=lambda s: (s["updated_at"], s["id"]), reverse=True)
            if s["archived"] == archived
        ]
        for archived in (0, 1)
    }
    with SessionStore.open(path) as store:
        assert [s.id for s in store.list_sessions()] == order[0]
        assert [s.id for s in store.list_sessions(archived=True)] == order[1]
    assert _read(path, "sessions", V2_SESSION_COLUMNS) == sessions


def test_branches_and_active_paths_are_kept(v2: Any) -> None:
    path, sessions, _ = v2
    branched = _session_by_title(sessions, "Rust — ownership & lifetimes 🦀")["id"]
    with SessionStore.open(path) as store:
        path_texts = [m.content for m in store.messages(branched)]
        assert path_texts == [
            "Explain ownership in Rust 🦀 — naïvely, please",
            "Ownership means every value has exactly one owner. When the owner goes out of "
            "scope, the value is dropped.",
            "And borrowing?",
            "Borrowing lends a reference (&T or &mut T) without moving the value.",
        ]
        everything = store.all_messages(branched)
        first_reply, edited = everything[1], everything[4]
        assert edited.content == "And lifetimes? ✨"
        assert store.siblings(edited.id) == [everything[2].id, edited.id]
        cancelled, failed, retried = everything[5:]
        assert store.siblings(retried.id) == [cancelled.id, failed.id, retried.id]
        assert (cancelled.status, cancelled.content) == (
            "cancelled", "Lifetimes are how the compiler",
        )  # fmt: skip
        assert cancelled.blocks == [
            ThinkingBlock("Lifetimes… start with scopes"),
            TextBlock("Lifetimes are how the compiler"),
        ]
        assert (failed.status, failed.content) == ("error", "A lifetime names")
        assert failed.error == "The API is overloaded (HTTP 529); try again in a moment."
        assert retried.status == "complete" and retried.thinking
        assert first_reply.thinking == (
            "The user wants a simple take; start from one owner per value."
        )
        assert (first_reply.input_tokens, first_reply.output_tokens) == (120, 85)
        assert first_reply.cache_creation_tokens == 1024
        assert store.branch_counts(branched) == {
            everything[2].id: 2, edited.id: 2, cancelled.id: 3, failed.id: 3, retried.id: 3,
        }  # fmt: skip
        # Switching to the newest branch still works on the migrated tree.
        assert store.switch_branch(edited.id) == retried.id
        assert [m.id for m in store.messages(branched)][-2:] == [edited.id, retried.id]


def test_an_interrupted_reply_stays_incomplete_with_its_thinking(v2: Any) -> None:
    path, sessions, _ = v2
    counting = _session_by_title(sessions, "Count to a thousand")["id"]
    with SessionStore.open(path) as store:
        first, _, _, killed = store.messages(counting)
        assert first.stop_reason is None and store.messages(counting)[1].stop_reason == (
            "max_tokens"
        )
        assert (killed.status, killed.content, killed.thinking) == (
            "incomplete", "Pages in a B-tree\n", "Five, seven, five.",
        )  # fmt: skip
        assert killed.blocks == [
            ThinkingBlock("Five, seven, five."),
            TextBlock("Pages in a B-tree\n"),
        ]
        turns = conversation_from_stored(store.messages(counting)).turns
    assert [turn.status for turn in turns][-1] == "incomplete"
    assert turns[-1].text == "Pages in a B-tree\n"
    assert turns[-1].thinking == "Five, seven, five."


def test_search_still_finds_messages_and_titles(v2: Any) -> None:
    path, sessions, _ = v2

    def ids(*titles: str) -> list[str]:
        return [_session_by_title(sessions, title)["id"] for title in titles]

    with SessionStore.open(path) as store:
        assert [s.id for s in store.search_sessions("borrowing")] == ids(
            "Rust — ownership & lifetimes 🦀"
        )
        assert [s.id for s in store.search_sessions("haiku")] == ids("Count to a thousand")
        assert [s.id for s in store.search_sessions("tres bien", archived=False)] == []
        assert [s.id for s in store.search_sessions("tres bien", archived=True)] == ids(
            "Ça va? Ünïcödé ✓ — e\u0301 and Ω"  # a combining accent, kept as it was
        )
        assert [s.id for s in store.search_sessions("compiler")] == ids(
            "Rust — ownership & lifetimes 🦀"
        )  # a branch off the active path is searched too
        # A message written after the migration is indexed from its blocks' plain text.
        session = store.create_session(model="m")
        store.add_message(session.id, "assistant", blocks=[TextBlock("zeppelins")])
        assert [s.id for s in store.search_sessions("zeppelin")] == [session.id]


@pytest.mark.parametrize(
    ("content", "thinking"),
    [
        ("", ""),
        ("", "only thinking"),
        ("text", ""),
        ('quotes " and \\ backslashes \\n and a tab\t', "new\nlines\r\n"),
        ("control \x01\x1b[2J and emoji 🦀 and 日本語", "e\u0301 combining"),
        ('{"type": "text", "text": "not a block"}', "[1, 2]"),
    ],
)
def test_migration_sql_agrees_with_blocks_from_text(
    tmp_path: Path, content: str, thinking: str
) -> None:
    """The SQL that fills the column, on texts the fixture does not have."""
    path = tmp_path / "edge.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for statements in store_migrations.MIGRATIONS[:2]:
        for statement in statements:
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 2")
    conn.execute(
        "INSERT INTO sessions (id, created_at, updated_at) VALUES ('aaaaaaaaaaaa', 't', 't')"
    )
    conn.execute(
        "INSERT INTO messages (session_id, role, content, thinking, created_at)"
        " VALUES ('aaaaaaaaaaaa', 'assistant', ?, ?, 't')",
        (content, thinking),
    )
    conn.close()
    with SessionStore.open(path) as store:
        (message,) = store.all_messages("aaaaaaaaaaaa")
        raw = store._conn.execute("SELECT blocks FROM messages").fetchone()[0]
    expected = blocks_from_text(content, thinking)
    assert json.loads(raw) == [block_to_store(block) for block in expected]
    assert message.blocks == expected
    assert (message.content, message.thinking) == (content, thinking)
