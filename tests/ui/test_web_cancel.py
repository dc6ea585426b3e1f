"""Esc during a search, as a person presses it (issue 18): in every phase of a reply that
searches, what completed is kept and saved as cancelled, a half-streamed call never goes back,
and the next request (a new prompt, or Ctrl+R) is one the API accepts.

The local server validates every request as the API does: a 400 would end the next reply as
failed, so each test also proves the history it sent was accepted."""

from __future__ import annotations

import json
from typing import Any

from textual.pilot import Pilot

from claude_tui.core.blocks import ServerToolUseBlock, TextBlock, ToolResultBlock
from claude_tui.core.client import ApiSettings
from claude_tui.core.conversation import Turn, TurnStatus
from claude_tui.core.store import SessionStore
from claude_tui.localapi.block_stream import tokenize
from claude_tui.localapi.server import LocalAPIServer, Scenario
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.widgets.message import AssistantMessage

from .helpers import (
    command,
    last_body,
    make_app,
    second_reply_ended,
    send,
    send_and_finish,
    wait_until,
)

SIZE = (110, 30)
QUERY = "otters that hold hands while they sleep"
INPUT_PIECES = len(tokenize(json.dumps({"query": QUERY})))
"""How many ``input_json_delta`` pieces the call streams in: the faults count them first."""
STALLED = 30.0
"""Longer than any test: the stream waits there until Esc closes it."""


def reply_turn(app: ClaudeTUI) -> Turn:
    return app.chat.current.conversation.turns[-1]


def stored_reply(app: ClaudeTUI, index: int = 0) -> Any:
    session_id = app.chat.current.session_id
    assert session_id is not None
    with SessionStore.open() as store:
        return [m for m in store.all_messages(session_id) if m.role == "assistant"][index]


def sent_types(body: dict[str, Any]) -> list[list[str]]:
    return [[block["type"] for block in message["content"]] for message in body["messages"]]


async def cancel_when(pilot: Pilot[None], app: ClaudeTUI, reached: Any) -> Turn:
    """Wait for the reply to reach a phase, press Esc, and wait for it to be saved."""
    await wait_until(pilot, lambda: reached(reply_turn(app)))
    await pilot.press("escape")
    await wait_until(pilot, lambda: app.chat.current.reply is None)
    turn = reply_turn(app)
    assert turn.status is TurnStatus.CANCELLED
    await wait_until(pilot, lambda: turn.message_id is not None)
    return turn


def mid_call(turn: Turn) -> bool:
    """The call has begun streaming its input, and not finished."""
    return (
        bool(turn.blocks)
        and isinstance(turn.blocks[0], ServerToolUseBlock)
        and bool(turn.blocks[0].partial_json)
    )


async def test_esc_mid_call_keeps_it_off_the_next_request(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(
        Scenario(search=QUERY, stall_after=2, stall_seconds=STALLED),
        Scenario(text="Beavers build dams."),
    )
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await command(pilot, "/web on")
        await send(pilot, "otter news?")
        turn = await cancel_when(pilot, app, mid_call)
        assert server.wait_for_disconnect(5)
        [call] = turn.blocks
        assert isinstance(call, ServerToolUseBlock) and call.partial
        saved = stored_reply(app)
        assert saved.status == "cancelled"
        assert [type(b) for b in saved.blocks] == [ServerToolUseBlock]
        assert saved.blocks[0].partial  # saved as far as it got, marked so

        await send_and_finish(pilot, "and beavers?")
        assert reply_turn(app).status is TurnStatus.COMPLETE
        assert reply_turn(app).text == "Beavers build dams."
        body = last_body(server)
        # Nothing of the cut reply goes back; the two prompts merge into one user message.
        assert sent_types(body) == [["text", "text"]]
        assert "server_tool_use" not in json.dumps(body)


async def test_esc_while_searching_drops_the_call_without_its_result(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    """The call finished, the search runs on the server: a call without its result is not a
    history the API takes, so it stays on screen and in the store, and does not go back."""
    server.push(
        Scenario(search=QUERY, search_seconds=STALLED), Scenario(text="Beavers build dams.")
    )
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await command(pilot, "/web on")
        await send(pilot, "otter news?")

        def searching(turn: Turn) -> bool:
            return [type(b) for b in turn.blocks] == [ServerToolUseBlock] and not (
                turn.blocks[0].partial or turn.blocks[0].partial_json
            )

        turn = await cancel_when(pilot, app, searching)
        # Under a card that shows the query, not "before any text arrived".
        notice = app.query(AssistantMessage).last().query_one(".notice")
        await wait_until(pilot, lambda: notice.size.height > 0)
        said = notice.render_line(0).text.strip()
        assert said == "■ Cancelled during the search · the prompt stays in the history"
        assert server.wait_for_disconnect(5)  # the search's wait noticed the client leave
        call = turn.blocks[0]
        assert isinstance(call, ServerToolUseBlock) and call.input == {"query": QUERY}
        assert call.to_api() in server.emitted_blocks
        assert stored_reply(app).blocks == [call]
        await send_and_finish(pilot, "and beavers?")
        assert reply_turn(app).status is TurnStatus.COMPLETE
        assert sent_types(last_body(server)) == [["text", "text"]]


async def esc_after_the_result(server: LocalAPIServer, api: ApiSettings, text_tokens: int) -> None:
    server.push(
        Scenario(search=QUERY, stall_after=INPUT_PIECES + text_tokens, stall_seconds=STALLED),
        Scenario(text="Beavers build dams."),
    )
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await command(pilot, "/web on")
        await send(pilot, "otter news?")

        def after_result(turn: Turn) -> bool:
            texts = [b for b in turn.blocks if isinstance(b, TextBlock)]
            has_result = any(isinstance(b, ToolResultBlock) for b in turn.blocks)
            return has_result and (len("".join(t.text for t in texts)) > 0) == (text_tokens > 0)

        turn = await cancel_when(pilot, app, after_result)
        call, result = turn.blocks[0], turn.blocks[1]
        assert isinstance(call, ServerToolUseBlock) and isinstance(result, ToolResultBlock)
        assert not call.partial and not result.partial
        saved = stored_reply(app)
        assert saved.status == "cancelled"
        assert [b.to_api() for b in saved.blocks[:2]] == [call.to_api(), result.to_api()]
        assert [b.to_api() for b in saved.blocks] == [b.to_api() for b in turn.blocks]

        await send_and_finish(pilot, "and beavers?")
        assert reply_turn(app).status is TurnStatus.COMPLETE
        sent = last_body(server)["messages"][1]
        assert sent["role"] == "assistant"
        # The call and its result go back exactly as the server sent them.
        assert sent["content"][:2] == [call.to_api(), result.to_api()]
        assert all(block in server.emitted_blocks for block in sent["content"][:2])
        expected = ["server_tool_use", "web_search_tool_result"] + (["text"] if text_tokens else [])
        assert [b["type"] for b in sent["content"]] == expected


async def test_esc_after_the_result_before_the_text_keeps_call_and_result(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    await esc_after_the_result(server, api, text_tokens=0)


async def test_esc_while_the_cited_text_streams_keeps_call_result_and_text(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    await esc_after_the_result(server, api, text_tokens=3)


async def test_ctrl_r_after_esc_mid_call_asks_again_and_completes(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(
        Scenario(search=QUERY, stall_after=2, stall_seconds=STALLED), Scenario(search=QUERY)
    )
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await command(pilot, "/web on")
        await send(pilot, "otter news?")
        await cancel_when(pilot, app, mid_call)
        await pilot.press("ctrl+r")
        await second_reply_ended(pilot, server)
        turns = app.chat.current.conversation.turns
        body = last_body(server)
        assert sent_types(body) == [["text"]]  # the prompt again, nothing of the cut reply
        assert body["messages"][0]["content"][0]["text"] == "otter news?"
        assert "tools" in body
        final = turns[-1]
        assert final.status is TurnStatus.COMPLETE
        kinds = [type(b) for b in final.blocks]
        assert kinds[:2] == [ServerToolUseBlock, ToolResultBlock] and TextBlock in kinds
        assert any(isinstance(b, TextBlock) and b.citations for b in final.blocks)
        await wait_until(pilot, lambda: final.message_id is not None)
        assert stored_reply(app, -1).status == "complete"
