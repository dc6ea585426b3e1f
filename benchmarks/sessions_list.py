"""How the session store scales: 10,000 sessions, timed the way the sidebar and CLI use them.

The sidebar must open as fast with 10,000 sessions as with one, so what is timed is what it
does: open the store, count, read the first page, read a page deep in the list (keyset paging),
and search. Not part of the test suite (timings depend on the machine); run it directly:

    .venv/bin/python benchmarks/sessions_list.py [--sessions N] [--messages N]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from claude_tui.core.blocks import TextBlock
from claude_tui.core.store import SessionStore

_VOCABULARY = (
    "sqlite wal journal index query page sidebar stream reply token model cache python async "
    "thread worker widget render markdown table list search title prompt error retry cancel "
    "budget travel recipe garden poem haiku story letter email summary review plan schedule"
)
WORDS = _VOCABULARY.split()
RARE = "zanzibar"
"""Appears in a handful of messages only: a search with a small answer."""


def make_session(rng: random.Random, index: int, messages: int, start: datetime) -> dict[str, Any]:
    """One session in export form, so the store is filled through its import path."""
    stamp = (start + timedelta(minutes=index)).isoformat(timespec="microseconds")
    usage = dict.fromkeys(("input_tokens", "output_tokens", "cache_creation_tokens",
                           "cache_read_tokens"))  # fmt: skip
    turns = []
    for turn in range(messages):
        words = rng.choices(WORDS, k=rng.randint(8, 60))
        if index % 997 == 0 and turn == 0:
            words.append(RARE)
        turns.append({
            "role": "user" if turn % 2 == 0 else "assistant",
            "content": " ".join(words).capitalize() + ".",
            "thinking": "", "status": "complete", "stop_reason": None, "error": None,
            "model": None, "usage": usage, "ttft_ms": None, "duration_ms": None,
            "created_at": stamp,
        })  # fmt: skip
    return {
        "id": f"{index:012x}",
        "title": " ".join(rng.choices(WORDS, k=4)).capitalize(),
        "model": "claude-sonnet-5-5",
        "system": "",
        "created_at": stamp,
        "updated_at": stamp,
        "messages": turns,
    }


def timed(func: Callable[[], Any], repeat: int = 5) -> tuple[float, Any]:
    """Best of ``repeat`` runs in milliseconds, and the last result."""
    best = float("inf")
    result: Any = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = func()
        best = min(best, (time.perf_counter() - started) * 1000)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=4, help="messages per session")
    args = parser.parse_args()

    rng = random.Random(42)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sessions.db"
        began = time.perf_counter()
        with SessionStore.open(path) as store:
            for index in range(args.sessions):
                store.import_session(make_session(rng, index, args.messages, start))
        fill_s = time.perf_counter() - began
        size_mb = path.stat().st_size / 1e6

        rows: list[tuple[str, float, str]] = []

        def open_close() -> None:
            SessionStore.open(path).close()

        ms, _ = timed(open_close)
        rows.append(("open store (existing file)", ms, ""))
        with SessionStore.open(path) as store:
            ms, count = timed(store.count_sessions)
            rows.append(("count_sessions()", ms, f"{count} sessions"))
            ms, page = timed(lambda: store.list_sessions(limit=100))
            rows.append(("list_sessions(limit=100), first page", ms, f"{len(page)} rows"))
            deep_anchor = store.list_sessions(limit=args.sessions * 9 // 10)[-1]
            before = (deep_anchor.updated_at, deep_anchor.id)
            ms, page = timed(lambda: store.list_sessions(limit=100, before=before))
            rows.append(("list_sessions(limit=100), 90% deep", ms, f"{len(page)} rows"))
            ms, found = timed(lambda: store.search_sessions(RARE))
            rows.append((f"search_sessions({RARE!r})", ms, f"{len(found)} found"))
            ms, found = timed(lambda: store.search_sessions("sidebar"))
            rows.append(("search_sessions('sidebar'), common", ms, f"{len(found)} (limit 100)"))
            ms, _ = timed(lambda: store.export_session(page[0].id))
            rows.append(("export_session(one)", ms, ""))
            ms, _ = timed(store.mark_interrupted)
            rows.append(("mark_interrupted() at start-up", ms, "nothing streaming"))
            reply = store.add_message(page[0].id, "assistant", "", status="streaming")
            text = " ".join(rng.choices(WORDS, k=2000))  # about 12,000 characters so far
            growing = iter(range(10))  # each flush has new text, as a streaming reply does
            ms, _ = timed(
                lambda: store.update_message(
                    reply, blocks=[TextBlock(f"{text} {next(growing)}", partial=True)]
                )
            )
            rows.append(("update_message(), 12k-char flush", ms, "one per second"))
            victims = iter(page[1:])
            ms, _ = timed(lambda: store.delete_session(next(victims).id))
            rows.append(("delete_session(), cascade", ms, f"{args.messages} messages"))

    total = args.sessions * args.messages
    print(f"{args.sessions:,} sessions x {args.messages} messages = {total:,} messages")
    print(f"filled in {fill_s:.1f} s (one import transaction per session), {size_mb:.1f} MB")
    print()
    print(f"{'operation':<40} {'best of 5':>10}  result")
    print(f"{'-' * 40} {'-' * 10}  {'-' * 20}")
    for name, ms, note in rows:
        print(f"{name:<40} {ms:>7.2f} ms  {note}")


if __name__ == "__main__":
    main()
