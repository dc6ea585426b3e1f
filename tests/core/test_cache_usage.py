"""Prompt caching in the core: the usage read from the stream, its price, and what /stats says
it saved (one session, and every session from the store)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from claude_tui.core.cache_saving import CacheSaving
from claude_tui.core.conversation import Turn
from claude_tui.core.metrics import StreamMetrics
from claude_tui.core.pricing import Price, cache_saving, cost_usd, price_for
from claude_tui.core.reply_reader import ReplyReader
from claude_tui.core.stats import ModelUsage, Stats, format_stats, session_stats
from claude_tui.core.store import SessionStore
from claude_tui.core.store.history import conversation_from_stored

SONNET = "claude-sonnet-5-5"  # $3 input, $3.75 5 m writes, $6 1 h writes, $0.30 reads
MILLION = 1_000_000


# --- usage from the stream -------------------------------------------------------------------


def test_message_start_gives_reads_writes_and_the_hour_long_part() -> None:
    usage = {
        "input_tokens": 3,
        "output_tokens": 1,
        "cache_creation_input_tokens": 1200,
        "cache_read_input_tokens": 20_480,
        "cache_creation": {"ephemeral_5m_input_tokens": 200, "ephemeral_1h_input_tokens": 1000},
    }
    update = ReplyReader().read({"type": "message_start", "message": {"usage": usage}})
    assert update is not None and update.announce
    assert update.fields == {
        "input_tokens": 3,
        "output_tokens": 1,
        "cache_creation_tokens": 1200,
        "cache_read_tokens": 20_480,
        "cache_creation_1h_tokens": 1000,
    }


def test_message_delta_repeats_them_and_a_count_left_out_is_kept() -> None:
    reader = ReplyReader()
    metrics = StreamMetrics(model=SONNET, started_at=0.0)
    start = {"input_tokens": 3, "cache_read_input_tokens": 500, "cache_creation_input_tokens": 7}
    for event in (
        {"type": "message_start", "message": {"usage": {**start, "output_tokens": 1}}},
        {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn"},
            "usage": {"output_tokens": 40, "cache_read_input_tokens": 512},
        },
    ):
        update = reader.read(event)
        assert update is not None
        metrics = metrics.with_(**update.fields)
    assert (metrics.input_tokens, metrics.output_tokens) == (3, 40)
    assert (metrics.cache_read_tokens, metrics.cache_creation_tokens) == (512, 7)
    assert metrics.cache_creation_1h_tokens == 0 and metrics.usage_final


def test_a_breakdown_without_its_total_still_gives_one() -> None:
    usage = {
        "input_tokens": 1,
        "cache_creation": {"ephemeral_5m_input_tokens": 30, "ephemeral_1h_input_tokens": 12},
    }
    update = ReplyReader().read({"type": "message_start", "message": {"usage": usage}})
    assert update is not None
    assert update.fields["cache_creation_tokens"] == 42
    assert update.fields["cache_creation_1h_tokens"] == 12


@pytest.mark.parametrize("breakdown", [None, "x", {"ephemeral_1h_input_tokens": None}, {}])
def test_a_breakdown_that_says_nothing_changes_nothing(breakdown: object) -> None:
    usage = {"input_tokens": 1, "cache_creation_input_tokens": 9, "cache_creation": breakdown}
    update = ReplyReader().read({"type": "message_start", "message": {"usage": usage}})
    assert update is not None
    assert update.fields == {"input_tokens": 1, "cache_creation_tokens": 9}


# --- prices ----------------------------------------------------------------------------------


def test_five_minute_and_hour_long_writes_and_reads_are_priced_apart() -> None:
    price = price_for(SONNET)
    assert price is not None and price.input == 3.0
    assert price.cache_write == pytest.approx(1.25 * 3.0)
    assert price.cache_write_1h == pytest.approx(2 * 3.0)
    assert price.cache_read == pytest.approx(0.1 * 3.0)
    five = cost_usd(SONNET, input_tokens=0, output_tokens=0, cache_creation_tokens=MILLION)
    hour = cost_usd(
        SONNET,
        input_tokens=0,
        output_tokens=0,
        cache_creation_tokens=MILLION,
        cache_creation_1h_tokens=MILLION,
    )
    read = cost_usd(SONNET, input_tokens=0, output_tokens=0, cache_read_tokens=MILLION)
    assert (five, hour, read) == (pytest.approx(3.75), pytest.approx(6.0), pytest.approx(0.30))
    mixed = cost_usd(
        SONNET,
        input_tokens=MILLION,
        output_tokens=0,
        cache_creation_tokens=3 * MILLION,
        cache_creation_1h_tokens=MILLION,
        cache_read_tokens=10 * MILLION,
    )
    assert mixed == pytest.approx(3.0 + 2 * 3.75 + 6.0 + 10 * 0.30)


def test_a_breakdown_larger_than_its_total_is_never_priced_beyond_it() -> None:
    odd = cost_usd(
        SONNET,
        input_tokens=0,
        output_tokens=0,
        cache_creation_tokens=MILLION,
        cache_creation_1h_tokens=5 * MILLION,
    )
    assert odd == pytest.approx(6.0)


def test_an_override_prices_5m_writes_by_its_cache_write_and_hour_writes_by_its_input() -> None:
    overrides = {"claude-sonnet": Price(input=2.0, output=8.0, cache_write=2.4, cache_read=0.25)}
    m = StreamMetrics(
        model=SONNET,
        started_at=0.0,
        input_tokens=0,
        output_tokens=0,
        usage_final=True,
        cache_creation_tokens=3 * MILLION,
        cache_creation_1h_tokens=MILLION,
        cache_read_tokens=MILLION,
    )
    assert m.cost(overrides) == pytest.approx(2 * 2.4 + 1 * 4.0 + 0.25)
    assert m.cost() == pytest.approx(2 * 3.75 + 6.0 + 0.30)


def test_what_caching_saved_can_be_negative() -> None:
    # 20,000 tokens read saved 0.9 of their input price each; 1,200 written cost 0.25 more.
    saved = cache_saving(SONNET, cache_read_tokens=20_000, cache_creation_tokens=1200)
    assert saved == pytest.approx((20_000 * 2.7 - 1200 * 0.75) / MILLION)
    # Written and never read: the write's premium is all there is.
    lost = cache_saving(SONNET, cache_creation_tokens=10_000, cache_creation_1h_tokens=4000)
    assert lost == pytest.approx(-(6000 * 0.75 + 4000 * 3.0) / MILLION)
    assert cache_saving("gpt-something", cache_read_tokens=5) is None


# --- /stats ----------------------------------------------------------------------------------


def cached_reply(write: int, read: int, hour: int = 0, model: str = SONNET) -> Turn:
    metrics = StreamMetrics(
        model=model,
        started_at=0.0,
        first_token_at=0.5,
        last_token_at=1.0,
        ended_at=1.0,
        output_chars=40,
        input_tokens=3,
        output_tokens=10,
        usage_final=True,
        cache_creation_tokens=write,
        cache_read_tokens=read,
        cache_creation_1h_tokens=hour,
    )
    return Turn.from_text("assistant", "x" * 40, metrics=metrics)


def test_a_session_s_saving_in_dollars_and_tokens() -> None:
    turns = [
        Turn.from_text("user", "long paste"),
        cached_reply(write=20_000, read=0),
        Turn.from_text("user", "and?"),
        cached_reply(write=100, read=20_000),
    ]
    stats = session_stats(turns)
    assert (stats.cache_creation_tokens, stats.cache_read_tokens) == (20_100, 20_000)
    saving = stats.cache_saving()
    # reads: 20,000 x 0.9 input; writes: 20,100 x 0.25 input more
    worth = 20_000 * 0.9 - 20_100 * 0.25
    assert saving == CacheSaving(pytest.approx(worth * 3.0 / MILLION), round(worth))
    rows = dict(format_stats(stats))
    assert rows["Cache read tokens"] == "20,000"
    assert rows["Cache write tokens"] == "20,100"
    assert rows["Saved by caching"] == "est. $0.0389 (12,975 input tokens' worth)"


def test_a_saving_that_is_a_cost_is_said_so() -> None:
    stats = session_stats([cached_reply(write=20_000, read=0, hour=20_000)])
    rows = dict(format_stats(stats))
    assert rows["Cache write tokens"] == "20,000 (1 h: 20,000)"
    assert rows["Saved by caching"] == (
        "est. −$0.0600 (−20,000 input tokens' worth: writes not yet read back)"
    )


def test_no_cache_no_saving_and_an_unpriced_model_is_left_out() -> None:
    assert dict(format_stats(session_stats([cached_reply(0, 0)])))["Saved by caching"] == "–"
    assert dict(format_stats(Stats()))["Saved by caching"] == "–"
    mystery = session_stats([cached_reply(0, 5000, model="mystery-1")])
    assert mystery.cache_saving() is None
    both = session_stats([cached_reply(0, 5000, model="mystery-1"), cached_reply(0, 1000)])
    assert both.cache_saving() == CacheSaving(pytest.approx(1000 * 2.7 / MILLION), 900)


@pytest.fixture
def store() -> Iterator[SessionStore]:
    with SessionStore.open() as opened:
        yield opened


def test_the_store_keeps_hour_long_writes_and_the_totals_price_them(store: SessionStore) -> None:
    session = store.create_session(model=SONNET).id
    for write, read, hour in ((20_000, 0, 20_000), (50, 20_000, 0)):
        store.add_message(session, "user", "q")
        store.add_message(
            session,
            "assistant",
            "a",
            status="complete",
            model=SONNET,
            input_tokens=3,
            output_tokens=10,
            cache_creation_tokens=write,
            cache_read_tokens=read,
            cache_creation_1h_tokens=hour,
            ttft_ms=100.0,
            duration_ms=1000.0,
        )
    mine = session_stats(conversation_from_stored(store.messages(session)).turns)
    totals = store.usage_totals()
    assert totals.by_model == mine.by_model == (ModelUsage(SONNET, 6, 20, 20_050, 20_000, 20_000),)
    assert totals.cache_creation_1h_tokens == mine.cache_creation_1h_tokens == 20_000
    assert totals.cost() == pytest.approx(mine.cost())
    expected = (6 * 3.0 + 20 * 15.0 + 20_000 * 6.0 + 50 * 3.75 + 20_000 * 0.30) / MILLION
    assert totals.cost() == pytest.approx(expected)
    assert totals.cache_saving() == mine.cache_saving()
    saving = totals.cache_saving()
    assert saving is not None
    assert saving.dollars == pytest.approx((20_000 * 2.7 - 20_000 * 3.0 - 50 * 0.75) / MILLION)
