"""Stop reasons in the app: said plainly under the reply, a cut reply continued in the same turn
with Ctrl+R, a paused one continued by itself (at most three times), and Esc during either."""

from __future__ import annotations

import asyncio

import pytest
from textual import events

from claude_tui.core.blocks import TextBlock
from claude_tui.core.client import ApiSettings
from claude_tui.core.continuation import CONTINUE_PROMPT
from claude_tui.core.conversation import Conversation, Turn, TurnStatus
from claude_tui.core.store import SessionStore
from claude_tui.localapi.server import LocalAPIServer, Scenario
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.chat.reply_controller import ReplyController
from claude_tui.ui.chat.reply_worker import ReplyWork
from claude_tui.ui.chat.session_state import Reply, SessionState
from claude_tui.ui.widgets.message import AssistantMessage
from claude_tui.ui.widgets.status import ReplyStatus

from .helpers import make_app, send, send_and_finish, wait_until

CUT = "The first half of the answer ends here,   \n"
"""Cut at max_tokens, ending in whitespace: the API rejects that at the end of a final
assistant message, so the continuation must send it trimmed."""
REST = " and the second half follows on."
PREFILL_MODEL = "claude-haiku-4-5-20251001"
"""A model that takes a cut reply back as a prefill (the default, a 5.5 model, takes none)."""


def notice_of(widget: AssistantMessage) -> str:
    notices = widget.query(".notice")
    return " ".join(str(n.render()) for n in notices)


def stored_replies() -> list[tuple[str, str, str | None, int | None]]:
    with SessionStore.open() as store:
        session = store.latest_session()
        assert session is not None
        return [
            (m.content, m.status, m.stop_reason, m.output_tokens)
            for m in store.all_messages(session.id)
            if m.role == "assistant"
        ]


async def test_a_reply_cut_at_max_tokens_says_so_and_ctrl_r_continues_it_in_the_same_turn(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(text=CUT, stop_reason="max_tokens"), Scenario(text=REST))
    app = make_app(api, model=PREFILL_MODEL)
    async with app.run_test(size=(100, 30)) as pilot:
        await send_and_finish(pilot, "explain everything")
        turns = app.chat.current.conversation.turns
        widget = app.query(AssistantMessage)[-1]
        assert turns[-1].stop_reason == "max_tokens"
        notice = notice_of(widget)
        assert "Cut at max_tokens" in notice and "Ctrl+R continues" in notice
        assert widget.query_one(".notice").has_class("warning")
        # The footer names what Ctrl+R does here.
        shown = {b.binding.action: b.binding.description for b in app.chat.active_bindings.values()}
        assert shown["continue_reply"] == "Continue" and "retry" not in shown

        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: len(server.message_requests) == 2)
        await wait_until(pilot, lambda: app.chat.current.reply is None and turns[-1].text != "")
        await wait_until(pilot, lambda: turns[-1].status is TurnStatus.COMPLETE)

        # The request: the history with the cut reply last, its trailing whitespace trimmed.
        sent = server.message_requests[1]["body"]["messages"]
        assert [m["role"] for m in sent] == ["user", "assistant"]
        assert sent[-1]["content"] == [{"type": "text", "text": CUT.rstrip()}]
        # One turn, on screen and in the store: the text reads on, and no notice is left.
        assert [t.role for t in turns] == ["user", "assistant"]
        assert turns[-1].text == CUT.rstrip() + REST
        assert turns[-1].stop_reason == "end_turn"
        widgets = app.query(AssistantMessage)
        assert len(widgets) == 1
        await wait_until(pilot, lambda: widgets[0].text == CUT.rstrip() + REST)
        assert not widgets[0].query(".notice")
        await wait_until(pilot, lambda: stored_replies()[0][1] == "complete")
        (content, status, stop, output), *others = stored_replies()
        assert not others
        assert (content, status, stop) == (CUT.rstrip() + REST, "complete", "end_turn")
        assert output == server_output(CUT) + server_output(REST)


def server_output(text: str) -> int:
    """The output tokens the local server reports for a reply of ``text``."""
    from claude_tui.localapi.block_stream import tokenize

    return len(tokenize(text))


async def test_slash_retry_still_asks_again_from_the_prompt(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(text=CUT, stop_reason="max_tokens"), Scenario(text="Anew."))
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await send_and_finish(pilot, "explain everything")
        await send(pilot, "/retry")
        turns = app.chat.current.conversation.turns
        await wait_until(pilot, lambda: len(turns) == 4 and app.chat.current.reply is None)
        assert [t.text for t in turns] == [
            "explain everything",
            CUT,
            "explain everything",
            "Anew.",
        ]
        assert server.message_requests[1]["body"]["messages"][-1]["role"] == "user"


async def test_a_continuation_with_thinking_on_goes_without_thinking_when_the_reply_has_none(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    """A final assistant message must start with thinking when thinking is on: a cut reply
    that has none is continued with thinking off for that one request."""
    server.push(
        Scenario(content=[{"type": "text", "text": "Cut here"}], stop_reason="max_tokens"),
        Scenario(text=" and on."),
    )
    app = make_app(api, thinking=True, model=PREFILL_MODEL)
    async with app.run_test(size=(100, 30)) as pilot:
        await send_and_finish(pilot, "go")
        assert "thinking" in server.message_requests[0]["body"]
        await pilot.press("ctrl+r")
        turns = app.chat.current.conversation.turns
        await wait_until(pilot, lambda: turns[-1].text == "Cut here and on.")
        continued = server.message_requests[1]["body"]
        assert "thinking" not in continued
        assert continued["messages"][-1]["content"] == [{"type": "text", "text": "Cut here"}]


async def test_a_continuation_keeps_thinking_on_when_the_cut_reply_starts_with_it(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(
        Scenario(thinking="Let me see.", text="Cut here", stop_reason="max_tokens"),
        Scenario(content=[{"type": "text", "text": " and on."}]),
    )
    app = make_app(api, thinking=True, model=PREFILL_MODEL)
    async with app.run_test(size=(100, 30)) as pilot:
        await send_and_finish(pilot, "go")
        await pilot.press("ctrl+r")
        turns = app.chat.current.conversation.turns
        await wait_until(pilot, lambda: turns[-1].text == "Cut here and on.")
        continued = server.message_requests[1]["body"]
        assert "thinking" in continued
        final = continued["messages"][-1]["content"]
        assert [b["type"] for b in final] == ["thinking", "text"]
        assert turns[-1].thinking == "Let me see."


async def test_a_continuation_on_a_model_without_thinking_leaves_the_thinking_out(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    """Thinking is on in the settings and the cut reply starts with thinking, but the session
    has moved to a model without thinking: the request sends none, so the final reply must
    hold none either (the API's 400 otherwise)."""
    server.push(
        Scenario(thinking="Let me see.", text="Cut here", stop_reason="max_tokens"),
        Scenario(content=[{"type": "text", "text": " and on."}]),
    )
    app = make_app(api, thinking=True, model=PREFILL_MODEL)
    async with app.run_test(size=(100, 30)) as pilot:
        await send_and_finish(pilot, "go")
        await send(pilot, "/model claude-3-haiku-20240307")
        await pilot.pause()
        await pilot.press("ctrl+r")
        turns = app.chat.current.conversation.turns
        await wait_until(
            pilot, lambda: app.chat.current.reply is None and len(server.message_requests) == 2
        )
        await wait_until(pilot, lambda: turns[-1].text == "Cut here and on.")
        continued = server.message_requests[1]["body"]
        assert "thinking" not in continued
        assert [b["type"] for b in continued["messages"][-1]["content"]] == ["text"]


def launched_notes(app: ClaudeTUI, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the status line says with each reply launched from now on, in order: recorded as
    each one starts, so none can be missed between two samples."""
    notes: list[str] = []
    replies = app.chat.replies
    launch = replies.launch

    def spy(state: SessionState, work: ReplyWork, reply: Reply) -> None:
        notes.append(reply.note)
        launch(state, work, reply)

    monkeypatch.setattr(replies, "launch", spy)
    return notes


async def test_pause_turn_continues_by_itself_visibly_at_most_three_times(
    server: LocalAPIServer, api: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.push(*(Scenario(text=f"Part {n}.", stop_reason="pause_turn") for n in range(1, 5)))
    app = make_app(api)
    async with app.run_test(size=(110, 30)) as pilot:
        await wait_until(pilot, lambda: app.chat.ready)
        notes = launched_notes(app, monkeypatch)
        await send(pilot, "search the web")
        status = app.query_one(ReplyStatus)
        turns = app.chat.current.conversation.turns
        await wait_until(
            pilot,
            lambda: len(server.message_requests) == 4 and app.chat.current.reply is None,
            timeout=30,
        )
        assert notes == ["", *(f"Paused by the API · continuing ({n} of 3)" for n in (1, 2, 3))]
        # Each continuation sent the reply so far back as the final assistant message.
        for n in (1, 2, 3):
            final = server.message_requests[n]["body"]["messages"][-1]
            assert final["role"] == "assistant"
            assert [b["text"] for b in final["content"]] == [f"Part {k}." for k in range(1, n + 1)]
        assert [t.role for t in turns] == ["user", "assistant"]
        assert turns[-1].text == "Part 1.Part 2.Part 3.Part 4."
        assert turns[-1].stop_reason == "pause_turn"
        widget = app.query(AssistantMessage)[-1]
        await wait_until(pilot, lambda: "after 3 automatic continues" in notice_of(widget))
        assert "Ctrl+R continues" in notice_of(widget)
        assert status.note == ""
        session_id = app.chat.current.session_id
        await wait_until(pilot, lambda: turns[-1].message_id is not None)
    with SessionStore.open() as store:  # one row for the reply, however many requests it took
        saved = store.messages(session_id)  # type: ignore[arg-type]
    assert [m.role for m in saved] == ["user", "assistant"]
    assert saved[-1].content == "Part 1.Part 2.Part 3.Part 4."


async def test_esc_between_two_automatic_continues_stops_the_chain(
    server: LocalAPIServer, api: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between a pause and the continuation's request the turn is redrawn streaming, which
    takes a moment: an Esc then stops the continuation before it is sent, and what arrived
    stays, on screen and in the store."""
    server.push(
        # The first reply waits a moment, so sending the prompt (which lets the screen go
        # idle) is over before the screen is held up in the redraw.
        Scenario(text="Part 1.", stop_reason="pause_turn", ttft=1.0),
        Scenario(text="Part 2.", stop_reason="pause_turn"),
        Scenario(text="Part 3."),
    )
    app = make_app(api)
    async with app.run_test(size=(110, 30)) as pilot:
        await wait_until(pilot, lambda: app.chat.ready)
        pane = app.chat.turn_pane
        redrawing, go_on = asyncio.Event(), asyncio.Event()
        redraw = pane.restream

        async def held(turn: Turn) -> None:  # the redraw, stopped half-way
            redrawing.set()
            await go_on.wait()
            await redraw(turn)

        monkeypatch.setattr(pane, "restream", held)
        await send(pilot, "search the web")
        # The screen is busy redrawing: wait on the event itself (a pilot pause would wait
        # for the screen), then press Esc through the app, as a key arrives.
        await asyncio.wait_for(redrawing.wait(), timeout=10)
        app.post_message(events.Key("escape", None))
        pressed = asyncio.Event()
        app.call_later(pressed.set)  # after the key, on the app's queue
        await asyncio.wait_for(pressed.wait(), timeout=10)
        go_on.set()
        turns = app.chat.current.conversation.turns
        await wait_until(
            pilot,
            lambda: app.chat.current.reply is None and turns[-1].status is not TurnStatus.STREAMING,
        )
        assert len(server.message_requests) == 1  # the continuation never went out
        assert [t.role for t in turns] == ["user", "assistant"]
        assert (turns[-1].text, turns[-1].status) == ("Part 1.", TurnStatus.CANCELLED)
        await wait_until(pilot, lambda: stored_replies()[-1][1] == "cancelled")
        assert [r[:2] for r in stored_replies()] == [("Part 1.", "cancelled")]  # one row


def test_ctrl_r_can_retry_a_cut_reply_it_would_continue() -> None:
    """``can_retry`` is true for a cut reply, with or without a prompt before it (a session
    imported from a reply alone has none)."""
    cut = Turn("assistant", [TextBlock("so far")], stop_reason="max_tokens")
    state = SessionState(conversation=Conversation([cut]))
    assert ReplyController.can_continue(state) and ReplyController.can_retry(state)
    state.conversation.turns[0] = Turn("assistant", [TextBlock("done")], stop_reason="end_turn")
    assert not ReplyController.can_retry(state)


async def test_esc_stops_a_continuation_and_keeps_what_arrived(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(
        Scenario(text="Begun", stop_reason="max_tokens"),
        Scenario(text=" and then a long tail " * 50, rate=40),
    )
    app = make_app(api, model=PREFILL_MODEL)
    async with app.run_test(size=(100, 30)) as pilot:
        await send_and_finish(pilot, "go")
        await pilot.press("ctrl+r")
        turns = app.chat.current.conversation.turns
        await wait_until(pilot, lambda: len(turns[-1].text) > len("Begun and then"))
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.chat.current.reply is None)
        turn = turns[-1]
        assert turn.status is TurnStatus.CANCELLED
        assert turn.text.startswith("Begun and then")
        assert len(turns) == 2
        await wait_until(pilot, lambda: stored_replies()[0][1] == "cancelled")
        assert stored_replies()[0][0] == turn.text


async def test_refusal_and_a_full_window_and_an_unknown_stop_are_warnings(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(
        Scenario(text="I can't help with that.", stop_reason="refusal"),
        Scenario(text="Partial", stop_reason="model_context_window_exceeded"),
        Scenario(text="Odd", stop_reason="brand_new_reason"),
    )
    app = make_app(api)
    async with app.run_test(size=(120, 30)) as pilot:
        for prompt in ("one", "two", "three"):
            await send_and_finish(pilot, prompt)
        notices = [notice_of(w) for w in app.query(AssistantMessage)]
        assert "Refused: the model declined" in notices[0]
        assert "context window is full" in notices[1] and "/compact" in notices[1]
        assert "does not know: brand_new_reason" in notices[2]
        for widget in app.query(AssistantMessage):
            assert widget.query_one(".notice").has_class("warning")
        # Ctrl+R does not "continue" these: it asks again from the prompt.
        await pilot.press("ctrl+r")
        turns = app.chat.current.conversation.turns
        await wait_until(pilot, lambda: len(turns) == 8 and app.chat.current.reply is None)
        assert turns[-2].text == "three"


NO_PREFILL = (
    "This model does not support assistant message prefill. The conversation must end with a "
    "user message."
)


async def test_a_model_that_takes_no_prefill_is_asked_to_go_on_instead(
    server: LocalAPIServer, api: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Newer models refuse a final assistant message with a 400: the continuation is asked
    for with a user message in that request only, and still joins the same turn."""
    server.push(
        Scenario(text=CUT, stop_reason="max_tokens"),
        Scenario(status=400, error_message=NO_PREFILL),
        Scenario(text=REST),
    )
    app = make_app(api)
    async with app.run_test(size=(120, 30)) as pilot:
        await send_and_finish(pilot, "explain everything")
        notes = launched_notes(app, monkeypatch)
        await pilot.press("ctrl+r")
        turns = app.chat.current.conversation.turns
        await wait_until(
            pilot,
            lambda: len(server.message_requests) == 3 and app.chat.current.reply is None,
            timeout=15,
        )
        assert notes == ["", "This model takes no cut reply back · asked it to go on"]
        refused, asked = (r["body"]["messages"] for r in server.message_requests[1:])
        assert refused[-1] == {
            "role": "assistant",
            "content": [{"type": "text", "text": CUT.rstrip()}],
        }
        assert asked[:-1] == refused
        assert asked[-1] == {
            "role": "user",
            "content": [{"type": "text", "text": CONTINUE_PROMPT}],
        }
        assert [t.role for t in turns] == ["user", "assistant"]
        assert (turns[-1].text, turns[-1].status) == (CUT.rstrip() + REST, TurnStatus.COMPLETE)
        widget = app.query(AssistantMessage)[-1]
        assert not widget.query(".notice")
        await wait_until(pilot, lambda: stored_replies()[0][1] == "complete")
        assert stored_replies() == [
            (CUT.rstrip() + REST, "complete", "end_turn", server_output(CUT) + server_output(REST))
        ]


async def test_after_a_refused_prefill_a_pause_is_continued_by_asking_straight_away(
    server: LocalAPIServer, api: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model took no prefill once: the continuation after its pause asks at once, rather
    than sending another prefill for another 400 first."""
    server.push(
        Scenario(text=CUT, stop_reason="max_tokens"),
        Scenario(status=400, error_message=NO_PREFILL),
        Scenario(text=" and more", stop_reason="pause_turn"),
        Scenario(text=REST),
    )
    app = make_app(api)
    async with app.run_test(size=(120, 30)) as pilot:
        await send_and_finish(pilot, "explain everything")
        notes = launched_notes(app, monkeypatch)
        await pilot.press("ctrl+r")
        turns = app.chat.current.conversation.turns
        await wait_until(
            pilot,
            lambda: turns[-1].status is TurnStatus.COMPLETE and app.chat.current.reply is None,
            timeout=15,
        )
        assert len(server.message_requests) == 4
        after_pause = server.message_requests[3]["body"]["messages"]
        assert after_pause[-2:] == [
            {
                "role": "assistant",
                "content": [
                    {"type": "text", "text": CUT.rstrip()},
                    {"type": "text", "text": " and more"},
                ],
            },
            {"role": "user", "content": [{"type": "text", "text": CONTINUE_PROMPT}]},
        ]
        assert notes == [
            "",
            "This model takes no cut reply back · asked it to go on",
            "Paused by the API · continuing (1 of 3)",
        ]
        assert turns[-1].text == CUT.rstrip() + " and more" + REST
        await wait_until(pilot, lambda: stored_replies()[0][1] == "complete")
        assert [r[0] for r in stored_replies()] == [CUT.rstrip() + " and more" + REST]
