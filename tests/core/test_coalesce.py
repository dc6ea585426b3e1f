"""Coalescing a reply's block events: joined per block and kind, never reordered or dropped."""

from __future__ import annotations

from claude_tui.core.blocks import ServerToolUseBlock, TextBlock, ThinkingBlock, UnknownBlock
from claude_tui.core.coalesce import BlockCoalescer
from claude_tui.core.events import BlockDelta, BlockStarted, BlockStopped, StreamEvent
from claude_tui.core.metrics import StreamMetrics

METRICS = StreamMetrics(model="m", started_at=0.0)
CITATION = {"type": "citations_delta", "citation": {"type": "char_location", "cited_text": "c"}}


def shape(events: list[StreamEvent]) -> list[tuple[object, ...]]:
    shown: list[tuple[object, ...]] = []
    for event in events:
        if isinstance(event, BlockDelta):
            shown.append(("delta", event.index, event.kind, event.text, len(event.items)))
        elif isinstance(event, BlockStarted | BlockStopped):
            shown.append((type(event).__name__, event.index))
    return shown


def test_consecutive_deltas_of_a_block_and_kind_become_one() -> None:
    batch = BlockCoalescer()
    batch.start(0, ThinkingBlock(""))
    for piece in ("Let ", "me ", "think."):
        batch.add_text(0, "thinking", piece)
    batch.add_text(0, "signature", "Eq")
    batch.add_text(0, "signature", "QB")
    batch.stop(0)
    batch.start(1, TextBlock(""))
    batch.add_text(1, "text", "Sunny")
    batch.add_item(1, "citation", CITATION)
    batch.add_item(1, "citation", CITATION)
    batch.add_text(1, "text", ", 21 degrees.")
    assert batch.pending
    events = batch.flush(METRICS)
    assert not batch.pending
    assert shape(events) == [
        ("BlockStarted", 0),
        ("delta", 0, "thinking", "Let me think.", 0),
        ("delta", 0, "signature", "EqQB", 0),
        ("BlockStopped", 0),
        ("BlockStarted", 1),
        ("delta", 1, "text", "Sunny", 0),
        ("delta", 1, "citation", "", 2),
        ("delta", 1, "text", ", 21 degrees.", 0),
    ]
    assert all(event.metrics is METRICS for event in events)
    stopped = events[3]
    assert isinstance(stopped, BlockStopped)
    assert stopped.block == ThinkingBlock("Let me think.", "EqQB")
    thinking, text = batch.blocks()
    assert thinking == stopped.block
    assert isinstance(text, TextBlock) and text.partial
    assert text.text == "Sunny, 21 degrees." and len(text.citations) == 2


def test_blocks_and_content_are_as_of_the_last_flush() -> None:
    batch = BlockCoalescer()
    batch.start(0, TextBlock(""))
    batch.add_text(0, "text", "Hi")
    assert batch.blocks() == () and not batch.has_content
    batch.flush(METRICS)
    assert batch.blocks() == (TextBlock("Hi", partial=True),) and batch.has_content
    assert batch.flush(METRICS) == []


def test_a_started_empty_text_block_is_not_content() -> None:
    batch = BlockCoalescer()
    batch.start(0, TextBlock(""))
    batch.flush(METRICS)
    assert not batch.has_content
    batch.start(1, ServerToolUseBlock("srvtoolu_1", "web_search"))
    batch.flush(METRICS)
    assert batch.has_content


def test_deltas_and_stops_of_a_block_never_started_go_nowhere() -> None:
    batch = BlockCoalescer()
    batch.add_text(3, "text", "lost")
    batch.stop(3)
    batch.start(0, UnknownBlock({"type": "future_block", "x": 1}))
    batch.add_item(0, "other", {"type": "future_delta", "y": 2})
    batch.stop(0)
    events = batch.flush(METRICS)
    assert shape(events) == [("BlockStarted", 0), ("delta", 0, "other", "", 1), ("BlockStopped", 0)]
    delta = events[1]
    assert isinstance(delta, BlockDelta)
    assert delta.items == ({"type": "future_delta", "y": 2},)
    assert batch.blocks() == (UnknownBlock({"type": "future_block", "x": 1}),)


def test_a_batch_across_flushes_keeps_its_order() -> None:
    batch = BlockCoalescer()
    batch.start(0, TextBlock(""))
    batch.add_text(0, "text", "a")
    first = batch.flush(METRICS)
    batch.add_text(0, "text", "b")
    batch.stop(0)
    second = batch.flush(METRICS)
    assert shape(first) == [("BlockStarted", 0), ("delta", 0, "text", "a", 0)]
    assert shape(second) == [("delta", 0, "text", "b", 0), ("BlockStopped", 0)]
    assert batch.blocks() == (TextBlock("ab"),)
