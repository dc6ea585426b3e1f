"""Statistics for /stats: one session from its turns, all sessions from the store, and display."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from claude_tui.core.conversation import Turn, TurnStatus
from claude_tui.core.metrics import StreamMetrics
from claude_tui.core.pricing import Price, cost_usd
from claude_tui.core.stats import (
    ModelUsage,
    Stats,
    format_cost,
    format_duration,
    format_stats,
    session_stats,
    sparkline,
)
from claude_tui.core.store import SessionStore
from claude_tui.core.store.history import conversation_from_stored

SONNET = "claude-sonnet-4-5"
HAIKU = "claude-haiku-4-5"


@pytest.fixture
def store() -> Iterator[SessionStore]:
    with SessionStore.open() as opened:
        yield opened


def reply(
    text: str,
    *,
    model: str = SONNET,
    ttft: float | None = 0.5,
    duration: float | None = 2.5,
    input_tokens: int | None = 100,
    output_tokens: int | None = 40,
    final: bool = True,
    cache: tuple[int, int] = (0, 0),
    status: TurnStatus = TurnStatus.COMPLETE,
) -> Turn:
    """A reply measured as the runner measures one: times from ``started_at`` = 10."""
    metrics = StreamMetrics(
        model=model,
        started_at=10.0,
        first_token_at=None if ttft is None else 10.0 + ttft,
        last_token_at=None if ttft is None or duration is None else 10.0 + duration,
        ended_at=None if duration is None else 10.0 + duration,
        output_chars=len(text),
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cache_creation_tokens=cache[0],
        cache_read_tokens=cache[1],
        usage_final=final,
    )
    return Turn.from_text("assistant", text, status=status, metrics=metrics)


def user(text: str) -> Turn:
    return Turn.from_text("user", text)


# --- one session -----------------------------------------------------------------------------


def test_session_stats_counts_times_and_usage() -> None:
    turns = [
        user("hello"),  # 5
        reply("a" * 200, ttft=0.5, duration=2.5, input_tokens=100, output_tokens=40),
        user("more please"),  # 11
        reply(
            "b" * 100, ttft=0.25, duration=1.25, input_tokens=300, output_tokens=10, cache=(50, 20)
        ),
    ]
    stats = session_stats(turns)
    assert stats.user_messages == 2
    assert stats.assistant_replies == 2
    assert stats.characters == 5 + 200 + 11 + 100
    assert stats.average_reply_chars == 150
    assert stats.reply_seconds == pytest.approx(3.75)
    assert stats.mean_ttft_ms == pytest.approx(375.0)
    assert stats.rates == pytest.approx((40 / 2.0, 10 / 1.0))  # from first token to end
    assert stats.mean_tokens_per_second == pytest.approx(15.0)
    assert (stats.input_tokens, stats.output_tokens) == (400, 50)
    assert (stats.cache_creation_tokens, stats.cache_read_tokens) == (50, 20)
    assert stats.by_model == (ModelUsage(SONNET, 400, 50, 50, 20),)
    assert stats.sessions is None


def test_session_cost_is_the_sum_of_each_replys_cost() -> None:
    """Same prices, same estimates as the metrics line, overrides included."""
    turns = [
        user("q"),
        reply("x" * 120, model=SONNET, input_tokens=1000, output_tokens=500, cache=(10, 30)),
        reply("y" * 90, model=HAIKU, input_tokens=2000, output_tokens=None, final=False),
        reply("z" * 60, model="claude-opus-4-1", input_tokens=10, output_tokens=7, final=False),
    ]
    overrides = {"claude-haiku": Price(input=2.0, output=8.0, cache_write=2.5, cache_read=0.2)}
    stats = session_stats(turns)
    for prices in (None, overrides):
        expected = [turn.metrics.cost(prices) for turn in turns if turn.metrics is not None]
        assert None not in expected
        assert stats.cost(prices) == pytest.approx(sum(c for c in expected if c is not None))
    assert stats.cost(overrides) != pytest.approx(stats.cost())


def test_reply_without_final_usage_adds_no_output_count_and_no_rate() -> None:
    """A stopped reply has no reported output count: it is billed by its characters, but neither
    its partial count nor a rate estimated from characters gets into the numbers shown."""
    turns = [reply("w" * 400, input_tokens=50, output_tokens=3, final=False)]
    stats = session_stats(turns)
    assert stats.output_tokens is None
    assert stats.input_tokens == 50
    assert stats.rates == ()
    assert stats.mean_tokens_per_second is None
    assert stats.by_model == (ModelUsage(SONNET, 50, 100, 0, 0),)  # 400 characters / 4


def test_failed_empty_reply_counts_but_does_not_shorten_the_average() -> None:
    turns = [
        user("q"),
        reply(
            "",
            ttft=None,
            duration=0.3,
            input_tokens=None,
            output_tokens=None,
            final=False,
            status=TurnStatus.ERROR,
        ),
        reply("abcd"),
    ]
    stats = session_stats(turns)
    assert stats.assistant_replies == 2
    assert stats.average_reply_chars == 4
    assert stats.reply_seconds == pytest.approx(0.3 + 2.5)
    assert stats.mean_ttft_ms == pytest.approx(500.0)


def test_streaming_reply_has_no_duration_or_rate_yet() -> None:
    turns = [reply("so far", duration=None, output_tokens=None, final=False)]
    stats = session_stats(turns)
    assert stats.reply_seconds is None
    assert stats.rates == ()
    assert stats.mean_ttft_ms == pytest.approx(500.0)


def test_a_burst_reply_has_no_rate() -> None:
    stats = session_stats([reply("x", ttft=1.0, duration=1.02, output_tokens=1)])
    assert stats.rates == ()


def test_session_without_metrics_knows_nothing_it_did_not_measure() -> None:
    stats = session_stats([user("hi"), Turn.from_text("assistant", "hello")])
    assert (stats.user_messages, stats.assistant_replies, stats.characters) == (1, 1, 7)
    assert stats.reply_seconds is None
    assert stats.mean_ttft_ms is None
    assert stats.mean_tokens_per_second is None
    assert stats.input_tokens is None and stats.output_tokens is None
    assert stats.cost() is None


def test_empty_session() -> None:
    stats = session_stats([])
    assert stats == Stats()
    assert stats.average_reply_chars is None


def test_unpriced_model_is_left_out_of_the_cost_and_named() -> None:
    turns = [
        reply("x", model=SONNET, input_tokens=1_000_000, output_tokens=0),
        reply("y", model="mystery-1", input_tokens=5, output_tokens=5),
    ]
    stats = session_stats(turns)
    assert stats.cost() == pytest.approx(3.0)
    assert stats.unpriced_models() == ["mystery-1"]
    assert format_cost(stats) == "est. $3.0000 (no price for mystery-1)"
    only_unknown = session_stats([turns[1]])
    assert only_unknown.cost() is None
    assert format_cost(only_unknown) == "–"


# --- all sessions ----------------------------------------------------------------------------


def add_reply(store: SessionStore, session_id: str, text: str, **fields: Any) -> None:
    fields.setdefault("status", "complete")
    store.add_message(session_id, "assistant", text, **fields)


def test_usage_totals_of_an_empty_store(store: SessionStore) -> None:
    assert store.usage_totals() == Stats(sessions=0)
    store.create_session(model=SONNET)  # a session with nothing in it yet
    totals = store.usage_totals()
    assert totals.sessions == 1
    assert totals.user_messages == 0
    assert totals.cost() is None
    assert totals.input_tokens is None
    assert totals.mean_ttft_ms is None


def test_usage_totals_of_two_sessions(store: SessionStore) -> None:
    first = store.create_session(model=SONNET).id
    store.add_message(first, "user", "hello")
    add_reply(
        store,
        first,
        "a" * 300,
        model=SONNET,
        input_tokens=1000,
        output_tokens=200,
        cache_creation_tokens=100,
        cache_read_tokens=0,
        ttft_ms=400.0,
        duration_ms=2400.0,
    )
    store.add_message(first, "user", "again")
    add_reply(
        store,
        first,
        "b" * 100,
        model=HAIKU,
        input_tokens=3000,
        output_tokens=50,
        cache_creation_tokens=0,
        cache_read_tokens=500,
        ttft_ms=200.0,
        duration_ms=1200.0,
    )
    second = store.create_session(model=SONNET).id
    store.add_message(second, "user", "bye")
    add_reply(
        store,
        second,
        "c" * 80,
        status="cancelled",
        model=SONNET,
        input_tokens=10,
        cache_creation_tokens=0,
        cache_read_tokens=0,
        ttft_ms=600.0,
        duration_ms=900.0,
    )
    store.add_message(second, "user", "x")
    add_reply(store, second, "", status="error", error="overloaded")

    totals = store.usage_totals()
    assert totals.sessions == 2
    assert (totals.user_messages, totals.assistant_replies) == (4, 4)
    assert totals.characters == 5 + 300 + 5 + 100 + 3 + 80 + 1
    assert totals.average_reply_chars == pytest.approx((300 + 100 + 80) / 3)
    assert totals.reply_seconds == pytest.approx(2.4 + 1.2 + 0.9)
    assert totals.mean_ttft_ms == pytest.approx(400.0)
    # only replies with a reported count: 200 over 2 s, 50 over 1 s
    assert totals.mean_tokens_per_second == pytest.approx((100.0 + 50.0) / 2)
    assert (totals.input_tokens, totals.output_tokens) == (4010, 250)
    assert (totals.cache_creation_tokens, totals.cache_read_tokens) == (100, 500)
    assert totals.by_model == (
        ModelUsage(HAIKU, 3000, 50, 0, 500),
        ModelUsage(SONNET, 1010, 200 + 20, 100, 0),  # the cancelled reply: 80 characters / 4
    )
    assert totals.rates == ()
    expected = (
        cost_usd(SONNET, input_tokens=1010, output_tokens=220, cache_creation_tokens=100) or 0.0
    ) + (cost_usd(HAIKU, input_tokens=3000, output_tokens=50, cache_read_tokens=500) or 0.0)
    assert totals.cost() == pytest.approx(expected)
    cheap = {"claude": Price(input=0.0, output=0.0, cache_write=0.0, cache_read=0.0)}
    assert totals.cost(cheap) == 0.0


def test_totals_agree_with_the_session_read_back(store: SessionStore) -> None:
    """The same definitions both ways: a stored session's own statistics are the totals."""
    session = store.create_session(model=SONNET).id
    store.add_message(session, "user", "one")
    add_reply(
        store,
        session,
        "r" * 123,
        model=SONNET,
        input_tokens=70,
        output_tokens=33,
        cache_creation_tokens=5,
        cache_read_tokens=6,
        ttft_ms=300.0,
        duration_ms=1800.0,
    )
    store.add_message(session, "user", "two")
    add_reply(
        store,
        session,
        "s" * 44,
        model=HAIKU,
        input_tokens=90,
        output_tokens=None,
        cache_creation_tokens=0,
        cache_read_tokens=0,
        ttft_ms=150.0,
        duration_ms=650.0,
        status="cancelled",
    )
    store.add_message(session, "user", "three")
    add_reply(
        store,
        session,
        "t",
        model=HAIKU,
        input_tokens=9,
        output_tokens=2,
        cache_creation_tokens=0,
        cache_read_tokens=0,
        ttft_ms=1000.0,
        duration_ms=1030.0,
    )
    mine = session_stats(conversation_from_stored(store.messages(session)).turns)
    totals = store.usage_totals()
    assert mine.rates == pytest.approx((33 / 1.5,))  # the 30 ms burst has no rate
    for name in (
        "user_messages",
        "assistant_replies",
        "characters",
        "input_tokens",
        "output_tokens",
        "cache_creation_tokens",
        "cache_read_tokens",
        "by_model",
    ):
        assert getattr(totals, name) == getattr(mine, name), name
    for name in ("average_reply_chars", "reply_seconds", "mean_ttft_ms", "mean_tokens_per_second"):
        assert getattr(totals, name) == pytest.approx(getattr(mine, name)), name
    assert totals.cost() == pytest.approx(mine.cost())


# --- sparkline -------------------------------------------------------------------------------


def test_sparkline_empty_and_no_room() -> None:
    assert sparkline([], 10) == ""
    assert sparkline([1.0, 2.0], 0) == ""


def test_sparkline_spans_lowest_to_highest() -> None:
    assert sparkline([0.0, 7.0, 1.0, 3.5], 10) == "▁█▂▅"


def test_sparkline_all_equal_is_a_flat_mid_line() -> None:
    assert sparkline([42.0, 42.0, 42.0], 10) == "▄▄▄"
    assert sparkline([5.0], 10) == "▄"


def test_sparkline_downsamples_by_averaging_buckets() -> None:
    values = [0.0] * 5 + [10.0] * 5 + [5.0, 5.0, 5.0, 5.0, 5.0]
    assert sparkline(values, 3) == "▁█▅"  # bucket means 0, 10, 5
    assert (
        sparkline([0.0, 10.0, 0.0, 10.0, 0.0, 0.0, 10.0, 10.0], 4) == "▅▅▁█"
    )  # bucket means 5, 5, 0, 10
    long = [float(i % 7) for i in range(1000)]
    assert len(sparkline(long, 40)) == 40


def test_sparkline_skips_non_finite_values() -> None:
    assert sparkline([1.0, float("nan"), 8.0, float("inf")], 10) == "▁█"


# --- display ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "–"),
        (0.0, "0.0 s"),
        (8.24, "8.2 s"),
        (59.9, "59.9 s"),
        (59.97, "1 min 00 s"),
        (245.0, "4 min 05 s"),
        (7380.0, "2 h 03 min"),
    ],
)
def test_format_duration(seconds: float | None, text: str) -> None:
    assert format_duration(seconds) == text


def test_format_stats_for_a_session() -> None:
    turns = [user("q" * 5000)] + [
        reply("x" * 2000, input_tokens=12_345, output_tokens=out, duration=d)
        for out, d in ((1000, 10.5), (2000, 20.5))
    ]
    rows = dict(format_stats(session_stats(turns), chart_width=8))
    assert "Sessions" not in rows
    assert rows["Your messages"] == "1"
    assert rows["Characters"] == "9,000"
    assert rows["Average reply"] == "2,000 characters"
    assert rows["Time in replies"] == "31.0 s"
    assert rows["Time to first token"] == "500 ms (mean)"
    assert rows["Speed"] == "100.0 tok/s (mean)"
    assert rows["Speed per reply"] == "▄▄"
    assert rows["Input tokens"] == "24,690"
    assert rows["Output tokens"] == "3,000"
    assert rows["Cost"].startswith("est. $")
    cost = session_stats(turns).cost()
    assert cost is not None
    assert rows["Cost"] == f"est. ${cost:.4f}"


def test_format_stats_unknowns_and_sessions_row() -> None:
    rows = format_stats(Stats(sessions=1234))
    assert rows[0] == ("Sessions", "1,234")
    values = dict(rows)
    for label in (
        "Average reply",
        "Time in replies",
        "Time to first token",
        "Speed",
        "Input tokens",
        "Output tokens",
        "Cost",
    ):
        assert values[label] == "–", label
    assert "Speed per reply" not in values
    assert values["Replies"] == "0"


def test_format_cost_small_and_large() -> None:
    small = Stats(by_model=(ModelUsage(SONNET, input_tokens=4100),))
    assert format_cost(small) == "est. $0.0123"
    large = Stats(by_model=(ModelUsage(SONNET, output_tokens=100_000_000),))
    assert format_cost(large) == "est. $1,500.0000"
