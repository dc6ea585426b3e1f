"""Prompt caching, emulated as the real API does it, so what the app reports can be tested.

A request asks for caching with a top-level ``cache_control`` (a breakpoint on its last
cacheable block) or with ``cache_control`` on blocks of its own (at most 4 breakpoints in all).
The prefix is read in the API's order: tools, system, messages. At each breakpoint whose prefix
is at least ``MIN_CACHEABLE_TOKENS`` long, the prefix is written to the cache for its TTL (5
minutes unless ``"ttl": "1h"``). A later request for the same model whose prefix starts with a
written one, still alive, reads it instead; a read keeps the entry alive for another TTL. The
API looks for such a prefix at each breakpoint and at the ``LOOKBACK_BLOCKS`` block boundaries
before it, which is how a conversation's growing prefix keeps hitting the one written the turn
before.

Usage then splits the prompt three ways: ``cache_read_input_tokens`` (the longest prefix
found), ``cache_creation_input_tokens`` (from there to the last breakpoint written, by TTL in
``cache_creation``), and ``input_tokens`` (the rest, after the last breakpoint). Tokens are the
server's estimate (:func:`~claude_tui.localapi.request.estimate_tokens`, a quarter of the
characters, an image or a PDF weighed as four characters for each token it costs), counted the
same way for every part so the three add up to it. Tool definitions
hold no text that estimate counts, so they cost no tokens here, but a changed tool still
changes the prefix, as it does for the API.

The clock is injectable, so a test moves time past a TTL without sleeping. The cache belongs to
one server and is safe from any of its handler threads.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from claude_tui.localapi.request import estimate_tokens, from_last_compaction, text_length
from claude_tui.localapi.wire import JSON

MIN_CACHEABLE_TOKENS = 1024
"""The shortest prefix the API caches (it is more for some models); shorter, nothing is
cached and no error is raised."""
LOOKBACK_BLOCKS = 20
"""How many block boundaries before a breakpoint the API checks for a cached prefix."""
MAX_BREAKPOINTS = 4
"""Blocks with ``cache_control`` a request may have, the top-level one counted."""
TTL_SECONDS = {"5m": 300.0, "1h": 3600.0}
DEFAULT_TTL = "5m"


@dataclass(frozen=True)
class CacheUsage:
    """How one request's prompt splits between plain input, cache writes and cache reads."""

    input_tokens: int
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    ephemeral_5m_input_tokens: int = 0
    ephemeral_1h_input_tokens: int = 0

    def usage_json(self) -> JSON:
        """The usage fields the API sends for these counts (output tokens are added apart)."""
        return {
            "input_tokens": self.input_tokens,
            "cache_creation_input_tokens": self.cache_creation_input_tokens,
            "cache_read_input_tokens": self.cache_read_input_tokens,
            "cache_creation": {
                "ephemeral_5m_input_tokens": self.ephemeral_5m_input_tokens,
                "ephemeral_1h_input_tokens": self.ephemeral_1h_input_tokens,
            },
        }


def uncached(body: Any) -> CacheUsage:
    """The usage of a request that cached nothing: all of it is input."""
    return CacheUsage(input_tokens=estimate_tokens(body))


@dataclass(frozen=True)
class _Block:
    """One cacheable block of a request's prefix, as the cache sees it."""

    digest: str
    """Of the whole prefix up to and including this block, and the model."""
    chars: int
    """Characters of the prefix up to and including this block (what tokens are made of)."""
    ttl: str | None
    """The TTL of the breakpoint this block carries, if it carries one."""


@dataclass
class _Entry:
    ttl: str
    expires_at: float


def cache_control_problem(body: Any) -> str | None:
    """The message of the API's 400 for a malformed ``cache_control`` or too many breakpoints,
    or ``None``."""
    if not isinstance(body, dict):
        return None
    found = 0
    for where, control in _controls(body):
        if control is None:
            continue
        if not isinstance(control, dict) or control.get("type") != "ephemeral":
            return f"{where}.type: Input should be 'ephemeral'"
        ttl = control.get("ttl", DEFAULT_TTL)
        if ttl not in TTL_SECONDS:
            return f"{where}.ttl: Input should be '5m' or '1h'"
        found += 1
    if found > MAX_BREAKPOINTS:
        return (
            f"A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. "
            f"Found {found}."
        )
    return None


def _controls(body: JSON) -> Iterator[tuple[str, object]]:
    """Every ``cache_control`` of the request, top-level first, with where it is."""
    if "cache_control" in body:
        yield "cache_control", body["cache_control"]
    for where, block in _raw_blocks(body):
        if isinstance(block, dict) and "cache_control" in block:
            yield f"{where}.cache_control", block["cache_control"]


def _raw_blocks(body: JSON) -> Iterator[tuple[str, Any]]:
    """The prefix's blocks in the API's order, with where each is, as they came."""
    tools = body.get("tools")
    if isinstance(tools, list):
        for i, tool in enumerate(tools):
            yield f"tools.{i}", tool
    system = body.get("system")
    if isinstance(system, str) and system:
        yield "system", {"type": "text", "text": system}
    elif isinstance(system, list):
        for i, block in enumerate(system):
            yield f"system.{i}", block
    messages = body.get("messages")
    if isinstance(messages, list):
        for i, message in enumerate(messages):
            if not isinstance(message, dict):
                continue
            role = message.get("role")
            content = message.get("content")
            if isinstance(content, str):
                # A string is one text block to the API: the same prefix either way.
                yield f"messages.{i}.content", {"role": role, "type": "text", "text": content}
            elif isinstance(content, list):
                for j, block in enumerate(content):
                    keyed = {**block, "role": role} if isinstance(block, dict) else block
                    yield f"messages.{i}.content.{j}", keyed


def _prefix(body: JSON) -> list[_Block]:
    """The request's blocks, each with the digest and length of the prefix it ends, and the
    breakpoint it carries (the top-level one on the last block)."""
    top = body.get("cache_control")
    top_ttl = _ttl(top) if isinstance(top, dict) else None
    running = hashlib.sha256(json.dumps(body.get("model"), ensure_ascii=False).encode())
    chars = 0
    blocks: list[_Block] = []
    for _, raw in _raw_blocks(body):
        control = raw.get("cache_control") if isinstance(raw, dict) else None
        # What a block says, not where its breakpoint is: a moved breakpoint is the same prefix.
        content = (
            {k: v for k, v in raw.items() if k != "cache_control"} if isinstance(raw, dict) else raw
        )
        running.update(json.dumps(content, sort_keys=True, ensure_ascii=False).encode())
        running.update(b"\x00")
        chars += text_length(content)
        ttl = _ttl(control) if isinstance(control, dict) else None
        blocks.append(_Block(running.hexdigest(), chars, ttl))
    if top_ttl is not None and blocks:
        last = blocks[-1]
        blocks[-1] = _Block(last.digest, last.chars, _longer(last.ttl, top_ttl))
    return blocks


def _ttl(control: dict[str, Any]) -> str:
    ttl = control.get("ttl", DEFAULT_TTL)
    return ttl if ttl in TTL_SECONDS else DEFAULT_TTL


def _longer(a: str | None, b: str) -> str:
    return b if a is None or TTL_SECONDS[b] > TTL_SECONDS[a] else a


def _tokens(chars: int) -> int:
    """Tokens of a prefix, rounded as :func:`estimate_tokens` rounds the whole prompt."""
    return (chars + 3) // 4


class PromptCache:
    """One server's cache: prefixes written, by digest, until they expire."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        """Seconds, only ever compared with each other; a test may replace it."""
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def account(self, body: Any) -> CacheUsage:
        """Read and write the cache for one request, as the API would; its usage."""
        if not isinstance(body, dict):
            return uncached(body)
        # With compaction the API reads from the last compaction block on: so does the cache.
        body = {**body, "messages": from_last_compaction(body.get("messages"))}
        total = estimate_tokens(body)
        blocks = _prefix(body)
        breakpoints = [(i, block.ttl) for i, block in enumerate(blocks) if block.ttl is not None]
        if not breakpoints:
            return CacheUsage(input_tokens=total)
        with self._lock:
            now = self.clock()
            self._forget_expired(now)
            hit = self._longest_hit(blocks, [index for index, _ in breakpoints])
            read = 0
            if hit is not None:
                entry = self._entries[blocks[hit].digest]
                entry.expires_at = now + TTL_SECONDS[entry.ttl]  # a read keeps it alive
                read = _tokens(blocks[hit].chars)
            written = {"5m": 0, "1h": 0}
            cached = read
            for index, ttl in breakpoints:
                length = _tokens(blocks[index].chars)
                if (hit is not None and index <= hit) or length < MIN_CACHEABLE_TOKENS:
                    continue  # read already, or too short to cache
                written[ttl] += length - cached
                cached = length
                self._entries[blocks[index].digest] = _Entry(ttl, now + TTL_SECONDS[ttl])
        return CacheUsage(
            input_tokens=total - cached,
            cache_creation_input_tokens=cached - read,
            cache_read_input_tokens=read,
            ephemeral_5m_input_tokens=written["5m"],
            ephemeral_1h_input_tokens=written["1h"],
        )

    def _forget_expired(self, now: float) -> None:
        for digest in [d for d, entry in self._entries.items() if entry.expires_at <= now]:
            del self._entries[digest]

    def _longest_hit(self, blocks: list[_Block], breakpoints: list[int]) -> int | None:
        """The last block whose prefix is cached, among the breakpoints and the boundaries
        ``LOOKBACK_BLOCKS`` before each."""
        candidates: set[int] = set()
        for index in breakpoints:
            candidates.update(range(max(0, index - LOOKBACK_BLOCKS), index + 1))
        hits = [index for index in candidates if blocks[index].digest in self._entries]
        return max(hits, default=None)
