"""The book of what is known now: the best answer at once, and when a lookup is worth starting."""

from __future__ import annotations

from dataclasses import replace

from claude_tui.core.capabilities import (
    CapabilitySource,
    ModelCapabilities,
    builtin_capabilities,
)
from claude_tui.core.capability_book import RETRY_AFTER_FAILURE, CapabilityBook
from claude_tui.core.capability_cache import CACHE_TTL

from .test_capability_cache import NOW, answer

MODEL = "claude-sonnet-5-5"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def cached(fetched_at: float = NOW) -> dict[str, ModelCapabilities]:
    return {MODEL: replace(answer(fetched_at=fetched_at), source=CapabilitySource.CACHE)}


def test_the_table_until_anything_else_is_known() -> None:
    book = CapabilityBook(Clock())
    assert book.known(MODEL) == builtin_capabilities(MODEL)
    assert not book.loaded
    assert not book.claim(MODEL)  # not before the disk cache has been read


def test_the_disk_cache_then_the_api() -> None:
    book = CapabilityBook(Clock())
    (adopted,) = book.adopt(cached())
    assert book.loaded and book.known(MODEL) is adopted
    assert adopted.source is CapabilitySource.CACHE
    newer = answer(fetched_at=NOW + 5)
    assert book.settle(newer) is newer
    assert book.known(MODEL).source is CapabilitySource.API
    # an older cache read late does not replace the API's answer of this run
    assert book.adopt(cached()) == []
    assert book.known(MODEL) is newer


def test_a_fresh_answer_is_not_asked_for_again_a_stale_one_is() -> None:
    clock = Clock()
    book = CapabilityBook(clock)
    book.adopt(cached())
    assert not book.claim(MODEL)
    clock.now = NOW + CACHE_TTL - 1
    assert not book.claim(MODEL)
    clock.now = NOW + CACHE_TTL
    assert book.claim(MODEL)
    assert book.known(MODEL).source is CapabilitySource.CACHE  # still used meanwhile


def test_one_lookup_per_model_at_a_time() -> None:
    book = CapabilityBook(Clock())
    book.adopt({})
    assert book.claim(MODEL)
    assert not book.claim(MODEL)
    assert book.claim("claude-haiku-5-5")  # another model is another lookup
    assert sorted(book.in_flight()) == ["claude-haiku-5-5", MODEL]
    book.settle(answer())
    assert list(book.in_flight()) == ["claude-haiku-5-5"]
    assert not book.claim(MODEL)  # fresh now
    assert not book.claim("")


def test_a_failure_is_shown_and_retried_only_after_a_while() -> None:
    clock = Clock()
    book = CapabilityBook(clock)
    book.adopt({})
    assert book.claim(MODEL)
    failed = builtin_capabilities(MODEL, note="timed out")
    assert book.settle(failed) == failed
    assert book.known(MODEL).note == "timed out"
    assert not book.claim(MODEL)
    clock.now += RETRY_AFTER_FAILURE
    assert book.claim(MODEL)


def test_a_failure_keeps_an_earlier_api_answer() -> None:
    clock = Clock()
    book = CapabilityBook(clock)
    book.adopt(cached(NOW - CACHE_TTL - 1))
    assert book.claim(MODEL)  # stale
    known = book.settle(builtin_capabilities(MODEL, note="offline"))
    assert known.source is CapabilitySource.CACHE and known.note is None
    assert not book.claim(MODEL)  # the failure is recent: not at once again
