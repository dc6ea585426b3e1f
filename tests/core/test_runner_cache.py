"""The runner against the local server with prompt caching: the cache's usage reaches the
reply's metrics and, through the recorder, the store, as the real API's would."""

from __future__ import annotations

from claude_tui.core.blocks import blocks_from_text
from claude_tui.core.client import ApiSettings
from claude_tui.core.events import Finished
from claude_tui.core.runner import StreamRequest, StreamRunner
from claude_tui.core.store import SessionStore
from claude_tui.core.store.recorder import ReplyRecorder
from claude_tui.localapi.server import LocalAPIServer, Scenario, estimate_tokens

from .runner_events import Recorder

PASTE = "A line of a long pasted document, one of many. " * 500
HOUR = {"type": "ephemeral", "ttl": "1h"}


def ask(api: ApiSettings, messages: list[dict[str, object]], cache: dict[str, str]) -> Finished:
    final = StreamRunner(
        StreamRequest(messages=messages, system="be brief", cache_control=cache),
        Recorder(),
        api=api,
    ).run()
    assert isinstance(final, Finished)
    return final


def test_the_second_turn_reads_what_the_first_wrote(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.default = Scenario(text="Read it.")
    first = [{"role": "user", "content": PASTE}]
    m1 = ask(api, first, {"type": "ephemeral"}).metrics
    prompt_1 = estimate_tokens(server.message_requests[-1]["body"])
    assert (m1.input_tokens, m1.cache_creation_tokens, m1.cache_read_tokens) == (0, prompt_1, 0)
    assert m1.cache_creation_1h_tokens == 0
    second = [*first, {"role": "assistant", "content": "Read it."}]
    second.append({"role": "user", "content": "What is it about?"})
    m2 = ask(api, second, {"type": "ephemeral"}).metrics
    prompt_2 = estimate_tokens(server.message_requests[-1]["body"])
    assert m2.cache_read_tokens == prompt_1
    assert m2.cache_creation_tokens == prompt_2 - prompt_1
    assert m2.usage_final
    cost = m2.cost()
    assert cost is not None and cost < (prompt_2 * 3.0) / 1e6 / 5  # a fifth of plain input


def test_hour_long_writes_are_measured_and_saved(server: LocalAPIServer, api: ApiSettings) -> None:
    server.default = Scenario(text="Saved.")
    with SessionStore.open() as store:
        recorder = ReplyRecorder(
            store,
            session_id=None,
            user_blocks=blocks_from_text(PASTE),
            model="claude-sonnet-5-5",
            system="",
        )
        session_id = recorder.begin()
        messages = [{"role": "user", "content": PASTE}]
        final = StreamRunner(
            StreamRequest(messages=messages, cache_control=HOUR), recorder.on_event, api=api
        ).run()
        assert isinstance(final, Finished)
        written = estimate_tokens(server.message_requests[-1]["body"])
        assert final.metrics.cache_creation_1h_tokens == written
        _, saved = store.all_messages(session_id)
        assert (saved.cache_creation_tokens, saved.cache_creation_1h_tokens) == (written, written)
        totals = store.usage_totals()
        assert totals.cache_creation_1h_tokens == written
        saving = totals.cache_saving()
        assert saving is not None and saving.dollars < 0  # written for an hour, never read
