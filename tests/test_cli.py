"""The ``claude-tui`` entry point: flags, subcommand wiring, and what happens before the UI."""

from __future__ import annotations

import subprocess
import sys

import pytest

from claude_tui import __version__
from claude_tui.cli.main import build_parser, main, prepare_store
from claude_tui.core.store import SessionStore


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"claude-tui {__version__}"
    with pytest.raises(SystemExit):
        main(["--help"])
    help_text = capsys.readouterr().out
    for word in ("--demo", "--base-url", "--model", "--continue", "--session", "ANTHROPIC_API_KEY"):
        assert word in help_text
    for command in ("sessions", "export", "import"):
        assert command in help_text


def test_python_dash_m_runs_the_same_program() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "claude_tui", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"claude-tui {__version__}"


def test_subcommands_are_wired(capsys: pytest.CaptureFixture[str]) -> None:
    with SessionStore.open() as store:
        session = store.create_session(model="claude-sonnet-5-5")
        store.add_message(session.id, "user", "wired up?")
    assert main(["sessions"]) == 0
    assert "wired up?" in capsys.readouterr().out


def test_continue_and_session_find_their_session() -> None:
    with SessionStore.open() as store:
        older = store.create_session(model="m")
        store.add_message(older.id, "user", "old")
        newer = store.create_session(model="m")
        store.add_message(newer.id, "user", "new")
    parser = build_parser()
    assert prepare_store(parser.parse_args(["--continue"])) == (newer.id, None, None)
    assert prepare_store(parser.parse_args(["--session", older.id[:6]])) == (older.id, None, None)
    assert prepare_store(parser.parse_args([])) == (None, None, None)


def test_unknown_session_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--session", "doesnotexist"]) == 1
    assert "no session matches 'doesnotexist'" in capsys.readouterr().err


def test_start_up_marks_replies_left_streaming_as_incomplete() -> None:
    with SessionStore.open() as store:
        session = store.create_session(model="m")
        store.add_message(session.id, "user", "hi")
        reply = store.add_message(session.id, "assistant", "half a rep", status="streaming")
    prepare_store(build_parser().parse_args([]))
    with SessionStore.open() as store:
        (stored,) = [m for m in store.messages(session.id) if m.id == reply]
    assert stored.status == "incomplete" and stored.content == "half a rep"


def test_a_damaged_database_is_moved_aside_never_deleted() -> None:
    from claude_tui.core.paths import data_dir

    with SessionStore.open() as store:
        store.create_session(model="m")
    db = data_dir() / "sessions.db"
    junk = b"this is not a database at all" * 100
    db.write_bytes(junk)
    for suffix in ("-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)
    _, problem, notice = prepare_store(build_parser().parse_args([]))
    assert problem is None and notice is not None
    assert "damaged" in notice and "fresh" in notice
    (kept,) = [p for p in db.parent.iterdir() if ".damaged-" in p.name and p.suffix != "-wal"]
    assert kept.read_bytes() == junk  # the original, byte for byte
    assert str(kept) in notice
    with SessionStore.open() as store:
        assert store.count_sessions() == 0  # a fresh, working store


def test_a_locked_database_is_reported_and_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    from claude_tui.core.paths import data_dir
    from claude_tui.core.store import connection as store_connection

    # The app waits five seconds for a lock to clear; what happens after is what is tested.
    monkeypatch.setattr(store_connection, "BUSY_TIMEOUT_MS", 100)

    with SessionStore.open() as store:
        store.create_session(model="m")
    db = data_dir() / "sessions.db"
    before = db.read_bytes()
    blocker = sqlite3.connect(db, timeout=0)
    blocker.execute("PRAGMA locking_mode = EXCLUSIVE")
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        from claude_tui.core.store import StoreError
        from claude_tui.core.store.recovery import open_or_recover

        with pytest.raises(StoreError) as raised:
            store, _ = open_or_recover()
            store.count_sessions()  # some failures show only on first use
            store.close()
        assert "locked" in str(raised.value)
    finally:
        blocker.rollback()
        blocker.close()
    assert db.read_bytes() == before
