"""The demo server's memory in a private file, so replies from an earlier run are accepted back.

A server checks a history against what it sent (:mod:`memory`): without this, quitting the demo
and going on with a conversation that used web search or thinking got a 400, as every block from
the run before looked altered. The demo therefore loads its key and the digests of what it sent
from a file at start, and writes them back each time it sends a block it must recognise later.

Sealing every block statelessly (an HMAC in the block itself) would need no digests, but a
``web_fetch_tool_result`` or a ``compaction`` has no opaque field to carry a seal without changing
the wire format, and the key would still have to be kept: so the digests are kept with the key.

The file is JSON, mode 0600 (it holds the key), and bounded (:data:`CAPACITY` digests of each
kind, :data:`MAX_BYTES` read at most). It is written to a temporary file that replaces it at once,
so a crash mid-write leaves the previous version. A file that cannot be read or makes no sense is
not an error: the server starts fresh, and :func:`load_memory` says why in one line.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import tempfile
import threading
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
    try:
        key = base64.b64decode(str(data.get("key")), validate=True)
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
    """Temporary files a crash mid-write left behind."""
    with contextlib.suppress(OSError):
        for leftover in directory.glob(f"{TEMP_PREFIX}*"):
            with contextlib.suppress(OSError):
                leftover.unlink()


class MemoryFile:
    """Writes a :class:`ServerMemory` to ``path`` whenever one of its registries grows."""

    def __init__(self, path: Path, memory: ServerMemory) -> None:
        self.path = path
        self.memory = memory
        self.problem: str | None = None
        """Why the last write failed, if it did (the demo goes on; the next run starts
        fresh for the blocks not written)."""
        self._lock = threading.Lock()

    def save(self) -> None:
        """Write the memory now: to a private temporary file, flushed, then renamed over
        ``path``, so ``path`` holds either the old version or the new one, never half."""
        with self._lock:
            payload = {
                "format": FORMAT,
                "version": VERSION,
                "key": base64.b64encode(self.memory.key).decode(),
                "emitted": [d.hex() for d in self.memory.emitted.digests()],
                "paused": [d.hex() for d in self.memory.paused.digests()],
            }
            try:
                self._write(json.dumps(payload).encode())
                self.problem = None
            except OSError as error:
                self.problem = f"could not write {self.path}: {error.strerror or error}"

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


def load_memory(path: Path) -> tuple[ServerMemory, str | None]:
    """The memory kept at ``path``, written back there from now on; and, when the file was
    there but could not be used, one line saying so (the memory is then a fresh one, and the
    file is replaced at the first write)."""
    _remove_leftovers(path.parent)
    problem: str | None = None
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
    file = MemoryFile(path, memory)
    memory.emitted.on_add = memory.paused.on_add = file.save
    if found is None:
        file.save()  # the key must outlive this run even if nothing is sent
    return memory, problem or file.problem
