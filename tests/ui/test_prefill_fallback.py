"""On the default model (a 5.5 model, which takes no prefill), Ctrl+R's continuation is refused
by the local server as by the API, and the app asks the model to go on instead; a paused turn
still goes on by itself with the reply sent back last."""

from __future__ import annotations

from claude_tui.core.client import ApiSettings
from claude_tui.core.continuation import CONTINUE_PROMPT
from claude_tui.core.conversation import TurnStatus
from claude_tui.localapi.prefill import NO_PREFILL
from claude_tui.localapi.server import LocalAPIServer, Scenario

from .helpers import make_app, send_and_finish, wait_until

CUT = "The first half of the answer ends here,   \n"


async def test_ctrl_r_on_the_default_model_asks_it_to_go_on(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(text=CUT, stop_reason="max_tokens"))
    app = make_app(api)
    async with app.run_test(size=(110, 30)) as pilot:
        await send_and_finish(pilot, "explain everything")
        await pilot.press("ctrl+r")
        turns = app.chat.current.conversation.turns
        await wait_until(
            pilot,
            lambda: len(server.message_requests) == 3 and app.chat.current.reply is None,
            timeout=15,
        )
        refused, asked = (r["body"] for r in server.message_requests[1:])
        assert refused["model"] == "claude-sonnet-5-5"
        assert refused["messages"][-1] == {
            "role": "assistant",
            "content": [{"type": "text", "text": CUT.rstrip()}],
        }
        assert asked["messages"][:-1] == refused["messages"]
        assert asked["messages"][-1]["content"] == [{"type": "text", "text": CONTINUE_PROMPT}]
        last = turns[-1]
        assert [t.role for t in turns] == ["user", "assistant"]
        assert last.status is TurnStatus.COMPLETE and last.error is None
        assert last.text.startswith(CUT.rstrip()) and len(last.text) > len(CUT)
        assert NO_PREFILL not in (last.error or "")


async def test_a_paused_turn_goes_on_by_itself_on_the_default_model(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(
        Scenario(text="Looking it up.", stop_reason="pause_turn"),
        Scenario(text=" Found it."),
    )
    app = make_app(api)
    async with app.run_test(size=(110, 30)) as pilot:
        await send_and_finish(pilot, "search the web")
        turns = app.chat.current.conversation.turns
        await wait_until(pilot, lambda: len(server.message_requests) == 2)
        await wait_until(pilot, lambda: app.chat.current.reply is None)
        final = server.message_requests[1]["body"]["messages"][-1]
        assert final == {
            "role": "assistant",
            "content": [{"type": "text", "text": "Looking it up."}],
        }
        assert (turns[-1].text, turns[-1].status) == (
            "Looking it up. Found it.",
            TurnStatus.COMPLETE,
        )
