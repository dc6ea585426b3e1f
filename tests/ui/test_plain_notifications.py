"""Notifications are plain text: a command's error quotes the user's words, and brackets in
them are shown as typed (Textual's markup ate ``[fetch]`` and crashed on ``[/x]``); the draft
stays in the input to be fixed."""

from __future__ import annotations

import pytest
from textual.widgets._toast import Toast

from claude_tui.core.client import ApiSettings
from claude_tui.ui.app import ClaudeTUI

from .helpers import make_app, ready, send, wait_until


async def shown_toast(pilot_app: ClaudeTUI) -> str:
    """The text of the one toast on screen, as drawn."""
    toast = pilot_app.screen.query_one(Toast)
    return "\n".join(toast.render_line(y).text.strip() for y in range(toast.size.height)).strip()


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("/web [/x]", "Usage: /web [fetch] on|off: say on or off, not '[/x]'."),
        ("/web fetch onX", "Usage: /web [fetch] on|off: say on or off, not 'onx'."),
        ("/web [b]on[/b]", "not '[b]on[/b]'."),
    ],
)
async def test_a_command_error_shows_the_users_words_as_typed(
    api: ApiSettings, line: str, shown: str
) -> None:
    app = make_app(api)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await ready(pilot)
        await send(pilot, line)
        await wait_until(pilot, lambda: bool(app.screen.query(Toast)))
        await wait_until(pilot, lambda: app.screen.query_one(Toast).size.height > 0)
        await pilot.pause()
        assert app.is_running
        assert shown in " ".join((await shown_toast(app)).split())
        assert app.query_one("#prompt").text == line  # type: ignore[attr-defined]
