"""A search the API pauses (``pause_turn``) goes on by itself, visibly, in the same turn
(issue 18): the continuation sends the paused call back unchanged as the final message, and
the turn ends with the call, its result and the cited text, saved as one reply."""

from __future__ import annotations

import pytest

from claude_tui.core.blocks import ServerToolUseBlock, TextBlock, ToolResultBlock
from claude_tui.core.client import ApiSettings
from claude_tui.core.conversation import TurnStatus
from claude_tui.core.store import SessionStore
from claude_tui.localapi.server import LocalAPIServer, Scenario

from .helpers import (
    command,
    last_body,
    make_app,
    second_reply_ended,
    send,
    send_and_finish,
    wait_until,
)
from .test_stops_and_continuation import launched_notes


async def test_a_paused_search_continues_by_itself_into_one_turn(
    server: LocalAPIServer, api: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.push(Scenario(search="otters", pause_turn=True), Scenario())
    app = make_app(api)
    async with app.run_test(size=(110, 30)) as pilot:
        await command(pilot, "/web on")
        notes = launched_notes(app, monkeypatch)
        await send(pilot, "otter news?")
        await second_reply_ended(pilot, server)
        turns = app.chat.current.conversation.turns
        assert notes == ["", "Paused by the API · continuing (1 of 3)"]
        # The continuation carries the paused call, exactly as the server sent it, last.
        paused = server.message_requests[1]["body"]["messages"][-1]
        assert paused["role"] == "assistant"
        [call] = paused["content"]
        assert call["type"] == "server_tool_use" and call["input"] == {"query": "otters"}
        assert call in server.emitted_blocks

        assert [t.role for t in turns] == ["user", "assistant"]
        turn = turns[-1]
        assert (turn.status, turn.stop_reason) == (TurnStatus.COMPLETE, "end_turn")
        kinds = [type(b) for b in turn.blocks]
        assert kinds[:2] == [ServerToolUseBlock, ToolResultBlock]
        assert set(kinds[2:]) == {TextBlock}
        assert turn.blocks[0].to_api() == call
        result = turn.blocks[1]
        assert isinstance(result, ToolResultBlock) and result.tool_use_id == call["id"]
        assert any(isinstance(b, TextBlock) and b.citations for b in turn.blocks)

        await wait_until(pilot, lambda: turn.message_id is not None)
        session_id = app.chat.current.session_id
        assert session_id is not None
        with SessionStore.open() as store:  # one row for the reply, over both requests
            saved = store.messages(session_id)
        assert [m.role for m in saved] == ["user", "assistant"]
        assert [b.to_api() for b in saved[-1].blocks] == [b.to_api() for b in turn.blocks]
        assert saved[-1].web_search_requests == 1

        # The whole turn goes back in the next request, and is accepted.
        server.push(Scenario(text="Beavers build dams."))
        await send_and_finish(pilot, "and beavers?")
        assert turns[-1].status is TurnStatus.COMPLETE
        sent = last_body(server)["messages"][1]["content"]
        assert sent == [b.to_api() for b in turn.blocks]
