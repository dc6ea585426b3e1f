"""/web in the app (issue 18): it turns web search and web fetch on and off for the session's
requests that follow (more in ``test_web_session.py``), says so (and what a model without the
tool goes without), and a reply's searches show on the metrics line, in its cost at the
configured price, and in /stats."""

from __future__ import annotations

from claude_tui.core.client import ApiSettings
from claude_tui.core.metrics import StreamMetrics
from claude_tui.core.pricing import cost_usd
from claude_tui.localapi.server import LocalAPIServer, Scenario
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.screens.command_screens import StatsScreen
from claude_tui.ui.widgets.metrics import MetricsBar, format_metrics

from .helpers import command, last_body, make_app, notices, ready, send_and_finish, wait_until
from .test_slash_commands import screen_text

SIZE = (130, 34)
HAIKU_3 = "claude-3-haiku-20240307"


def metrics_line(app: ClaudeTUI) -> str:
    return str(app.query_one(MetricsBar).render())


def tool_types(body: dict[str, object]) -> list[str]:
    tools = body.get("tools", [])
    assert isinstance(tools, list)
    return [tool["type"] for tool in tools]


async def test_web_on_sends_the_tool_and_counts_and_prices_the_search(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(search="otters"), Scenario(text="No tools."))
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await command(pilot, "/web on")
        state = app.chat.current
        assert state.web_search is True and state.web_fetch is None
        assert not app.settings.web_search  # the session's, not the config's
        assert notices(app)[-1] == "Web search on for this session"
        await send_and_finish(pilot, "otter news?")
        assert [t.startswith("web_search_") for t in tool_types(last_body(server))] == [True]

        metrics = app.chat.current.last_metrics()
        assert metrics is not None and metrics.web_search_requests == 1
        assert "search 1" in metrics_line(app) and "fetch" not in metrics_line(app)
        tokens = cost_usd(
            metrics.model,
            input_tokens=metrics.input_tokens or 0,
            output_tokens=metrics.output_tokens or 0,
            cache_creation_tokens=metrics.cache_creation_tokens,
            cache_read_tokens=metrics.cache_read_tokens,
        )
        assert tokens is not None
        # $10 per 1,000 searches by default: one search adds exactly $0.01 to the line's cost
        assert tokens < 0.005 and f"${tokens + 0.01:.4f}" in metrics_line(app)

        await command(pilot, "/stats")
        await wait_until(pilot, lambda: isinstance(app.screen, StatsScreen))
        await wait_until(pilot, lambda: not app.screen.query("#totals-loading"))
        shown = screen_text(app)
        assert "Web searches" in shown and f"${tokens + 0.01:.4f}" in shown
        await pilot.press("escape")

        await command(pilot, "/web off")
        assert state.web_search is False
        assert notices(app)[-1] == "Web search off for this session"
        await send_and_finish(pilot, "and now?")
        assert "tools" not in last_body(server)
        assert "search" not in metrics_line(app)


def test_a_search_at_a_set_price_is_in_the_cost() -> None:
    """A price other than the default is what the line charges: 1,000 searches at $25."""
    metrics = StreamMetrics(
        model="claude-sonnet-5-5",
        started_at=0.0,
        ended_at=1.0,
        input_tokens=0,
        output_tokens=0,
        usage_final=True,
        web_search_requests=1000,
    )
    assert "$25.0000" in format_metrics(metrics, 1.0, web_search_price=25.0)
    assert "search 1,000" in format_metrics(metrics, 1.0, web_search_price=25.0)


async def test_web_on_a_model_without_it_is_taken_with_a_warning(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(text="Plain."))
    app = make_app(api, model=HAIKU_3, web_search_price=25.0)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert app.query_one(MetricsBar).web_search_price == 25.0  # the config's, for the line
        await command(pilot, "/web on")
        state = app.chat.current
        assert state.web_search is True
        assert notices(app)[-1] == (
            "Web search on for this session, but claude-3-haiku-20240307 has no web search:"
            " replies are sent without it"
        )
        await command(pilot, "/web fetch on")
        assert state.web_fetch is True
        await command(pilot, "/web")
        assert notices(app)[-1] == (
            f"Web search on (this session; {HAIKU_3} has none)"
            f" · Web fetch on (this session; {HAIKU_3} has none)"
        )
        await send_and_finish(pilot, "hi")
        assert "tools" not in last_body(server)
        await command(pilot, "/web fetch maybe")
        assert "say on or off, not 'maybe'" in notices(app)[-1] and state.web_fetch is True
