"""The chat screen is made of parts (turn pane, sessions panel, reply controller), made with the
screen itself: what quitting needs of them is there before the screen is even composed."""

from __future__ import annotations

from claude_tui.core.client import ApiSettings
from claude_tui.ui.chat.reply_controller import ReplyController
from claude_tui.ui.widgets.sessions_panel import SessionsPanel
from claude_tui.ui.widgets.turn_pane import TurnPane

from .helpers import make_app, ready


async def test_quitting_before_the_screen_is_composed_finds_every_part(api: ApiSettings) -> None:
    """A signal can arrive as soon as the app is mounted, before the chat screen's compose has
    run: quitting then stops no reply and commits no delete, and does not fail."""
    app = make_app(api)
    chat = app.chat
    assert not chat.is_mounted
    chat.replies.cancel_all()
    await chat.sessions_panel.flush_pending_delete()
    assert chat.current.session_id is None and not chat.current.conversation.turns


async def test_the_parts_are_on_screen_once_composed(api: ApiSettings) -> None:
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        chat = app.chat
        assert app.query_one(TurnPane) is chat.turn_pane
        assert app.query_one(SessionsPanel) is chat.sessions_panel
        assert isinstance(chat.replies, ReplyController)
        assert chat.current is chat.turn_pane.state
