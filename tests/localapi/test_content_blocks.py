"""``Scenario(content=[...])``: any content blocks, streamed as the real API streams each type.

Every check goes through the real SDK over real HTTP: the raw events of
``messages.create(..., stream=True)`` for the wire sequence, and ``messages.stream`` for what the
SDK makes of it. What SDK 2.10.0 does with a block or delta type it does not know is pinned here
too, since the stream runner relies on it.
"""

from __future__ import annotations

import json
import time
from typing import Any

import anthropic
import httpx2
import pytest

from claude_tui.localapi.server import LocalAPIServer, Scenario
from claude_tui.localapi.signing import signature_is_valid

from ..block_samples import CITATIONS, TOOL_RESULT

MODEL = "claude-sonnet-5-5"
MESSAGES: list[Any] = [{"role": "user", "content": "Search for cats"}]

THINKING = {"type": "thinking", "thinking": "The user wants cats. Let me search.", "signature": ""}
TOOL_USE = {
    "type": "server_tool_use",
    "id": "srvtoolu_01",
    "name": "web_search",
    "input": {"query": "cats that like water"},
}
TEXT = {"type": "text", "text": "Turkish Vans are known to enjoy water.", "citations": CITATIONS}
FUTURE = {"type": "future_block", "data": {"shape": "unknown", "n": 1}}
CONTENT = [THINKING, TOOL_USE, TOOL_RESULT, TEXT, FUTURE]


def client_for(server: LocalAPIServer) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key="test", base_url=server.base_url, max_retries=0)


def as_dict(model: Any) -> dict[str, Any]:
    """An SDK object's JSON; quietly, since an unknown type makes pydantic warn on dumping."""
    return dict(model.to_dict(warnings=False))


def raw_events(server: LocalAPIServer, scenario: Scenario) -> list[dict[str, Any]]:
    """The raw events of one streamed reply, as JSON."""
    server.push(scenario)
    client = client_for(server)
    stream = client.messages.create(model=MODEL, max_tokens=1024, messages=MESSAGES, stream=True)
    return [as_dict(event) for event in stream]


def block_events(events: list[dict[str, Any]], index: int) -> list[dict[str, Any]]:
    """The start, deltas and stop of block ``index``, in order."""
    return [e for e in events if e.get("index") == index]


def deltas_of(events: list[dict[str, Any]], index: int) -> list[dict[str, Any]]:
    return [e["delta"] for e in block_events(events, index) if e["type"] == "content_block_delta"]


def test_each_block_starts_empty_then_deltas_then_stop(server: LocalAPIServer) -> None:
    events = raw_events(server, Scenario(content=CONTENT))
    kinds = [e["type"] for e in events]
    assert kinds[0] == "message_start"
    assert kinds[-2:] == ["message_delta", "message_stop"]
    starts = [e["content_block"] for e in events if e["type"] == "content_block_start"]
    assert starts == [
        {"type": "thinking", "thinking": "", "signature": ""},
        {**TOOL_USE, "input": {}},
        TOOL_RESULT,
        {"type": "text", "text": ""},
        FUTURE,
    ]
    for index in range(len(CONTENT)):
        sequence = [e["type"] for e in block_events(events, index)]
        assert sequence[0] == "content_block_start"
        assert sequence[-1] == "content_block_stop"
        assert set(sequence[1:-1]) <= {"content_block_delta"}
    # one block at a time: the indexes of the block events never go back
    indexes = [e["index"] for e in events if "index" in e]
    assert indexes == sorted(indexes)


def test_thinking_streams_in_pieces_then_one_server_signature(server: LocalAPIServer) -> None:
    deltas = deltas_of(raw_events(server, Scenario(content=[THINKING])), 0)
    pieces = [d for d in deltas if d["type"] == "thinking_delta"]
    assert len(pieces) > 1
    assert "".join(d["thinking"] for d in pieces) == THINKING["thinking"]
    assert [d["type"] for d in deltas[len(pieces) :]] == ["signature_delta"]
    assert signature_is_valid(THINKING["thinking"], deltas[-1]["signature"])


def test_a_given_signature_is_replaced_by_the_servers(server: LocalAPIServer) -> None:
    deltas = deltas_of(raw_events(server, Scenario(content=[{**THINKING, "signature": "x"}])), 0)
    assert deltas[-1]["signature"] != "x"
    assert signature_is_valid(THINKING["thinking"], deltas[-1]["signature"])


def test_tool_input_streams_as_partial_json_pieces(server: LocalAPIServer) -> None:
    deltas = deltas_of(raw_events(server, Scenario(content=[TOOL_USE])), 0)
    assert len(deltas) > 1
    assert {d["type"] for d in deltas} == {"input_json_delta"}
    assert json.loads("".join(d["partial_json"] for d in deltas)) == TOOL_USE["input"]


def test_text_streams_in_pieces_then_one_citations_delta_each(server: LocalAPIServer) -> None:
    deltas = deltas_of(raw_events(server, Scenario(content=[TEXT])), 0)
    kinds = [d["type"] for d in deltas]
    assert kinds.count("text_delta") > 1
    assert kinds[-2:] == ["citations_delta", "citations_delta"]
    assert set(kinds[:-2]) == {"text_delta"}
    assert "".join(d["text"] for d in deltas[:-2]) == TEXT["text"]
    assert [d["citation"] for d in deltas[-2:]] == CITATIONS


def test_other_blocks_come_whole_in_their_start(server: LocalAPIServer) -> None:
    redacted = {"type": "redacted_thinking", "data": "EncRedacted=="}
    events = raw_events(server, Scenario(content=[TOOL_RESULT, redacted, FUTURE]))
    for index, block in enumerate([TOOL_RESULT, redacted, FUTURE]):
        assert [e["type"] for e in block_events(events, index)] == [
            "content_block_start",
            "content_block_stop",
        ]
        assert block_events(events, index)[0]["content_block"] == block


def test_an_unknown_delta_can_be_scripted_inside_an_unknown_block(server: LocalAPIServer) -> None:
    future_deltas = [{"type": "future_delta", "data": "part 1"}, {"type": "future_delta", "n": 2}]
    events = raw_events(server, Scenario(content=[TEXT, FUTURE], deltas={1: future_deltas}))
    assert deltas_of(events, 1) == future_deltas
    assert {d["type"] for d in deltas_of(events, 0)} == {"text_delta", "citations_delta"}


def test_sdk_2_10_keeps_unknown_blocks_and_deltas_without_raising(
    server: LocalAPIServer,
) -> None:
    """What the runner can count on: an unknown block parses as a ``TextBlock`` whose ``type`` is
    the unknown one, ``text`` is ``None``, and its own fields are kept as extras; an unknown delta
    likewise as a ``TextDelta``. ``to_dict()`` gives the JSON as sent; ``model_dump()`` adds the
    text block's fields as ``None``. (Dumping a whole *event* that holds one makes pydantic warn
    about the type, hence ``warnings=False`` here.)"""
    server.push(Scenario(content=[FUTURE], deltas={0: [{"type": "future_delta", "data": "x"}]}))
    client = client_for(server)
    stream = client.messages.create(model=MODEL, max_tokens=1024, messages=MESSAGES, stream=True)
    events = list(stream)
    start = next(e for e in events if e.type == "content_block_start")
    block = start.content_block
    assert type(block).__name__ == "TextBlock"
    assert block.type == "future_block"
    assert block.text is None
    assert block.to_dict(warnings=False) == FUTURE
    assert block.model_dump() == {**FUTURE, "text": None, "citations": None}
    delta = next(e for e in events if e.type == "content_block_delta").delta
    assert type(delta).__name__ == "TextDelta"
    assert (delta.type, delta.text) == ("future_delta", None)
    assert delta.to_dict(warnings=False) == {"type": "future_delta", "data": "x"}

    # The accumulating stream neither raises nor drops the block.
    server.push(Scenario(content=[TEXT, FUTURE], deltas={1: [{"type": "future_delta"}]}))
    with client.messages.stream(model=MODEL, max_tokens=1024, messages=MESSAGES) as managed:
        text = "".join(managed.text_stream)
        final = managed.get_final_message()
    assert text == TEXT["text"]
    assert [as_dict(b) for b in final.content] == [TEXT, FUTURE]


def test_the_sdk_assembles_every_block_kind(server: LocalAPIServer) -> None:
    server.push(Scenario(content=CONTENT))
    with client_for(server).messages.stream(
        model=MODEL, max_tokens=1024, messages=MESSAGES
    ) as stream:
        final = stream.get_final_message()
    content = [as_dict(block) for block in final.content]
    signature = content[0]["signature"]
    assert signature_is_valid(THINKING["thinking"], signature)
    assert content == [{**THINKING, "signature": signature}, TOOL_USE, TOOL_RESULT, TEXT, FUTURE]


async def test_the_async_client_streams_content_too(server: LocalAPIServer) -> None:
    server.push(Scenario(content=[TOOL_USE, TEXT]))
    client = anthropic.AsyncAnthropic(api_key="test", base_url=server.base_url, max_retries=0)
    stream = await client.messages.create(
        model=MODEL, max_tokens=1024, messages=MESSAGES, stream=True
    )
    kinds = [event.type async for event in stream]
    assert kinds[:3] == ["message_start", "content_block_start", "content_block_delta"]
    assert kinds.count("content_block_start") == 2
    assert kinds[-2:] == ["message_delta", "message_stop"]
    await client.close()


def test_stop_reason_and_usage_with_content(server: LocalAPIServer) -> None:
    events = raw_events(server, Scenario(content=[TOOL_USE], stop_reason="pause_turn"))
    message_delta = next(e for e in events if e["type"] == "message_delta")
    assert message_delta["delta"]["stop_reason"] == "pause_turn"
    assert message_delta["usage"]["output_tokens"] == len(deltas_of(events, 0))


def test_non_streaming_reply_holds_the_content(server: LocalAPIServer) -> None:
    server.push(Scenario(content=CONTENT))
    message = client_for(server).messages.create(model=MODEL, max_tokens=1024, messages=MESSAGES)
    content = [as_dict(block) for block in message.content]
    assert content[1:] == [TOOL_USE, TOOL_RESULT, TEXT, FUTURE]
    assert signature_is_valid(THINKING["thinking"], content[0]["signature"])


# -- faults count every delta of every block -------------------------------------------------


def test_error_event_in_the_middle_of_a_thinking_block(server: LocalAPIServer) -> None:
    server.push(Scenario(content=[THINKING, TEXT], error_after=2))
    stream = client_for(server).messages.create(
        model=MODEL, max_tokens=1024, messages=MESSAGES, stream=True
    )
    seen: list[Any] = []
    with pytest.raises(anthropic.APIStatusError) as info:
        seen.extend(stream)
    assert info.value.type == "overloaded_error"
    assert [e.type for e in seen if e.type == "content_block_delta"] == ["content_block_delta"] * 2
    assert not [e for e in seen if e.type == "content_block_stop"]


def test_drop_in_the_middle_of_a_tool_input(server: LocalAPIServer) -> None:
    thinking_deltas = len(deltas_of(raw_events(server, Scenario(content=[THINKING])), 0))
    server.push(Scenario(content=[THINKING, TOOL_USE], drop_after=thinking_deltas + 1))
    stream = client_for(server).messages.create(
        model=MODEL, max_tokens=1024, messages=MESSAGES, stream=True
    )
    seen: list[Any] = []
    with pytest.raises(httpx2.RemoteProtocolError):
        seen.extend(stream)
    tool_deltas = [e for e in seen if e.type == "content_block_delta" and e.index == 1]
    assert len(tool_deltas) == 1
    assert tool_deltas[0].delta.type == "input_json_delta"


def test_a_fault_counted_to_a_blocks_end_fires_as_the_next_block_starts(
    server: LocalAPIServer,
) -> None:
    text_deltas = len(deltas_of(raw_events(server, Scenario(content=[TEXT])), 0))
    server.push(Scenario(content=[TEXT, FUTURE, TOOL_USE], error_after=text_deltas))
    stream = client_for(server).messages.create(
        model=MODEL, max_tokens=1024, messages=MESSAGES, stream=True
    )
    seen: list[Any] = []
    with pytest.raises(anthropic.APIStatusError):
        seen.extend(stream)
    assert [(e.type, e.index) for e in seen if e.type.startswith("content_block_s")] == [
        ("content_block_start", 0),
        ("content_block_stop", 0),
        ("content_block_start", 1),
        ("content_block_stop", 1),
        ("content_block_start", 2),
    ]


def test_a_fault_past_the_end_fires_before_the_last_stop(server: LocalAPIServer) -> None:
    server.push(Scenario(content=[FUTURE], error_after=100))
    stream = client_for(server).messages.create(
        model=MODEL, max_tokens=1024, messages=MESSAGES, stream=True
    )
    seen: list[Any] = []
    with pytest.raises(anthropic.APIStatusError):
        seen.extend(stream)
    assert [e.type for e in seen][-1] == "content_block_start"


def test_cancel_in_the_middle_of_a_block_is_noticed(server: LocalAPIServer) -> None:
    server.push(Scenario(content=[TOOL_USE, TEXT], stall_after=2))
    stream = client_for(server).messages.create(
        model=MODEL, max_tokens=1024, messages=MESSAGES, stream=True
    )
    deltas = 0
    for event in stream:
        deltas += event.type == "content_block_delta"
        if deltas == 2:
            break
    stream.close()
    assert server.wait_for_disconnect(timeout=2.0)


def test_pacing_applies_to_content_deltas(server: LocalAPIServer) -> None:
    began = time.monotonic()
    events = raw_events(server, Scenario(content=[TOOL_USE, TEXT], rate=200.0))
    elapsed = time.monotonic() - began
    paced = len(deltas_of(events, 0)) + len(deltas_of(events, 1)) - len(CITATIONS)
    assert elapsed >= (paced - 1) / 200.0
