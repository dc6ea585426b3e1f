"""Web searches and fetches as the server counts them (``usage.server_tool_use``): read from the
stream, priced (a search per 1,000 at the user's price; a fetch only by its tokens), summed over
a continued reply, saved with the reply and counted by /stats for a session and for all."""

from __future__ import annotations

import math

import pytest

from claude_tui.core.blocks import TextBlock
from claude_tui.core.continuation import reply_total
from claude_tui.core.conversation import Turn
from claude_tui.core.events import Finished, Started
from claude_tui.core.metrics import StreamMetrics
from claude_tui.core.pricing import cost_usd
from claude_tui.core.reply_reader import ReplyReader
from claude_tui.core.stats import format_stats, session_stats
from claude_tui.core.store import SessionStore
from claude_tui.core.store.history import conversation_from_stored
from claude_tui.core.store.recorder import ReplyRecorder

from .recording import METRICS, exchange, streamed

SONNET = "claude-sonnet-5-5"  # $3 in, $15 out per million tokens
TOKENS_COST = (1000 * 3.0 + 100 * 15.0) / 1_000_000


def reply(searches: int, fetches: int = 0, *, model: str = SONNET) -> StreamMetrics:
    return StreamMetrics(
        model=model, started_at=0.0, first_token_at=0.5, last_token_at=1.0, ended_at=1.0,
        input_tokens=1000, output_tokens=100, usage_final=True,
        web_search_requests=searches, web_fetch_requests=fetches,
    )  # fmt: skip


def test_the_reader_takes_the_counts_from_start_and_delta() -> None:
    reader = ReplyReader()
    usage = {"input_tokens": 9, "server_tool_use": {"web_search_requests": 0}}
    update = reader.read({"type": "message_start", "message": {"usage": usage}})
    assert update is not None
    assert update.fields == {"input_tokens": 9, "web_search_requests": 0}
    final = {
        "output_tokens": 40,
        "server_tool_use": {"web_search_requests": 3, "web_fetch_requests": 1},
    }
    update = reader.read({"type": "message_delta", "delta": {}, "usage": final})
    assert update is not None
    assert (update.fields["web_search_requests"], update.fields["web_fetch_requests"]) == (3, 1)
    metrics = METRICS.with_(**update.fields)
    assert (metrics.web_search_requests, metrics.web_fetch_requests) == (3, 1)


@pytest.mark.parametrize(
    "server_tool_use",
    [None, "3", {"web_search_requests": "3"}, {"web_search_requests": True}, {}],
)
def test_counts_that_are_not_counts_are_left_as_they_were(server_tool_use: object) -> None:
    reader = ReplyReader()
    update = reader.read(
        {"type": "message_delta", "delta": {}, "usage": {"server_tool_use": server_tool_use}}
    )
    assert update is not None
    assert "web_search_requests" not in update.fields
    assert "web_fetch_requests" not in update.fields


def test_a_search_costs_the_price_per_thousand_and_a_fetch_nothing_more() -> None:
    base = cost_usd(SONNET, input_tokens=1000, output_tokens=100)
    assert base is not None and math.isclose(base, TOKENS_COST)
    assert math.isclose(reply(0, 5).cost() or 0, TOKENS_COST)  # fetches: tokens only
    assert math.isclose(reply(4).cost() or 0, TOKENS_COST + 4 * 10.0 / 1000)
    assert math.isclose(
        reply(4).cost(web_search_price=25.0) or 0, TOKENS_COST + 4 * 25.0 / 1000
    )  # the user's web_search_price
    assert math.isclose(reply(4).cost(web_search_price=0.0) or 0, TOKENS_COST)
    assert reply(4, model="gpt-9").cost() is None  # no price for the model: no estimate


def test_a_continued_reply_sums_them_like_its_tokens() -> None:
    total = reply_total(reply(2, 1), reply(3))
    assert (total.web_search_requests, total.web_fetch_requests) == (5, 1)
    assert math.isclose(total.cost() or 0, 2 * TOKENS_COST + 5 * 10.0 / 1000)


def test_the_store_keeps_them_and_the_session_reopens_with_them() -> None:
    with SessionStore.open() as store:
        first = exchange(store, None, "question", "Searched")
        assert first.session_id is not None and first.reply_message_id is not None
        recorder = ReplyRecorder(
            store,
            session_id=first.session_id,
            user_blocks=None,
            model=SONNET,
            system="",
            continues=first.reply_message_id,
            prefix=[TextBlock("Searched")],
            earlier=reply(2, 1),
        )
        recorder.begin()
        recorder.on_event(Started(METRICS))
        new = [TextBlock(" and found.")]
        for event in streamed(new):
            recorder.on_event(event)
        recorder.on_event(Finished(reply(3), tuple(new)))
        saved = store.all_messages(first.session_id)[-1]
        assert (saved.web_search_requests, saved.web_fetch_requests) == (5, 1)
        (_, turn) = conversation_from_stored(store.messages(first.session_id)).turns
        assert turn.metrics is not None
        assert (turn.metrics.web_search_requests, turn.metrics.web_fetch_requests) == (5, 1)

        totals = store.usage_totals()
        assert (totals.web_search_requests, totals.web_fetch_requests) == (5, 1)
        # priced with the row's model (the first request's: "m", which has no price)
        assert [(usage.model, usage.web_search_requests) for usage in totals.by_model] == [("m", 5)]


def test_a_sessions_stats_count_them_and_show_them_only_when_made() -> None:
    turns = [
        Turn("user", [TextBlock("q")]),
        Turn("assistant", [TextBlock("a")], metrics=reply(2, 1)),
        Turn("user", [TextBlock("q")]),
        Turn("assistant", [TextBlock("b")], metrics=reply(1, 2)),
    ]
    stats = session_stats(turns)
    assert (stats.web_search_requests, stats.web_fetch_requests) == (3, 3)
    assert [usage.web_search_requests for usage in stats.by_model] == [3]
    rows = dict(format_stats(stats, web_search_price=10.0))
    assert (rows["Web searches"], rows["Web fetches"]) == ("3", "3")
    assert rows["Cost"] == f"est. ${2 * TOKENS_COST + 0.03:,.4f}"
    labels = [label for label, _ in format_stats(stats)]
    assert labels.index("Web fetches") == labels.index("Cost") - 1

    quiet = session_stats([Turn("assistant", [TextBlock("a")], metrics=reply(0))])
    assert "Web searches" not in dict(format_stats(quiet))
