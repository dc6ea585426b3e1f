"""Helpers for driving the app with Pilot."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from textual.css.query import NoMatches
from textual.pilot import Pilot

from claude_tui.core.client import ApiSettings
from claude_tui.core.config import Settings
from claude_tui.core.conversation import TurnStatus
from claude_tui.core.store import SessionStore
from claude_tui.core.themes import load_themes, shipped_themes_dir
from claude_tui.localapi.server import LocalAPIServer
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.options import AppOptions
from claude_tui.ui.widgets.sidebar import SessionSidebar

SHIPPED_THEMES = tuple(load_themes(shipped_themes_dir())[0])


def options(api: ApiSettings, **settings: Any) -> AppOptions:
    """What the CLI would build: the shipped themes, default settings with ``settings`` on top;
    nothing saved to a config file unless a test passes ``config_path`` in its own options."""
    return AppOptions(api=api, settings=Settings(**settings), themes=SHIPPED_THEMES)


def make_app(api: ApiSettings, **settings: Any) -> ClaudeTUI:
    return ClaudeTUI(options(api, **settings))


async def wait_until(
    pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 10
) -> None:
    """Let the app run until ``condition`` holds; fail the test if it never does."""
    for _ in range(int(timeout / 0.02)):
        try:
            if condition():
                return
        except NoMatches:
            pass  # the widget is not mounted yet
        await pilot.pause(0.02)
    raise AssertionError("condition not met in time")


async def ready(pilot: Pilot[None]) -> ClaudeTUI:
    """Wait until the chat screen has mounted everything and started."""
    app = pilot.app
    assert isinstance(app, ClaudeTUI)
    await wait_until(pilot, lambda: app.chat.ready)
    await pilot.pause()
    return app


async def send(pilot: Pilot[None], text: str) -> None:
    app = pilot.app
    assert isinstance(app, ClaudeTUI)
    await wait_until(pilot, lambda: app.chat.ready)
    prompt = app.query_one("#prompt")
    prompt.focus()
    prompt.insert(text)  # type: ignore[attr-defined]
    await pilot.press("enter")


def replies_ended(app: ClaudeTUI, count: int) -> Callable[[], bool]:
    """True once ``count`` replies exist and none is in flight.

    A reply being started is in flight before it is the session's ``reply``: sending a queued
    prompt takes it off the queue and adds its turns (the reply's ``streaming``) while its
    widgets mount, and only then sends the request. Counted as ended there, a test would read
    the requests and the store before the prompt had gone out."""
    turns = app.chat.current.conversation.turns
    return lambda: (
        sum(t.role == "assistant" for t in turns) >= count
        and not any(t.status is TurnStatus.STREAMING for t in turns)
        and app.chat.current.reply is None
        and not app.chat.current.queue
    )


async def send_and_finish(pilot: Pilot[None], text: str) -> None:
    app = pilot.app
    assert isinstance(app, ClaudeTUI)
    before = sum(t.role == "assistant" for t in app.chat.current.conversation.turns)
    await send(pilot, text)
    await wait_until(pilot, replies_ended(app, before + 1))
    # The sidebar hears of the saved reply from a store worker, after the reply has ended.
    sidebar = app.query_one(SessionSidebar)
    await wait_until(
        pilot,
        lambda: (
            not sidebar.active
            and bool(sidebar.sessions)
            and not any(info.streaming for info in sidebar.sessions)
        ),
    )
    await pilot.pause()


def saved_session(exchanges: Iterable[tuple[str, str]], title: str = "Long") -> str:
    """A session in the store with these (prompt, reply) exchanges, all complete; its id."""
    with SessionStore.open() as store:
        session = store.create_session(model="claude-sonnet-5-5")
        for prompt, reply in exchanges:
            store.add_message(session.id, "user", prompt)
            store.add_message(session.id, "assistant", reply, status="complete")
        store.rename_session(session.id, title)
        return session.id


def notices(app: ClaudeTUI) -> list[str]:
    """The text of every notification the app has shown, in order."""
    return [str(n.message) for n in app._notifications]


async def command(pilot: Pilot[None], line: str) -> None:
    """Type ``line`` (a slash command) and send it, then let the app settle."""
    await send(pilot, line)
    await pilot.pause()


def last_body(server: LocalAPIServer) -> dict[str, Any]:
    """The body of the last ``POST /v1/messages`` the server received."""
    body: dict[str, Any] = server.message_requests[-1]["body"]
    return body


async def second_reply_ended(pilot: Pilot[None], server: LocalAPIServer) -> None:
    """Wait until the server has had a second request and the reply to it has ended (a retry,
    or a continuation the app sent by itself)."""
    app = pilot.app
    assert isinstance(app, ClaudeTUI)
    turns = app.chat.current.conversation.turns
    await wait_until(
        pilot,
        lambda: (
            len(server.message_requests) == 2
            and app.chat.current.reply is None
            and turns[-1].status is not TurnStatus.STREAMING
        ),
    )
