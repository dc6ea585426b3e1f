"""Sessions in the app: saved as they stream, listed, searched, opened, renamed, deleted."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from claude_tui.core.client import ApiSettings
from claude_tui.core.store import SessionStore, StoreError
from claude_tui.localapi.server import LocalAPIServer, Scenario
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.screens.dialogs import ConfirmDeleteScreen, RenameScreen
from claude_tui.ui.store_work import in_store
from claude_tui.ui.widgets import sessions_panel
from claude_tui.ui.widgets.conversation import ConversationView, LoadEarlier
from claude_tui.ui.widgets.message import AssistantMessage, UserMessage
from claude_tui.ui.widgets.sidebar import SessionList, SessionSidebar

from .helpers import make_app, options, ready, saved_session, send, send_and_finish, wait_until

WIDE = (120, 36)


@pytest.fixture
def store() -> Iterator[SessionStore]:
    opened = SessionStore.open()
    yield opened
    opened.close()


def seed(title: str, exchanges: list[tuple[str, str]]) -> str:
    return saved_session(exchanges, title)


def sidebar_titles(app: ClaudeTUI) -> list[str]:
    return [s.title for s in app.query_one(SessionSidebar).sessions]


async def test_an_exchange_is_saved_as_it_happens(
    server: LocalAPIServer, api: ApiSettings, store: SessionStore
) -> None:
    server.push(Scenario(text="Saved answer."))
    app = make_app(api)
    async with app.run_test(size=WIDE) as pilot:
        await send_and_finish(pilot, "Remember this\nsecond line")
        await wait_until(pilot, lambda: bool(sidebar_titles(app)))
        assert sidebar_titles(app) == ["Remember this"]
    (info,) = store.list_sessions()
    assert info.title == "Remember this" and info.message_count == 2
    user, reply = store.messages(info.id)
    assert (user.role, user.content, user.status) == (
        "user",
        "Remember this\nsecond line",
        "complete",
    )
    assert (reply.role, reply.content, reply.status) == ("assistant", "Saved answer.", "complete")
    assert reply.output_tokens and reply.input_tokens and reply.ttft_ms is not None


async def test_a_cancelled_reply_is_saved_as_cancelled(
    server: LocalAPIServer, api: ApiSettings, store: SessionStore
) -> None:
    server.push(Scenario(text="one two three four five six", stall_after=3))
    app = make_app(api)
    async with app.run_test(size=WIDE) as pilot:
        await send(pilot, "go")
        await wait_until(pilot, lambda: app.chat.current.reply is not None)
        await wait_until(
            pilot, lambda: app.chat.current.reply is not None and app.chat.current.reply.has_text
        )
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.chat.current.reply is None)
        await wait_until(pilot, lambda: bool(sidebar_titles(app)))
    (info,) = store.list_sessions()
    reply = store.messages(info.id)[-1]
    assert reply.status == "cancelled" and reply.content and "six" not in reply.content


async def test_ctrl_b_toggles_the_sidebar(api: ApiSettings) -> None:
    app = make_app(api)
    async with app.run_test(size=WIDE) as pilot:
        await ready(pilot)
        sidebar = app.query_one(SessionSidebar)
        assert sidebar.display
        await pilot.press("ctrl+b")
        assert not sidebar.display
        await pilot.press("ctrl+b")
        assert sidebar.display


async def test_sidebar_lists_newest_first_and_opens_a_session(
    api: ApiSettings, store: SessionStore
) -> None:
    old = seed("Older chat", [("first question", "first answer")])
    seed("Newer chat", [("second question", "second answer")])
    app = make_app(api)
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: len(sidebar_titles(app)) == 2)
        assert sidebar_titles(app) == ["Newer chat", "Older chat"]
        await pilot.click(SessionList, offset=(5, 3))  # the second entry (two lines each)
        await wait_until(pilot, lambda: app.chat.current.session_id == old)
        await pilot.pause()
        assert [w.text for w in app.query(UserMessage)] == ["first question"]
        assert [w.text for w in app.query(AssistantMessage)] == ["first answer"]


async def test_opening_by_keyboard_and_continuing_the_conversation(
    server: LocalAPIServer, api: ApiSettings, store: SessionStore
) -> None:
    sid = seed("Keep going", [("q1", "a1")])
    server.push(Scenario(text="a2"))
    app = make_app(api)
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: bool(sidebar_titles(app)))
        app.query_one(SessionList).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.chat.current.session_id == sid)
        await send_and_finish(pilot, "q2")
        history = server.message_requests[-1]["body"]["messages"]
        assert [m["content"][0]["text"] for m in history] == ["q1", "a1", "q2"]
    assert [m.content for m in store.messages(sid)] == ["q1", "a1", "q2", "a2"]


async def test_search_finds_titles_and_message_text(api: ApiSettings, store: SessionStore) -> None:
    seed("Cooking", [("pasta recipe", "boil water")])
    seed("Databases", [("explain WAL", "write-ahead logging keeps readers going")])
    app = make_app(api)
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: len(sidebar_titles(app)) == 2)
        await pilot.press("ctrl+f")
        await pilot.press(*"readers")
        await wait_until(pilot, lambda: sidebar_titles(app) == ["Databases"])
        await pilot.press(*["backspace"] * 7, *"cook")
        await wait_until(pilot, lambda: sidebar_titles(app) == ["Cooking"])
        await pilot.press(*["backspace"] * 4)
        await wait_until(pilot, lambda: len(sidebar_titles(app)) == 2)


async def test_rename_by_key(api: ApiSettings, store: SessionStore) -> None:
    sid = seed("Old name", [("q", "a")])
    app = make_app(api)
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: bool(sidebar_titles(app)))
        app.query_one(SessionList).focus()
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, RenameScreen))
        await pilot.press(*"New name", "enter")  # the old title is selected: typing replaces it
        await wait_until(pilot, lambda: sidebar_titles(app) == ["New name"])
    info = store.get_session(sid)
    assert info is not None and info.title == "New name"


async def test_rename_by_mouse(api: ApiSettings, store: SessionStore) -> None:
    sid = seed("Mouse name", [("q", "a")])
    app = make_app(api)
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: bool(sidebar_titles(app)))
        app.query_one(SessionList).highlighted = 0
        await pilot.click("#action-rename")
        await wait_until(pilot, lambda: isinstance(app.screen, RenameScreen))
        app.screen.query_one("Input").value = "Clicked name"  # type: ignore[attr-defined]
        await pilot.click("#ok")
        await wait_until(pilot, lambda: sidebar_titles(app) == ["Clicked name"])
    assert store.get_session(sid).title == "Clicked name"  # type: ignore[union-attr]


async def test_delete_asks_and_can_be_undone(
    api: ApiSettings, store: SessionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sessions_panel, "UNDO_SECONDS", 2.0)  # room for a loaded machine
    keep = seed("Keep me", [("q", "a")])
    gone = seed("Delete me", [("q", "a")])
    app = make_app(api)
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: len(sidebar_titles(app)) == 2)
        app.query_one(SessionList).focus()
        app.query_one(SessionList).highlighted = 0
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDeleteScreen))
        await pilot.press("n")  # keep it
        await pilot.pause()
        assert sidebar_titles(app) == ["Delete me", "Keep me"]
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDeleteScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: sidebar_titles(app) == ["Keep me"])
        assert store.get_session(gone) is not None  # not yet: undo is still possible
        await pilot.press("ctrl+z")
        await wait_until(pilot, lambda: sidebar_titles(app) == ["Delete me", "Keep me"])
        # the same by mouse: the Delete label, the dialog's button, the Undo bar
        app.query_one(SessionList).highlighted = 0
        await pilot.click("#action-delete")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDeleteScreen))
        await pilot.click("#ok")
        await wait_until(pilot, lambda: sidebar_titles(app) == ["Keep me"])
        await pilot.click("#undo-delete")
        await wait_until(pilot, lambda: sidebar_titles(app) == ["Delete me", "Keep me"])
        app.query_one(SessionList).focus()
        app.query_one(SessionList).highlighted = 0
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDeleteScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: store.get_session(gone) is None, timeout=5)
        assert sidebar_titles(app) == ["Keep me"]
    assert store.get_session(keep) is not None


async def test_new_session_by_key_and_by_mouse(
    server: LocalAPIServer, api: ApiSettings, store: SessionStore
) -> None:
    server.push(Scenario(text="one"), Scenario(text="two"))
    app = make_app(api)
    async with app.run_test(size=WIDE) as pilot:
        await send_and_finish(pilot, "first chat")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert not app.query(UserMessage)
        await send_and_finish(pilot, "second chat")
        await pilot.click("#action-new")
        await pilot.pause()
        assert not app.query(UserMessage)
        await wait_until(pilot, lambda: len(sidebar_titles(app)) == 2)
    assert sorted(s.title for s in store.list_sessions()) == ["first chat", "second chat"]


async def test_switching_away_does_not_cancel_a_stream(
    server: LocalAPIServer, api: ApiSettings, store: SessionStore
) -> None:
    # A holds still for a moment mid-reply, so it is still streaming while B runs
    server.push(
        Scenario(text="alpha beta gamma delta", stall_after=2, stall_seconds=3.0),
        Scenario(text="bravo reply"),
    )
    app = make_app(api)
    async with app.run_test(size=WIDE) as pilot:
        await send(pilot, "session A")
        await wait_until(pilot, lambda: app.chat.current.session_id is not None)
        a_state = app.chat.current
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: a_state.session_id in app.query_one(SessionSidebar).active)
        await send_and_finish(pilot, "session B")
        await wait_until(pilot, lambda: a_state.reply is None, timeout=10)
        app.chat.open_session(a_state.session_id)  # type: ignore[arg-type]
        await wait_until(pilot, lambda: app.chat.current is a_state)
        await pilot.pause()
        assert app.query(AssistantMessage)[-1].text == "alpha beta gamma delta"
    a = store.messages(a_state.session_id)  # type: ignore[arg-type]
    assert a[-1].content == "alpha beta gamma delta" and a[-1].status == "complete"


async def test_a_long_session_opens_with_the_latest_turns_first(
    api: ApiSettings, store: SessionStore
) -> None:
    sid = seed("Long", [(f"question {i}", f"answer {i}") for i in range(500)])
    app = ClaudeTUI(replace(options(api), open_session_id=sid))
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: app.chat.current.session_id == sid)
        await wait_until(pilot, lambda: bool(app.query(AssistantMessage)))
        first = len(app.query(UserMessage)) + len(app.query(AssistantMessage))
        assert first < 40  # what fits on screen comes first ...
        assert app.query(AssistantMessage)[-1].text == "answer 499"

        def shown() -> int:
            return len(app.query(UserMessage)) + len(app.query(AssistantMessage))

        await wait_until(pilot, lambda: shown() == 40)  # ... the rest of the page follows
        await pilot.pause(0.2)
        assert shown() == 40
        assert app.query(AssistantMessage)[-1].text == "answer 499"
        assert app.query_one(LoadEarlier)
        view = app.query_one(ConversationView)
        view.scroll_home(animate=False)
        await wait_until(pilot, lambda: len(app.query(UserMessage)) == 40)
        assert app.query(UserMessage)[0].text == "question 460"  # 40 more turns, no more
        assert len(app.chat.current.conversation.turns) == 1000  # all there for the history


async def test_sidebar_pages_through_many_sessions(api: ApiSettings, store: SessionStore) -> None:
    for i in range(130):
        seed(f"chat {i:03d}", [])
    app = make_app(api)
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: len(sidebar_titles(app)) == 100)
        assert sidebar_titles(app)[0] == "chat 129"
        option_list = app.query_one(SessionList)
        option_list.focus()
        option_list.highlighted = 95
        await wait_until(pilot, lambda: len(sidebar_titles(app)) == 130)
        assert sidebar_titles(app)[-1] == "chat 000"


async def test_a_confirmed_delete_still_happens_when_quitting_during_the_undo_window(
    api: ApiSettings, store: SessionStore
) -> None:
    gone = seed("Delete then quit", [("q", "a")])
    app = make_app(api)
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: bool(sidebar_titles(app)))
        app.query_one(SessionList).focus()
        app.query_one(SessionList).highlighted = 0
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDeleteScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: not sidebar_titles(app))
        assert store.get_session(gone) is not None  # still undoable
        await pilot.press("ctrl+q")
    assert store.get_session(gone) is None


async def test_store_work_with_its_own_error_handler_is_not_reported_as_unsaved_sessions(
    api: ApiSettings,
) -> None:
    """``in_store`` is the one way to run store work off the event loop; a caller that says what
    its failures mean gets their text, and the "not being saved" notice is not shown. A caller
    that does not still gets that notice (the sidebar's reads and writes)."""
    app = make_app(api)
    heard: list[str] = []

    def job(store: SessionStore) -> None:
        raise StoreError("sessions.db: disk I/O error")

    async with app.run_test(size=WIDE) as pilot:
        await ready(pilot)
        await in_store(app.chat, app.options.store_path, job, heard.append, heard.append).wait()
        await pilot.pause()
        assert heard == ["sessions.db: disk I/O error"]
        assert not any("not being saved" in str(n.message) for n in app._notifications)
        await in_store(app.chat, app.options.store_path, job, heard.append).wait()
        await wait_until(
            pilot,
            lambda: any("not being saved" in str(n.message) for n in app._notifications),
        )
        assert heard == ["sessions.db: disk I/O error"]


async def test_a_reload_that_finishes_late_does_not_replace_a_newer_list(
    api: ApiSettings, store: SessionStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reloads of the list run in parallel worker threads. One that read the store before a
    reply was saved, and finished after the reload that came when it was, showed the reply as
    streaming for good (the end of every reply asks for a reload)."""
    import threading

    seed("First chat", [("q", "a")])
    app = make_app(api)
    async with app.run_test(size=WIDE) as pilot:
        await wait_until(pilot, lambda: sidebar_titles(app) == ["First chat"])
        release, read = threading.Event(), threading.Event()
        list_sessions = SessionStore.list_sessions
        calls = 0

        def slow_first(self: SessionStore, **kwargs: object) -> object:
            nonlocal calls
            calls += 1
            rows = list_sessions(self, **kwargs)  # type: ignore[arg-type]
            if calls == 1:  # the first reload reads now, and answers last
                read.set()
                release.wait(10)
            return rows

        monkeypatch.setattr(SessionStore, "list_sessions", slow_first)
        app.chat.sessions_panel.reload()
        await wait_until(pilot, read.is_set)
        seed("Second chat", [("q2", "a2")])
        app.chat.sessions_panel.reload()
        await wait_until(pilot, lambda: sidebar_titles(app) == ["Second chat", "First chat"])
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert sidebar_titles(app) == ["Second chat", "First chat"]
