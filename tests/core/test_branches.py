"""Conversation branches: an edit or a retry keeps the earlier exchange as a branch, never deletes.

The migration that turned old sessions into one path, recording branches, the active path the
store hands out, switching and continuing branches, export and import, and ``edit_point``.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from claude_tui.core.blocks import TextBlock
from claude_tui.core.conversation import EditPoint, Turn, edit_point
from claude_tui.core.store import SessionStore
from claude_tui.core.store import migrations as store_migrations
from claude_tui.core.store.export import to_markdown, validate_export
from claude_tui.core.store.history import conversation_from_stored
from claude_tui.core.store.recorder import ReplyRecorder
from claude_tui.core.store.transcript import active_path

from .recording import exchange as _exchange


@pytest.fixture
def store() -> Iterator[SessionStore]:
    with SessionStore.open() as opened:
        yield opened


def _contents(messages: list[Any]) -> list[str]:
    return [message.content for message in messages]


def _saved(recorder: ReplyRecorder) -> tuple[str, int, int]:
    """The session, prompt and reply ids of an exchange that had a prompt."""
    session_id, prompt, reply = (
        recorder.session_id, recorder.user_message_id, recorder.reply_message_id,
    )  # fmt: skip
    assert session_id is not None and prompt is not None and reply is not None
    return session_id, prompt, reply


def _two_exchanges(store: SessionStore) -> tuple[str, list[int]]:
    """q1 a1 q2 a2; returns the session id and the four message ids."""
    session_id, q1, a1 = _saved(_exchange(store, None, "q1", "a1"))
    _, q2, a2 = _saved(_exchange(store, session_id, "q2", "a2"))
    return session_id, [q1, a1, q2, a2]


def _updated_at(store: SessionStore, session_id: str) -> str:
    info = store.get_session(session_id)
    assert info is not None
    return info.updated_at


# --- the migration ---------------------------------------------------------------------------


def _v1_file(path: Path) -> None:
    """A file as the first schema left it: only replies have a parent, one came from a retry
    (no parent at all), and one session has no messages."""
    conn = sqlite3.connect(path, isolation_level=None)
    for statement in store_migrations.MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    sessions = [
        ("aaaaaaaaaaaa", "2025-01-01T00:00:00.000000+00:00"),
        ("bbbbbbbbbbbb", "2025-01-02T00:00:00.000000+00:00"),
        ("cccccccccccc", "2025-01-03T00:00:00.000000+00:00"),
    ]
    for session_id, stamp in sessions:
        conn.execute(
            "INSERT INTO sessions (id, title, created_at, updated_at) VALUES (?, 't', ?, ?)",
            (session_id, stamp, stamp),
        )
    rows = [  # (id, session, parent, role, content), interleaved across sessions as in real use
        (1, "aaaaaaaaaaaa", None, "user", "a-q1"),
        (2, "bbbbbbbbbbbb", None, "user", "b-q1"),
        (3, "aaaaaaaaaaaa", 1, "assistant", "a-r1"),
        (4, "bbbbbbbbbbbb", 2, "assistant", ""),
        (5, "bbbbbbbbbbbb", None, "assistant", "b-retry"),
        (6, "aaaaaaaaaaaa", None, "user", "a-q2"),
        (7, "aaaaaaaaaaaa", 6, "assistant", "a-r2"),
    ]
    conn.executemany(
        "INSERT INTO messages (id, session_id, parent_id, role, content, created_at)"
        " VALUES (?, ?, ?, ?, ?, '2025-01-01T00:00:00.000000+00:00')",
        rows,
    )
    conn.close()


def test_migration_makes_each_old_session_one_path(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    _v1_file(path)
    with SessionStore.open(path) as store:
        version = store._conn.execute("PRAGMA user_version").fetchone()[0]
        assert version == store_migrations.SCHEMA_VERSION
        a = store.all_messages("aaaaaaaaaaaa")
        assert [(m.id, m.parent_id) for m in a] == [(1, None), (3, 1), (6, 3), (7, 6)]
        b = store.all_messages("bbbbbbbbbbbb")
        assert [(m.id, m.parent_id) for m in b] == [(2, None), (4, 2), (5, 4)]
        for session_id, leaf in (("aaaaaaaaaaaa", 7), ("bbbbbbbbbbbb", 5)):
            assert store.active_leaf(session_id) == leaf
            # The session reads exactly as it did: every message, in id order.
            assert store.messages(session_id) == store.all_messages(session_id)
        assert store.active_leaf("cccccccccccc") is None
        assert store.messages("cccccccccccc") == []
        assert store.branch_counts("aaaaaaaaaaaa") == {}


def test_migration_does_not_reorder_the_session_list(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    _v1_file(path)
    conn = sqlite3.connect(path)
    before = conn.execute("SELECT id, updated_at FROM sessions ORDER BY id").fetchall()
    conn.close()
    with SessionStore.open(path) as store:
        after = store._conn.execute("SELECT id, updated_at FROM sessions ORDER BY id").fetchall()
        assert after == before  # re-parenting is not an edit
        # ...and the trigger that bumps a session on a real edit is back.
        store.update_message(7, blocks=[TextBlock("a-r2, edited")])
        bumped = store.get_session("aaaaaaaaaaaa")
        assert bumped is not None and bumped.updated_at > before[0][1]
        store.add_message("aaaaaaaaaaaa", "user", "a-q3")  # follows the migrated tip
        assert _contents(store.messages("aaaaaaaaaaaa"))[-2:] == ["a-r2, edited", "a-q3"]


# --- recording branches ----------------------------------------------------------------------


def test_add_message_follows_the_tip_and_becomes_it(store: SessionStore) -> None:
    session = store.create_session(model="m")
    assert store.active_leaf(session.id) is None
    first = store.add_message(session.id, "user", "one")
    second = store.add_message(session.id, "assistant", "two")
    third = store.add_message(session.id, "user", "three")
    assert [m.parent_id for m in store.messages(session.id)] == [None, first, second]
    assert store.active_leaf(session.id) == third
    assert store.branch_count(second) == 1


def test_an_edit_is_a_branch_and_messages_is_the_active_path(store: SessionStore) -> None:
    session_id, (q1, a1, q2, a2) = _two_exchanges(store)
    edited_session, q2b, a2b = _saved(
        _exchange(store, session_id, "q2, better", "a2, better", parent_id=a1)
    )
    assert edited_session == session_id

    path = store.messages(session_id)
    assert _contents(path) == ["q1", "a1", "q2, better", "a2, better"]
    assert [m.parent_id for m in path] == [None, q1, a1, q2b]
    assert store.active_leaf(session_id) == a2b
    everything = store.all_messages(session_id)  # nothing was deleted
    assert [m.id for m in everything] == [q1, a1, q2, a2, q2b, a2b]
    assert len(store.all_messages(session_id)) == 6

    assert store.siblings(q2) == store.siblings(q2b) == [q2, q2b]
    assert store.branch_count(q2b) == 2
    assert store.branch_count(a2b) == store.branch_count(a2) == 1
    assert store.branch_counts(session_id) == {q2: 2, q2b: 2}
    with pytest.raises(KeyError):
        store.siblings(10_000)


def test_the_next_message_after_an_edit_continues_the_new_branch(store: SessionStore) -> None:
    session_id, (_, a1, _, _) = _two_exchanges(store)
    _exchange(store, session_id, "q2, better", "a2, better", parent_id=a1)
    _exchange(store, session_id, "q3", "a3")  # the UI names no parent: the active tip
    assert _contents(store.messages(session_id)) == [
        "q1", "a1", "q2, better", "a2, better", "q3", "a3",
    ]  # fmt: skip


def test_editing_the_first_prompt_starts_a_new_root(store: SessionStore) -> None:
    session_id, (q1, _, _, _) = _two_exchanges(store)
    edited = _exchange(store, session_id, "q1, again", "a1, again", parent_id=None)
    path = store.messages(session_id)
    assert _contents(path) == ["q1, again", "a1, again"]
    assert path[0].parent_id is None
    assert store.siblings(q1) == [q1, edited.user_message_id]
    assert len(store.all_messages(session_id)) == 6


def test_a_retry_reply_is_a_second_version_of_the_reply(store: SessionStore) -> None:
    session_id, question, old_reply = _saved(_exchange(store, None, "question", ""))
    retry = _exchange(store, session_id, None, "the answer", parent_id=question)
    new_reply = retry.reply_message_id
    assert retry.user_message_id is None and new_reply is not None
    path = store.messages(session_id)
    assert _contents(path) == ["question", "the answer"]
    assert path[1].parent_id == question
    assert store.siblings(new_reply) == [old_reply, new_reply]


def test_a_retry_naming_no_parent_follows_the_tip_as_before(store: SessionStore) -> None:
    failed = _exchange(store, None, "question", "")
    retry = _exchange(store, failed.session_id, None, "the answer")
    assert retry.session_id is not None
    assert _contents(store.messages(retry.session_id)) == ["question", "", "the answer"]


def test_a_parent_must_be_a_message_of_the_session(store: SessionStore) -> None:
    mine = store.create_session(model="m")
    other = store.create_session(model="m")
    foreign = store.add_message(other.id, "user", "elsewhere")
    with pytest.raises(ValueError, match="not a message of session"):
        store.add_message(mine.id, "user", "hi", parent_id=foreign)
    with pytest.raises(ValueError, match="not a message of session"):
        store.add_message(mine.id, "user", "hi", parent_id=foreign + 100)
    with pytest.raises(KeyError):
        store.add_message("nosuchsessio", "user", "hi", parent_id=foreign)
    assert store.all_messages(mine.id) == []
    with pytest.raises(ValueError, match="parent_id"):  # a place in the tree is fixed
        store.update_message(foreign, parent_id=None)


def test_a_recorder_whose_session_is_gone_ignores_its_parent(store: SessionStore) -> None:
    session_id, (_, a1, _, _) = _two_exchanges(store)
    store.delete_session(session_id)
    new_session, _, _ = _saved(_exchange(store, session_id, "q2, better", "a2", parent_id=a1))
    assert new_session != session_id
    assert _contents(store.messages(new_session)) == ["q2, better", "a2"]


def test_switching_back_to_an_old_branch_and_continuing_it(store: SessionStore) -> None:
    session_id, (_, a1, q2, a2) = _two_exchanges(store)
    _exchange(store, session_id, "q2, better", "a2, better", parent_id=a1)
    stamp = _updated_at(store, session_id)
    assert store.switch_branch(q2) == a2  # the newest message below it
    assert _contents(store.messages(session_id)) == ["q1", "a1", "q2", "a2"]
    assert _updated_at(store, session_id) == stamp

    time.sleep(0.002)
    _exchange(store, session_id, "q3 on the old branch", "a3")
    # The newest message is on the old branch now, but the tip is what says so, not its age:
    assert _contents(store.messages(session_id))[2:] == ["q2", "a2", "q3 on the old branch", "a3"]
    newer = store.all_messages(session_id)[-1].id
    assert store.switch_branch(a1) == newer  # a1's newest descendant
    better = next(m.id for m in store.all_messages(session_id) if m.content == "q2, better")
    store.switch_branch(better)
    assert _contents(store.messages(session_id))[2:] == ["q2, better", "a2, better"]
    with pytest.raises(KeyError):
        store.switch_branch(10_000)


def test_deleting_a_branched_session_leaves_nothing(store: SessionStore) -> None:
    session_id, (_, a1, _, _) = _two_exchanges(store)
    _exchange(store, session_id, "q2, better", "a2, better", parent_id=a1)
    store.delete_session(session_id)
    assert store._conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 0
    assert store.messages(session_id) == store.all_messages(session_id) == []


# --- what the UI gets back -------------------------------------------------------------------


def test_history_turns_carry_their_message_ids(store: SessionStore) -> None:
    session_id, (_, a1, _, _) = _two_exchanges(store)
    edited = _exchange(store, session_id, "q2, better", "a2, better", parent_id=a1)
    turns = conversation_from_stored(store.messages(session_id)).turns
    assert [t.message_id for t in turns] == [m.id for m in store.messages(session_id)]
    assert edit_point(turns) == EditPoint(2, a1, True)
    assert turns[2].message_id == edited.user_message_id


def test_edit_point() -> None:
    assert edit_point([]) is None
    assert edit_point([Turn.from_text("assistant", "hello", message_id=1)]) is None
    assert edit_point([Turn.from_text("user", "q", message_id=1)]) == EditPoint(0, None, True)
    turns = [
        Turn.from_text("user", "q1", message_id=1),
        Turn.from_text("assistant", "a1", message_id=2),
        Turn.from_text("user", "q2", message_id=3),
        Turn.from_text("assistant", "", message_id=4),
        Turn.from_text("assistant", "a2, retried", message_id=5),
    ]
    point = edit_point(turns)
    assert point == EditPoint(2, 2, True)
    assert point is not None and turns[point.turn_index].message_id == 3  # a retry's parent
    turns[1].message_id = None  # the reply was never saved
    assert edit_point(turns) == EditPoint(2, None, False)


# --- export and import -----------------------------------------------------------------------


def _branched(store: SessionStore) -> str:
    """q1 a1 q2 a2, an edit q2b a2b, a retry of a2b, and the active path back on a2."""
    session_id, (_, a1, q2, _) = _two_exchanges(store)
    edited = _exchange(store, session_id, "q2b", "a2b", parent_id=a1)
    _exchange(store, session_id, None, "a2b again", parent_id=edited.user_message_id)
    store.switch_branch(q2)
    return session_id


def test_export_writes_branch_points_and_the_leaf(store: SessionStore) -> None:
    exported = store.export_session(_branched(store))
    assert [m["content"] for m in exported["messages"]] == [
        "q1", "a1", "q2", "a2", "q2b", "a2b", "a2b again",
    ]  # fmt: skip
    assert [m.get("parent", "-") for m in exported["messages"]] == ["-", "-", "-", "-", 1, "-", 4]
    assert exported["leaf"] == 3
    assert list(exported)[-2:] == ["leaf", "messages"]


def test_export_import_round_trip_keeps_every_branch(store: SessionStore) -> None:
    session_id = _branched(store)
    original = store.export_session(session_id)
    path = [m.content for m in store.messages(session_id)]
    everything = [(m.role, m.content) for m in store.all_messages(session_id)]

    copy_id = store.import_session(original)  # the id is taken: new session, new row ids
    assert copy_id != session_id
    assert store.export_session(copy_id) == {**original, "id": copy_id}
    assert [m.content for m in store.messages(copy_id)] == path
    assert [(m.role, m.content) for m in store.all_messages(copy_id)] == everything
    copied_ids = {m.id for m in store.all_messages(copy_id)}
    assert all(
        m.parent_id is None or m.parent_id in copied_ids for m in store.all_messages(copy_id)
    )  # the ids were re-mapped into the copy, never pointing back at the original
    q2b = store.all_messages(copy_id)[4]
    assert store.branch_count(q2b.id) == 2

    store.delete_session(session_id)
    assert store.import_session(original) == session_id
    assert store.export_session(session_id) == original


def test_an_export_without_branch_fields_imports_as_one_path(store: SessionStore) -> None:
    session = store.create_session(model="m")
    for role, text in (("user", "q"), ("assistant", ""), ("assistant", "retry")):
        store.add_message(session.id, role, text)
    exported = store.export_session(session.id)
    assert "leaf" not in exported
    assert all("parent" not in m for m in exported["messages"])  # as before branches existed
    imported = store.import_session({**exported, "id": "x"})
    assert _contents(store.messages(imported)) == ["q", "", "retry"]
    ids = [m.id for m in store.messages(imported)]
    assert [m.parent_id for m in store.messages(imported)] == [None, ids[0], ids[1]]


def test_markdown_is_the_active_path_and_names_versions(store: SessionStore) -> None:
    session_id = _branched(store)
    text = to_markdown(store.export_session(session_id))
    assert (
        "\nq2b\n" not in text and "\na2b" not in text
    )  # whole lines: the session id is random hex
    assert "\nq2\n\n> *Version 1 of 2; the JSON export keeps all of them.*" in text
    store.switch_branch(store.all_messages(session_id)[-1].id)
    text = to_markdown(store.export_session(session_id))
    assert "\nq2\n" not in text
    assert "\nq2b\n\n> *Version 2 of 2;" in text
    assert "\na2b again\n\n> *Version 2 of 2;" in text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["messages"][1].update(parent=1), r"messages\[1\]\.parent"),
        (lambda d: d["messages"][2].update(parent=5), r"messages\[2\]\.parent"),
        (lambda d: d["messages"][1].update(parent=-1), r"messages\[1\]\.parent"),
        (lambda d: d["messages"][1].update(parent=True), r"messages\[1\]\.parent"),
        (lambda d: d.update(leaf=3), "leaf: expected"),
        (lambda d: d.update(leaf="2"), "leaf: expected"),
    ],
)
def test_import_checks_branch_fields(store: SessionStore, change: Any, message: str) -> None:
    session = store.create_session(model="m")
    for text in ("q", "a", "q again"):
        store.add_message(session.id, "user", text)
    data = store.export_session(session.id)
    change(data)
    with pytest.raises(ValueError, match=message):
        store.import_session(data)


def test_validate_fills_in_the_defaults() -> None:
    stamp = "2025-01-01T00:00:00+00:00"
    message = {"role": "user", "content": "x", "status": "complete", "stop_reason": None,
               "error": None, "model": None, "ttft_ms": None, "duration_ms": None,
               "created_at": stamp}  # fmt: skip
    root = {**message, "parent": None}
    data = {"id": "x", "title": "", "model": "", "system": "", "created_at": stamp,
            "updated_at": stamp, "messages": [message, message, root]}  # fmt: skip
    checked = validate_export(data)
    assert [m["parent"] for m in checked["messages"]] == [None, 0, None]
    assert checked["leaf"] == 2
    assert validate_export({**data, "messages": []})["leaf"] is None


def test_active_path_of_an_export_never_loops() -> None:
    messages: list[dict[str, Any]] = [{}, {}, {"parent": 0}, {}]
    assert active_path(messages) == [0, 2, 3]
    assert active_path(messages, 1) == [0, 1]
    assert active_path(messages, 99) == [0, 2, 3]  # out of range: the last message
    assert active_path([{}, {"parent": 1}, {"parent": 5}]) == [2]  # hand-edited nonsense
    assert active_path([]) == []
