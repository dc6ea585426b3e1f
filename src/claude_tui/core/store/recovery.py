"""What to do with a session database that cannot be opened.

A damaged file is never deleted: it is moved aside with a timestamp (with its WAL and shared
memory files), and the app starts on a fresh store, saying where the old one went. A locked
file is left alone: the message says so, and the app runs without saving.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from claude_tui.core import paths
from claude_tui.core.store import SessionStore, StoreError

DAMAGE_MARKERS = ("not a database", "malformed", "corrupt")


def is_damage(error: StoreError) -> bool:
    """A damaged file (as opposed to a locked or unreadable one)."""
    cause = error.__cause__
    text = str(cause if isinstance(cause, sqlite3.Error) else error).lower()
    return any(marker in text for marker in DAMAGE_MARKERS)


def move_aside(path: Path, now: datetime | None = None) -> Path:
    """Rename ``path`` (and ``-wal``/``-shm`` beside it) to ``<name>.damaged-<stamp>``."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        source = path.with_name(path.name + suffix)
        if source.exists():
            source.rename(target.with_name(target.name + suffix))
    return target


def open_or_recover(path: Path | None = None) -> tuple[SessionStore, str | None]:
    """Open the store; a damaged file is moved aside and a fresh one opened. Returns the store
    and, when something was moved, the notice to show. Other failures raise ``StoreError``."""
    try:
        return SessionStore.open(path), None
    except StoreError as error:
        if not is_damage(error):
            raise
        actual = path if path is not None else paths.data_dir() / "sessions.db"
        moved = move_aside(actual)
        store = SessionStore.open(path)
        return store, (
            f"The session database was damaged ({error}). It was kept as {moved}; "
            "starting with a fresh one."
        )
