"""The session store's connection: opening the file, transactions, and errors that name it.

Every query of :class:`~claude_tui.core.store.SessionStore` runs through the context managers
here, so any SQLite failure reaches the caller as one :class:`StoreError` that says which file,
and every write is an ``IMMEDIATE`` transaction that waits for a busy writer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from claude_tui.core import paths
from claude_tui.core.store import schema as store_schema
from claude_tui.core.store.schema import describe_error


class StoreError(Exception):
    """The database cannot be opened or used; the message says what and where."""


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
            store_schema.prepare_file(path, own_directory=own_directory)
        except OSError as exc:
            raise StoreError(f"cannot create the session database {path}: {exc}") from exc
        try:
            conn = store_schema.connect(path)
        except sqlite3.Error as exc:
            raise StoreError(describe_error(path, exc)) from exc
        try:
            store_schema.migrate(conn)
        except (sqlite3.Error, store_schema.SchemaTooNewError) as exc:
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
        """A read transaction: several queries see one state, and no writer is blocked."""
        with self._guard() as conn:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._guard() as conn:
            return conn.execute(sql, params).fetchall()
