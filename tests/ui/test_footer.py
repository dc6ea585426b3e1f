"""The footer shows only keys that do something now: "Stop" while a reply streams or a retry
waits, "Retry" when there is a prompt to send again. Esc and Ctrl+R keep their other uses."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from claude_tui.core.client import ApiSettings
from claude_tui.localapi.server import LocalAPIServer, Scenario
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.widgets.prompt import PromptInput

from .helpers import make_app, ready, send, send_and_finish, wait_until


def footer(app: ClaudeTUI) -> dict[str, str]:
    """What the footer shows: key -> description."""
    return {key.key: key.description for key in app.screen.query(FooterKey)}


async def test_stop_shows_only_while_a_reply_streams_and_retry_once_there_is_one(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(text="Half of it and then", stall_after=3))
    app = make_app(api)
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(pilot)
        await wait_until(pilot, lambda: "ctrl+n" in footer(app))
        shown = footer(app)
        assert "escape" not in shown and "ctrl+r" not in shown  # nothing to stop or retry
        await send(pilot, "go")
        await wait_until(pilot, lambda: footer(app).get("escape") == "Stop")
        assert "ctrl+r" not in footer(app)  # a reply in flight is not retried
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.chat.current.reply is None)
        await wait_until(pilot, lambda: "escape" not in footer(app))
        assert footer(app)["ctrl+r"] == "Retry"  # the cancelled reply can be asked again


async def test_stop_shows_while_a_retry_waits(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(status=529, retry_after=30))
    app = make_app(api)
    async with app.run_test(size=(120, 30)) as pilot:
        await send(pilot, "go")
        await wait_until(
            pilot,
            lambda: (
                app.chat.current.reply is not None and app.chat.current.reply.retry_note is not None
            ),
        )
        await wait_until(pilot, lambda: footer(app).get("escape") == "Stop")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.chat.current.reply is None)
        await wait_until(pilot, lambda: "escape" not in footer(app))


async def test_hidden_esc_still_closes_the_menu_and_ctrl_r_still_explains(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    app = make_app(api)
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(pilot)
        prompt = app.query_one(PromptInput)
        prompt.focus()
        await pilot.press("/")
        await wait_until(pilot, lambda: prompt.completions_open)
        assert "escape" not in footer(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not prompt.completions_open)
        assert prompt.text == "/"
        prompt.clear()
        await pilot.press("ctrl+r")
        await wait_until(
            pilot, lambda: any("Nothing to retry" in n.message for n in app._notifications)
        )
        assert server.message_requests == []


async def test_ctrl_r_from_the_footer_state_sends_again(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(text="One."), Scenario(text="Two."))
    app = make_app(api)
    async with app.run_test(size=(120, 30)) as pilot:
        await send_and_finish(pilot, "count")
        await wait_until(pilot, lambda: "ctrl+r" in footer(app))
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: len(server.message_requests) == 2)
