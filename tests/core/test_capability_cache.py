"""The disk cache of the Models API's answers: per base URL, a day's TTL, tolerant of any file."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from claude_tui.core.capabilities import CapabilitySource, ModelCapabilities
from claude_tui.core.capability_cache import (
    CACHE_TTL,
    FILE_FORMAT,
    FILE_VERSION,
    CapabilityCache,
    cache_file,
    cache_key,
    is_fresh,
)
from claude_tui.core.capability_lookup import lookup_capabilities
from claude_tui.core.client import ApiSettings
from claude_tui.localapi.server import MODELS, LocalAPIServer

NOW = 1_800_000_000.0
URL = "https://api.anthropic.com"


def answer(model: str = "claude-sonnet-5-5", fetched_at: float = NOW) -> ModelCapabilities:
    return ModelCapabilities(
        model,
        thinking_types=frozenset({"adaptive", "disabled"}),
        effort_levels=("low", "high"),
        image_input=True,
        compaction=True,
        max_input_tokens=1_000_000,
        max_tokens=64_000,
        source=CapabilitySource.API,
        fetched_at=fetched_at,
    )


def test_the_file_is_in_the_user_cache_dir(tmp_path: Path) -> None:
    assert cache_file() == tmp_path / "cache" / "claude-tui" / "models.json"  # conftest's
    assert CapabilityCache().path == cache_file()


def test_an_answer_comes_back_from_the_cache_with_its_time(tmp_path: Path) -> None:
    cache = CapabilityCache()
    assert cache.write(URL, answer())
    (kept,) = cache.read(URL).values()
    assert kept == replace(answer(), source=CapabilitySource.CACHE)
    assert kept.fetched_at == NOW
    # a second process reads the same file
    assert CapabilityCache().read(URL) == {"claude-sonnet-5-5": kept}


def test_every_model_of_the_api_round_trips(server: LocalAPIServer, api: ApiSettings) -> None:
    cache = CapabilityCache()
    looked_up = [lookup_capabilities(api, spec.id, clock=lambda: NOW) for spec in MODELS]
    for caps in looked_up:
        assert cache.write(api.display_url, caps)
    kept = cache.read(api.display_url)
    assert kept == {c.model: replace(c, source=CapabilitySource.CACHE) for c in looked_up}


def test_the_file_is_private_and_has_no_temp_files_left(tmp_path: Path) -> None:
    cache = CapabilityCache()
    cache.write(URL, answer())
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600
    assert os.listdir(cache.path.parent) == ["models.json"]


def test_each_base_url_keeps_its_own_answers() -> None:
    cache = CapabilityCache()
    proxy = "http://proxy.internal:8080/anthropic"
    cache.write(URL, answer())
    cache.write(proxy, replace(answer(), max_input_tokens=100_000, fetched_at=NOW + 1))
    cache.write(proxy, answer("claude-haiku-5-5"))
    assert list(cache.read(URL)) == ["claude-sonnet-5-5"]
    assert cache.read(URL)["claude-sonnet-5-5"].max_input_tokens == 1_000_000
    at_proxy = cache.read(proxy + "/")  # the same address, written another way
    assert sorted(at_proxy) == ["claude-haiku-5-5", "claude-sonnet-5-5"]
    assert at_proxy["claude-sonnet-5-5"].max_input_tokens == 100_000
    assert cache.read("http://elsewhere") == {}


def test_a_newer_answer_replaces_the_older() -> None:
    cache = CapabilityCache()
    cache.write(URL, answer())
    cache.write(URL, replace(answer(), effort_levels=("max",), fetched_at=NOW + 60))
    (kept,) = cache.read(URL).values()
    assert kept.effort_levels == ("max",) and kept.fetched_at == NOW + 60


def test_the_key_is_never_in_the_file(server: LocalAPIServer) -> None:
    secret = "sk-ant-api03-very-secret-key"
    api = ApiSettings(api_key=secret, base_url=server.base_url)
    caps = lookup_capabilities(api, "claude-sonnet-5-5")
    cache = CapabilityCache()
    assert cache.write(api.display_url, caps)
    # a base URL carrying a user and password, or a token in its query, loses them
    cache.write(f"https://user:{secret}@proxy.example/v1?token={secret}#{secret}", caps)
    text = cache.path.read_text(encoding="utf-8")
    assert secret not in text and "user" not in text
    assert "https://proxy.example/v1" in text and server.base_url in text


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://API.Anthropic.com/", "https://api.anthropic.com"),
        ("http://u:p@127.0.0.1:8080/x/?q=1#f", "http://127.0.0.1:8080/x"),
        ("http://[::1]:99", "http://::1:99"),
    ],
)
def test_cache_key(url: str, key: str) -> None:
    assert cache_key(url) == key


# -- freshness ------------------------------------------------------------------------------


def test_an_answer_is_fresh_for_a_day() -> None:
    caps = answer()
    assert is_fresh(caps, NOW)
    assert is_fresh(caps, NOW + CACHE_TTL - 1)
    assert not is_fresh(caps, NOW + CACHE_TTL)
    assert not is_fresh(caps, NOW - 3600)  # dated in the future: the clock was turned back
    assert not is_fresh(replace(caps, source=CapabilitySource.BUILTIN), NOW)
    assert 20 * 3600 <= CACHE_TTL <= 48 * 3600


# -- any file at all ------------------------------------------------------------------------


def _document(entries: object) -> str:
    return json.dumps({"format": FILE_FORMAT, "version": FILE_VERSION, "base_urls": entries})


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\xff garbage",
        b'{"format": "claude-tui model capabilities", "versi',
        b"[]",
        b'{"models": {"claude-sonnet-5-5": {}}}',
        _document({}).replace('"version": 1', '"version": 99').encode(),
        _document({URL: ["not", "a", "mapping"]}).encode(),
        b"",
        b"[" * 100_000,
    ],
    ids=[
        "binary",
        "cut-short",
        "a-list",
        "foreign",
        "future-version",
        "bad-url-entry",
        "empty",
        "nested-too-deep",  # json.loads raises RecursionError, not ValueError
    ],
)
def test_a_corrupt_or_foreign_file_reads_as_empty_and_is_replaced(content: bytes) -> None:
    cache = CapabilityCache()
    cache.path.parent.mkdir(parents=True)
    cache.path.write_bytes(content)
    assert cache.read(URL) == {}
    assert cache.write(URL, answer())
    assert list(cache.read(URL)) == ["claude-sonnet-5-5"]
    assert json.loads(cache.path.read_text())["format"] == FILE_FORMAT


def test_bad_entries_are_left_out_and_good_ones_kept() -> None:
    good = {"fetched_at": NOW, "model_info": {"id": "x", "capabilities": {}}}
    entries = {
        "good": good,
        "no-time": {"model_info": good["model_info"]},
        "bool-time": {**good, "fetched_at": True},
        "nan-time": {**good, "fetched_at": "NaN"},
        "no-info": {"fetched_at": NOW},
        "no-capabilities": {**good, "model_info": {"id": "x"}},
        "": good,
        "list": [good],
    }
    cache = CapabilityCache()
    cache.path.parent.mkdir(parents=True)
    cache.path.write_text(_document({URL: entries}))
    kept = cache.read(URL)
    assert list(kept) == ["good"]
    assert kept["good"].model == "good" and kept["good"].source is CapabilitySource.CACHE


def test_an_oversized_file_is_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from claude_tui.core import capability_cache

    cache = CapabilityCache()
    cache.write(URL, answer())
    monkeypatch.setattr(capability_cache, "MAX_FILE_BYTES", 100)
    assert cache.read(URL) == {}


def test_an_unwritable_cache_is_done_without(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the directory should be")
    cache = CapabilityCache(blocker / "models.json")
    assert cache.write(URL, answer()) is False
    assert cache.read(URL) == {}


def test_answers_older_than_a_month_are_dropped_on_the_next_write() -> None:
    from claude_tui.core.capability_cache import KEEP_FOR

    cache = CapabilityCache()
    cache.write("http://127.0.0.1:1111", answer(fetched_at=NOW - KEEP_FOR - 1))
    cache.write("http://127.0.0.1:2222", answer("claude-haiku-5-5", fetched_at=NOW - KEEP_FOR))
    cache.write(URL, answer(fetched_at=NOW))
    urls = json.loads(cache.path.read_text())["base_urls"]
    assert sorted(urls) == ["http://127.0.0.1:2222", URL]  # the first port's only answer: gone
