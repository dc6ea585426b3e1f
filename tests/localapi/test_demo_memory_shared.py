"""The demo's memory file shared by two demos at once, and written in the background.

Two "demos" here are two memories loaded from the same file in one process: each write holds
the lock file, as another process's would, so what is checked is the read-merge-write itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from pathlib import Path

import pytest

from claude_tui.localapi import memory_file
from claude_tui.localapi.memory_file import load_memory
from claude_tui.localapi.server import LocalAPIServer

A = {"type": "server_tool_use", "id": "srvtoolu_a"}
B = {"type": "server_tool_use", "id": "srvtoolu_b"}


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "demo-server.json"


def test_two_demos_at_once_keep_each_others_blocks(path: Path) -> None:
    first, _ = load_memory(path)
    second, _ = load_memory(path)
    assert first.key == second.key
    first.emitted.add(A)
    second.emitted.add(B)
    first.flush()
    second.flush()  # the last writer merges what the first wrote
    later, problem = load_memory(path)
    assert problem is None
    assert A in later.emitted and B in later.emitted


def test_the_merge_keeps_the_bound(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory_file, "CAPACITY", 3)
    first, _ = load_memory(path)
    second, _ = load_memory(path)
    blocks = [{"type": "server_tool_use", "id": f"srvtoolu_{n}"} for n in range(4)]
    for block in blocks[:2]:
        first.emitted.add(block)
    first.flush()
    for block in blocks[2:]:
        second.emitted.add(block)
    second.flush()
    later, _ = load_memory(path)
    assert [block in later.emitted for block in blocks] == [False, True, True, True]


def test_two_first_starts_make_one_key(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the lock both would find no file and make a key each: the barrier lets a second
    start reach ``new_key`` only if the first has not written its key yet."""
    meeting = threading.Barrier(2, timeout=0.5)
    real = memory_file.new_key

    def slow_new_key() -> bytes:
        with contextlib.suppress(threading.BrokenBarrierError):
            meeting.wait()  # times out when the other start waits for the lock, as it should
        return real()

    monkeypatch.setattr(memory_file, "new_key", slow_new_key)
    keys: list[bytes] = []
    starts = [threading.Thread(target=lambda: keys.append(load_memory(path)[0].key)) for _ in "ab"]
    for start in starts:
        start.start()
    for start in starts:
        start.join(timeout=10)
    assert len(keys) == 2 and keys[0] == keys[1]
    assert json.loads(path.read_text())["key"]


def test_another_demos_write_in_progress_is_left_alone(path: Path) -> None:
    load_memory(path)
    writing = path.parent / f"{memory_file.TEMP_PREFIX}other"
    writing.write_bytes(b'{"format": ')
    load_memory(path)
    assert writing.exists()  # fresh: another demo is writing it
    old = time.time() - memory_file.LEFTOVER_AGE - 1
    os.utime(writing, (old, old))
    load_memory(path)
    assert not writing.exists()  # a crash's leftover


def test_new_blocks_are_written_together_soon_and_at_stop(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory, _ = load_memory(path)
    writes: list[bytes] = []
    real_write = memory_file.MemoryFile._write

    def counted(self: memory_file.MemoryFile, data: bytes) -> None:
        writes.append(data)
        real_write(self, data)

    monkeypatch.setattr(memory_file.MemoryFile, "_write", counted)
    blocks = [{"type": "server_tool_use", "id": f"srvtoolu_{n}"} for n in range(4)]
    for block in blocks:
        memory.emitted.add(block)
    assert writes == []  # the reply did not wait for the disk
    deadline = time.monotonic() + 5
    while not writes and time.monotonic() < deadline:
        time.sleep(0.02)  # polling for the timer's write, with a timeout
    assert len(writes) == 1 and len(json.loads(writes[0])["emitted"]) == 4
    memory.paused.add({"paused": [A]})
    with LocalAPIServer(memory=memory):
        pass  # the stop writes what the timer has not
    assert len(writes) == 2 and len(json.loads(path.read_text())["paused"]) == 1


def test_a_failed_write_is_reported_once(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    said: list[str] = []
    memory, _ = load_memory(path, said.append)

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(memory_file.os, "fsync", full)
    for block in (A, B):
        memory.emitted.add(block)
        memory.flush()
    assert said == [f"demo server: could not write {path}: No space left on device"]
