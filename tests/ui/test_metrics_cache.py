"""The metrics line's cache field: reads and writes when a reply used the cache, nothing when
it did not, in the wide and the compact layouts, and fields left out whole when narrow."""

from __future__ import annotations

import pytest

from claude_tui.core.metrics import StreamMetrics
from claude_tui.ui.widgets.metrics import (
    NARROW_BUDGET,
    NARROW_SEPARATOR,
    ONE_LINE_FROM,
    OPTIONAL,
    format_metrics,
    narrow_fields,
)

CACHED = StreamMetrics(
    model="claude-sonnet-5-5",
    started_at=0.0,
    first_token_at=0.35,
    last_token_at=5.0,
    ended_at=5.0,
    output_chars=1600,
    input_tokens=3,
    output_tokens=412,
    usage_final=True,
    stop_reason="end_turn",
    cache_read_tokens=20_480,
    cache_creation_tokens=1200,
)
WINDOW = 1_000_000
"""The model's context window, for the gauge: 21,683 tokens of it are 2 %."""


def test_the_wide_line_shows_reads_and_writes_after_the_token_counts() -> None:
    line = format_metrics(CACHED, 5.0, width=200, window=WINDOW)
    assert line == (
        "claude-sonnet-5-5  │  TTFT 350 ms  │  tok/s 88.6  │  in 3 · out 412  │  "
        "cache r 20,480 · w 1,200  │  ctx 2%  │  5.0 s  │  end_turn  │  est. $0.0168"
    )
    # the cost prices them: 3 in, 412 out, 20,480 read at 0.1x, 1,200 written at 1.25x
    assert CACHED.cost() == pytest.approx((3 * 3 + 412 * 15 + 20_480 * 0.3 + 1200 * 3.75) / 1e6)


def test_the_compact_line_keeps_the_cache_before_the_cost_and_the_time() -> None:
    assert format_metrics(CACHED, 5.0, width=140, window=WINDOW) == (
        "sonnet-5-5 │ TTFT 350ms │ tok/s 89 │ in 3 out 412 │ cache r20,480 w1,200 │ ctx 2% │"
        " 5.0s │ end_turn │ ≈$0.0168"
    )
    assert format_metrics(CACHED, 5.0, width=100, window=WINDOW) == (
        "TTFT 350ms │ tok/s 89 │ in 3 out 412 │ cache r20,480 w1,200 │ ctx 2% │ ≈$0.0168"
    )
    # at 80 the gauge outlasts the cache field: how full the window is matters more
    assert format_metrics(CACHED, 5.0, width=80, window=WINDOW) == (
        "TTFT 350ms │ tok/s 89 │ in 3 out 412 │ ctx 2%"
    )
    for width in range(20, 140):
        line = format_metrics(CACHED, 5.0, width=width, window=WINDOW)
        assert "\n" not in line and (len(line) <= width or " │ " not in line), width
        assert "cache" not in line or "w1,200" in line or "w 1,200" in line  # never cut


def test_a_reply_without_cache_use_has_no_cache_field() -> None:
    plain = CACHED.with_(cache_read_tokens=0, cache_creation_tokens=0)
    assert "cache" not in format_metrics(plain, 5.0, width=200)
    # and the line is laid out as it was before the field existed
    assert format_metrics(plain, 5.0, width=ONE_LINE_FROM).startswith("sonnet-5-5 │ ")
    assert "cache" not in format_metrics(None, 0.0, width=200)
    always = [f for f in narrow_fields(200) if f not in OPTIONAL]
    assert narrow_fields(ONE_LINE_FROM, always)[0] == "model"


def test_writes_alone_are_shown_too() -> None:
    first_turn = CACHED.with_(cache_read_tokens=0, cache_creation_tokens=5631)
    assert "cache r 0 · w 5,631" in format_metrics(first_turn, 5.0, width=200)
    assert "cache r0 w5,631" in format_metrics(first_turn, 5.0, width=90)


def test_a_searched_reply_keeps_its_cost_when_one_of_cost_and_web_must_go() -> None:
    """The searches are in the cost: the web count goes first, the cost stays."""
    present = [f for f in narrow_fields(200) if f not in ("model", "cache")]
    kept = ("ttft", "rate", "tokens", "web", "ctx", "cost")
    width = sum(NARROW_BUDGET[f] for f in kept) + len(NARROW_SEPARATOR) * (len(kept) - 1) - 1
    shown = narrow_fields(width, present)
    assert shown == ("ttft", "rate", "tokens", "ctx", "cost")
