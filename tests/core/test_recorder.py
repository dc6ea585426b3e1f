"""The recorder: a reply's blocks saved while they stream, at most once a second, and finished
with the terminal event's blocks; the prompt saved with its blocks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from claude_tui.core.blocks import (
    Block,
    ImageBlock,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
    UnknownBlock,
    blocks_from_text,
)
from claude_tui.core.errors import ErrorKind, StreamError
from claude_tui.core.events import (
    BlockDelta,
    BlockStarted,
    BlockStopped,
    Cancelled,
    Failed,
    Finished,
    Started,
    Usage,
)
from claude_tui.core.store import SessionStore, StoredMessage
from claude_tui.core.store.history import conversation_from_stored
from claude_tui.core.store.recorder import FLUSH_INTERVAL, ReplyRecorder

from .recording import METRICS, streamed

FINAL = METRICS.with_(
    first_token_at=0.25, ended_at=2.0, input_tokens=11, output_tokens=7, usage_final=True,
    cache_creation_tokens=3, cache_read_tokens=5, stop_reason="end_turn",
)  # fmt: skip


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class CountingStore(SessionStore):
    """Counts the writes of message blocks: what the once-a-second rule limits."""

    block_writes = 0

    def update_message(self, message_id: int, **fields: Any) -> None:
        if fields.get("blocks") is not None:
            self.block_writes += 1
        super().update_message(message_id, **fields)


@pytest.fixture
def store() -> Iterator[CountingStore]:
    with CountingStore.open() as opened:
        yield opened


def _recorder(
    store: SessionStore, clock: Clock, prompt: list[Block] | None = None
) -> ReplyRecorder:
    recorder = ReplyRecorder(
        store,
        session_id=None,
        user_blocks=blocks_from_text("question") if prompt is None else prompt,
        model="m",
        system="",
        clock=clock,
    )
    recorder.begin()
    recorder.on_event(Started(METRICS))
    return recorder


def _reply(store: SessionStore, recorder: ReplyRecorder) -> StoredMessage:
    assert recorder.session_id is not None
    reply = store.messages(recorder.session_id)[-1]
    assert reply.id == recorder.reply_message_id
    return reply


def test_blocks_are_written_at_most_once_a_second(store: CountingStore) -> None:
    clock = Clock()
    recorder = _recorder(store, clock)
    reply = _reply(store, recorder)
    assert (reply.status, reply.blocks, reply.content) == ("streaming", [], "")

    recorder.on_event(BlockStarted(METRICS, 0, ThinkingBlock("")))
    recorder.on_event(BlockDelta(METRICS, 0, "thinking", "Let me "))
    recorder.on_event(BlockDelta(METRICS, 0, "thinking", "see."))
    assert store.block_writes == 0  # not yet a second since the row was made
    assert _reply(store, recorder).blocks == []

    clock.now += FLUSH_INTERVAL
    recorder.on_event(BlockDelta(METRICS, 0, "signature", "sig"))
    assert store.block_writes == 1
    saved = _reply(store, recorder)
    assert saved.blocks == [ThinkingBlock("Let me see.", "sig", partial=True)]
    assert (saved.thinking, saved.content) == ("Let me see.", "")

    recorder.on_event(BlockStopped(METRICS, 0, ThinkingBlock("Let me see.", "sig")))
    recorder.on_event(BlockStarted(METRICS, 1, TextBlock("")))
    for piece in ("Hel", "lo", " there"):
        recorder.on_event(BlockDelta(METRICS, 1, "text", piece))
    recorder.on_event(Usage(METRICS))
    assert store.block_writes == 1  # many events, one write a second

    clock.now += FLUSH_INTERVAL / 2
    recorder.on_event(BlockDelta(METRICS, 1, "text", "!"))
    assert store.block_writes == 1
    clock.now += FLUSH_INTERVAL / 2
    recorder.on_event(BlockDelta(METRICS, 1, "text", "?"))
    assert store.block_writes == 2
    saved = _reply(store, recorder)
    assert saved.blocks == [
        ThinkingBlock("Let me see.", "sig"),  # stopped: complete
        TextBlock("Hello there!?", partial=True),  # still streaming
    ]
    assert saved.content == "Hello there!?"
    assert saved.status == "streaming"


def test_finished_writes_the_terminal_blocks_and_the_metrics(store: CountingStore) -> None:
    clock = Clock()
    recorder = _recorder(store, clock)
    final = (ThinkingBlock("Hmm.", "sig"), TextBlock("Done."))
    for event in streamed(final):
        recorder.on_event(event)
    recorder.on_event(Finished(FINAL, final))
    reply = _reply(store, recorder)
    assert reply.blocks == list(final)
    assert (reply.content, reply.thinking, reply.status, reply.stop_reason, reply.error) == (
        "Done.", "Hmm.", "complete", "end_turn", None,
    )  # fmt: skip
    assert (reply.input_tokens, reply.output_tokens) == (11, 7)
    assert (reply.cache_creation_tokens, reply.cache_read_tokens) == (3, 5)
    assert (reply.ttft_ms, reply.duration_ms) == (250.0, 2000.0)
    assert store.block_writes == 1  # streamed within the second: only the final write


def test_the_terminal_blocks_are_the_last_word(store: CountingStore) -> None:
    """Whatever the recorder assembled, the runner's terminal blocks are what is kept."""
    clock = Clock()
    recorder = _recorder(store, clock)
    recorder.on_event(BlockStarted(METRICS, 0, TextBlock("")))
    clock.now += FLUSH_INTERVAL
    recorder.on_event(BlockDelta(METRICS, 0, "text", "draft"))
    recorder.on_event(Finished(FINAL, (TextBlock("final"),)))
    assert _reply(store, recorder).blocks == [TextBlock("final")]


def test_cancelled_mid_block_keeps_it_partial(store: CountingStore) -> None:
    clock = Clock()
    recorder = _recorder(store, clock)
    recorder.on_event(BlockStarted(METRICS, 0, TextBlock("")))
    recorder.on_event(BlockDelta(METRICS, 0, "text", "Half a"))
    cut = (TextBlock("Half a", partial=True),)
    recorder.on_event(Cancelled(METRICS.with_(ended_at=1.0), cut))
    reply = _reply(store, recorder)
    assert (reply.status, reply.blocks, reply.content) == ("cancelled", list(cut), "Half a")
    assert reply.output_tokens is None  # usage never became final


def test_failed_keeps_its_error_and_blocks(store: CountingStore) -> None:
    clock = Clock()
    recorder = _recorder(store, clock)
    blocks = (ThinkingBlock("Thinking", partial=True),)
    error = StreamError(ErrorKind.OVERLOADED, "The API is overloaded.", status=529)
    recorder.on_event(Failed(METRICS.with_(ended_at=1.0), blocks, error))
    reply = _reply(store, recorder)
    assert (reply.status, reply.error) == ("error", "The API is overloaded.")
    assert reply.blocks == list(blocks)
    assert (reply.content, reply.thinking) == ("", "Thinking")


def test_a_failure_before_the_reply_started_saves_only_the_prompt(
    store: CountingStore,
) -> None:
    recorder = ReplyRecorder(
        store, session_id=None, user_blocks=blocks_from_text("hi"), model="m", system=""
    )
    recorder.begin()
    error = StreamError(ErrorKind.CONNECTION_REFUSED, "Cannot reach the API.")
    recorder.on_event(Failed(METRICS, (), error))
    assert recorder.reply_message_id is None
    assert recorder.session_id is not None
    (prompt,) = store.messages(recorder.session_id)
    assert prompt.blocks == [TextBlock("hi")]


def test_a_killed_reply_keeps_its_last_flush_with_partial_blocks(store: CountingStore) -> None:
    """No terminal event: what the last flush wrote is what the next start-up finds."""
    clock = Clock()
    recorder = _recorder(store, clock)
    recorder.on_event(BlockStarted(METRICS, 0, ServerToolUseBlock("tool_1", "web_search")))
    recorder.on_event(BlockDelta(METRICS, 0, "input_json", '{"query": "ru'))
    recorder.on_event(BlockStarted(METRICS, 1, TextBlock("")))
    clock.now += FLUSH_INTERVAL
    recorder.on_event(BlockDelta(METRICS, 1, "text", "Searching"))
    recorder.on_event(BlockDelta(METRICS, 1, "text", " lost: never flushed"))
    assert store.mark_interrupted() == 1  # the app died here, and started again
    assert recorder.session_id is not None
    killed = store.messages(recorder.session_id)[-1]
    assert killed.status == "incomplete"
    assert killed.blocks == [
        ServerToolUseBlock("tool_1", "web_search", partial_json='{"query": "ru', partial=True),
        TextBlock("Searching", partial=True),
    ]
    turn = conversation_from_stored(store.messages(recorder.session_id)).turns[-1]
    assert turn.blocks == killed.blocks
    assert turn.text == "Searching"


def test_every_kind_of_block_is_recorded_whole(store: CountingStore) -> None:
    clock = Clock()
    recorder = _recorder(store, clock)
    call = ServerToolUseBlock("tool_1", "web_search", {"query": "rust"})
    result = ToolResultBlock(
        {"type": "web_search_tool_result", "tool_use_id": "tool_1",
         "content": [{"type": "web_search_result", "encrypted_content": "XYZ=="}]}
    )  # fmt: skip
    unknown = UnknownBlock({"type": "future_widget", "payload": {"deep": [1, 2, 3]}})
    cited = TextBlock("Rust is fast.", ({"type": "web_search_result_location", "url": "u"},))
    events = [
        BlockStarted(METRICS, 0, ServerToolUseBlock("tool_1", "web_search")),
        BlockDelta(METRICS, 0, "input_json", '{"query": "rust"}'),
        BlockStopped(METRICS, 0, call),
        BlockStarted(METRICS, 1, result),
        BlockStopped(METRICS, 1, result),
        BlockStarted(METRICS, 2, unknown),
        BlockDelta(METRICS, 2, "other", items=({"type": "future_delta", "x": 1},)),
        BlockStopped(METRICS, 2, unknown),
        BlockStarted(METRICS, 3, TextBlock("")),
        BlockDelta(METRICS, 3, "text", "Rust is fast."),
        BlockDelta(METRICS, 3, "citation", items=({"citation": cited.citations[0]},)),
    ]
    for event in events:
        recorder.on_event(event)
    clock.now += FLUSH_INTERVAL
    recorder.on_event(BlockStopped(METRICS, 3, cited))
    assert _reply(store, recorder).blocks == [call, result, unknown, cited]
    recorder.on_event(Finished(FINAL, (call, result, unknown, cited)))
    reply = _reply(store, recorder)
    assert reply.blocks == [call, result, unknown, cited]
    assert reply.content == (
        "\n\nSearched the web: “rust”\n\n\n\n1 result\n\n"
        "\n\n[unsupported block: future_widget]\n\nRust is fast."
    )


def test_the_prompt_is_saved_as_its_blocks(store: CountingStore) -> None:
    image = ImageBlock({"type": "image", "source": {"type": "base64", "data": "AAAA"}})
    prompt: list[Block] = [image, TextBlock("What is in this picture?")]
    recorder = _recorder(store, Clock(), prompt)
    assert recorder.session_id is not None
    saved = store.messages(recorder.session_id)[0]
    assert saved.id == recorder.user_message_id
    assert (saved.role, saved.blocks, saved.content) == (
        "user", prompt, "\n\n[image]\n\nWhat is in this picture?",
    )  # fmt: skip
    info = store.get_session(recorder.session_id)
    assert info is not None and info.title == "What is in this picture?"


def test_a_retry_saves_only_the_reply(store: CountingStore) -> None:
    first = _recorder(store, Clock())
    first.on_event(Finished(FINAL, ()))
    assert first.session_id is not None and first.user_message_id is not None
    retry = ReplyRecorder(
        store,
        session_id=first.session_id,
        user_blocks=None,
        model="m",
        system="",
        parent_id=first.user_message_id,
    )
    retry.begin()
    retry.on_event(Started(METRICS))
    retry.on_event(Finished(FINAL, (TextBlock("again"),)))
    assert retry.user_message_id is None
    assert [m.content for m in store.messages(first.session_id)] == ["question", "again"]
    assert store.branch_count(retry.reply_message_id or 0) == 2
