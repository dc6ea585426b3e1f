"""The context gauge on the metrics line, and the check before a send, against the local server.

The model's window comes from ``ClaudeTUI.capabilities``; these tests give the model a window of
1,000 tokens (the smallest change that makes a window fill in a test), so a few kilobytes of
prompt reach its edge.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from textual.content import Content

from claude_tui.core.client import ApiSettings
from claude_tui.core.context_window import context_tokens
from claude_tui.localapi.server import COUNT_TOKENS_ROUTE, LocalAPIServer, Scenario
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.widgets.metrics import MetricsBar
from claude_tui.ui.widgets.prompt import PromptInput

from .helpers import make_app, notices, send, send_and_finish, wait_until

WINDOW = 1_000


def small_window(app: ClaudeTUI, monkeypatch: pytest.MonkeyPatch) -> None:
    """The model's own capabilities, with a window of ``WINDOW`` tokens."""
    known = app.capabilities
    monkeypatch.setattr(
        app, "capabilities", lambda model: replace(known(model), max_input_tokens=WINDOW)
    )


def gauge(app: ClaudeTUI) -> tuple[str, str | None]:
    """The gauge's text on the metrics line, and the style it is drawn in."""
    bar = app.query_one(MetricsBar)
    content = bar.render()
    assert isinstance(content, Content)
    plain = content.plain
    start = plain.index("ctx ")
    end = plain.index("%", start) + 1
    styles = {str(s.style) for s in content.spans if s.start <= start and s.end >= end}
    return plain[start:end], styles.pop() if styles else None


def used(app: ClaudeTUI) -> int:
    """The last request's input plus its reply: what the next request starts from."""
    metrics = app.chat.current.last_metrics()
    total = context_tokens(metrics)
    assert metrics is not None and total is not None and metrics.output_tokens is not None
    return total + metrics.output_tokens


def prompt_for(app: ClaudeTUI, fill: float) -> str:
    """A prompt that brings the next request to about ``fill`` of the window."""
    return "word " * math.floor((fill * WINDOW - used(app)) * 4 / 5)


async def test_the_gauge_shows_the_window_filling_and_warns_at_80_and_95(
    server: LocalAPIServer, api: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.default = Scenario(text="Noted.")
    app = make_app(api)
    small_window(app, monkeypatch)
    async with app.run_test(size=(120, 30)) as pilot:
        await send_and_finish(pilot, "hello")
        body = server.message_requests[-1]["body"]
        metrics = app.chat.current.last_metrics()
        assert metrics is not None and metrics.input_tokens is not None
        assert gauge(app) == (f"ctx {math.floor(metrics.input_tokens / WINDOW * 100)}%", None)
        assert body["messages"][-1]["content"][0]["text"] == "hello"

        await send_and_finish(pilot, prompt_for(app, 0.85))
        text, style = gauge(app)
        assert 80 <= int(text[4:-1]) < 90 and style == "$warning"

        await send_and_finish(pilot, prompt_for(app, 0.96))  # counted first: near the edge
        text, style = gauge(app)
        assert 95 <= int(text[4:-1]) <= 100 and style == "bold $error"
        assert any(r["path"].endswith("/count_tokens") for r in server.requests)


@pytest.mark.parametrize(("fill", "counted"), [(2.0, False), (1.3, True)])
async def test_a_prompt_over_the_window_is_not_sent_and_stays_in_the_input(
    server: LocalAPIServer,
    api: ApiSettings,
    monkeypatch: pytest.MonkeyPatch,
    fill: float,
    counted: bool,
) -> None:
    """Far over the window the estimate is enough; just over it, the API's count decides."""
    server.default = Scenario(text="Noted.")
    app = make_app(api)
    small_window(app, monkeypatch)
    async with app.run_test(size=(120, 30)) as pilot:
        await send_and_finish(pilot, "hello")
        requests = len(server.requests)
        too_long = prompt_for(app, fill)
        await send(pilot, too_long)
        await wait_until(pilot, lambda: any("Not sent" in n for n in notices(app)))
        message = next(n for n in notices(app) if "Not sent" in n)
        assert f"{WINDOW:,}-token window" in message and "/compact" in message
        assert ("(counted by the API)" if counted else "(estimated)") in message
        assert app.query_one(PromptInput).text == too_long  # nothing lost
        asked = [r["path"] for r in server.requests[requests:]]
        assert asked == (["/v1/messages/count_tokens"] if counted else [])
        assert len(app.chat.current.conversation.turns) == 2


async def test_near_the_edge_the_exact_count_decides(
    server: LocalAPIServer, api: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The estimate says 95 %, but the system prompt grew since the last request: the API's
    count is over the window, so the prompt is refused with the counted figure."""
    server.default = Scenario(text="Noted.")
    app = make_app(api)
    small_window(app, monkeypatch)
    async with app.run_test(size=(120, 30)) as pilot:
        await send_and_finish(pilot, "hello")
        app.chat.current.system = "Be brief. " * 40  # 400 characters the estimate cannot see
        prompt = prompt_for(app, 0.95)
        await send(pilot, prompt)
        await wait_until(pilot, lambda: any("counted by the API" in n for n in notices(app)))
        counts = [r for r in server.requests if r["path"].endswith("/count_tokens")]
        assert len(counts) == 1
        assert counts[0]["body"]["messages"][-1]["content"][0]["text"] == prompt
        assert app.query_one(PromptInput).text == prompt
        assert len(server.message_requests) == 1


async def test_when_counting_fails_the_prompt_is_sent_and_the_api_decides(
    server: LocalAPIServer, api: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.default = Scenario(text="Noted.")
    app = make_app(api)
    small_window(app, monkeypatch)
    async with app.run_test(size=(120, 30)) as pilot:
        await send_and_finish(pilot, "hello")
        server.push(Scenario(status=500), route=COUNT_TOKENS_ROUTE)
        prompt = prompt_for(app, 0.95)
        await send(pilot, prompt)
        await wait_until(pilot, lambda: len(server.message_requests) == 2)
        assert any("Could not count" in n and "sent anyway" in n for n in notices(app))
        assert server.message_requests[1]["body"]["messages"][-1]["content"][0]["text"] == prompt
        await wait_until(pilot, lambda: app.query_one(PromptInput).text == "")
