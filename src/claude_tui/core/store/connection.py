"""The session store's file and connection: creating the file privately, opening it with the
store's pragmas, transactions, and errors that name it.

Every query of :class:`~claude_tui.core.store.SessionStore` runs through the context managers
here, so any SQLite failure reaches the caller as one :class:`StoreError` that says which file,
and every write is an ``IMMEDIATE`` transaction that waits for a busy writer.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from claude_tui.core import paths
from claude_tui.core.store import migrations

BUSY_TIMEOUT_MS = 5000


class StoreError(Exception):
    """The database cannot be opened or used; the message says what and where."""


def prepare_file(path: Path, *, own_directory: bool) -> None:
    """Create the file 0600 before SQLite sees it, so no other user can ever read it.

    SQLite creates ``-wal`` and ``-shm`` with the main file's mode, so they follow. Leftovers
    from an older run are tightened too. The directory is made 0700; an existing one is only
    tightened when it is ours (``own_directory``), never a directory the caller chose.
    """
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    if own_directory:
        os.chmod(directory, 0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    for suffix in ("-wal", "-shm"):
        # Not "if it exists, then chmod": SQLite deletes both when another connection (another
        # thread's store) closes last, which can fall between the two.
        with contextlib.suppress(FileNotFoundError):
            os.chmod(path.with_name(path.name + suffix), 0o600)


def connect(path: Path) -> sqlite3.Connection:
    """Open ``path`` in autocommit mode with the store's pragmas; transactions are explicit."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    return conn


def describe_error(path: Path, exc: BaseException) -> str:
    """A one-line message that says what is wrong with the database and which file it is."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return f"the session database {path} is locked by another program: {text}"
    if "not a database" in text or "malformed" in text:
        return f"the session database {path} is damaged or not a database: {text}"
    return f"the session database {path} cannot be used: {text}"


class StoreConnection:
    """One SQLite connection; use one store per thread (open() is cheap after the first)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self._path = path

    @classmethod
    def open(cls, path: Path | None = None) -> Self:
        """Open (creating and migrating as needed) the store at ``path``, default the data dir."""
        own_directory = path is None
        path = path if path is not None else paths.data_dir() / "sessions.db"
        try:
            prepare_file(path, own_directory=own_directory)
        except OSError as exc:
            raise StoreError(f"cannot create the session database {path}: {exc}") from exc
        try:
            conn = connect(path)
        except sqlite3.Error as exc:
            raise StoreError(describe_error(path, exc)) from exc
        try:
            migrations.migrate(conn)
        except (sqlite3.Error, migrations.SchemaTooNewError) as exc:
            conn.close()
            raise StoreError(describe_error(path, exc)) from exc
        return cls(conn, path)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def path(self) -> Path:
        return self._path

    @contextmanager
    def _guard(self) -> Iterator[sqlite3.Connection]:
        """Turn any SQLite failure into a ``StoreError`` that names the file."""
        try:
            yield self._conn
        except sqlite3.Error as exc:
            raise StoreError(describe_error(self._path, exc)) from exc

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; IMMEDIATE so a busy writer is waited for, not a deadlock."""
        with self._guard() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: several queries see one state, and no writer is blocked.

        Inside another transaction it is that one: a read made of several queries (messages and
        their attachments) can run on its own or as part of a larger one (an export)."""
        with self._guard() as conn:
            if conn.in_transaction:
                yield conn
                return
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._guard() as conn:
            return conn.execute(sql, params).fetchall()
