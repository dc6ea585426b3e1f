"""Replies made of blocks, through the real SDK over real HTTP: the runner's events follow the
API's blocks, the terminal event holds them whole (or partial where the reply stopped), and the
history built from them is one the local server, which checks it as the real API does, accepts."""

from __future__ import annotations

import json
import threading
from typing import Any

from claude_tui.core.blocks import (
    Block,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
    UnknownBlock,
)
from claude_tui.core.client import ApiSettings
from claude_tui.core.conversation import Turn, TurnStatus, build_api_messages
from claude_tui.core.errors import ErrorKind
from claude_tui.core.events import (
    BlockDelta,
    BlockStopped,
    Cancelled,
    Failed,
    Finished,
    TerminalEvent,
)
from claude_tui.core.runner import StreamRequest, StreamRunner
from claude_tui.localapi.block_stream import plan_block
from claude_tui.localapi.server import LocalAPIServer, Scenario
from claude_tui.localapi.signing import signature_is_valid

from ..block_samples import CITATIONS, TOOL_RESULT
from .runner_events import Recorder

PROMPT = "Are there cats that like water?"
INTRO = {"type": "text", "text": "Let me look that up. "}
OUTRO = {"type": "text", "text": "That was all I could find."}
THINKING = {"type": "thinking", "thinking": "The user asks about cats and water.", "signature": ""}
TOOL_USE = {
    "type": "server_tool_use",
    "id": "srvtoolu_01",
    "name": "web_search",
    "input": {"query": "cats that like water"},
    "caller": {"type": "direct"},  # a field the app does not read: it must go back too
}
CITED = {"type": "text", "text": "Turkish Vans enjoy water.", "citations": CITATIONS}
FUTURE = {"type": "future_block", "data": {"shape": "unknown", "n": [1, 2.5, None]}, "z": "last"}


def reply(server: LocalAPIServer, api: ApiSettings, scenario: Scenario) -> tuple[Any, Recorder]:
    server.push(scenario)
    rec = Recorder()
    request = StreamRequest(
        messages=[{"role": "user", "content": [{"type": "text", "text": PROMPT}]}]
    )
    return StreamRunner(request, rec, api=api).run(), rec


def cancelled_inside(
    server: LocalAPIServer, api: ApiSettings, scenario: Scenario, kind: str
) -> tuple[Cancelled, Recorder]:
    """The reply cancelled (Esc) once a delta of ``kind`` has arrived; the scenario stalls
    there."""
    server.push(scenario)
    rec = Recorder()
    request = StreamRequest(
        messages=[{"role": "user", "content": [{"type": "text", "text": PROMPT}]}]
    )
    runner = StreamRunner(request, rec, api=api)
    result: list[TerminalEvent] = []
    thread = threading.Thread(target=lambda: result.append(runner.run()), daemon=True)
    thread.start()
    rec.wait_for(lambda e: isinstance(e, BlockDelta) and e.kind == kind)
    runner.cancel()
    thread.join(5)
    assert result and isinstance(result[0], Cancelled)
    return result[0], rec


def history(blocks: tuple[Block, ...], status: TurnStatus) -> list[Turn]:
    return [Turn.from_text("user", PROMPT), Turn("assistant", list(blocks), status)]


def sent_back(server: LocalAPIServer, api: ApiSettings, turns: list[Turn]) -> list[dict[str, Any]]:
    """The history these turns make, with one more prompt, sent to the server; it answers as
    the real API would, with a 400 for a block it would reject."""
    messages = build_api_messages([*turns, Turn.from_text("user", "Thanks!")])
    server.push(Scenario(text="You're welcome."))
    final = StreamRunner(StreamRequest(messages=messages), Recorder(), api=api).run()
    assert isinstance(final, Finished), final.error.message if isinstance(final, Failed) else final
    assert server.message_requests[-1]["body"]["messages"] == messages
    return messages


def deltas_in(block: dict[str, Any]) -> int:
    return len(plan_block(block).deltas)


# -- whole replies -----------------------------------------------------------------------------


def test_an_unknown_block_between_two_texts_is_kept_whole_and_goes_back(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    future_deltas = [{"type": "future_delta", "data": "part"}, {"type": "future_delta", "n": 2}]
    final, rec = reply(
        server, api, Scenario(content=[INTRO, FUTURE, OUTRO], deltas={1: future_deltas})
    )
    assert isinstance(final, Finished)
    assert rec.layout() == [
        ("BlockStarted", 0, None),
        ("BlockDelta", 0, "text"),
        ("BlockStopped", 0, None),
        ("BlockStarted", 1, None),
        ("BlockDelta", 1, "other"),
        ("BlockStopped", 1, None),
        ("BlockStarted", 2, None),
        ("BlockDelta", 2, "text"),
        ("BlockStopped", 2, None),
    ]
    items = [i for e in rec.events if isinstance(e, BlockDelta) and e.index == 1 for i in e.items]
    assert items == future_deltas  # each unknown delta handed on as it came
    assert final.blocks == (
        TextBlock(INTRO["text"]),
        UnknownBlock(FUTURE),
        TextBlock(OUTRO["text"]),
    )
    unknown = final.blocks[1]
    assert isinstance(unknown, UnknownBlock)
    assert json.dumps(unknown.raw) == json.dumps(FUTURE)  # its JSON exactly, keys in order
    assert final.text == INTRO["text"] + OUTRO["text"]

    messages = sent_back(server, api, history(final.blocks, TurnStatus.COMPLETE))
    assert json.dumps(messages[1]["content"][1]) == json.dumps(FUTURE)


def test_a_signature_arrives_and_is_kept(server: LocalAPIServer, api: ApiSettings) -> None:
    final, rec = reply(server, api, Scenario(content=[THINKING, OUTRO]))
    assert isinstance(final, Finished)
    thinking, text = final.blocks
    assert isinstance(thinking, ThinkingBlock) and not thinking.partial
    assert text == TextBlock(OUTRO["text"])
    assert thinking.thinking == THINKING["thinking"]
    assert signature_is_valid(thinking.thinking, thinking.signature)  # the server's, whole
    assert final.thinking == THINKING["thinking"]
    assert ("BlockDelta", 0, "signature") in rec.layout()
    messages = sent_back(server, api, history(final.blocks, TurnStatus.COMPLETE))
    assert messages[1]["content"][0] == thinking.to_api()


def test_a_web_search_with_citations_streams_into_its_blocks(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    final, rec = reply(server, api, Scenario(content=[TOOL_USE, TOOL_RESULT, CITED]))
    assert isinstance(final, Finished)
    use, result, text = final.blocks
    assert use == ServerToolUseBlock(
        "srvtoolu_01", "web_search", TOOL_USE["input"], extra={"caller": {"type": "direct"}}
    )
    assert isinstance(result, ToolResultBlock) and result.raw == TOOL_RESULT
    assert text == TextBlock(CITED["text"], tuple(CITATIONS))  # citations on their text block
    assert ("BlockDelta", 0, "input_json") in rec.layout()
    assert ("BlockDelta", 2, "citation") in rec.layout()
    messages = sent_back(server, api, history(final.blocks, TurnStatus.COMPLETE))
    assert messages[1]["content"] == [TOOL_USE, TOOL_RESULT, CITED]
    assert json.dumps(messages[1]["content"][1]) == json.dumps(TOOL_RESULT)


# -- replies that stop inside a block ----------------------------------------------------------


def test_cancel_inside_a_thinking_block_leaves_it_partial_and_unsent(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    final, rec = cancelled_inside(
        server, api, Scenario(content=[THINKING, OUTRO], stall_after=3), "thinking"
    )
    (thinking,) = final.blocks
    assert isinstance(thinking, ThinkingBlock) and thinking.partial
    assert thinking.thinking and THINKING["thinking"].startswith(thinking.thinking)
    assert thinking.signature == ""
    assert not any(isinstance(e, BlockStopped) for e in rec.events)
    # the reply was thinking alone: it does not go back; the prompts merge
    messages = sent_back(server, api, history(final.blocks, TurnStatus.CANCELLED))
    assert [m["role"] for m in messages] == ["user"]
    assert [b["text"] for b in messages[0]["content"]] == [PROMPT, "Thanks!"]


def test_cancel_inside_a_server_tool_call_leaves_it_partial_and_unsent(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    scenario = Scenario(
        content=[INTRO, TOOL_USE, TOOL_RESULT, OUTRO], stall_after=deltas_in(INTRO) + 2
    )
    final, rec = cancelled_inside(server, api, scenario, "input_json")
    intro, use = final.blocks
    assert intro == TextBlock(INTRO["text"])  # complete: it saw its stop
    assert isinstance(use, ServerToolUseBlock) and use.partial
    assert use.partial_json and json.dumps(TOOL_USE["input"]).startswith(use.partial_json)
    assert use.input == {}
    assert rec.layout()[-1] == ("BlockDelta", 1, "input_json")
    messages = sent_back(server, api, history(final.blocks, TurnStatus.CANCELLED))
    assert messages[1] == {
        "role": "assistant",
        "content": [{"type": "text", "text": INTRO["text"]}],
    }


def test_a_failure_inside_a_block_keeps_what_arrived(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    scenario = Scenario(content=[THINKING, TOOL_USE, OUTRO], error_after=deltas_in(THINKING) + 1)
    final, _ = reply(server, api, scenario)
    assert isinstance(final, Failed)
    assert final.error.kind is ErrorKind.INTERRUPTED
    thinking, use = final.blocks
    assert isinstance(thinking, ThinkingBlock) and not thinking.partial and thinking.signature
    assert isinstance(use, ServerToolUseBlock) and use.partial
    assert len(server.message_requests) == 1  # content had arrived: never retried
    # signed thinking and nothing else the API would take: the reply does not go back
    messages = sent_back(server, api, history(final.blocks, TurnStatus.ERROR))
    assert [m["role"] for m in messages] == ["user"]
