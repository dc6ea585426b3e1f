"""Reading the API's stream events (as JSON) into blocks, usage and timing."""

from __future__ import annotations

from typing import Any

import pytest

from claude_tui.core.blocks import TextBlock, UnknownBlock
from claude_tui.core.events import BlockDelta
from claude_tui.core.metrics import StreamMetrics
from claude_tui.core.reply_reader import MalformedEvent, ReplyReader

METRICS = StreamMetrics(model="m", started_at=0.0)


def start(index: int, block: dict[str, Any]) -> dict[str, Any]:
    return {"type": "content_block_start", "index": index, "content_block": block}


def delta(index: int, body: dict[str, Any]) -> dict[str, Any]:
    return {"type": "content_block_delta", "index": index, "delta": body}


def test_usage_and_stop_reason() -> None:
    reader = ReplyReader()
    message = {"id": "msg_1", "usage": {"input_tokens": 12, "output_tokens": 1}}
    update = reader.read({"type": "message_start", "message": message})
    assert update is not None and update.announce
    assert update.fields == {"input_tokens": 12, "output_tokens": 1}
    update = reader.read(
        {"type": "message_delta", "delta": {"stop_reason": "pause_turn"}, "usage": {}}
    )
    assert update is not None and not update.announce
    # a count the event leaves out is not wiped
    assert update.fields == {"stop_reason": "pause_turn", "usage_final": True}
    assert reader.read({"type": "message_stop"}) is None
    assert reader.read({"type": "future_event", "anything": [1]}) is None


def test_the_models_own_words_are_timed_and_counted() -> None:
    """Text, thinking and a server tool call's input are timed (a reply that searches first
    has its first token at the query); signatures and citations are not words."""
    reader = ReplyReader()
    reader.read(start(0, {"type": "thinking", "thinking": ""}))
    reader.read(delta(0, {"type": "signature_delta", "signature": "Eq=="}))
    assert reader.timed(METRICS) is METRICS
    reader.read(start(1, {"type": "server_tool_use", "id": "s", "name": "web_search", "input": {}}))
    reader.read(delta(1, {"type": "input_json_delta", "partial_json": '{"q": 1}'}))
    searched = reader.timed(METRICS)
    assert searched.output_chars == 8 and searched.first_token_at is not None
    reader.read(start(2, {"type": "text", "text": ""}))
    reader.read(delta(2, {"type": "text_delta", "text": "Hello"}))
    reader.read(delta(2, {"type": "text_delta", "text": ""}))
    timed = reader.timed(METRICS)
    assert timed.output_chars == 13 and timed.first_token_at == searched.first_token_at
    assert reader.timed(timed) is timed  # nothing new: the same snapshot


def test_deltas_that_are_not_strings_are_kept_as_items() -> None:
    reader = ReplyReader()
    reader.read(start(0, {"type": "future_block", "x": 1}))
    odd = {"type": "text_delta", "text": {"not": "a string"}}
    unknown = {"type": "future_delta", "y": [2]}
    reader.read(delta(0, odd))
    reader.read(delta(0, unknown))
    events = reader.blocks.flush(METRICS)
    items = [event.items for event in events if isinstance(event, BlockDelta)]
    assert items == [(odd, unknown)]
    assert reader.blocks.blocks() == (UnknownBlock({"type": "future_block", "x": 1}, partial=True),)


def test_a_block_is_built_from_its_own_json() -> None:
    reader = ReplyReader()
    reader.read(start(0, {"type": "text", "text": "", "citations": None}))
    reader.read(delta(0, {"type": "text_delta", "text": "Hi"}))
    reader.read({"type": "content_block_stop", "index": 0})
    reader.blocks.flush(METRICS)
    assert reader.blocks.blocks() == (TextBlock("Hi"),)


@pytest.mark.parametrize(
    "event",
    [
        start(0, None),  # type: ignore[arg-type]
        {"type": "content_block_start", "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": "0", "delta": {"type": "text_delta"}},
        {"type": "content_block_delta", "index": 0, "delta": [1]},
        {"type": "content_block_stop", "index": True},
    ],
)
def test_an_event_not_of_its_types_shape_is_malformed(event: dict[str, Any]) -> None:
    with pytest.raises(MalformedEvent) as info:
        ReplyReader().read(event)
    assert info.value.data == event


def test_a_compactions_tokens_are_billed_and_the_context_is_the_last_message_entrys() -> None:
    """``iterations`` (beta): a compaction entry's tokens are not in the top-level fields, so
    they are added in; the context is the last message entry's whole input, not the 60,000
    the compaction read."""
    reader = ReplyReader()
    message = {"usage": {"input_tokens": 30, "cache_read_input_tokens": 10, "output_tokens": 1}}
    update = reader.read({"type": "message_start", "message": message})
    assert update is not None and "context_tokens" not in update.fields
    usage = {
        "output_tokens": 50,
        "iterations": [
            {
                "type": "compaction",
                "input_tokens": 60_000,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 2_000,
                "output_tokens": 900,
            },
            {
                "type": "message",
                "input_tokens": 30,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 10,
                "output_tokens": 50,
            },
        ],
    }
    update = reader.read({"type": "message_delta", "delta": {}, "usage": usage})
    assert update is not None
    assert update.fields == {
        "input_tokens": 60_030,
        "output_tokens": 950,
        "cache_read_tokens": 2_010,
        "cache_creation_tokens": 0,
        "context_tokens": 40,
        "stop_reason": None,
        "usage_final": True,
    }


def test_after_a_paused_compaction_the_context_is_its_summary() -> None:
    reader = ReplyReader()
    reader.read({"type": "message_start", "message": {"usage": {"input_tokens": 0}}})
    entry = {"type": "compaction", "input_tokens": 55_000, "output_tokens": 700}
    usage = {"input_tokens": 0, "output_tokens": 0, "iterations": [entry]}
    update = reader.read({"type": "message_delta", "delta": {}, "usage": usage})
    assert update is not None
    assert (update.fields["input_tokens"], update.fields["output_tokens"]) == (55_000, 700)
    assert update.fields["context_tokens"] == 700
