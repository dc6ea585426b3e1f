"""The check before a send, in the cases around it: right after ``/compact`` on the server,
a count stopped with Esc or outrun by an edit of the input, a count that breaks, and prompts
queued behind a reply (checked when their turn comes). Against the local server."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from claude_tui.core.client import ApiSettings
from claude_tui.core.prompt import Prompt
from claude_tui.localapi.server import COUNT_TOKENS_ROUTE, LocalAPIServer, Scenario
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.chat import send_guard
from claude_tui.ui.widgets.message import UserMessage
from claude_tui.ui.widgets.prompt import PromptInput

from .helpers import make_app, notices, send, send_and_finish, wait_until
from .test_compaction import BIG
from .test_context_gauge import WINDOW, gauge, prompt_for, small_window


def count_requests(server: LocalAPIServer) -> int:
    return sum(r["path"].endswith("/count_tokens") for r in server.requests)


def count_worker_done(app: ClaudeTUI) -> bool:
    """No ``count_tokens`` worker of the send guard is running."""
    return not any(w.name == "count-tokens" and not w.is_finished for w in app.workers)


async def test_after_compact_the_gauge_and_the_next_send_go_by_the_summary(
    server: LocalAPIServer, api: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 60,000-token window and a 55,000-token prompt: 92 % before /compact; after it, the
    summary's few tokens, and a short prompt goes out without a count. (``auto_compact`` off:
    on, the first reply would already be compacted, its trigger being the API's minimum.)"""
    app = make_app(api, model="claude-sonnet-5-5", auto_compact=False)
    known = app.capabilities
    monkeypatch.setattr(
        app, "capabilities", lambda model: replace(known(model), max_input_tokens=60_000)
    )
    async with app.run_test(size=(120, 30)) as pilot:
        await send_and_finish(pilot, BIG)
        text, style = gauge(app)
        assert 90 <= int(text[4:-1]) < 95 and style == "$warning"
        await send(pilot, "/compact")
        await wait_until(pilot, lambda: any("Compacted on the server" in n for n in notices(app)))
        await pilot.pause()
        assert gauge(app) == ("ctx <1%", None)  # ~68 of 60,000 tokens

        counted = count_requests(server)  # the 55,000-token prompt was counted: near the edge
        app.clear_notifications()
        await send_and_finish(pilot, "What comes first?")
        assert count_requests(server) == counted
        assert not any("counting" in n for n in notices(app))
        assert len(server.message_requests) == 3


async def slow_count(pilot_app: ClaudeTUI, server: LocalAPIServer) -> str:
    """A prompt near the edge whose count takes a while: sent, and counted now."""
    server.push(Scenario(headers_delay=1.5), route=COUNT_TOKENS_ROUTE)
    return prompt_for(pilot_app, 0.95)


async def test_esc_stops_the_count_and_the_prompt_is_not_sent(
    server: LocalAPIServer, api: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.default = Scenario(text="Noted.")
    app = make_app(api)
    small_window(app, monkeypatch)
    async with app.run_test(size=(120, 30)) as pilot:
        await send_and_finish(pilot, "hello")
        prompt = await slow_count(app, server)
        await send(pilot, prompt)
        await wait_until(pilot, lambda: count_requests(server) == 1)
        await pilot.press("escape")
        assert any("Count stopped" in n for n in notices(app))
        input_ = app.query_one(PromptInput)
        assert input_.text == prompt
        input_.load_text("something else")
        await wait_until(pilot, lambda: count_worker_done(app))
        await pilot.pause()
        assert len(server.message_requests) == 1  # the counted prompt never went out
        assert input_.text == "something else"
        assert len(app.chat.current.conversation.turns) == 2
        await send_and_finish(pilot, "")  # Enter is free again: no "Still counting…"
        assert len(server.message_requests) == 2
        assert not any("Still counting" in n for n in notices(app))
        assert server.message_requests[1]["body"]["messages"][-1]["content"][0]["text"] == (
            "something else"
        )


async def test_a_prompt_changed_while_counted_is_not_sent(
    server: LocalAPIServer, api: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.default = Scenario(text="Noted.")
    app = make_app(api)
    small_window(app, monkeypatch)
    async with app.run_test(size=(120, 30)) as pilot:
        await send_and_finish(pilot, "hello")
        prompt = await slow_count(app, server)
        await send(pilot, prompt)
        await wait_until(pilot, lambda: count_requests(server) == 1)
        app.query_one(PromptInput).load_text("a shorter question")
        await wait_until(pilot, lambda: any("input changed" in n for n in notices(app)))
        await pilot.pause()
        assert len(server.message_requests) == 1
        assert app.query_one(PromptInput).text == "a shorter question"


async def test_a_count_that_breaks_does_not_leave_enter_waiting(
    server: LocalAPIServer, api: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not an API error: a bug, say. The count is over all the same, and the prompt goes out
    for the API to judge, as when counting fails."""
    server.default = Scenario(text="Noted.")
    app = make_app(api)
    small_window(app, monkeypatch)

    def broken(*args: object) -> int:
        raise ValueError("unexpected")

    monkeypatch.setattr(send_guard, "count_request_tokens", broken)
    async with app.run_test(size=(120, 30)) as pilot:
        await send_and_finish(pilot, "hello")
        prompt = prompt_for(app, 0.95)
        await send(pilot, prompt)
        await wait_until(pilot, lambda: len(server.message_requests) == 2)
        assert any("Could not count" in n and "sent anyway" in n for n in notices(app))
        assert not send_guard.SendGuard.counting(app.chat.send_guard, app.chat.current)


@pytest.mark.parametrize("fill", [2.0, 1.3])
async def test_a_queued_prompt_over_the_window_goes_back_to_the_input(
    server: LocalAPIServer,
    api: ApiSettings,
    monkeypatch: pytest.MonkeyPatch,
    fill: float,
) -> None:
    """Queued behind a reply, a long paste is checked when its turn comes (estimated far over
    the window, or counted just over it): not sent, back in the input with the rest."""
    server.default = Scenario(text="Noted.")
    app = make_app(api)
    small_window(app, monkeypatch)
    async with app.run_test(size=(120, 30)) as pilot:
        await send_and_finish(pilot, "hello")
        server.push(Scenario(text="Still noting.", stall_after=1, stall_seconds=1.0))
        too_long = "word " * math.floor((fill * WINDOW) * 4 / 5)
        await send(pilot, "next")
        await wait_until(pilot, lambda: app.chat.current.reply is not None)
        await send(pilot, too_long)
        await send(pilot, "and then")
        assert app.chat.current.queue == [Prompt(too_long), Prompt("and then")]
        await wait_until(pilot, lambda: any("Not sent" in n for n in notices(app)))
        await pilot.pause()
        assert len(server.message_requests) == 2  # hello and next; nothing more
        assert app.query_one(PromptInput).text == f"{too_long}\n\nand then"
        assert app.chat.current.queue == []
        assert any("2 queued prompts moved back to the input" in n for n in notices(app))
        assert [w.text for w in app.query(UserMessage)] == ["hello", "next"]
        assert count_requests(server) == (1 if fill < 1.5 else 0)
