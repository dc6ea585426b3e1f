"""The demo server's memory in a private file, so replies from an earlier run are accepted back.

A server checks a history against what it sent (:mod:`memory`): without this, quitting the demo
and going on with a conversation that used web search or thinking got a 400, as every block from
the run before looked altered. The demo therefore loads its key and the digests of what it sent
from a file at start, and writes them back soon after it sends a block it must recognise later
(at most every :data:`SAVE_DELAY` seconds, from a timer, and when the server stops).

Sealing every block statelessly (an HMAC in the block itself) would need no digests, but a
``web_fetch_tool_result`` or a ``compaction`` has no opaque field to carry a seal without changing
the wire format, and the key would still have to be kept: so the digests are kept with the key.

The file is JSON, mode 0600 (it holds the key), and bounded (:data:`CAPACITY` digests of each
kind, :data:`MAX_BYTES` read at most). It is written to a temporary file that replaces it at once,
so a crash mid-write leaves the previous version. Two demos may run at once: each write holds a
lock file (``flock``) while it reads the file, merges the digests there with its own and writes,
so neither forgets the other's blocks. A file that cannot be read or makes no sense is
not an error: the server starts fresh, and :func:`load_memory` says why in one line.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from claude_tui.localapi.emitted import DIGEST_BYTES, EmittedBlocks
from claude_tui.localapi.memory import ServerMemory
from claude_tui.localapi.signing import KEY_BYTES, new_key

FORMAT = "claude-tui-localapi-memory"
VERSION = 1
CAPACITY = 2_000
"""Digests kept of each kind: far more than a demo conversation sends back."""
MAX_BYTES = 1 << 20
"""The largest file read; a full one is about a quarter of it."""
TEMP_PREFIX = ".localapi-memory-"
LOCK_SUFFIX = ".lock"
LEFTOVER_AGE = 60.0
"""Seconds after which a temporary file is a crash's leftover, not another demo's write."""
SAVE_DELAY = 0.5
"""Seconds a new digest may wait before the file is written (see :class:`MemoryFile`)."""


class MemoryFileError(ValueError):
    """The file is there but cannot be used."""


def _digests(data: dict[str, Any], name: str) -> list[bytes]:
    items = data.get(name)
    if not isinstance(items, list) or len(items) > CAPACITY:
        raise MemoryFileError(f"'{name}' is not a list of at most {CAPACITY} digests")
    try:
        digests = [bytes.fromhex(item) for item in items]
    except (TypeError, ValueError):
        raise MemoryFileError(f"'{name}' holds something that is not a hex digest") from None
    if any(len(digest) != DIGEST_BYTES for digest in digests):
        raise MemoryFileError(f"'{name}' holds a digest of the wrong size")
    return digests


def _parse(raw: bytes) -> tuple[bytes, list[bytes], list[bytes]]:
    """The key, the sent digests and the paused digests a file holds."""
    try:
        data = json.loads(raw)
    except ValueError:
        raise MemoryFileError("it is not JSON") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise MemoryFileError("it is not a local server memory file")
    if data.get("version") != VERSION:
        raise MemoryFileError(f"its version is {data.get('version')!r}, not {VERSION}")
    if not isinstance(data.get("key"), str):
        raise MemoryFileError("it has no key")
    try:
        key = base64.b64decode(data["key"], validate=True)
    except (binascii.Error, ValueError):
        raise MemoryFileError("its key is not base64") from None
    if len(key) != KEY_BYTES:
        raise MemoryFileError(f"its key is {len(key)} bytes, not {KEY_BYTES}")
    return key, _digests(data, "emitted"), _digests(data, "paused")


def _read(path: Path) -> tuple[bytes, list[bytes], list[bytes]] | None:
    """What ``path`` holds; ``None`` when there is no file yet."""
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise MemoryFileError(f"it cannot be read ({error.strerror or error})") from None
    if len(raw) > MAX_BYTES:
        raise MemoryFileError(f"it is larger than {MAX_BYTES} bytes")
    return _parse(raw)


def _remove_leftovers(directory: Path) -> None:
    """Temporary files a crash mid-write left behind: only those older than
    :data:`LEFTOVER_AGE` seconds, so another demo's write in progress is left alone."""
    now = time.time()
    with contextlib.suppress(OSError):
        for leftover in directory.glob(f"{TEMP_PREFIX}*"):
            with contextlib.suppress(OSError):
                if now - leftover.stat().st_mtime > LEFTOVER_AGE:
                    leftover.unlink()


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """``path``'s lock file held (``flock``), so two demos reading, merging and writing the
    file take turns. A lock file that cannot be made does not stop the demo: it goes on
    unlocked, as before."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path.with_name(path.name + LOCK_SUFFIX), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _merged(on_disk: list[bytes], ours: list[bytes]) -> list[bytes]:
    """The digests on disk in their order, then ours they lack, the newest :data:`CAPACITY`."""
    known = set(on_disk)
    return [*on_disk, *(digest for digest in ours if digest not in known)][-CAPACITY:]


class MemoryFile:
    """Writes a :class:`ServerMemory` to ``path`` when one of its registries grows: at most
    every :data:`SAVE_DELAY` seconds, from a timer thread (a reply never waits for the disk),
    and at once on :meth:`flush` (the server's stop). A demo quitting normally keeps every
    block; one killed may lose the blocks of its last :data:`SAVE_DELAY` seconds."""

    def __init__(
        self, path: Path, memory: ServerMemory, report: Callable[[str], None] | None = None
    ) -> None:
        """``report``: told the first write that fails, once (the demo shows it at exit)."""
        self.path = path
        self.memory = memory
        self.problem: str | None = None
        """Why the last write failed, if it did (the demo goes on; the next run starts
        fresh for the blocks not written)."""
        self._report = report
        self._reported = False
        self._write_lock = threading.Lock()
        self._timer_lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def changed(self) -> None:
        """A registry grew: write within :data:`SAVE_DELAY` seconds."""
        with self._timer_lock:
            if self._timer is not None:
                return
            self._timer = threading.Timer(SAVE_DELAY, self._on_timer)
            self._timer.daemon = True
            self._timer.start()

    def _on_timer(self) -> None:
        with self._timer_lock:
            self._timer = None
        self.save()

    def flush(self) -> None:
        """Write now what a pending timer would have written."""
        with self._timer_lock:
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
            self.save()

    def save(self) -> None:
        """Write the memory now, merged with what another demo wrote meanwhile (under the
        lock file): to a private temporary file, flushed, then renamed over ``path``, so
        ``path`` holds either the old version or the new one, never half."""
        with self._write_lock, _locked(self.path):
            self.save_locked()

    def save_locked(self) -> None:
        """:meth:`save`, the lock file being held already."""
        try:
            found = _read(self.path)
        except MemoryFileError:
            found = None  # not usable: replaced by ours
        key = self.memory.key
        disk = found if found is not None and found[0] == key else (key, [], [])
        payload = {
            "format": FORMAT,
            "version": VERSION,
            "key": base64.b64encode(key).decode(),
            "emitted": [d.hex() for d in _merged(disk[1], self.memory.emitted.digests())],
            "paused": [d.hex() for d in _merged(disk[2], self.memory.paused.digests())],
        }
        try:
            self._write(json.dumps(payload).encode())
            self.problem = None
        except OSError as error:
            self.problem = f"demo server: could not write {self.path}: {error.strerror or error}"
            if self._report is not None and not self._reported:
                self._reported = True
                self._report(self.problem)

    def _write(self, data: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=self.path.parent)  # mode 0600
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise


def load_memory(
    path: Path, report: Callable[[str], None] | None = None
) -> tuple[ServerMemory, str | None]:
    """The memory kept at ``path``, written back there from now on; and, when the file was
    there but could not be used, one line saying so (the memory is then a fresh one, and the
    file is replaced at once). A first start writes its new key under the lock file, so two
    demos starting together share one key. ``report``: see :class:`MemoryFile`."""
    problem: str | None = None
    with _locked(path):
        _remove_leftovers(path.parent)
        try:
            found = _read(path)
        except MemoryFileError as error:
            found = None
            problem = (
                f"demo server: {path} was not usable ({error}); starting with a fresh one, so "
                "web search and thinking blocks from earlier demo runs will be refused"
            )
        key, emitted, paused = found if found is not None else (new_key(), [], [])
        memory = ServerMemory(
            key=key,
            emitted=EmittedBlocks(CAPACITY, initial=emitted),
            paused=EmittedBlocks(CAPACITY, initial=paused),
        )
        file = MemoryFile(path, memory, report)
        memory.emitted.on_add = memory.paused.on_add = file.changed
        memory.flush = file.flush
        if found is None:
            file.save_locked()  # the key must outlive this run even if nothing is sent
    return memory, problem or file.problem
