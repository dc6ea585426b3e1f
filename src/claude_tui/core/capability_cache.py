"""The Models API's answers kept on disk, per base URL, so a start-up knows them at once.

A user who starts the app ten times a day should not ask ``GET /v1/models/{id}`` ten times, and
a first request made before the API answers should still be shaped by what it said yesterday.
One JSON file (``$XDG_CACHE_HOME/claude-tui/models.json``) holds, per base URL, per model id, the
answer in the API's own shape (``to_model_info``) and when it was read. Different base URLs (a
proxy, the local demo server) keep separate answers: the same id can mean different things there.

The file is a cache: written atomically (the old file or the new one, never half), read
tolerantly (a missing, corrupt, oversized or foreign file reads as empty and is replaced on the
next write), and never a reason for start-up to fail. The API key is never written: the answers
hold none, and the base URL is stored without any user, password or query it may carry.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from claude_tui.core.capabilities import (
    CapabilitySource,
    ModelCapabilities,
    from_model_info,
    to_model_info,
)
from claude_tui.core.config_schema import ConfigError, write_atomic
from claude_tui.core.paths import cache_dir

CACHE_TTL = 24 * 60 * 60.0
"""Seconds an answer counts as fresh (a day). An older one is still used, since it is likelier
right than the built-in table, but the app asks the API again in the background. Models gain
capabilities rarely, and a wrong guess costs at most one refused request."""

KEEP_FOR = 30 * 24 * 60 * 60.0
"""Seconds an answer is kept at all: older ones are dropped when the file is next written, so a
file fed by many short-lived addresses (a test server's random port) does not grow for ever."""

FILE_FORMAT = "claude-tui model capabilities"
FILE_VERSION = 1
"""Written into the file: one of another shape (a future version, another program's) is ignored
and replaced rather than misread."""

MAX_FILE_BYTES = 2_000_000
"""A cache file larger than this is not read: no real one comes close (about 1 kB a model)."""


def cache_file() -> Path:
    return cache_dir() / "models.json"


def cache_key(base_url: str) -> str:
    """The base URL as the file keys it: no user, password, query or fragment (which could carry
    a secret), host and scheme in lower case, no trailing slash."""
    try:
        parts = urlsplit(base_url.strip())
        host = (parts.hostname or "").lower()
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        return base_url.strip().rstrip("/")
    return urlunsplit((parts.scheme.lower(), host + port, parts.path.rstrip("/"), "", ""))


def is_fresh(caps: ModelCapabilities, now: float, ttl: float = CACHE_TTL) -> bool:
    """Whether ``caps`` is an API answer read less than ``ttl`` seconds ago (one dated in the
    future, after the clock was turned back, counts as stale)."""
    if caps.source is CapabilitySource.BUILTIN or caps.fetched_at is None:
        return False
    return 0.0 <= now - caps.fetched_at < ttl


class CapabilityCache:
    """The file, read and written whole. Safe to use from several worker threads."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = cache_file() if path is None else path
        self._lock = threading.Lock()

    def read(self, base_url: str) -> dict[str, ModelCapabilities]:
        """The answers kept for ``base_url``, by model id, each with source ``CACHE`` and the
        ``fetched_at`` of its reading. Entries that do not parse are left out."""
        with self._lock:
            urls = self._load()
        entries = urls.get(cache_key(base_url))
        if not isinstance(entries, Mapping):
            return {}
        answers: dict[str, ModelCapabilities] = {}
        for model, entry in entries.items():
            caps = _parse_entry(model, entry)
            if caps is not None:
                answers[model] = caps
        return answers

    def write(self, base_url: str, caps: ModelCapabilities) -> bool:
        """Keep ``caps`` (an API answer) for ``base_url``, beside the file's other answers
        (less those read more than ``KEEP_FOR`` before it); whether it was written (a cache
        that cannot be written is done without)."""
        if caps.fetched_at is None or not caps.model:
            return False
        entry = {"fetched_at": caps.fetched_at, "model_info": to_model_info(caps)}
        with self._lock:
            urls = _recent(self._load(), caps.fetched_at - KEEP_FOR)
            key = cache_key(base_url)
            urls[key] = {**urls.get(key, {}), caps.model: entry}
            document = {"format": FILE_FORMAT, "version": FILE_VERSION, "base_urls": urls}
            try:
                write_atomic(self.path, json.dumps(document, indent=1, sort_keys=True) + "\n")
            except ConfigError:
                return False
        return True

    def _load(self) -> dict[str, Any]:
        """The file's answers by base URL; empty when there is no file or it is not ours."""
        try:
            if self.path.stat().st_size > MAX_FILE_BYTES:
                return {}
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):  # missing, unreadable, not JSON, too deep
            return {}
        if (
            not isinstance(document, dict)
            or document.get("format") != FILE_FORMAT
            or document.get("version") != FILE_VERSION
            or not isinstance(document.get("base_urls"), dict)
        ):
            return {}
        return {
            url: models for url, models in document["base_urls"].items() if isinstance(models, dict)
        }


def _recent(urls: dict[str, Any], since: float) -> dict[str, dict[str, Any]]:
    """The entries read at ``since`` or later (and only well-formed ones), by base URL; a base
    URL left with none is dropped."""
    kept: dict[str, dict[str, Any]] = {}
    for url, models in urls.items():
        fresh = {
            model: entry
            for model, entry in models.items()
            if (caps := _parse_entry(model, entry)) is not None
            and caps.fetched_at is not None
            and caps.fetched_at >= since
        }
        if fresh:
            kept[url] = fresh
    return kept


def _parse_entry(model: object, entry: object) -> ModelCapabilities | None:
    if not isinstance(model, str) or not model or not isinstance(entry, Mapping):
        return None
    fetched_at = entry.get("fetched_at")
    info = entry.get("model_info")
    if (
        not isinstance(fetched_at, int | float)
        or isinstance(fetched_at, bool)
        or not math.isfinite(fetched_at)
        or not isinstance(info, Mapping)
        or not isinstance(info.get("capabilities"), Mapping)
    ):
        return None
    caps = from_model_info(info, CapabilitySource.CACHE)
    return replace(caps, model=model, fetched_at=float(fetched_at))
