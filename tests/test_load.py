"""Load (issue 5): eight sessions streaming at once, and a hundred turns in one session.

Only structure is asserted here (what is sent, what is saved, what is shown); how long turns
take is measured by ``benchmarks/turns.py``, since timings depend on the machine.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from claude_tui.core.client import ApiSettings
from claude_tui.core.conversation import TurnStatus
from claude_tui.core.store import SessionStore, title_from
from claude_tui.localapi.server import LocalAPIServer, Scenario, generate_text
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.widgets.message import AssistantMessage
from claude_tui.ui.widgets.prompt import PromptInput
from claude_tui.ui.widgets.sidebar import SessionSidebar

from .ui.helpers import make_app, ready, replies_ended, send, wait_until

SESSIONS = 8
TURNS = 100
WIDE = (120, 36)


async def test_eight_sessions_streaming_at_once_all_complete_and_are_saved(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    prompts = [f"Session {i}: tell me something long" for i in range(SESSIONS)]
    texts = [f"Reply for session {i}.\n\n{generate_text(80 + 10 * i)}" for i in range(SESSIONS)]
    app = make_app(api)
    async with app.run_test(size=WIDE) as pilot:
        sidebar = app.query_one(SessionSidebar)
        most_at_once = 0
        for i, (prompt, text) in enumerate(zip(prompts, texts, strict=True)):
            if i:
                await pilot.press("ctrl+n")
            # a few tokens, a pause while the next sessions start, then the rest
            server.push(Scenario(text=text, rate=300, stall_after=3, stall_seconds=1.5))
            await send(pilot, prompt)
            await wait_until(pilot, lambda n=i + 1: len(server.message_requests) == n, timeout=20)
            most_at_once = max(most_at_once, len(sidebar.active))
        assert most_at_once >= 2, "the replies never overlapped"

        states = app.chat.sessions_panel.open_states
        await wait_until(
            pilot,
            lambda: (
                len(states) == SESSIONS
                and not sidebar.active
                and all(s.reply is None for s in states.values())
            ),
            timeout=20,
        )
        by_prompt = {s.conversation.turns[0].text: s for s in states.values()}
        for prompt, text in zip(prompts, texts, strict=True):
            _, reply = by_prompt[prompt].conversation.turns
            assert (reply.status, reply.text) == (TurnStatus.COMPLETE, text)

        await wait_until(pilot, lambda: len(sidebar.sessions) == SESSIONS)
        assert {s.title for s in sidebar.sessions} == {title_from(p) for p in prompts}

        # a session that streamed in the background shows its whole reply when opened
        first = by_prompt[prompts[0]]
        assert first.session_id is not None
        app.chat.open_session(first.session_id)
        await wait_until(pilot, lambda: app.chat.current is first)
        await pilot.pause()
        assert [w.text for w in app.query(AssistantMessage)] == [texts[0]]

    with SessionStore.open() as store:
        saved = {}
        for info in store.list_sessions():
            messages = store.messages(info.id)
            saved[messages[0].content] = [(m.role, m.content, m.status) for m in messages]
    assert saved == {
        prompt: [("user", prompt, "complete"), ("assistant", text, "complete")]
        for prompt, text in zip(prompts, texts, strict=True)
    }


async def test_eight_replies_are_in_flight_at_once_on_a_two_core_machine(
    server: LocalAPIServer, api: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "process_cpu_count", lambda: 2, raising=False)  # Python 3.13+
    app = make_app(api)
    sent = 0
    async with app.run_test(size=WIDE) as pilot:
        for i in range(SESSIONS):
            if i:
                await pilot.press("ctrl+n")
            server.push(Scenario(text="Held.", stall_after=0, stall_seconds=60))
            await send(pilot, f"Held reply {i}")
            if not await arrives(lambda n=i + 1: len(server.message_requests) == n, timeout=3):
                break  # every earlier reply is stalled: this one never went out
            sent = i + 1
        app.chat.replies.cancel_all()
        await wait_until(
            pilot,
            lambda: (
                app.chat.current.reply is None
                and all(s.reply is None for s in app.chat.sessions_panel.open_states.values())
            ),
        )
    assert sent == SESSIONS, f"only {sent} of {SESSIONS} replies were sent at once"


async def test_a_hundred_turns_in_one_session_cost_the_same_each(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    replies = [f"Reply {n}: {generate_text(12 + n % 7)}" for n in range(1, TURNS + 1)]
    app = make_app(api)
    store = SessionStore.open()
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await ready(pilot)
            previous: list[dict[str, object]] = []
            for n, reply in enumerate(replies, start=1):
                server.push(Scenario(text=reply))
                await quick_turn(pilot, app, f"Question {n}", n)

                # one request per turn, carrying the whole history and nothing else
                assert len(server.message_requests) == n
                history = server.message_requests[-1]["body"]["messages"]
                assert len(history) == 2 * n - 1
                if n > 1:  # the history only grows at its end: the last reply, the new prompt
                    assert history[: 2 * n - 3] == previous
                    assert history[-2] == {
                        "role": "assistant",
                        "content": [{"type": "text", "text": replies[n - 2]}],
                    }
                assert history[-1] == {
                    "role": "user",
                    "content": [{"type": "text", "text": f"Question {n}"}],
                }
                previous = history

                # exactly two rows saved per turn
                session_id = app.chat.current.session_id
                assert session_id is not None
                assert len(store.messages(session_id)) == 2 * n

            turns = app.chat.current.conversation.turns
            assert [t.text for t in turns if t.role == "assistant"] == replies
            assert all(t.status is TurnStatus.COMPLETE for t in turns)
            await pilot.pause()
            shown = [w.text for w in app.query(AssistantMessage)]  # all, or the latest ones
            assert shown and shown == replies[-len(shown) :]
        rows = store.messages(session_id)
    finally:
        store.close()
    assert [(m.role, m.content, m.status) for m in rows] == [
        row
        for n, reply in enumerate(replies, start=1)
        for row in (("user", f"Question {n}", "complete"), ("assistant", reply, "complete"))
    ]


async def quick_turn(pilot: Pilot[None], app: ClaudeTUI, text: str, count: int) -> None:
    """Type and send ``text``, then wait for reply ``count`` to end. Polls with plain sleeps:
    ``pilot.pause`` forces a screen update each time, which would multiply the work 100 turns
    of widgets cost (the app itself updates at its own pace, as in a terminal)."""
    app.query_one(PromptInput).insert(text)
    await pilot.press("enter")
    if not await arrives(replies_ended(app, count), timeout=10):
        raise AssertionError(f"reply {count} did not end")


async def arrives(condition: Callable[[], bool], timeout: float) -> bool:
    """Whether ``condition`` holds within ``timeout`` s, letting the app run meanwhile."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.005)
    return True
