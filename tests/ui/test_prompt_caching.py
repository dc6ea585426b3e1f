"""Prompt caching in the app, against the local server: on by default, the second turn of a
long session shows its cache reads on the metrics line, /stats says what caching saved, and
``prompt_cache = "off"`` sends no cache_control and shows no cache field."""

from __future__ import annotations

from claude_tui.core.client import ApiSettings
from claude_tui.localapi.server import LocalAPIServer, Scenario, estimate_tokens
from claude_tui.ui.screens.command_screens import StatsScreen
from claude_tui.ui.widgets.metrics import MetricsBar

from .helpers import make_app, send, send_and_finish, wait_until
from .test_slash_commands import screen_text

SIZE = (130, 34)
PASTE = " ".join(f"word{n % 97}" for n in range(5000))
"""About 5,000 words: some 8,600 tokens by the server's estimate."""


def metrics_line(app: object) -> str:
    return str(app.query_one(MetricsBar).render())  # type: ignore[attr-defined]


def shows_cache(app: object, read: int, written: int) -> bool:
    """The line shows these reads and writes, spacious or compact (whichever fits)."""
    line = metrics_line(app)
    return f"cache r {read:,} · w {written:,}" in line or f"cache r{read:,} w{written:,}" in line


async def test_the_second_turn_shows_cache_reads_and_stats_the_saving(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.default = Scenario(text="I have read it.")
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_finish(pilot, PASTE)
        first = server.message_requests[-1]["body"]
        assert first["cache_control"] == {"type": "ephemeral"}  # on by default, 5 minutes
        written = estimate_tokens(first)
        await wait_until(pilot, lambda: shows_cache(app, 0, written))
        await send_and_finish(pilot, "Summarise it in one line.")
        second = server.message_requests[-1]["body"]
        new = estimate_tokens(second) - written
        await wait_until(pilot, lambda: shows_cache(app, written, new))
        assert "in 0 " in metrics_line(app)  # the whole prompt was written or read

        await send(pilot, "/stats")
        await wait_until(pilot, lambda: isinstance(app.screen, StatsScreen))
        await wait_until(pilot, lambda: not app.screen.query("#totals-loading"))
        shown = screen_text(app)
        assert f"{written:,}" in shown  # cache reads
        # read once at 0.9 off, written once at 0.25 extra (and the second turn's writes)
        worth = round(written * 0.9 - (written + new) * 0.25)
        assert f"({worth:,} input tokens' worth)" in shown
        assert shown.count("Saved by caching") == 2  # this session and all sessions


async def test_caching_off_sends_no_cache_control(server: LocalAPIServer, api: ApiSettings) -> None:
    server.default = Scenario(text="I have read it.")
    app = make_app(api, prompt_cache="off")
    async with app.run_test(size=SIZE) as pilot:
        await send_and_finish(pilot, PASTE)
        await send_and_finish(pilot, "Again?")
        assert all("cache_control" not in r["body"] for r in server.message_requests)
        await wait_until(pilot, lambda: "in " in metrics_line(app))
        assert "cache" not in metrics_line(app)
