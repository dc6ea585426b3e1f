"""The stream runner against the local server: the real SDK over real HTTP."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from claude_tui.core.blocks import TextBlock, ThinkingBlock
from claude_tui.core.client import ApiSettings
from claude_tui.core.errors import ErrorKind
from claude_tui.core.events import (
    BlockDelta,
    BlockStarted,
    BlockStopped,
    Cancelled,
    Failed,
    Finished,
    Retrying,
    Started,
    StreamEvent,
    TerminalEvent,
    Usage,
)
from claude_tui.core.runner import RunnerSettings, StreamRequest, StreamRunner, backoff_delay
from claude_tui.localapi.server import LocalAPIServer, Scenario

from .runner_events import Recorder

HELLO = [{"role": "user", "content": [{"type": "text", "text": "hello"}]}]
CANCEL_BUDGET = 0.2


def is_text_delta(event: StreamEvent) -> bool:
    return isinstance(event, BlockDelta) and event.kind == "text"


def make_runner(api: ApiSettings, recorder: Recorder, **settings: float) -> StreamRunner:
    return StreamRunner(
        StreamRequest(messages=HELLO, system="be brief"),
        recorder,
        api=api,
        settings=RunnerSettings(**settings),  # type: ignore[arg-type]
    )


def start(runner: StreamRunner) -> tuple[threading.Thread, list[TerminalEvent]]:
    result: list[TerminalEvent] = []
    thread = threading.Thread(target=lambda: result.append(runner.run()), daemon=True)
    thread.start()
    return thread, result


def run(api: ApiSettings, **settings: float) -> tuple[TerminalEvent, Recorder]:
    recorder = Recorder()
    return make_runner(api, recorder, **settings).run(), recorder


# -- a reply that goes well ------------------------------------------------------------------


def test_events_in_order_and_text_exact(server: LocalAPIServer, api: ApiSettings) -> None:
    text = "# Title\n\nSome *markdown* with `code`.\n\n```python\nprint('hi')\n```\n\n| a | b |"
    server.push(Scenario(text=text, rate=400))
    final, rec = run(api)
    kinds = [type(e) for e in rec.events]
    assert kinds[0] is Started
    assert kinds[1] is Usage  # input tokens from message_start
    assert kinds[-2:] == [Usage, Finished]
    assert kinds[2] is BlockStarted and kinds[-3] is BlockStopped
    assert set(kinds[3:-3]) == {BlockDelta}
    assert isinstance(final, Finished)
    assert final.text == text
    assert final.blocks == (TextBlock(text),)
    (stopped,) = rec.of(BlockStopped)
    assert isinstance(stopped, BlockStopped) and stopped.block == TextBlock(text)
    assert rec.text() == text
    m = final.metrics
    assert m.usage_final and m.stop_reason == "end_turn"
    assert m.input_tokens and m.input_tokens > 0
    assert m.output_tokens is not None and m.output_tokens > 10
    assert m.ttft_ms is not None and m.ttft_ms > 0
    assert m.ended_at is not None


def test_request_carries_history_system_and_model(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(text="ok"))
    run(api)
    body = server.requests[-1]["body"]
    assert body["messages"] == HELLO
    assert body["system"] == "be brief"
    assert body["model"] == "claude-sonnet-5-5"
    assert body["stream"] is True


def test_temperature_goes_through_extra_body(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(text="ok"))
    StreamRunner(StreamRequest(messages=HELLO, temperature=0.3), Recorder(), api=api).run()
    assert server.requests[-1]["body"]["temperature"] == 0.3


def test_thinking_streams_before_text(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(thinking="Let me think about this.", text="Answer."))
    rec = Recorder()
    final = StreamRunner(
        StreamRequest(messages=HELLO, thinking={"type": "adaptive"}, max_tokens=4096), rec, api=api
    ).run()
    assert isinstance(final, Finished)
    assert final.thinking == "Let me think about this."
    assert final.text == "Answer."
    thinking, text = final.blocks
    assert isinstance(thinking, ThinkingBlock) and not thinking.partial
    assert thinking.signature.startswith("Eq")  # the signature_delta is kept on its block
    assert text == TextBlock("Answer.")
    assert rec.layout() == [
        ("BlockStarted", 0, None),
        ("BlockDelta", 0, "thinking"),
        ("BlockDelta", 0, "signature"),
        ("BlockStopped", 0, None),
        ("BlockStarted", 1, None),
        ("BlockDelta", 1, "text"),
        ("BlockStopped", 1, None),
    ]
    assert server.requests[-1]["body"]["thinking"] == {"type": "adaptive"}


@pytest.mark.parametrize("refresh_rate", [5, 20])
def test_deltas_are_coalesced_to_the_refresh_rate(
    server: LocalAPIServer, api: ApiSettings, refresh_rate: int
) -> None:
    server.push(Scenario(tokens=600, rate=600))  # ~1 s of tokens, 600 deltas on the wire
    final, rec = run(api, refresh_rate=refresh_rate)
    assert isinstance(final, Finished)
    duration = final.metrics.elapsed(0.0)
    batches = len(rec.deltas("text"))
    assert batches <= refresh_rate * duration + 2
    assert batches >= 2  # batched, not held back to the end
    assert rec.text() == final.text  # nothing dropped


def test_a_new_refresh_rate_applies_to_the_reply_in_flight(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    """``set_refresh_rate`` from another thread (the UI's ``/rate``): at rate 1 the runner would
    hand on about three batches in 3 s; told 20 after the first, it hands on many more at once,
    without waiting out the second it was sleeping through. Nothing is dropped."""
    server.push(Scenario(tokens=900, rate=300))  # ~3 s of tokens
    recorder = Recorder()
    runner = make_runner(api, recorder, refresh_rate=1)
    thread, result = start(runner)
    recorder.wait_for(is_text_delta)
    first = len(recorder.deltas("text"))
    runner.set_refresh_rate(20)
    thread.join(timeout=20)
    (final,) = result
    assert isinstance(final, Finished)
    assert first == 1  # the first text goes at once, not after a second
    assert len(recorder.deltas("text")) >= 10  # rate 1 would have given at most 4
    assert recorder.text() == final.text


def test_the_first_text_is_handed_on_at_once_at_any_rate(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    """At rate 1 the first batch would wait up to a second for the flush; the time to first
    token does not depend on the rate. Then batches come at the rate."""
    server.push(Scenario(tokens=300, rate=150))  # ~2 s of tokens
    recorder = Recorder()
    runner = make_runner(api, recorder, refresh_rate=1)
    thread, result = start(runner)
    recorder.wait_for(is_text_delta)
    first = recorder.deltas("text")[0]
    assert first.metrics.first_token_at is not None
    thread.join(timeout=20)
    assert isinstance(result[0], Finished)
    assert len(first.text) < 20  # one token or so: not a second's worth (150 tokens)
    assert len(recorder.deltas("text")) <= 2 + 3  # the first, then at most one a second


# -- cancel, in every phase -------------------------------------------------------------------


def _assert_cancelled_fast(
    runner: StreamRunner,
    server: LocalAPIServer,
    thread: threading.Thread,
    result: list[TerminalEvent],
    rec: Recorder,
) -> Cancelled:
    cancelled_at = time.monotonic()
    runner.cancel()
    thread.join(CANCEL_BUDGET)
    assert not thread.is_alive(), "the runner did not stop within 200 ms"
    assert time.monotonic() - cancelled_at < CANCEL_BUDGET
    assert server.wait_for_disconnect(CANCEL_BUDGET), "the server never saw the connection go"
    assert server.disconnects[-1] - cancelled_at < CANCEL_BUDGET
    final = result[0]
    assert isinstance(final, Cancelled)
    assert rec.events[-1] is final
    return final


def test_cancel_while_waiting_for_headers(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(headers_delay=30))
    rec = Recorder()
    runner = make_runner(api, rec)
    thread, result = start(runner)
    assert server.wait_for_requests(1, 5)
    final = _assert_cancelled_fast(runner, server, thread, result, rec)
    assert final.text == ""


def test_cancel_while_waiting_for_first_token(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(ttft=30))
    rec = Recorder()
    runner = make_runner(api, rec)
    thread, result = start(runner)
    rec.wait_for(lambda e: isinstance(e, Usage))  # message_start arrived; no token yet
    final = _assert_cancelled_fast(runner, server, thread, result, rec)
    assert final.text == ""


def test_cancel_while_tokens_flow_keeps_partial_text(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(tokens=5000, rate=300))
    rec = Recorder()
    runner = make_runner(api, rec)
    thread, result = start(runner)
    rec.wait_for(is_text_delta)
    time.sleep(0.2)
    final = _assert_cancelled_fast(runner, server, thread, result, rec)
    assert final.text
    assert rec.text() == final.text  # every received character was handed on before the end
    (block,) = final.blocks
    assert isinstance(block, TextBlock) and block.partial  # it never saw its stop
    assert not rec.of(BlockStopped)


def test_cancel_during_a_stall(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(text="one two three four five six seven", stall_after=3))
    rec = Recorder()
    runner = make_runner(api, rec)
    thread, result = start(runner)
    rec.wait_for(is_text_delta)
    time.sleep(0.3)  # the server is silent now
    final = _assert_cancelled_fast(runner, server, thread, result, rec)
    assert final.text and "seven" not in final.text


def test_cancel_while_a_retry_is_pending(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(status=429, retry_after=30))
    rec = Recorder()
    runner = make_runner(api, rec)
    thread, result = start(runner)
    rec.wait_for(lambda e: isinstance(e, Retrying))
    cancelled_at = time.monotonic()
    runner.cancel()
    thread.join(CANCEL_BUDGET)
    assert not thread.is_alive()
    assert time.monotonic() - cancelled_at < CANCEL_BUDGET
    assert isinstance(result[0], Cancelled)
    assert len(server.requests) == 1  # the retry never went out


def test_cancel_before_run_starts(server: LocalAPIServer, api: ApiSettings) -> None:
    rec = Recorder()
    runner = make_runner(api, rec)
    runner.cancel()
    final = runner.run()
    assert isinstance(final, Cancelled)
    assert server.requests == []


# -- retries and failures ---------------------------------------------------------------------


def test_retry_after_429_then_success(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(status=429, retry_after=0.05), Scenario(text="made it"))
    final, rec = run(api)
    assert isinstance(final, Finished) and final.text == "made it"
    (retry,) = rec.of(Retrying)
    assert isinstance(retry, Retrying)
    assert retry.error.kind is ErrorKind.RATE_LIMITED
    assert retry.attempt == 2 and retry.delay == pytest.approx(0.05)
    assert [r["headers"].get("x-stainless-retry-count") for r in server.requests] == ["0", "0"]


def test_retry_wait_is_capped() -> None:
    assert backoff_delay(2, retry_after=3600, cap=60) == 60
    assert backoff_delay(2, retry_after=None, cap=60) == 0.5
    assert backoff_delay(5, retry_after=None, cap=60) == 4.0
    assert backoff_delay(9, retry_after=None, cap=60) == 8.0


def test_retries_run_out(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(*[Scenario(status=529, retry_after=0.01)] * 3)
    final, rec = run(api, max_retries=2)
    assert isinstance(final, Failed)
    assert final.error.kind is ErrorKind.OVERLOADED
    assert len(rec.of(Retrying)) == 2
    assert len(server.requests) == 3


def test_auth_error_is_not_retried(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(status=401))
    final, _ = run(api)
    assert isinstance(final, Failed)
    assert final.error.kind is ErrorKind.AUTH
    assert "ANTHROPIC_API_KEY" in final.error.message
    assert len(server.requests) == 1


def test_error_event_mid_stream_keeps_partial_text(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(text="alpha beta gamma delta epsilon", error_after=2))
    final, rec = run(api)
    assert isinstance(final, Failed)
    assert final.error.kind is ErrorKind.INTERRUPTED
    assert final.text and "epsilon" not in final.text
    assert rec.text() == final.text
    assert len(server.requests) == 1  # content had arrived: never retried


def test_dropped_connection_keeps_partial_text(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(text="alpha beta gamma delta epsilon", drop_after=2))
    final, _ = run(api)
    assert isinstance(final, Failed)
    assert final.error.kind is ErrorKind.CONNECTION_LOST
    assert final.text


def test_stall_fails_after_idle_timeout(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(text="alpha beta gamma delta", stall_after=2))
    t0 = time.monotonic()
    final, _ = run(api, idle_timeout=0.3)
    assert isinstance(final, Failed)
    assert final.error.kind is ErrorKind.STALLED
    assert "0.3 s" in final.error.message
    assert final.text
    assert time.monotonic() - t0 < 3


def test_malformed_event(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(text="alpha beta gamma delta", malformed_after=2))
    final, _ = run(api)
    assert isinstance(final, Failed)
    assert final.error.kind is ErrorKind.MALFORMED
    assert final.text


def test_connection_refused() -> None:
    with LocalAPIServer() as gone:
        url = gone.base_url
    final, _ = run(ApiSettings(api_key="k", base_url=url), max_retries=0)
    assert isinstance(final, Failed)
    assert final.error.kind is ErrorKind.CONNECTION_REFUSED
    assert url in final.error.message


def test_a_cancel_after_the_end_does_not_add_a_second_terminal_event(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    """Esc can land while the runner closes its client after ``Finished``."""
    from claude_tui.core.client import make_async_client

    closing = threading.Event()

    def slow_closing_client(settings: ApiSettings) -> object:
        client = make_async_client(settings)
        real_close = client.close

        async def close() -> None:
            closing.set()
            await asyncio.sleep(0.2)
            await real_close()

        client.close = close  # type: ignore[method-assign]
        return client

    server.push(Scenario(text="done"))
    rec = Recorder()
    runner = StreamRunner(
        StreamRequest(messages=HELLO), rec, api=api, client_factory=slow_closing_client
    )
    thread, result = start(runner)
    assert closing.wait(5)
    runner.cancel()
    thread.join(5)
    terminals = [e for e in rec.events if isinstance(e, Finished | Cancelled | Failed)]
    assert len(terminals) == 1 and isinstance(terminals[0], Finished)
    assert result == [terminals[0]]
