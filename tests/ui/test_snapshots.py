"""Snapshots of the main screen: empty, mid-conversation, and with a cancelled reply.

Replies come from the local server over real HTTP. Timings differ from run to run, so once a
reply has ended the metrics line is given one fixed snapshot to show: the picture is about
layout; ``test_chat.py`` checks the live numbers.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from claude_tui.core.client import ApiSettings
from claude_tui.core.metrics import StreamMetrics
from claude_tui.localapi.server import LocalAPIServer, Scenario, tokenize
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.widgets.metrics import MetricsBar
from claude_tui.ui.widgets.prompt import PromptInput

from .helpers import SHIPPED_THEMES, make_app, ready, send, send_and_finish, wait_until

SIZE = (100, 32)

FIXED_METRICS = StreamMetrics(
    model="claude-sonnet-5-5",
    started_at=0.0,
    first_token_at=0.412,
    last_token_at=3.412,
    ended_at=3.5,
    output_chars=1200,
    input_tokens=1203,
    output_tokens=300,
    usage_final=True,
    stop_reason="end_turn",
)

FIRST_REPLY = (
    "Here is a tiny **retry** helper:\n\n```python\ndef retry(fn, attempts=3):\n"
    "    for i in range(attempts):\n        try:\n            return fn()\n"
    "        except OSError:\n            if i == attempts - 1:\n                raise\n```\n\n"
    "- It retries only `OSError`.\n- The last failure is re-raised."
)
SECOND_REPLY = (
    "## Compared\n\n| Option | Speed | Memory |\n|---|---|---|\n| A | fast | high |\n"
    "| B | slow | low |\n\nPick **A** unless memory is tight."
)


def _steady(app: ClaudeTUI) -> None:
    """The prompt's cursor blinks on a timer; a still cursor makes the picture repeatable."""
    app.query_one(PromptInput).cursor_blink = False


def _fix_metrics(app: ClaudeTUI, outcome: str | None = None) -> None:
    _steady(app)
    metrics = FIXED_METRICS
    if outcome:
        metrics = metrics.with_(stop_reason=None, usage_final=False, output_tokens=None)
    app.query_one(MetricsBar).show(metrics, outcome)


class TestSidebar:
    def test_sidebar_with_sessions(
        self, snap_compare: Any, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        from claude_tui.core.store import SessionStore

        store = SessionStore.open()
        for title in ["Rust error handling", "Trip to Lisbon", "SQLite vs DuckDB"]:
            session = store.create_session(model="claude-sonnet-5-5")
            store.add_message(session.id, "user", f"Tell me about {title}")
            store.add_message(session.id, "assistant", "Sure.", status="complete")
            store.rename_session(session.id, title)
        store.close()
        server.push(Scenario(text=SECOND_REPLY))
        app = make_app(api)

        async def run_before(pilot: Pilot[None]) -> None:
            await wait_until(pilot, lambda: len(app.query_one("SessionSidebar").sessions) == 3)
            await send_and_finish(pilot, "Compare option A and B in a table")
            await wait_until(pilot, lambda: len(app.query_one("SessionSidebar").sessions) == 4)
            _fix_metrics(app)
            await pilot.pause()

        assert snap_compare(app, terminal_size=(120, 32), run_before=run_before)


class TestMainScreen:
    def test_empty(self, snap_compare: Any, api: ApiSettings) -> None:
        app = make_app(api)

        async def run_before(pilot: Pilot[None]) -> None:
            await ready(pilot)
            _steady(app)
            await pilot.pause()

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_mid_conversation(
        self, snap_compare: Any, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        server.push(Scenario(text=FIRST_REPLY), Scenario(text=SECOND_REPLY))
        app = make_app(api)

        async def run_before(pilot: Pilot[None]) -> None:
            await send_and_finish(pilot, "Show me a retry helper in Python")
            await send_and_finish(pilot, "Compare option A and B in a table")
            _fix_metrics(app)
            await pilot.pause()

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_mid_conversation_at_80x24(
        self, snap_compare: Any, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        """The smallest screen the app is designed for: no sidebar, compact metrics."""
        server.push(Scenario(text=FIRST_REPLY))
        app = make_app(api)

        async def run_before(pilot: Pilot[None]) -> None:
            await send_and_finish(pilot, "Show me a retry helper in Python")
            _fix_metrics(app)
            await pilot.pause()

        assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)

    def test_cancelled_reply(
        self, snap_compare: Any, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        # exactly this much arrives, then the server holds still until Esc
        partial = len(tokenize(FIRST_REPLY)) // 2
        server.push(Scenario(text=FIRST_REPLY, stall_after=partial))
        app = make_app(api)
        expected = "".join(tokenize(FIRST_REPLY)[:partial])

        async def run_before(pilot: Pilot[None]) -> None:
            await send(pilot, "Show me a retry helper in Python")
            await wait_until(pilot, lambda: app.chat.current.reply is not None)
            reply = app.chat.current.reply
            await wait_until(pilot, lambda: reply is not None and reply.turn.text == expected)
            await pilot.pause(0.1)
            await pilot.press("escape")
            await wait_until(pilot, lambda: app.chat.current.reply is None)
            _fix_metrics(app, "cancelled")
            await pilot.pause()

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


LONG_PARAGRAPH = (
    "A retry helper earns its keep when failures are brief and independent: a dropped "
    "connection, a server that is restarting, a lock held for a moment. It does harm when the "
    "failure is lasting, because every caller then waits through every attempt before it learns "
    "what a single call would have told it, so keep the attempts few and the errors narrow."
)


class TestNarrowAndWide:
    """The same reply at the small sizes the app must still work at, and on a wide terminal,
    where the reply keeps a readable width (``max_width``) in a centred column."""

    def _run_before(self, app: ClaudeTUI) -> Any:
        async def run_before(pilot: Pilot[None]) -> None:
            await send_and_finish(pilot, "Show me a retry helper in Python")
            _fix_metrics(app)
            await pilot.pause()

        return run_before

    def test_at_60x20(self, snap_compare: Any, server: LocalAPIServer, api: ApiSettings) -> None:
        server.push(Scenario(text=FIRST_REPLY))
        app = make_app(api)
        assert snap_compare(app, terminal_size=(60, 20), run_before=self._run_before(app))

    def test_at_300x80(self, snap_compare: Any, server: LocalAPIServer, api: ApiSettings) -> None:
        server.push(Scenario(text=FIRST_REPLY + "\n\n" + LONG_PARAGRAPH + "\n\n" + SECOND_REPLY))
        app = make_app(api)
        assert snap_compare(app, terminal_size=(300, 80), run_before=self._run_before(app))

    def test_sidebar_over_the_chat_at_80x24(
        self, snap_compare: Any, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        server.push(Scenario(text=FIRST_REPLY))
        app = make_app(api)
        before = self._run_before(app)

        async def run_before(pilot: Pilot[None]) -> None:
            await before(pilot)
            await pilot.press("ctrl+b")
            await wait_until(pilot, lambda: app.chat.sidebar_layout.overlaid)
            await pilot.pause()

        assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


THEME_NAMES = sorted(spec.name for spec in SHIPPED_THEMES)


class TestThemes:
    """Every shipped theme, on the same conversation: each must look intended."""

    @pytest.mark.parametrize("theme", THEME_NAMES)
    def test_theme(
        self, snap_compare: Any, server: LocalAPIServer, api: ApiSettings, theme: str
    ) -> None:
        server.push(Scenario(text=FIRST_REPLY), Scenario(text=SECOND_REPLY))
        app = make_app(api, theme=theme)

        async def run_before(pilot: Pilot[None]) -> None:
            await send_and_finish(pilot, "Show me a retry helper in Python")
            await send_and_finish(pilot, "Compare option A and B in a table")
            _fix_metrics(app)
            await pilot.pause()

        assert snap_compare(app, terminal_size=(110, 40), run_before=run_before)


THINKING = (
    "The user wants the sum of the first ten odd numbers. The first n odd numbers add up to "
    "n squared, so for ten that is 100. Check: 1+3+5+7+9+11+13+15+17+19 = 100."
)


class TestThinking:
    """A reply with extended thinking: the block folds, with its token count, when the reply
    starts; Ctrl+O opens it again."""

    def _app(self, server: LocalAPIServer, api: ApiSettings) -> ClaudeTUI:
        server.push(Scenario(text="The sum is **100**: the first *n* odd numbers add up to n².",
                             thinking=THINKING))  # fmt: skip
        return make_app(api, thinking=True, thinking_budget=2048)

    def test_thinking_folded(
        self, snap_compare: Any, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        app = self._app(server, api)

        async def run_before(pilot: Pilot[None]) -> None:
            await send_and_finish(pilot, "What is the sum of the first ten odd numbers?")
            _fix_metrics(app)
            await pilot.pause()

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_thinking_opened(
        self, snap_compare: Any, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        app = self._app(server, api)

        async def run_before(pilot: Pilot[None]) -> None:
            await send_and_finish(pilot, "What is the sum of the first ten odd numbers?")
            await pilot.press("ctrl+o")
            _fix_metrics(app)
            await pilot.pause()

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


class TestWebSearch:
    """A reply that searched: its card folded to one line, and opened (Ctrl+O) to its results,
    the text with its citation markers, and the Sources list. The demo's results are fixed
    text, and the card shows no time (its page ages are the result's own words)."""

    def _app(self, server: LocalAPIServer, api: ApiSettings, **settings: Any) -> ClaudeTUI:
        server.push(Scenario(search="sea otters"))
        return make_app(api, web_search=True, **settings)

    def test_search_card_folded(
        self, snap_compare: Any, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        app = self._app(server, api)

        async def run_before(pilot: Pilot[None]) -> None:
            await send_and_finish(pilot, "What do sea otters eat?")
            _fix_metrics(app)
            await pilot.pause()

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_search_card_opened(
        self, snap_compare: Any, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        assert self._opened(snap_compare, self._app(server, api))

    def test_search_card_opened_light(
        self, snap_compare: Any, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        """The card's muted words and results on a light background (they were white)."""
        assert self._opened(snap_compare, self._app(server, api, theme="claude-light"))

    def _opened(self, snap_compare: Any, app: ClaudeTUI) -> bool:
        async def run_before(pilot: Pilot[None]) -> None:
            await send_and_finish(pilot, "What do sea otters eat?")
            await pilot.press("ctrl+o")
            _fix_metrics(app)
            await pilot.pause()

        return bool(snap_compare(app, terminal_size=SIZE, run_before=run_before))


class TestCommands:
    """/help as typed in the app (``test_command_screens.py`` pictures /stats with fixed rows,
    since live statistics carry this run's timings)."""

    def test_help_typed_in_the_app(self, snap_compare: Any, api: ApiSettings) -> None:
        app = make_app(api)

        async def run_before(pilot: Pilot[None]) -> None:
            await send(pilot, "/help")
            await wait_until(pilot, lambda: app.screen.__class__.__name__ == "HelpScreen")
            await pilot.pause()

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


class TestAttachments:
    """A turn with a PNG (its tiny picture under its line), a PDF and a Python file."""

    @pytest.fixture(autouse=True)
    def colour_terminal(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("NO_COLOR", raising=False)
        monkeypatch.setenv("TERM", "xterm-256color")
        monkeypatch.setenv("COLORTERM", "truecolor")

    def test_a_turn_with_three_attachments(
        self, snap_compare: Any, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        from claude_tui.core.prompt import Prompt

        from .attachment_samples import three

        server.push(Scenario(text="A red picture, a one-page report and a retry helper."))
        app = make_app(api)

        async def run_before(pilot: Pilot[None]) -> None:
            await ready(pilot)
            prompt = Prompt("What are these three?", three())
            await app.chat.replies.submit(app.chat.current, prompt)
            await wait_until(pilot, lambda: app.chat.current.reply is None)
            _fix_metrics(app)
            await pilot.pause()

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
