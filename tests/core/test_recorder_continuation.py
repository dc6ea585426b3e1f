"""A continued reply is saved into its own row: the new blocks after the ones it had, and the
token counts of every request it took."""

from __future__ import annotations

from claude_tui.core.blocks import TextBlock
from claude_tui.core.events import Finished, Started
from claude_tui.core.store import SessionStore
from claude_tui.core.store.recorder import ReplyRecorder

from .recording import METRICS, exchange, streamed

FIRST = METRICS.with_(
    first_token_at=0.5, ended_at=2.0, input_tokens=10, output_tokens=8, usage_final=True,
    cache_read_tokens=4, stop_reason="max_tokens",
)  # fmt: skip
SECOND = METRICS.with_(
    first_token_at=0.1, ended_at=1.0, input_tokens=18, output_tokens=5, usage_final=True,
    cache_creation_tokens=2, stop_reason="end_turn",
)  # fmt: skip


def test_a_continuation_goes_on_in_the_same_row() -> None:
    with SessionStore.open() as store:
        first = exchange(store, None, "question", "Cut here")
        assert first.session_id is not None and first.reply_message_id is not None
        row_id = first.reply_message_id
        prefix = [TextBlock("Cut here")]
        recorder = ReplyRecorder(
            store,
            session_id=first.session_id,
            user_blocks=None,
            model="m",
            system="",
            continues=row_id,
            prefix=prefix,
            earlier=FIRST,
        )
        recorder.begin()
        recorder.on_event(Started(METRICS))
        assert recorder.reply_message_id == row_id
        assert store.messages(first.session_id)[-1].status == "streaming"
        new = [TextBlock(" and on.")]
        for event in streamed(new):
            recorder.on_event(event)
        recorder.on_event(Finished(SECOND, tuple(new)))

        rows = store.all_messages(first.session_id)
        assert [m.role for m in rows] == ["user", "assistant"]
        reply = rows[-1]
        assert reply.id == row_id
        assert reply.blocks == [TextBlock("Cut here"), TextBlock(" and on.")]
        assert reply.content == "Cut here and on."
        assert (reply.status, reply.stop_reason) == ("complete", "end_turn")
        assert (reply.input_tokens, reply.output_tokens) == (28, 13)
        assert (reply.cache_read_tokens, reply.cache_creation_tokens) == (4, 2)
        assert reply.ttft_ms == 500.0
        assert reply.duration_ms == 3000.0
