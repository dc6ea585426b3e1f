"""Schema version 8 (a session's own web search and web fetch): older files open with every
session following the config, nothing bumped; the choice is kept, exported, imported and
checked like the session's model."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from claude_tui.core.store import SessionStore
from claude_tui.core.store import migrations as store_migrations
from claude_tui.core.store.export import validate_export

STAMP = "2026-11-01T10:00:00.000000+00:00"
SESSION = "bbbbbbbbbbbb"


def _v7_file(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    for statements in store_migrations.MIGRATIONS[:7]:
        for statement in statements:
            store_migrations.run_step(conn, statement)
    conn.execute("PRAGMA user_version = 7")
    conn.execute(
        "INSERT INTO sessions (id, model, created_at, updated_at) VALUES (?, 'm', ?, ?)",
        (SESSION, STAMP, STAMP),
    )
    conn.close()


def test_a_version_7_file_opens_with_its_sessions_following_the_config(tmp_path: Path) -> None:
    path = tmp_path / "v7.db"
    _v7_file(path)
    with SessionStore.open(path) as store:
        assert store._conn.execute("PRAGMA user_version").fetchone()[0] == 8
        info = store.get_session(SESSION)
        assert info is not None
        assert (info.web_search, info.web_fetch) == (None, None)
        assert info.updated_at == STAMP  # not an edit
        store.set_session_field(SESSION, "web_search", True)
        store.set_session_field(SESSION, "web_fetch", False)
        info = store.get_session(SESSION)
        assert info is not None and (info.web_search, info.web_fetch) == (True, False)
        assert [s.web_search for s in store.list_sessions()] == [True]
        store.set_session_field(SESSION, "web_search", None)  # back to the config's
        info = store.get_session(SESSION)
        assert info is not None and (info.web_search, info.web_fetch) == (None, False)
        schema = store._conn.execute("SELECT sql FROM sqlite_schema").fetchall()
    with SessionStore.open(path) as store:  # opened again, nothing is migrated twice
        assert store._conn.execute("SELECT sql FROM sqlite_schema").fetchall() == schema


def test_a_new_session_keeps_the_choice_it_is_created_with(tmp_path: Path) -> None:
    with SessionStore.open(tmp_path / "s.db") as store:
        made = store.create_session(model="m", web_search=False, web_fetch=True)
        assert (made.web_search, made.web_fetch) == (False, True)
        read = store.get_session(made.id)
        assert read == made
        plain = store.create_session(model="m")
        assert store.get_session(plain.id) == plain
        assert (plain.web_search, plain.web_fetch) == (None, None)


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("web_search", "on", "web_search must be on, off or None, not 'on'"),
        ("web_fetch", 1, "web_fetch must be on, off or None, not 1"),
        ("model", None, "model must be text, not NoneType"),
        ("title", "x", "not a session setting: title"),
    ],
)
def test_a_wrong_value_is_refused_before_sql_sees_it(
    tmp_path: Path, field: str, value: object, said: str
) -> None:
    with SessionStore.open(tmp_path / "s.db") as store:
        session = store.create_session(model="m")
        with pytest.raises(ValueError, match=said):
            store.set_session_field(session.id, field, value)  # type: ignore[arg-type]
        assert store.get_session(session.id) == session


def test_the_choice_goes_through_export_and_import(tmp_path: Path) -> None:
    with SessionStore.open(tmp_path / "s.db") as store:
        chose = store.create_session(model="m", web_search=True)
        store.add_message(chose.id, "user", "hi")
        follows = store.create_session(model="m")
        store.add_message(follows.id, "user", "hi")
        exported = store.export_session(chose.id)
        assert exported["web_search"] is True and "web_fetch" not in exported
        plain = store.export_session(follows.id)
        assert "web_search" not in plain and "web_fetch" not in plain  # as before version 8

        store.delete_session(chose.id)
        back = store.get_session(store.import_session(exported))
        assert back is not None and (back.web_search, back.web_fetch) == (True, None)
        assert store.export_session(back.id) == exported
        again = store.get_session(store.import_session({**plain, "web_fetch": False}))
        assert again is not None and (again.web_search, again.web_fetch) == (None, False)


@pytest.mark.parametrize("value", ["yes", 1, [True]])
def test_an_export_with_a_wrong_choice_names_the_field(value: object) -> None:
    data = {
        "id": "x", "title": "", "model": "m", "system": "", "created_at": STAMP,
        "updated_at": STAMP, "messages": [], "web_fetch": value,
    }  # fmt: skip
    with pytest.raises(ValueError, match="web_fetch: expected true, false or null"):
        validate_export(data)
    assert validate_export({**data, "web_fetch": None})["web_fetch"] is None
