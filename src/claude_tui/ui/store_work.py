"""Session-store work off the UI thread: the one way any part of the UI reads or writes the
database.

Every read or write runs in a thread worker on a connection of its own, so a list of 10,000
sessions, a long export or a slow disk never stalls typing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from textual.dom import DOMNode
from textual.worker import Worker

from claude_tui.core.store import SessionStore, StoreError
from claude_tui.ui.messages import StoreProblem

T = TypeVar("T")


def in_store(
    node: DOMNode,
    path: Path | None,
    job: Callable[[SessionStore], T],
    then: Callable[[T], object],
    on_error: Callable[[str], object] | None = None,
    *,
    expected: tuple[type[Exception], ...] = (),
) -> Worker[None]:
    """Run ``job`` with the store at ``path`` in a worker of ``node``; ``then`` gets its result.

    Each caller says what a failure means to the user: ``on_error`` gets the text of a
    ``StoreError`` (or of one of the ``expected`` errors the job may also raise: a file it
    cannot write, a session gone meanwhile) and tells them. Without it the failure is posted
    to ``node`` as a ``StoreProblem``, which bubbles up to the screen's one notice that
    sessions are not being saved. Both callbacks run in the worker thread, so they reach the UI
    by a message or ``call_from_thread``.
    """
    caught: tuple[type[Exception], ...] = (StoreError, *expected)

    def work() -> None:
        try:
            store = SessionStore.open(path)
            try:
                result = job(store)
            finally:
                store.close()
        except caught as error:
            # an OSError's reason without its errno and file name, which the caller says
            text = getattr(error, "strerror", None) or str(error)
            if on_error is None:
                node.post_message(StoreProblem(text))
            else:
                on_error(text)
            return
        then(result)

    return node.run_worker(work, thread=True, group="store", exit_on_error=False)
