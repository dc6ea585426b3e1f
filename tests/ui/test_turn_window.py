"""A long session never has all its turns mounted: the window of turns on screen moves with the
user (issue 6: open anything at once, scroll to the top in a moment, bounded memory)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.pilot import Pilot
from textual.widget import Widget

from claude_tui.core.client import ApiSettings
from claude_tui.localapi.server import LocalAPIServer, Scenario
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.widgets.conversation import ConversationView, LoadEarlier, LoadLater
from claude_tui.ui.widgets.message import AssistantMessage, UserMessage
from claude_tui.ui.widgets.turn_window import MOUNTED_TURNS, PAGE_OF_TURNS

from .helpers import options, replies_ended, saved_session, send, wait_until

WIDE = (120, 36)
EXCHANGES = 120  # 240 turns: three windows of MOUNTED_TURNS


@pytest.fixture
def long_session() -> str:
    return saved_session((f"question {i}", f"answer {i}") for i in range(EXCHANGES))


def mounted(app: ClaudeTUI) -> int:
    return len(app.query(UserMessage)) + len(app.query(AssistantMessage))


def first_question(app: ClaudeTUI) -> str:
    return app.query(UserMessage).first().text


def last_answer(app: ClaudeTUI) -> str:
    return app.query(AssistantMessage).last().text


async def opened(pilot: Pilot[None], app: ClaudeTUI, session_id: str) -> None:
    """The session is open with a page of turns, and the view still shows its end (filling
    the page in above once released the view's hold on the end, one time in three)."""
    await wait_until(pilot, lambda: app.chat.current.session_id == session_id)
    await wait_until(pilot, lambda: mounted(app) == PAGE_OF_TURNS)
    view = app.query_one(ConversationView)
    await wait_until(pilot, lambda: not app.chat.turn_pane.filling)
    await pilot.pause()
    assert not view.reading_back
    await wait_until(pilot, lambda: view.scroll_y == view.max_scroll_y > 0)


async def test_ctrl_home_shows_the_first_turns_and_ctrl_end_the_latest(
    api: ApiSettings, long_session: str
) -> None:
    app = ClaudeTUI(replace(options(api), open_session_id=long_session))
    async with app.run_test(size=WIDE) as pilot:
        await opened(pilot, app, long_session)
        assert last_answer(app) == f"answer {EXCHANGES - 1}"
        await pilot.press("ctrl+home")
        await wait_until(pilot, lambda: first_question(app) == "question 0")
        view = app.query_one(ConversationView)
        assert view.scroll_y == 0
        assert not app.query(LoadEarlier) and app.query(LoadLater)
        await wait_until(pilot, lambda: mounted(app) == PAGE_OF_TURNS)  # the page fills in
        assert first_question(app) == "question 0"
        assert last_answer(app) == f"answer {PAGE_OF_TURNS // 2 - 1}"
        await pilot.press("ctrl+end")
        await wait_until(pilot, lambda: last_answer(app) == f"answer {EXCHANGES - 1}")
        assert not app.query(LoadLater) and app.query(LoadEarlier)


async def test_scrolling_to_either_end_pages_without_ever_mounting_everything(
    api: ApiSettings, long_session: str
) -> None:
    app = ClaudeTUI(replace(options(api), open_session_id=long_session))
    async with app.run_test(size=WIDE) as pilot:
        await opened(pilot, app, long_session)
        view = app.query_one(ConversationView)
        most = 0
        for _ in range(40):  # up, a page at a time, to the first turn
            if not app.query(LoadEarlier):
                break
            before = app.chat.current.shown_from
            view.scroll_home(animate=False)
            await wait_until(pilot, lambda b=before: app.chat.current.shown_from < b)
            await pilot.pause()
            most = max(most, mounted(app))
            # what was being read stays on screen: the view is not at the top any more
            assert not app.query(LoadEarlier) or view.scroll_y > 0
        assert first_question(app) == "question 0"
        assert most == MOUNTED_TURNS
        assert app.query(LoadLater)
        for _ in range(40):  # and down again to the latest
            if not app.query(LoadLater):
                break
            end = app.chat.current.shown_to
            view.scroll_end(animate=False)
            await wait_until(pilot, lambda e=end: app.chat.current.shown_to != e)
            await pilot.pause()
            assert mounted(app) <= MOUNTED_TURNS
        assert last_answer(app) == f"answer {EXCHANGES - 1}"
        assert app.chat.current.shown_to is None
        # every turn was on screen once, in order, and none twice
        assert len(app.chat.current.conversation.turns) == 2 * EXCHANGES


async def test_sending_while_reading_far_back_goes_back_to_the_latest(
    server: LocalAPIServer, api: ApiSettings, long_session: str
) -> None:
    server.push(Scenario(text="A fresh answer."))
    app = ClaudeTUI(replace(options(api), open_session_id=long_session))
    async with app.run_test(size=WIDE) as pilot:
        await opened(pilot, app, long_session)
        await pilot.press("ctrl+home")
        await wait_until(pilot, lambda: first_question(app) == "question 0")
        await send(pilot, "And now?")
        await wait_until(pilot, replies_ended(app, EXCHANGES + 1))
        assert last_answer(app) == "A fresh answer."
        assert app.query(UserMessage).last().text == "And now?"
        assert app.chat.current.shown_to is None and not app.query(LoadLater)
        turns = app.chat.current.conversation.turns
        assert [t.text for t in turns[-2:]] == ["And now?", "A fresh answer."]


async def test_turns_let_go_of_are_freed(api: ApiSettings, long_session: str) -> None:
    """A view that was unmounted must not stay alive (a theme watcher on the app once kept
    every view ever mounted, and with it most of the memory of a long session)."""
    import gc

    from claude_tui.ui.widgets.markdown.view import MarkdownView

    gc.collect()
    earlier = {id(o) for o in gc.get_objects() if isinstance(o, MarkdownView)}  # other tests'
    app = ClaudeTUI(replace(options(api), open_session_id=long_session))
    async with app.run_test(size=WIDE) as pilot:
        await opened(pilot, app, long_session)
        view = app.query_one(ConversationView)
        for _ in range(4):  # up past a whole window, so turns were let go of
            before = app.chat.current.shown_from
            view.scroll_home(animate=False)
            await wait_until(pilot, lambda b=before: app.chat.current.shown_from < b)
            await pilot.pause()
        await pilot.pause()
        assert app.query(LoadLater)  # the latest turns were let go of
        gc.collect()
        alive = [
            o for o in gc.get_objects() if isinstance(o, MarkdownView) and id(o) not in earlier
        ]
        attached = [v for v in alive if v.is_attached]
        assert len(attached) <= MOUNTED_TURNS // 2
        assert len(alive) - len(attached) <= 2  # at most one or two not yet collected


async def test_turns_let_go_of_keep_no_drawn_lines(api: ApiSettings, long_session: str) -> None:
    """The lines a removed turn drew are let go of with it. Textual itself would keep them: an
    ``lru_cache`` on ``StylesCache.get_inner_outer`` holds the caches of the last 1,024
    widgets drawn, removed or not (Textual #6665), and those lines were most of the memory of
    a long session."""
    app = ClaudeTUI(replace(options(api), open_session_id=long_session))
    async with app.run_test(size=WIDE) as pilot:
        await opened(pilot, app, long_session)
        await pilot.pause()
        latest = [
            node
            for turn in [*app.query(UserMessage)[-4:], *app.query(AssistantMessage)[-4:]]
            for node in turn.walk_children(with_self=True)
        ]
        # they are drawn (the screen shows the latest exchanges)
        await wait_until(pilot, lambda: sum(len(n._styles_cache._cache) for n in latest) > 20)
        view = app.query_one(ConversationView)
        for _ in range(3):  # up past a whole window, so the latest turns are let go of
            before = app.chat.current.shown_from
            view.scroll_home(animate=False)
            await wait_until(pilot, lambda b=before: app.chat.current.shown_from < b)
            await pilot.pause()
        assert not any(node.is_attached for node in latest)
        assert [node for node in latest if node._styles_cache._cache] == []


def marker_count(marker: LoadEarlier | LoadLater) -> int:
    """The number of turns a marker says it stands for (the first number in its text)."""
    return int(str(marker.render()).split()[1])


def assert_window_matches(app: ClaudeTUI) -> None:
    """``shown_from``/``shown_to`` say exactly which turns have widgets, in order, and the
    markers stand for the rest: what the window believes is what the screen shows."""
    state = app.chat.current
    turns = len(state.conversation.turns)
    end = turns if state.shown_to is None else state.shown_to
    assert 0 <= state.shown_from < end <= turns
    assert mounted(app) == end - state.shown_from <= MOUNTED_TURNS
    questions = [w.text for w in app.query(UserMessage)]
    answers = [w.text for w in app.query(AssistantMessage)]
    exchanges = range(state.shown_from // 2, end // 2)
    assert questions == [f"question {i}" for i in exchanges]
    assert answers == [f"answer {i}" for i in exchanges]
    earlier, later = app.query(LoadEarlier), app.query(LoadLater)
    assert [marker_count(m) for m in earlier] == ([state.shown_from] if state.shown_from else [])
    assert [marker_count(m) for m in later] == ([turns - end] if state.shown_to else [])


@pytest.mark.parametrize("jump", ["ctrl+home", "ctrl+end"])
async def test_a_jump_while_a_page_is_mounting_leaves_a_consistent_window(
    api: ApiSettings, long_session: str, monkeypatch: pytest.MonkeyPatch, jump: str
) -> None:
    """Ctrl+Home or Ctrl+End while a page fills in replaces the window under the fill step
    that awaits its mount; that step must not go on to move, trim or scroll the new window.

    The jump is made from inside the fill step's mount, so the interleaving that a key press
    makes only sometimes happens every time."""
    app = ClaudeTUI(replace(options(api), open_session_id=long_session))
    async with app.run_test(size=WIDE) as pilot:
        await opened(pilot, app, long_session)
        view = app.query_one(ConversationView)
        if jump == "ctrl+end":  # from the first turns, so Ctrl+End replaces the window
            await pilot.press("ctrl+home")
            await wait_until(pilot, lambda: mounted(app) == PAGE_OF_TURNS)
            await wait_until(pilot, lambda: not app.chat.turn_pane.filling)
            await pilot.pause()
        mount_all = view.mount_all
        armed = True

        async def mount_then_jump(widgets: list[Widget], **where: Widget) -> None:
            nonlocal armed
            await mount_all(widgets, **where)
            if armed and app.chat.turn_pane.filling:
                armed = False
                await (
                    app.chat.turn_pane.show_start()
                    if jump == "ctrl+home"
                    else app.chat.turn_pane.show_end()
                )

        monkeypatch.setattr(view, "mount_all", mount_then_jump)
        if jump == "ctrl+home":
            view.scroll_home(animate=False)
        else:
            view.scroll_end(animate=False)
        await wait_until(pilot, lambda: not armed)
        await wait_until(pilot, lambda: not app.chat.turn_pane.filling)
        await pilot.pause()
        await pilot.pause()
        assert_window_matches(app)
        state = app.chat.current
        if jump == "ctrl+home":
            assert (state.shown_from, state.shown_to) == (0, PAGE_OF_TURNS)
        else:
            assert (state.shown_from, state.shown_to) == (2 * EXCHANGES - PAGE_OF_TURNS, None)
