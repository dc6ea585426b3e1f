"""The blocks this server has sent, so a history can be checked for ones altered on the way back.

The real API rejects a server-tool call, a tool result, a compaction or redacted thinking that
comes back changed (their ``encrypted_*`` fields are its own). This server cannot decrypt anything,
so it remembers what it sent instead: the digest of each block's canonical JSON. The registry is
bounded (the least recently seen go first) and safe to use from every handler thread at once. Its
digests can be read out and put back (:meth:`EmittedBlocks.digests`, ``initial``), and each new
one can be announced (``on_add``): that is how the demo keeps them across runs
(:mod:`~claude_tui.localapi.memory_file`).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

DEFAULT_CAPACITY = 10_000
"""Blocks remembered; far more than a test or a demo session sends back."""
DIGEST_BYTES = hashlib.sha256().digest_size


def canonical_json(block: Any) -> str:
    """``block`` as one canonical string: sorted keys, no spaces, non-ASCII kept as it is.

    Two blocks are the same block exactly when these strings are equal, whatever order or
    spacing the client serialised them with.
    """
    return json.dumps(block, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _digest(block: Any) -> bytes:
    return hashlib.sha256(canonical_json(block).encode()).digest()


class EmittedBlocks:
    """A bounded, thread-safe set of the blocks sent (by digest)."""

    def __init__(
        self,
        capacity: int = DEFAULT_CAPACITY,
        *,
        initial: Iterable[bytes] = (),
        on_add: Callable[[], None] | None = None,
    ) -> None:
        """``initial``: digests remembered already, least recently seen first (the newest
        ``capacity`` are kept). ``on_add`` is called, outside the lock, after a block not
        remembered before is added."""
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._digests: OrderedDict[bytes, None] = OrderedDict()
        self._lock = threading.Lock()
        self.on_add = on_add
        for digest in initial:
            if len(digest) != DIGEST_BYTES:
                raise ValueError(f"a digest is {DIGEST_BYTES} bytes, not {len(digest)}")
            self._keep(digest)

    @property
    def capacity(self) -> int:
        return self._capacity

    def _keep(self, digest: bytes) -> bool:
        """Remember ``digest`` as the most recent (under the lock); whether it is new."""
        new = digest not in self._digests
        self._digests[digest] = None
        self._digests.move_to_end(digest)
        while len(self._digests) > self._capacity:
            self._digests.popitem(last=False)
        return new

    def add(self, block: Any) -> None:
        """Remember ``block`` as sent; forget the least recently seen one if full."""
        digest = _digest(block)
        with self._lock:
            new = self._keep(digest)
        if new and self.on_add is not None:
            self.on_add()

    def digests(self) -> list[bytes]:
        """The digests remembered, least recently seen first."""
        with self._lock:
            return list(self._digests)

    def __contains__(self, block: object) -> bool:
        """Whether exactly this block (as canonical JSON) was sent and is still remembered."""
        try:
            digest = _digest(block)
        except (TypeError, ValueError):  # not JSON: never sent by this server
            return False
        with self._lock:
            if digest not in self._digests:
                return False
            self._digests.move_to_end(digest)
            return True

    def __len__(self) -> int:
        with self._lock:
            return len(self._digests)
