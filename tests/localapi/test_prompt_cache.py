"""The local server's prompt caching, read through the real SDK as the app reads the real API's:
a hit, a miss below 1,024 tokens, a TTL that expires (the server's clock moved by the test, no
sleeping), another model, a changed prefix, the hour-long TTL, and the usage in both events."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest

from claude_tui.localapi.prompt_cache import (
    LOOKBACK_BLOCKS,
    MIN_CACHEABLE_TOKENS,
    PromptCache,
    cache_control_problem,
)
from claude_tui.localapi.server import LocalAPIServer, Scenario, estimate_tokens

MODEL = "claude-sonnet-5-5"
OTHER_MODEL = "claude-haiku-4-5"
FIVE_MINUTES = {"type": "ephemeral"}
ONE_HOUR = {"type": "ephemeral", "ttl": "1h"}
LONG = "The quick brown fox jumps over the lazy dog. " * 500
"""22,500 characters: 5,625 tokens by the server's estimate, well above the minimum."""


class Clock:
    """The cache's clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(server: LocalAPIServer) -> Clock:
    fake = Clock()
    server.prompt_cache.clock = fake
    server.default = Scenario(text="Noted.")
    return fake


def client(server: LocalAPIServer) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key="test-key", base_url=server.base_url, max_retries=0)


def send(
    server: LocalAPIServer,
    messages: list[dict[str, Any]],
    *,
    cache: dict[str, str] | None = FIVE_MINUTES,
    model: str = MODEL,
    system: str | None = None,
) -> tuple[anthropic.types.Usage, dict[str, Any]]:
    """Stream one request; the final message's usage, and ``message_start``'s as sent."""
    extra: dict[str, Any] = {}
    if cache is not None:
        extra["cache_control"] = cache
    if system is not None:
        extra["system"] = system
    with client(server).messages.stream(
        model=model, max_tokens=100, messages=messages, **extra
    ) as stream:
        start: dict[str, Any] = {}
        for event in stream:
            if event.type == "message_start":
                start = event.message.usage.model_dump()
        final = stream.get_final_message()
    return final.usage, start


def history(*turns: str) -> list[dict[str, Any]]:
    """User and assistant messages alternating, starting with the user."""
    roles = ("user", "assistant")
    return [{"role": roles[i % 2], "content": text} for i, text in enumerate(turns)]


def test_a_repeated_prefix_is_read_and_the_rest_written(
    server: LocalAPIServer, clock: Clock
) -> None:
    first = history(LONG)
    usage, start = send(server, first)
    total = estimate_tokens(server.message_requests[-1]["body"])
    assert total >= MIN_CACHEABLE_TOKENS
    # Everything up to the breakpoint (the last block) is written; nothing is left as input.
    assert (usage.input_tokens, usage.cache_creation_input_tokens) == (0, total)
    assert usage.cache_read_input_tokens == 0
    assert usage.cache_creation is not None
    assert usage.cache_creation.ephemeral_5m_input_tokens == total
    assert usage.cache_creation.ephemeral_1h_input_tokens == 0
    assert start["cache_creation_input_tokens"] == total  # message_start says it already

    clock.now += 299.0  # within the 5 minutes
    second = history(LONG, "Noted.", "And now the second question?")
    usage, start = send(server, second)
    total_2 = estimate_tokens(server.message_requests[-1]["body"])
    assert usage.cache_read_input_tokens == total  # the first request's prefix
    assert usage.cache_creation_input_tokens == total_2 - total  # the new turns
    assert usage.input_tokens == 0
    assert start["cache_read_input_tokens"] == total
    assert start["cache_creation"]["ephemeral_5m_input_tokens"] == total_2 - total


def test_message_delta_repeats_the_cache_usage(server: LocalAPIServer, clock: Clock) -> None:
    send(server, history(LONG))
    with client(server).messages.stream(
        model=MODEL, max_tokens=100, messages=history(LONG), cache_control=FIVE_MINUTES
    ) as stream:
        deltas = [event for event in stream if event.type == "message_delta"]
    (delta,) = deltas
    assert delta.usage.cache_read_input_tokens == estimate_tokens(
        server.message_requests[-1]["body"]
    )
    assert delta.usage.cache_creation_input_tokens == 0
    assert delta.usage.input_tokens == 0


def test_below_the_minimum_nothing_is_cached_and_nothing_fails(
    server: LocalAPIServer, clock: Clock
) -> None:
    short = "x" * (4 * MIN_CACHEABLE_TOKENS - 8)  # 1,022 tokens, with the role's nothing
    for _ in range(2):
        usage, _ = send(server, history(short))
        assert (usage.cache_creation_input_tokens, usage.cache_read_input_tokens) == (0, 0)
        assert usage.input_tokens == MIN_CACHEABLE_TOKENS - 2
    assert len(server.prompt_cache) == 0
    just_enough = "x" * (4 * MIN_CACHEABLE_TOKENS)
    usage, _ = send(server, history(just_enough))
    assert usage.cache_creation_input_tokens == MIN_CACHEABLE_TOKENS


def test_without_cache_control_nothing_is_cached(server: LocalAPIServer, clock: Clock) -> None:
    for _ in range(2):
        usage, _ = send(server, history(LONG), cache=None)
        assert usage.input_tokens == estimate_tokens(server.message_requests[-1]["body"])
        assert (usage.cache_creation_input_tokens, usage.cache_read_input_tokens) == (0, 0)
    assert len(server.prompt_cache) == 0


def test_the_five_minute_ttl_expires_and_a_read_renews_it(
    server: LocalAPIServer, clock: Clock
) -> None:
    send(server, history(LONG))
    clock.now += 250.0
    usage, _ = send(server, history(LONG))
    assert usage.cache_read_input_tokens > 0
    clock.now += 250.0  # 500 s after the write, but 250 s after the read that renewed it
    usage, _ = send(server, history(LONG))
    assert usage.cache_read_input_tokens > 0
    clock.now += 300.0  # exactly the TTL since the last use: gone
    usage, _ = send(server, history(LONG))
    assert usage.cache_read_input_tokens == 0
    assert usage.cache_creation_input_tokens > 0  # written again


def test_the_hour_long_ttl(server: LocalAPIServer, clock: Clock) -> None:
    usage, _ = send(server, history(LONG), cache=ONE_HOUR)
    assert usage.cache_creation is not None
    assert usage.cache_creation.ephemeral_1h_input_tokens == usage.cache_creation_input_tokens
    assert usage.cache_creation.ephemeral_5m_input_tokens == 0
    clock.now += 3599.0
    usage, _ = send(server, history(LONG), cache=ONE_HOUR)
    assert usage.cache_read_input_tokens > 0
    clock.now += 3600.0
    usage, _ = send(server, history(LONG), cache=ONE_HOUR)
    assert usage.cache_read_input_tokens == 0


def test_another_model_misses(server: LocalAPIServer, clock: Clock) -> None:
    send(server, history(LONG))
    usage, _ = send(server, history(LONG), model=OTHER_MODEL)
    assert usage.cache_read_input_tokens == 0
    assert usage.cache_creation_input_tokens > 0
    usage, _ = send(server, history(LONG))  # the first model's entry is still there
    assert usage.cache_read_input_tokens > 0


def test_a_changed_prefix_misses(server: LocalAPIServer, clock: Clock) -> None:
    send(server, history(LONG, "Noted.", "Next?"), system="Be brief.")
    usage, _ = send(server, history(LONG, "Noted.", "Next?"), system="Be thorough.")
    assert usage.cache_read_input_tokens == 0  # the system prompt comes first
    changed_first = history(LONG.replace("lazy", "sleepy", 1), "Noted.", "Next?")
    usage, _ = send(server, changed_first, system="Be brief.")
    assert usage.cache_read_input_tokens == 0
    # An entry is a whole prefix, written at its breakpoint: changing the last message misses
    # too (nothing was written that ends before it) ...
    usage, _ = send(server, history(LONG, "Noted.", "Another?"), system="Be brief.")
    assert usage.cache_read_input_tokens == 0
    # ... while a request that goes on from the first one reads all of it.
    longer = history(LONG, "Noted.", "Next?", "Noted.", "Another?")
    usage, _ = send(server, longer, system="Be brief.")
    read = (len("Be brief.") + len(LONG) + len("Noted.") + len("Next?") + 3) // 4
    assert usage.cache_read_input_tokens == read


def test_a_string_and_a_text_block_are_the_same_prefix(
    server: LocalAPIServer, clock: Clock
) -> None:
    send(server, history(LONG))
    as_blocks = [{"role": "user", "content": [{"type": "text", "text": LONG}]}]
    usage, _ = send(server, as_blocks)
    assert usage.cache_read_input_tokens > 0


def test_a_prefix_further_back_than_the_lookback_is_not_found(
    server: LocalAPIServer, clock: Clock
) -> None:
    send(server, history(LONG))
    many = [LONG] + ["Noted.", "More?"] * (LOOKBACK_BLOCKS // 2 + 1)
    usage, _ = send(server, history(*many))
    assert usage.cache_read_input_tokens == 0


def test_block_breakpoints_count_and_bad_ones_are_refused(
    server: LocalAPIServer, clock: Clock
) -> None:
    marked = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": LONG, "cache_control": ONE_HOUR},
                {"type": "text", "text": "The question."},
            ],
        }
    ]
    usage, _ = send(server, marked, cache=None)
    written = (len(LONG) + 3) // 4
    assert usage.cache_creation_input_tokens == written  # up to the marked block only
    assert usage.input_tokens == estimate_tokens(server.message_requests[-1]["body"]) - written
    assert usage.cache_creation is not None
    assert usage.cache_creation.ephemeral_1h_input_tokens == written
    five = [{"type": "text", "text": f"b{i}", "cache_control": FIVE_MINUTES} for i in range(4)]
    too_many = [{"role": "user", "content": five}]
    with pytest.raises(anthropic.BadRequestError, match="maximum of 4 blocks"):
        send(server, too_many)  # four on blocks and the top-level one
    with pytest.raises(anthropic.BadRequestError, match="ttl"):
        send(server, history(LONG), cache={"type": "ephemeral", "ttl": "2h"})


def test_cache_control_problems() -> None:
    assert cache_control_problem({"cache_control": {"type": "ephemeral"}}) is None
    assert cache_control_problem({"cache_control": {"type": "persistent"}}) == (
        "cache_control.type: Input should be 'ephemeral'"
    )
    system = [{"type": "text", "text": "s", "cache_control": {"type": "ephemeral", "ttl": 5}}]
    assert cache_control_problem({"system": system}) == (
        "system.0.cache_control.ttl: Input should be '5m' or '1h'"
    )


def test_the_cache_is_per_server(server: LocalAPIServer, clock: Clock) -> None:
    send(server, history(LONG))
    with LocalAPIServer(Scenario(text="Noted.")) as other:
        usage, _ = send(other, history(LONG))
    assert usage.cache_read_input_tokens == 0
    assert isinstance(server.prompt_cache, PromptCache)
    assert len(server.prompt_cache) == 1
