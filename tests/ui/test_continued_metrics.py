"""A reply continued over several requests keeps two figures, live and reopened alike: its
requests summed (its cost, ``/stats``), and the last request's input (the context gauge and the
check before a send, which would otherwise read the sum as one request's size)."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from claude_tui.core.client import ApiSettings
from claude_tui.core.context_window import context_tokens
from claude_tui.core.stats import session_stats
from claude_tui.core.store import SessionStore, StoredMessage
from claude_tui.localapi.server import LocalAPIServer, Scenario
from claude_tui.ui.app import ClaudeTUI

from .helpers import options, send, send_and_finish, wait_until
from .test_context_gauge import WINDOW, gauge, small_window

PROMPT = "word " * 400
"""About 400 tokens: four requests of it add up to over one and a half windows."""
PREFILL_MODEL = "claude-haiku-4-5-20251001"
"""A model that takes a cut reply back as a prefill: one request per continuation."""
PARTS = ("The answer begins", " and goes on", " and on", " to its end.")


async def test_a_continued_reply_counts_all_its_requests_but_gauges_the_last(
    server: LocalAPIServer, api: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.push(
        *(Scenario(text=part, stop_reason="max_tokens") for part in PARTS[:-1]),
        Scenario(text=PARTS[-1]),
        Scenario(text="Hello."),
    )
    app = ClaudeTUI(options(api, model=PREFILL_MODEL))
    small_window(app, monkeypatch)
    async with app.run_test(size=(120, 30)) as pilot:
        await send_and_finish(pilot, PROMPT)
        turns = app.chat.current.conversation.turns
        for count in (2, 3, 4):  # Ctrl+R three times: one turn, four requests
            await pilot.press("ctrl+r")
            await wait_until(pilot, lambda c=count: len(server.message_requests) == c)
            await wait_until(pilot, lambda: app.chat.current.reply is None)
        assert [t.role for t in turns] == ["user", "assistant"]
        assert turns[-1].text == "".join(PARTS)
        metrics = turns[-1].metrics
        assert metrics is not None and metrics.input_tokens is not None
        last = context_tokens(metrics)
        assert last is not None and 400 < last < WINDOW < metrics.input_tokens
        live = gauge(app)
        assert live == (f"ctx {math.floor(last / WINDOW * 100)}%", None)
        session_id = app.chat.current.session_id
        assert session_id is not None
        await wait_until(pilot, lambda: stored(session_id)[-1].status == "complete")
        # The turn on screen counts what the store counts: /stats for this session agrees
        # with the all-sessions totals.
        row = stored(session_id)[-1]
        assert (metrics.input_tokens, metrics.output_tokens) == (
            row.input_tokens,
            row.output_tokens,
        )
        with SessionStore.open() as store:
            totals = store.usage_totals()
        mine = session_stats(turns)
        assert (mine.input_tokens, mine.output_tokens) == (
            totals.input_tokens,
            totals.output_tokens,
        )
        assert row.context_tokens == last

    reopened = ClaudeTUI(replace(options(api, model=PREFILL_MODEL), open_session_id=session_id))
    small_window(reopened, monkeypatch)
    async with reopened.run_test(size=(120, 30)) as pilot:
        await wait_until(pilot, lambda: len(reopened.chat.current.conversation.turns) == 2)
        # "ctx –" until the reopened turn's metrics are shown: wait for a figure
        await wait_until(pilot, lambda: "%" in str(reopened.chat.metrics_bar.render()))
        assert gauge(reopened) == live
        await send(pilot, "hi")
        await wait_until(pilot, lambda: len(server.message_requests) == 5)
        turns = reopened.chat.current.conversation.turns
        await wait_until(pilot, lambda: reopened.chat.current.reply is None)
        assert [t.text for t in turns[-2:]] == ["hi", "Hello."]


def stored(session_id: str) -> list[StoredMessage]:
    with SessionStore.open() as store:
        return [m for m in store.all_messages(session_id) if m.role == "assistant"]
