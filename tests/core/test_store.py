"""The session store: schema and files, save points, statuses, search, paging, export/import."""

from __future__ import annotations

import random
import sqlite3
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from claude_tui.core import paths
from claude_tui.core.blocks import TextBlock, ThinkingBlock, blocks_from_text
from claude_tui.core.store import SessionStore, StoreError, title_from
from claude_tui.core.store import connection as store_connection
from claude_tui.core.store import migrations as store_migrations
from claude_tui.core.store import schema as store_schema
from claude_tui.core.store.history import conversation_from_stored


@pytest.fixture
def store() -> Iterator[SessionStore]:
    with SessionStore.open() as opened:
        yield opened


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- files, schema, pragmas ------------------------------------------------------------------


def test_opens_in_the_data_dir_with_private_permissions(store: SessionStore) -> None:
    assert store.path == paths.data_dir() / "sessions.db"
    store.add_message(store.create_session(model="m").id, "user", "hi")  # WAL and SHM exist now
    assert _mode(store.path.parent) == 0o700
    for suffix in ("", "-wal", "-shm"):
        sidecar = store.path.with_name(store.path.name + suffix)
        assert sidecar.exists(), suffix
        assert _mode(sidecar) == 0o600, suffix


def test_existing_loose_permissions_are_tightened() -> None:
    directory = paths.data_dir()
    directory.mkdir(parents=True, mode=0o755)
    directory.chmod(0o755)
    (directory / "sessions.db").touch(mode=0o644)
    (directory / "sessions.db").chmod(0o644)
    with SessionStore.open() as store:
        assert _mode(directory) == 0o700
        assert _mode(store.path) == 0o600


def test_a_sidecar_that_goes_away_while_opening_is_no_error(monkeypatch: Any) -> None:
    """SQLite deletes ``-wal`` and ``-shm`` when the last other connection closes, which can
    happen between seeing a leftover sidecar and tightening it. That was reported as "cannot
    create the session database" and the session was not saved (seen once in a full run)."""
    directory = paths.data_dir()
    directory.mkdir(parents=True, mode=0o700)
    shm = directory / "sessions.db-shm"
    shm.touch(mode=0o644)
    chmod = store_connection.os.chmod

    def closed_meanwhile(path: Any, mode: int) -> None:
        if Path(path) == shm:
            shm.unlink()  # the other connection closed just now
        chmod(path, mode)

    monkeypatch.setattr(store_connection.os, "chmod", closed_meanwhile)
    with SessionStore.open() as store:
        store.add_message(store.create_session(model="m").id, "user", "hi")
        assert _mode(store.path) == 0o600


def test_pragmas(store: SessionStore) -> None:
    conn = store._conn

    def pragma(name: str) -> Any:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]

    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 1  # NORMAL
    assert pragma("busy_timeout") == 5000
    assert pragma("foreign_keys") == 1
    assert pragma("user_version") == store_migrations.SCHEMA_VERSION


def test_migrates_an_empty_file_and_reopening_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    with SessionStore.open(path) as store:
        session = store.create_session(model="m", title="kept")
        schema = store._conn.execute("SELECT type, name, sql FROM sqlite_schema").fetchall()
    for _ in range(2):
        with SessionStore.open(path) as store:
            assert store._conn.execute("PRAGMA user_version").fetchone()[0] == len(
                store_migrations.MIGRATIONS
            )
            assert store._conn.execute("SELECT type, name, sql FROM sqlite_schema").fetchall() == (
                schema
            )
            assert store.get_session(session.id) == session


def test_a_file_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {store_migrations.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        SessionStore.open(path)


def test_a_corrupt_file_is_a_store_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.db"
    path.write_bytes(b"this is not a database at all " * 200)
    with pytest.raises(StoreError, match=r"corrupt\.db") as caught:
        SessionStore.open(path)
    assert "not a database" in str(caught.value)


def test_a_locked_database_is_a_store_error(store: SessionStore, monkeypatch: Any) -> None:
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    store._conn.execute("PRAGMA busy_timeout = 10")  # not the 5 s default, in a test
    try:
        with pytest.raises(StoreError, match="locked"):
            store.create_session(model="m")
    finally:
        other.execute("ROLLBACK")
        other.close()


# --- sessions and messages -------------------------------------------------------------------


def test_add_update_and_flush(store: SessionStore) -> None:
    session = store.create_session(model="claude-x", system="be brief")
    user_id = store.add_message(session.id, "user", "Hello")
    reply_id = store.add_message(
        session.id, "assistant", "", status="streaming", model="claude-x", parent_id=user_id
    )
    listed = store.get_session(session.id)
    assert listed is not None
    assert (listed.message_count, listed.streaming) == (2, True)
    before = listed.updated_at
    time.sleep(0.002)  # the flush's timestamp comes from SQLite, with millisecond resolution
    store.update_message(reply_id, blocks=[ThinkingBlock("hmm"), TextBlock("Hi th", partial=True)])
    flushed = store.get_session(session.id)
    assert flushed is not None and flushed.updated_at > before
    store.update_message(
        reply_id,
        blocks=[ThinkingBlock("hmm", "sig"), TextBlock("Hi there")],
        status="complete",
        stop_reason="end_turn",
        input_tokens=10,
        output_tokens=3,
        cache_creation_tokens=0,
        cache_read_tokens=5,
        ttft_ms=120.5,
        duration_ms=900.0,
    )
    user, reply = store.messages(session.id)
    assert (user.role, user.content, user.status) == ("user", "Hello", "complete")
    assert user.parent_id is None
    assert reply.parent_id == user_id
    assert (reply.content, reply.thinking, reply.status, reply.stop_reason) == (
        "Hi there", "hmm", "complete", "end_turn",
    )  # fmt: skip
    assert reply.blocks == [ThinkingBlock("hmm", "sig"), TextBlock("Hi there")]
    assert user.blocks == [TextBlock("Hello")]
    assert (reply.input_tokens, reply.output_tokens, reply.cache_read_tokens) == (10, 3, 5)
    assert (reply.ttft_ms, reply.duration_ms, reply.model) == (120.5, 900.0, "claude-x")
    done = store.get_session(session.id)
    assert done is not None and not done.streaming


def test_message_field_errors(store: SessionStore) -> None:
    session = store.create_session(model="m")
    with pytest.raises(KeyError):
        store.add_message("nosuchsessio", "user", "hi")
    with pytest.raises(ValueError, match="status"):
        store.add_message(session.id, "assistant", "", status="done")
    with pytest.raises(ValueError, match="role"):
        store.add_message(session.id, "system", "")
    with pytest.raises(ValueError, match="api_key"):
        store.add_message(session.id, "user", "hi", api_key="sk-ant-nope")
    message_id = store.add_message(session.id, "user", "hi")
    with pytest.raises(ValueError, match="session_id"):
        store.update_message(message_id, session_id="x")
    with pytest.raises(KeyError):
        store.update_message(message_id + 100, status="complete")
    with pytest.raises(ValueError, match=r"content.*follow from blocks"):
        store.update_message(message_id, content="x")
    with pytest.raises(ValueError, match="not both"):
        store.add_message(session.id, "user", "hi", blocks=[TextBlock("hi")])
    with pytest.raises(ValueError, match="not both"):
        store.add_message(session.id, "assistant", blocks=[], thinking="t")
    with pytest.raises(ValueError, match="needs its blocks"):
        store.add_message(session.id, "user")
    with pytest.raises(ValueError, match="hold blocks"):
        store.add_message(session.id, "user", blocks=[{"type": "text", "text": "hi"}])
    with pytest.raises(ValueError, match="list of blocks"):
        store.update_message(message_id, blocks="hi")
    assert store.get_session(session.id).message_count == 1  # type: ignore[union-attr]


@pytest.mark.parametrize("status", store_schema.STATUSES)
def test_every_status_is_kept(store: SessionStore, status: str) -> None:
    session = store.create_session(model="m")
    message_id = store.add_message(session.id, "assistant", "x", status=status, error="e")
    assert store.messages(session.id)[0].status == status
    store.update_message(message_id, status="complete")
    assert store.messages(session.id)[0].status == "complete"


@pytest.mark.parametrize(
    "damage",
    ["not json", "", '{"type": "text"}', "[1, 2]", '["text"]', "[" * 100_000, "null"],
)
def test_damaged_blocks_fall_back_to_the_text(store: SessionStore, damage: str) -> None:
    """A blocks value that cannot be read must not stop the session from opening: the message
    comes back as its saved text and thinking."""
    session = store.create_session(model="m")
    store.add_message(session.id, "user", "hello")
    reply = store.add_message(
        session.id, "assistant", blocks=[ThinkingBlock("hm", "sig"), TextBlock("Hi")]
    )
    store._conn.execute("UPDATE messages SET blocks = ? WHERE id = ?", (damage, reply))
    (_, loaded) = store.messages(session.id)
    assert loaded.blocks == blocks_from_text("Hi", "hm") == [ThinkingBlock("hm"), TextBlock("Hi")]
    assert conversation_from_stored(store.messages(session.id)).turns[1].text == "Hi"
    assert store.export_session(session.id)["messages"][1]["content"] == "Hi"


def test_mark_interrupted(store: SessionStore) -> None:
    first = store.create_session(model="m")
    second = store.create_session(model="m")
    store.add_message(first.id, "assistant", "partial one", status="streaming")
    store.add_message(first.id, "assistant", "done", status="complete")
    store.add_message(second.id, "assistant", "partial two", status="streaming")
    stamps = {s.id: s.updated_at for s in store.list_sessions()}
    assert store.mark_interrupted() == 2
    assert [m.status for m in store.messages(first.id)] == ["incomplete", "complete"]
    assert [m.content for m in store.messages(second.id)] == ["partial two"]
    assert not any(s.streaming for s in store.list_sessions())
    assert {s.id: s.updated_at for s in store.list_sessions()} == stamps  # not reordered
    assert store.mark_interrupted() == 0


@pytest.mark.parametrize(
    ("content", "title"),
    [
        ("\n  \n  Hello there  \nsecond line", "Hello there"),
        ("short", "short"),
        ("word " * 30, ("word " * 12).strip() + "…"),
        ("x" * 100, "x" * 60 + "…"),
        ("   ", ""),
    ],
)
def test_title_rule(content: str, title: str) -> None:
    assert title_from(content) == title
    assert len(title_from(content)) <= 61


def test_first_user_message_titles_an_untitled_session(store: SessionStore) -> None:
    session = store.create_session(model="m")
    store.add_message(session.id, "assistant", "I speak first")
    assert store.get_session(session.id).title == ""  # type: ignore[union-attr]
    store.add_message(session.id, "user", "  What is WAL?\nmore")
    store.add_message(session.id, "user", "second question")
    assert store.get_session(session.id).title == "What is WAL?"  # type: ignore[union-attr]
    store.rename_session(session.id, "  Renamed  ")
    store.add_message(session.id, "user", "third")
    assert store.get_session(session.id).title == "Renamed"  # type: ignore[union-attr]
    titled = store.create_session(model="m", title="Given")
    store.add_message(titled.id, "user", "ignored for the title")
    assert store.get_session(titled.id).title == "Given"  # type: ignore[union-attr]


def test_rename_archive_delete_and_cascade(store: SessionStore) -> None:
    keep = store.create_session(model="m")
    gone = store.create_session(model="m")
    store.add_message(keep.id, "user", "kept words")
    first = store.add_message(gone.id, "user", "doomed words")
    store.add_message(gone.id, "assistant", "doomed reply", parent_id=first)
    store.set_archived(keep.id, True)
    assert store.list_sessions() == [store.get_session(gone.id)]
    assert [s.id for s in store.list_sessions(archived=True)] == [keep.id]
    assert store.latest_session() == store.get_session(gone.id)
    store.delete_session(gone.id)
    store.delete_session(gone.id)  # already gone: fine
    assert store.get_session(gone.id) is None
    assert store.messages(gone.id) == []
    assert store._conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 1
    assert store.search_sessions("doomed") == []
    assert store.count_sessions() == 1
    assert store.latest_session() is None  # the only one left is archived
    with pytest.raises(KeyError):
        store.rename_session(gone.id, "x")


def test_resolve_session_id(store: SessionStore) -> None:
    ids = ["abc111111111", "abc222222222", "def333333333"]
    for session_id in ids:
        store.import_session(_export(session_id))
    assert store.resolve_session_id("abc111111111") == "abc111111111"
    assert store.resolve_session_id("ABC1") == "abc111111111"
    assert store.resolve_session_id("d") == "def333333333"
    assert store.resolve_session_id("abc") is None  # ambiguous
    assert store.resolve_session_id("zzz") is None
    assert store.resolve_session_id("") is None


# --- listing and search ----------------------------------------------------------------------


def test_keyset_paging_over_250_sessions(store: SessionStore) -> None:
    rng = random.Random(7)
    stamps = [f"2025-01-{rng.randint(1, 28):02d}T10:00:00.000000+00:00" for _ in range(250)]
    for index, stamp in enumerate(stamps):  # many share a timestamp: the id breaks the tie
        data = _export(f"{index:012x}", created_at=stamp)
        store.import_session(data)
    expected = sorted(
        ((s, f"{i:012x}") for i, s in enumerate(stamps)), reverse=True
    )  # (updated_at DESC, id DESC)
    seen: list[tuple[str, str]] = []
    before = None
    while page := store.list_sessions(limit=37, before=before):
        seen += [(s.updated_at, s.id) for s in page]
        before = seen[-1]
    assert seen == expected
    assert store.count_sessions() == 250


def test_search_messages_and_titles(store: SessionStore) -> None:
    alpha = store.create_session(model="m", title="Alpha notes")
    beta = store.create_session(model="m")
    store.add_message(beta.id, "user", "Tell me about Ünïcode normalisation and café")
    reply = store.add_message(beta.id, "assistant", "", status="streaming")
    store.update_message(reply, blocks=[TextBlock("Streaming text about zebras", partial=True)])
    assert [s.id for s in store.search_sessions("alpha")] == [alpha.id]
    assert [s.id for s in store.search_sessions("normal")] == [beta.id]  # prefix match
    assert [s.id for s in store.search_sessions("cafe")] == [beta.id]  # diacritics folded
    assert [s.id for s in store.search_sessions("unicode")] == [beta.id]
    assert [s.id for s in store.search_sessions("zebra")] == [beta.id]  # flushed text indexed
    store.update_message(reply, blocks=[TextBlock("now about lions")])
    assert store.search_sessions("zebra") == []  # old text left the index
    assert store.search_sessions("tell lions") == []  # every word, in one message
    assert [s.id for s in store.search_sessions("tell about")] == [beta.id]
    store.set_archived(beta.id, True)
    assert [s.id for s in store.search_sessions("lions")] == [beta.id]
    assert store.search_sessions("lions", archived=False) == []


@pytest.mark.parametrize(
    "query",
    ['"', "*", "AND", "(", ")", "NEAR(", '"unbalanced', "a OR", "NOT x", "^", ":", "-x",
     "col:val", "100%", "under_score", "\\", "日本語", "🙂", "\x00", "'; DROP TABLE x; --"],
)  # fmt: skip
def test_search_never_raises_on_awkward_text(store: SessionStore, query: str) -> None:
    session = store.create_session(model="m", title=f"title with {query} inside")
    store.add_message(session.id, "user", f"body with {query} inside")
    assert [s.id for s in store.search_sessions(query)] == [session.id]


def test_search_survives_random_text(store: SessionStore) -> None:
    session = store.create_session(model="m")
    store.add_message(session.id, "user", "some ordinary words")
    rng = random.Random(3)
    alphabet = "\"*()^:-+ANDORNEAR日本é🙂\\%_'\t\n{}[],."
    for _ in range(300):
        store.search_sessions("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))))


def test_like_wildcards_in_titles_are_literal(store: SessionStore) -> None:
    store.create_session(model="m", title="plain title")
    percent = store.create_session(model="m", title="50% off")
    assert [s.id for s in store.search_sessions("%")] == [percent.id]
    assert store.search_sessions("_") == []


# --- export and import -----------------------------------------------------------------------


def _export(session_id: str = "0123456789ab", created_at: str | None = None) -> dict[str, Any]:
    stamp = created_at or "2025-03-04T05:06:07.123456+00:00"
    usage = {"input_tokens": 12, "output_tokens": 34, "cache_creation_tokens": 0,
             "cache_read_tokens": None, "cache_creation_1h_tokens": 0,
             "context_tokens": 12, "web_search_requests": 2,
             "web_fetch_requests": None}  # fmt: skip
    return {
        "id": session_id,
        "title": "Imported ☃",
        "model": "claude-sonnet-5-5",
        "system": "You are terse.",
        "created_at": stamp,
        "updated_at": stamp,
        "messages": [
            {"role": "user", "content": "Question?", "thinking": "", "status": "complete",
             "stop_reason": None, "error": None, "model": None, "usage": dict.fromkeys(usage),
             "ttft_ms": None, "duration_ms": None, "created_at": stamp},
            {"role": "assistant", "content": "Answer, cut", "thinking": "pondering",
             "status": "cancelled", "stop_reason": None, "error": None, "model": "claude-x",
             "usage": usage, "ttft_ms": 250.25, "duration_ms": 1500.0, "created_at": stamp},
            {"role": "assistant", "content": "", "thinking": "", "status": "error",
             "stop_reason": None, "error": "overloaded", "model": "claude-x",
             "usage": dict.fromkeys(usage), "ttft_ms": None, "duration_ms": 30.0,
             "created_at": stamp},
        ],
    }  # fmt: skip


def _with_blocks(export: dict[str, Any]) -> dict[str, Any]:
    """An export from before blocks, as this version writes it again: each message with the
    blocks its text makes, in the store's form."""

    def blocks(message: dict[str, Any]) -> list[dict[str, Any]]:
        made = blocks_from_text(message["content"], message["thinking"])
        return [block.to_api() for block in made]

    return {**export, "messages": [{**m, "blocks": blocks(m)} for m in export["messages"]]}


def test_export_shape(store: SessionStore) -> None:
    session = store.create_session(model="m", system="sys")
    store.add_message(session.id, "user", "hi")
    exported = store.export_session(session.id)
    assert list(exported) == [
        "id", "title", "model", "system", "created_at", "updated_at", "messages",
    ]  # fmt: skip
    assert set(exported["messages"][0]) == {
        "role", "content", "thinking", "blocks", "status", "stop_reason", "error", "model", "usage",
        "ttft_ms", "duration_ms", "created_at",
    }  # fmt: skip
    assert set(exported["messages"][0]["usage"]) == {
        "input_tokens", "output_tokens", "cache_creation_tokens", "cache_read_tokens",
        "cache_creation_1h_tokens", "context_tokens", "web_search_requests", "web_fetch_requests",
    }  # fmt: skip
    with pytest.raises(KeyError):
        store.export_session("nosuchsessio")


def test_round_trip_is_exact_including_id_collision(store: SessionStore) -> None:
    original = _export()
    first_id = store.import_session(original)
    assert first_id == original["id"]
    first = store.export_session(first_id)
    assert first == _with_blocks(original)  # every field and timestamp kept, and blocks added
    second_id = store.import_session(first)  # the id is taken now
    assert second_id != first_id
    second = store.export_session(second_id)
    assert second == {**first, "id": second_id}
    assert store.get_session(second_id).message_count == 3  # type: ignore[union-attr]


def test_round_trip_of_a_live_session(store: SessionStore) -> None:
    session = store.create_session(model="m", system="s")
    store.add_message(session.id, "user", "Write a haiku")
    reply = store.add_message(session.id, "assistant", "", status="streaming", model="m")
    store.update_message(
        reply, blocks=[TextBlock("Old pond")], status="complete", ttft_ms=5, output_tokens=4
    )
    exported = store.export_session(session.id)
    store.delete_session(session.id)
    assert store.import_session(exported) == session.id
    assert store.export_session(session.id) == exported


def test_import_of_a_streaming_message_makes_it_incomplete(store: SessionStore) -> None:
    data = _export()
    data["messages"][1]["status"] = "streaming"
    imported = store.import_session(data)
    assert store.messages(imported)[1].status == "incomplete"
    assert not store.get_session(imported).streaming  # type: ignore[union-attr]


def test_import_tolerates_missing_thinking_and_usage(store: SessionStore) -> None:
    data = _export()
    del data["messages"][0]["thinking"]
    del data["messages"][0]["usage"]
    imported = store.import_session(data)
    assert store.messages(imported)[0].thinking == ""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("messages"), "messages: missing"),
        (lambda d: d.update(title=3), "title: expected text"),
        (lambda d: d.update(created_at="yesterday"), "created_at: expected an ISO-8601"),
        (lambda d: d["messages"][1].update(status="done"), r"messages\[1\]\.status"),
        (lambda d: d["messages"][0].update(role="system"), r"messages\[0\]\.role"),
        (lambda d: d["messages"][1]["usage"].update(input_tokens="9"), r"usage\.input_tokens"),
        (lambda d: d["messages"][1].update(ttft_ms=True), r"messages\[1\]\.ttft_ms"),
        (lambda d: d["messages"].append("text"), r"messages\[3\]: expected an object"),
    ],
)
def test_import_validation_names_the_problem(
    store: SessionStore, change: Any, message: str
) -> None:
    data = _export()
    change(data)
    with pytest.raises(ValueError, match=message):
        store.import_session(data)
    assert store.count_sessions() == 0


def test_import_rejects_non_objects(store: SessionStore) -> None:
    with pytest.raises(ValueError, match="JSON object"):
        store.import_session([])  # type: ignore[arg-type]
