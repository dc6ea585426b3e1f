"""The context gauge's arithmetic and the check before a send: pure functions, no I/O."""

from __future__ import annotations

from dataclasses import replace

import pytest

from claude_tui.core.blocks import CompactionBlock
from claude_tui.core.compaction import compacted_to, estimate_tokens
from claude_tui.core.context_window import (
    GaugeLevel,
    SendVerdict,
    context_now,
    context_tokens,
    estimate_next,
    estimate_next_request,
    exact_verdict,
    fill_fraction,
    gauge_level,
    gauge_text,
    over_window_message,
    verdict,
)
from claude_tui.core.conversation import Turn, TurnStatus
from claude_tui.core.metrics import StreamMetrics

LAST = StreamMetrics(
    model="m",
    started_at=0.0,
    input_tokens=1_000,
    cache_read_tokens=20_000,
    cache_creation_tokens=3_000,
    output_tokens=500,
    usage_final=True,
)


def test_the_gauge_counts_uncached_input_and_both_kinds_of_cache() -> None:
    assert context_tokens(LAST) == 24_000
    assert context_tokens(None) is None
    assert context_tokens(StreamMetrics(model="m", started_at=0.0)) is None
    assert fill_fraction(24_000, 200_000) == pytest.approx(0.12)
    assert fill_fraction(24_000, None) is None
    assert fill_fraction(None, 200_000) is None
    assert fill_fraction(5, 0) is None


@pytest.mark.parametrize(
    ("fraction", "text", "level"),
    [
        (None, "ctx –", GaugeLevel.OK),
        (0.0, "ctx 0%", GaugeLevel.OK),
        (0.0012, "ctx <1%", GaugeLevel.OK),
        (0.34, "ctx 34%", GaugeLevel.OK),
        (0.7999, "ctx 79%", GaugeLevel.OK),
        (0.80, "ctx 80%", GaugeLevel.WARNING),
        (0.9499, "ctx 94%", GaugeLevel.WARNING),
        (0.95, "ctx 95%", GaugeLevel.ERROR),
        (1.07, "ctx 107%", GaugeLevel.ERROR),
    ],
)
def test_the_gauge_reads_whole_per_cent_and_warns_at_80_and_95(
    fraction: float | None, text: str, level: GaugeLevel
) -> None:
    assert gauge_text(fraction) == text
    assert gauge_level(fraction) is level


def test_the_next_request_is_the_last_input_its_reply_and_the_prompt() -> None:
    assert estimate_next_request(LAST, prompt_chars=400, history_chars=999_999) == 24_600
    # Without final usage, the reply is counted from its characters.
    live = LAST.with_(usage_final=False, output_tokens=None, output_chars=40)
    assert estimate_next_request(live, prompt_chars=0, history_chars=0) == 24_010
    # Nothing measured yet: the history and the prompt by their length, rounded up.
    assert estimate_next_request(None, prompt_chars=3, history_chars=4) == 2


def test_the_verdict_sends_counts_near_the_edge_and_refuses_far_over_the_window() -> None:
    assert verdict(89_999, 100_000) is SendVerdict.SEND
    assert verdict(90_000, 100_000) is SendVerdict.COUNT
    assert verdict(100_000, 100_000) is SendVerdict.COUNT
    assert verdict(150_000, 100_000) is SendVerdict.COUNT  # just over: the API counts
    assert verdict(150_001, 100_000) is SendVerdict.REFUSE
    assert verdict(10**9, None) is SendVerdict.SEND
    assert exact_verdict(100_000, 100_000) is SendVerdict.SEND
    assert exact_verdict(100_001, 100_000) is SendVerdict.REFUSE
    assert exact_verdict(100_001, None) is SendVerdict.SEND


def test_the_refusal_says_the_numbers_and_what_to_do() -> None:
    text = over_window_message(212_345, 200_000, "claude-x", exact=False)
    assert "about 212,345 input tokens (estimated)" in text
    assert "claude-x's 200,000-token window" in text
    assert "/compact" in text and "still in the input" in text
    assert "212,345 input tokens (counted by the API)" in over_window_message(
        212_345, 200_000, "claude-x", exact=True
    )


def _compacted(summary: str | None) -> list[Turn]:
    """A big exchange, then ``/compact``'s reply on the server: a compaction block alone."""
    before = replace(LAST, input_tokens=55_000, cache_read_tokens=0, cache_creation_tokens=0)
    block = CompactionBlock({"type": "compaction", "content": summary})
    return [
        Turn.from_text("user", "x" * 220_000),
        Turn.from_text("assistant", "Noted.", metrics=LAST),
        Turn.from_text("user", "/compact"),
        Turn("assistant", [block], TurnStatus.COMPLETE, metrics=before, stop_reason="compaction"),
    ]


def test_right_after_a_compaction_the_context_is_its_summary() -> None:
    """The compacting reply's usage counts what came before the summary: the gauge and the
    next request's estimate go by the summary (``estimate_tokens``, as ``/compact`` says it)."""
    turns = _compacted("s" * 272)
    assert compacted_to(turns) == estimate_tokens("s" * 272) == 68
    assert context_now(turns) == 68
    assert estimate_next(turns, prompt_chars=40) == 68 + 10
    # Once another reply has measured the context, its usage says it again.
    later = replace(LAST, input_tokens=120, cache_read_tokens=0, cache_creation_tokens=0)
    later = replace(later, output_tokens=5)
    turns += [Turn.from_text("user", "hi"), Turn.from_text("assistant", "Hi.", metrics=later)]
    assert compacted_to(turns) is None
    assert context_now(turns) == 120
    assert estimate_next(turns, prompt_chars=40) == 120 + 5 + 10


def test_without_a_compaction_the_last_usage_or_the_text_decides() -> None:
    turns = [Turn.from_text("user", "hello"), Turn.from_text("assistant", "Hi.", metrics=LAST)]
    assert compacted_to(turns) is None
    assert context_now(turns) == 24_000
    assert estimate_next(turns, prompt_chars=400) == 24_600
    unmeasured = [Turn.from_text("user", "x" * 40), Turn.from_text("assistant", "y" * 40)]
    assert context_now(unmeasured) is None
    assert estimate_next(unmeasured, prompt_chars=40) == 30
    # A compaction with no summary's text (the API sends ``content: null`` when it failed):
    # its usage is the best guess left.
    assert context_now(_compacted(None)) == 55_000
