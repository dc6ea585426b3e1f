from __future__ import annotations

import pytest

from claude_tui.core.metrics import StreamMetrics
from claude_tui.core.pricing import cost_usd, price_for


def test_ttft_and_elapsed() -> None:
    m = StreamMetrics(model="claude-sonnet-5-5", started_at=10.0, first_token_at=10.25)
    assert m.ttft_ms == pytest.approx(250.0)
    assert m.elapsed(now=12.0) == pytest.approx(2.0)
    ended = m.with_(ended_at=11.0)
    assert ended.elapsed(now=99.0) == pytest.approx(1.0)


def test_rate_is_an_estimate_until_final_usage() -> None:
    m = StreamMetrics(
        model="claude-sonnet-5-5", started_at=0.0, first_token_at=1.0, output_chars=400
    )
    rate, estimated = m.tokens_per_second(now=3.0)
    assert estimated
    assert rate == pytest.approx(100 / 2.0)  # 400 chars ≈ 100 tokens over 2 s
    final = m.with_(output_tokens=120, usage_final=True, last_token_at=3.0, ended_at=3.5)
    rate, estimated = final.tokens_per_second(now=50.0)
    assert not estimated
    assert rate == pytest.approx(60.0)  # 120 tokens from first to last token, 2 s


def test_no_rate_before_first_token() -> None:
    m = StreamMetrics(model="x", started_at=0.0)
    assert m.tokens_per_second(now=5.0) == (None, True)
    assert m.ttft_ms is None


def test_cost_uses_price_table() -> None:
    m = StreamMetrics(
        model="claude-sonnet-5-5",
        started_at=0.0,
        input_tokens=1_000_000,
        output_tokens=100_000,
        usage_final=True,
    )
    assert m.cost_usd == pytest.approx(3.0 + 1.5)


def test_cost_unknown_without_usage_or_price() -> None:
    assert StreamMetrics(model="claude-sonnet-5-5", started_at=0.0).cost_usd is None
    assert cost_usd("gpt-something", input_tokens=10, output_tokens=10) is None


def test_prices_by_prefix_then_family() -> None:
    assert price_for("claude-opus-4-1-20250805") == price_for("claude-opus-4-1")
    opus_new = price_for("claude-opus-4-5")
    assert opus_new is not None and opus_new.output == 25.0
    haiku = price_for("claude-haiku-4-5")
    assert haiku is not None and haiku.input == 1.0
    cached = cost_usd(
        "claude-sonnet-4-5",
        input_tokens=0,
        output_tokens=0,
        cache_creation_tokens=1_000_000,
        cache_read_tokens=1_000_000,
    )
    assert cached == pytest.approx(3.75 + 0.30)
