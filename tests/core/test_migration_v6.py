"""Schema version 6 (attachments kept once) opens older files: the images and documents their
messages hold inline move into the attachments table, once per content, and read back exactly;
nothing else changes, no session is bumped, a damaged row is left as it was."""

from __future__ import annotations

import base64
import json
import sqlite3
from dataclasses import replace
from pathlib import Path

from claude_tui.core.blocks import Block, TextBlock, blocks_to_json, plain_text
from claude_tui.core.store import SessionStore
from claude_tui.core.store import migrations as store_migrations

from .attached import PNG, attachment_rows, image, link_count, sha, text_document

STAMP = "2026-11-01T10:00:00.000000+00:00"
FIRST, SECOND = "aaaaaaaaaaaa", "bbbbbbbbbbbb"
SHOT = image("shot.png", PNG)
NOTES = text_document("notes.md", "# Notes\nzebra\n")
WRAPPED = replace(
    image("wrapped.png", b"x" * 100),
    raw={  # base64 with line breaks: it would not come back the same, so it stays inline
        "type": "image",
        "source": {
            "type": "base64",
            "media_type": "image/png",
            "data": base64.encodebytes(b"x" * 100).decode(),
        },
    },
)
DAMAGED = '[{"type": "image", "source": {"type": "base64", "data": "AAAA'


def _add(
    conn: sqlite3.Connection, session: str, blocks: list[Block] | str, role: str = "user"
) -> None:
    text = blocks if isinstance(blocks, str) else blocks_to_json(blocks)
    content = "the text" if isinstance(blocks, str) else plain_text(blocks)
    conn.execute(
        "INSERT INTO messages (session_id, parent_id, role, content, blocks, created_at)"
        " VALUES (?, (SELECT max(id) FROM messages WHERE session_id = ?), ?, ?, ?, ?)",
        (session, session, role, content, text, STAMP),
    )


def _v5_file(path: Path) -> None:
    """A version-5 file as the attachments foundation wrote it: the bytes in the blocks."""
    conn = sqlite3.connect(path, isolation_level=None)
    for statements in store_migrations.MIGRATIONS[:5]:
        for statement in statements:
            store_migrations.run_step(conn, statement)
    conn.execute("PRAGMA user_version = 5")
    for session in (FIRST, SECOND):
        conn.execute(
            "INSERT INTO sessions (id, model, created_at, updated_at) VALUES (?, 'm', ?, ?)",
            (session, STAMP, STAMP),
        )
    _add(conn, FIRST, [SHOT, TextBlock("what is this?")])
    _add(conn, FIRST, [TextBlock("a red square")], "assistant")
    _add(conn, SECOND, [SHOT, NOTES, WRAPPED, TextBlock("and these?")])
    _add(conn, SECOND, DAMAGED)
    conn.execute(
        "UPDATE sessions SET leaf_id = (SELECT max(id) FROM messages WHERE session_id = id)"
    )
    conn.close()


def test_a_version_5_file_keeps_its_attachments_once(tmp_path: Path) -> None:
    path = tmp_path / "v5.db"
    _v5_file(path)
    with SessionStore.open(path) as store:
        conn = store._conn
        assert (
            conn.execute("PRAGMA user_version").fetchone()[0]
            == store_migrations.SCHEMA_VERSION
            >= 6
        )
        assert attachment_rows(conn) == {
            sha(PNG): PNG,
            sha(b"# Notes\nzebra\n"): b"# Notes\nzebra\n",
        }
        assert link_count(conn) == 3
        for session in (FIRST, SECOND):
            info = store.get_session(session)
            assert info is not None and info.updated_at == STAMP  # not an edit
        (first_blocks,) = conn.execute("SELECT blocks FROM messages WHERE id = 1").fetchone()
        assert SHOT.source["data"] not in first_blocks and '"stored"' in first_blocks
        assert [m.blocks for m in store.messages(FIRST)] == [
            [SHOT, TextBlock("what is this?")],
            [TextBlock("a red square")],
        ]
        prompt, damaged = store.messages(SECOND)
        assert prompt.blocks == [SHOT, NOTES, WRAPPED, TextBlock("and these?")]
        # Damaged blocks are read from the text, as before, and the row is left untouched.
        assert damaged.blocks == [TextBlock("the text")]
        assert conn.execute("SELECT blocks FROM messages WHERE id = 4").fetchone()[0] == DAMAGED
        assert [s.id for s in store.search_sessions("shot.png")] == [SECOND, FIRST]
        schema = conn.execute("SELECT type, name, sql FROM sqlite_schema").fetchall()
    with SessionStore.open(path) as store:  # opened again, nothing is migrated twice
        assert store._conn.execute("SELECT type, name, sql FROM sqlite_schema").fetchall() == schema
        assert link_count(store._conn) == 3
        # The links the migration made free the bytes as any others do.
        store.delete_session(FIRST)
        assert sha(PNG) in attachment_rows(store._conn)
        store.delete_session(SECOND)
        assert attachment_rows(store._conn) == {}


PNG_SHA = "a9c8a46924afca4e56d7d0dc843f8d78c0e821bbdaa0e303b2607fa55aa7d799"
NOTES_SHA = "132b2ca64d9df17c205c59c183bf12023e21e0c4658e9fa4338e4f2253d4672a"
SHOT_V6 = (
    '{"type": "image", "source": {"type": "base64", "media_type": "image/png"}, '
    '"_claude_tui": {"attachment": {"name": "shot.png", "kind": "image", "media_type": '
    f'"image/png", "size": 1032, "sha256": "{PNG_SHA}", "width": 3, "height": 2}}, '
    f'"stored": {{"sha256": "{PNG_SHA}", "encoding": "base64"}}}}}}'
)
NOTES_V6 = (
    '{"type": "document", "source": {"type": "text", "media_type": "text/plain"}, "title": '
    '"notes.md", "_claude_tui": {"attachment": {"name": "notes.md", "kind": "text", '
    f'"media_type": "text/plain", "size": 14, "sha256": "{NOTES_SHA}"}}, "stored": '
    f'{{"sha256": "{NOTES_SHA}", "encoding": "text"}}}}}}'
)


def test_what_version_6_writes_is_pinned(tmp_path: Path) -> None:
    """Migration 6 runs live code (``attachment_json.detach``, ``attachments.link``): a change
    to either changes what the migration writes into files already migrated by older builds
    and those migrated from now on alike. The rows it writes for a fixed input are pinned here
    byte for byte, so such a change cannot pass unnoticed."""
    path = tmp_path / "v5.db"
    _v5_file(path)
    with SessionStore.open(path) as store:
        conn = store._conn
        rows = dict(conn.execute("SELECT id, blocks FROM messages").fetchall())
        assert rows[1] == f'[{SHOT_V6}, {{"type": "text", "text": "what is this?"}}]'
        assert rows[2] == '[{"type": "text", "text": "a red square"}]'
        wrapped = json.dumps(WRAPPED.raw["source"]["data"])
        assert rows[3] == (
            f'[{SHOT_V6}, {NOTES_V6}, {{"type": "image", "source": {{"type": "base64", '
            f'"media_type": "image/png", "data": {wrapped}}}, "_claude_tui": {{"attachment": '
            '{"name": "wrapped.png", "kind": "image", "media_type": "image/png", "size": 100, '
            '"sha256": "09ecb6ebc8bcefc733f6f2ec44f791abeed6a99edf0cc31519637898aebd52d8", '
            '"width": 3, "height": 2}}}, {"type": "text", "text": "and these?"}]'
        )
        stored = conn.execute("SELECT sha256, media_type, size, data FROM attachments").fetchall()
        assert sorted((s, m, n, bytes(d)) for s, m, n, d in stored) == sorted(
            [(PNG_SHA, "image/png", 1032, PNG), (NOTES_SHA, "text/plain", 14, b"# Notes\nzebra\n")]
        )
        links = conn.execute("SELECT message_id, sha256 FROM message_attachments").fetchall()
        assert sorted(links) == [(1, PNG_SHA), (3, NOTES_SHA), (3, PNG_SHA)]
