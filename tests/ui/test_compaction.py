"""Compaction through the whole app, against the local server: the folded summary (shown,
opened, sanitized, saved, reopened, sent back unchanged), ``/compact`` both ways, and
``auto_compact`` in an ordinary reply."""

from __future__ import annotations

from typing import Any

import pytest
from textual.worker import Worker, WorkerState

from claude_tui.core.blocks import CompactionBlock, TextBlock
from claude_tui.core.capabilities import CapabilitySource, ModelCapabilities, from_model_info
from claude_tui.core.client import ApiSettings
from claude_tui.core.compaction import (
    BRANCH_HEADING,
    COMPACT_PROMPT,
    SUMMARY_PROMPT,
    estimate_tokens,
    size_after,
)
from claude_tui.core.continuation import continuable_turn
from claude_tui.core.prompt import Prompt
from claude_tui.core.store import SessionStore
from claude_tui.localapi.server import (
    COUNT_TOKENS_ROUTE,
    MODELS,
    LocalAPIServer,
    ModelSpec,
    Scenario,
)
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.widgets.message import (
    COMPACTED,
    AssistantMessage,
    SummaryFold,
    UserMessage,
    turn_notice,
)
from claude_tui.ui.widgets.metrics import field_style

from .helpers import make_app, notices, replies_ended, send, send_and_finish, wait_until

SIZE = (110, 34)
SUMMARY = "Earlier: the user asked about cats \x1b[31mand dogs\x1b[0m."
BLOCK = {"type": "compaction", "content": SUMMARY, "encrypted_content": "EcOpaque=="}
BIG = "My notes on the rollout: " + "the deploy waits for green checks " * 6_500
"""About 55,000 tokens: over the API's minimum compaction trigger."""


def fold(app: ClaudeTUI) -> SummaryFold:
    found = app.query(AssistantMessage).last().summary_fold
    assert found is not None
    return found


async def test_a_compaction_block_is_folded_opened_kept_and_sent_back(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(content=[BLOCK, {"type": "text", "text": "Both are fine pets."}]))
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_finish(pilot, "cats and dogs?")
        summary = fold(app)
        assert summary.collapsed
        assert summary.title == "Earlier conversation summarised · ~13 tokens"
        # The model's text, sanitized: the escape is shown, never obeyed.
        assert summary.summary == "Earlier: the user asked about cats ␛[31mand dogs␛[0m."
        assert app.query(AssistantMessage).last().text == "Both are fine pets."
        await pilot.press("ctrl+o")
        assert not summary.collapsed
        await pilot.press("ctrl+o")
        assert summary.collapsed
        session_id = app.chat.current.session_id
        assert session_id is not None

        await send_and_finish(pilot, "and birds?")
        history = server.message_requests[-1]["body"]["messages"]
        assert history[1]["content"][0] == BLOCK  # back exactly as it came

    with SessionStore.open() as store:
        assert store.messages(session_id)[1].blocks[0] == CompactionBlock(BLOCK)
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.chat.ready)
        app.chat.open_session(session_id)
        await wait_until(pilot, lambda: len(app.query(AssistantMessage)) == 2)
        reopened = app.query(AssistantMessage).first().summary_fold
        assert reopened is not None and reopened.collapsed
        assert reopened.title == "Earlier conversation summarised · ~13 tokens"


async def test_compact_uses_the_servers_compaction_on_a_big_context(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    app = make_app(api, model="claude-sonnet-5-5")
    async with app.run_test(size=SIZE) as pilot:
        await send_and_finish(pilot, BIG)
        size = size_after(app.chat.current.last_metrics())
        assert size is not None and size > 50_000
        before = len(server.message_requests)
        await send(pilot, "/compact keep the rollout steps")
        await wait_until(pilot, lambda: any("Compacted on the server" in n for n in notices(app)))
        sent = server.message_requests[before]
        assert sent["headers"]["anthropic-beta"] == "compact-2026-01-12"
        assert sent["body"]["context_management"] == {
            "edits": [
                {
                    "type": "compact_20260112",
                    "trigger": {"type": "input_tokens", "value": 50_000},
                    "pause_after_compaction": True,
                    "instructions": "keep the rollout steps",
                }
            ]
        }
        last = sent["body"]["messages"][-1]
        assert last["content"][0]["text"].startswith(COMPACT_PROMPT)
        turns = app.chat.current.conversation.turns
        [block] = turns[-1].blocks
        assert isinstance(block, CompactionBlock)
        assert block.summary.endswith("Summarised as instructed: keep the rollout steps")
        assert turns[-1].stop_reason == "compaction"
        assert fold(app).collapsed
        assert turn_notice(turns[-1]) == (COMPACTED, "compacted")  # no alarm: nothing was cut
        # nor on the metrics line, and Ctrl+R does not offer to continue /compact's own request
        bar = app.chat.metrics_bar
        assert field_style("stop", bar.metrics, bar.window, None) is None
        assert continuable_turn(turns) is None
        [said] = [n for n in notices(app) if "Compacted on the server" in n]
        after = estimate_tokens(block.summary)
        assert f"context ~{size:,} → ~{after:,} tokens." in said
        assert "Every earlier turn is kept in the session and in its exports." in said

        await send_and_finish(pilot, "What comes first?")
        later = server.message_requests[-1]["body"]["messages"]
        assert later[0]["content"][0]["text"] == BIG  # nothing was dropped from the history
        assert later[-2]["content"] == [block.raw]  # the block goes back unchanged
        metrics = app.chat.current.conversation.turns[-1].metrics
        assert metrics is not None and metrics.input_tokens is not None
        assert metrics.input_tokens < 300  # the API reads on from the summary
        session_id = app.chat.current.session_id

    with SessionStore.open() as store:
        saved = store.messages(session_id)  # type: ignore[arg-type]
    assert [m.role for m in saved] == ["user", "assistant"] * 3
    assert saved[0].content == BIG


async def test_right_after_a_compaction_the_context_is_its_summary(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    """The compacting reply's usage counts what came before the summary; the API reads on
    from the summary, so a second /compact finds it under the minimum and asks for a summary
    (where the server would not compact, and the model would answer the request instead)."""
    app = make_app(api, model="claude-sonnet-5-5")
    async with app.run_test(size=SIZE) as pilot:
        await send_and_finish(pilot, BIG)
        await send(pilot, "/compact")
        await wait_until(pilot, lambda: any("Compacted on the server" in n for n in notices(app)))
        summary = app.chat.current.conversation.turns[-1].blocks[0]
        assert isinstance(summary, CompactionBlock)
        await send(pilot, "/compact")
        await wait_until(pilot, lambda: any("Summarised by the model" in n for n in notices(app)))
        size = estimate_tokens(summary.summary)
        assert any(f"the context, ~{size:,} tokens, is under" in n for n in notices(app))


@pytest.mark.parametrize(
    ("model", "reason"),
    [
        ("claude-3-haiku-20240307", "claude-3-haiku-20240307 has no server-side compaction"),
        ("claude-sonnet-5-5", "under the API's 50,000-token minimum"),
    ],
)
async def test_compact_elsewhere_starts_a_branch_from_a_summary(
    server: LocalAPIServer, api: ApiSettings, model: str, reason: str
) -> None:
    app = make_app(api, model=model)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_finish(pilot, "Tell me about cats")
        await send_and_finish(pilot, "And dogs?")
        await send(pilot, "/compact mention both pets")
        await wait_until(pilot, lambda: any("Summarised by the model" in n for n in notices(app)))
        assert any(reason in n for n in notices(app))
        asked = server.message_requests[-1]
        # An ordinary request: at most auto_compact's edit, never one that compacts now.
        edits = asked["body"].get("context_management", {}).get("edits", [])
        assert all(edit["trigger"]["value"] == 800_000 for edit in edits)
        assert asked["body"]["messages"][-1]["content"][0]["text"] == (
            f"{SUMMARY_PROMPT}\n\nInstructions: mention both pets"
        )
        # The new branch: one message holding the summary, shown alone.
        [start] = app.chat.current.conversation.turns
        assert start.role == "user" and start.text.startswith(BRANCH_HEADING)
        assert "1. Tell me about cats" in start.text and "2. And dogs?" in start.text
        assert "Summarised as instructed: mention both pets" in start.text
        await wait_until(pilot, lambda: len(app.query(UserMessage)) == 1)
        assert not app.query(AssistantMessage)
        assert start.message_id is not None

        await send_and_finish(pilot, "Which is older?")
        sent = server.message_requests[-1]["body"]["messages"]
        assert len(sent) == 1  # the summary and the prompt, one user message
        assert [b["text"] for b in sent[0]["content"]] == [start.text, "Which is older?"]
        session_id = app.chat.current.session_id
        assert session_id is not None

    with SessionStore.open() as store:
        path = [m.content for m in store.messages(session_id)]
        every = [m.content for m in store.all_messages(session_id)]
        exported = store.export_session(session_id)
    assert path[0] == start.text and path[1] == "Which is older?"
    for kept in (
        "Tell me about cats",
        "And dogs?",
        asked["body"]["messages"][-1]["content"][0]["text"],
    ):
        assert kept in every  # the original turns are another branch: nothing was deleted
    assert len(exported["messages"]) == len(every) == 9


def small_window_caps(spec: ModelSpec) -> Any:
    """What the Models API says of ``spec``: how the app learns a window smaller than its
    built-in table's."""

    def capabilities(self: ClaudeTUI, model: str) -> ModelCapabilities:
        return from_model_info(spec.to_json(), CapabilitySource.API)

    return capabilities


async def test_auto_compact_keeps_shows_and_sends_back_a_compaction(
    api: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 60,000-token window: ``auto_compact`` asks for compaction at 80 %, which the API's
    minimum raises to 50,000; a 55,000-token prompt crosses it in an ordinary reply."""
    sonnet = next(spec for spec in MODELS if spec.id == "claude-sonnet-5-5")
    small = ModelSpec(**{**sonnet.__dict__, "max_input_tokens": 60_000})
    monkeypatch.setattr(ClaudeTUI, "capabilities", small_window_caps(small))
    with LocalAPIServer(models=(small,)) as server:
        api = ApiSettings(api_key="test-key", base_url=server.base_url, request_timeout=10.0)
        app = make_app(api, model=small.id)
        async with app.run_test(size=SIZE) as pilot:
            await send_and_finish(pilot, BIG)
            sent = server.message_requests[-1]
            assert sent["headers"]["anthropic-beta"] == "compact-2026-01-12"
            assert sent["body"]["context_management"]["edits"][0]["trigger"]["value"] == 50_000
            turn = app.chat.current.conversation.turns[-1]
            compaction, text = turn.blocks
            assert isinstance(compaction, CompactionBlock) and isinstance(text, TextBlock)
            assert turn.stop_reason == "end_turn"
            assert fold(app).collapsed
            assert app.query(AssistantMessage).last().text == text.text

            await send_and_finish(pilot, "Go on")
            later = server.message_requests[-1]["body"]["messages"]
            assert later[1]["content"][0] == compaction.raw
            metrics = app.chat.current.conversation.turns[-1].metrics
            assert metrics is not None and metrics.input_tokens is not None
            assert metrics.input_tokens < 1_500  # not the 55,000 before the summary


async def test_a_prompt_queued_behind_the_summary_follows_it(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    """Typed while the summary streams, the prompt goes out after the branch is made: in the
    request's history and in the store, it follows the summary."""
    app = make_app(api, model="claude-3-haiku-20240307")
    async with app.run_test(size=SIZE) as pilot:
        await send_and_finish(pilot, "Tell me about cats")
        # the summary, slowly enough that typing the next prompt (a key at a time) ends first
        server.push(Scenario(ttft=1.5, rate=100))
        await send(pilot, "/compact")
        await wait_until(pilot, lambda: app.chat.current.reply is not None)
        await send(pilot, "Which is older?")
        assert app.chat.current.queue == [Prompt("Which is older?")]
        await wait_until(pilot, lambda: any("Summarised by the model" in n for n in notices(app)))
        await wait_until(pilot, replies_ended(app, 1))
        start, prompt, reply = app.chat.current.conversation.turns
        assert start.text.startswith(BRANCH_HEADING) and prompt.text == "Which is older?"
        sent = server.message_requests[-1]["body"]["messages"]
        assert [b["text"] for b in sent[0]["content"]] == [start.text, "Which is older?"]
        await wait_until(pilot, lambda: reply.message_id is not None)
        session_id = app.chat.current.session_id
    with SessionStore.open() as store:
        path = store.messages(session_id)  # type: ignore[arg-type]
    assert [m.content for m in path][:2] == [start.text, "Which is older?"]
    assert path[0].parent_id is None and path[1].parent_id == path[0].id


def test_the_folds_size_is_the_compact_notices_estimate_of_the_raw_summary() -> None:
    """Sanitizing drops carriage returns: the fold counts the summary as it came, as
    ``/compact``'s notice does, so the two never give different figures."""
    raw = "Decided: ship on Friday.\r\n" * 40
    fold = SummaryFold(raw)
    assert estimate_tokens(raw) == 260 != estimate_tokens(fold.summary)
    assert fold.title == "Earlier conversation summarised · ~260 tokens"
    fold.update(raw + "\r\n" * 8)  # the text shown is the same; the estimate is not
    assert fold.title == f"Earlier conversation summarised · ~{estimate_tokens(raw) + 4:,} tokens"


def unmeasured(app: ClaudeTUI) -> None:
    """The session's replies have no usage (as one saved without it): /compact asks the API
    to count the context."""
    for turn in app.chat.current.conversation.turns:
        turn.metrics = None


async def test_a_model_changed_while_compact_counts_compacts_nothing(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    app = make_app(api, model="claude-sonnet-5-5")
    async with app.run_test(size=SIZE) as pilot:
        await send_and_finish(pilot, "Tell me about cats")
        unmeasured(app)
        server.push(Scenario(headers_delay=1.0), route=COUNT_TOKENS_ROUTE)
        await send(pilot, "/compact")
        await wait_until(
            pilot, lambda: any(r["path"].endswith("/count_tokens") for r in server.requests)
        )
        app.chat.current.model = "claude-3-haiku-20240307"
        await wait_until(pilot, lambda: any("The model changed" in n for n in notices(app)))
        await pilot.pause()
        assert len(server.message_requests) == 1  # neither a compaction nor a summary asked
        assert app.chat.current.reply is None


async def test_compacts_count_ending_as_the_app_closes_is_dropped_quietly(
    server: LocalAPIServer, api: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``call_from_thread`` raises once the app has stopped: the worker ends quietly."""
    app = make_app(api, model="claude-sonnet-5-5")
    async with app.run_test(size=SIZE) as pilot:
        await send_and_finish(pilot, "Tell me about cats")
        unmeasured(app)

        def closed(*args: object, **kwargs: object) -> None:
            raise RuntimeError("App is not running")

        started: list[Worker[None]] = []
        run_worker = app.chat.run_worker

        def recorded(*args: Any, **kwargs: Any) -> Worker[None]:
            started.append(run_worker(*args, **kwargs))
            return started[-1]

        monkeypatch.setattr(app.chat, "run_worker", recorded)
        monkeypatch.setattr(app, "call_from_thread", closed)
        await send(pilot, "/compact")
        await wait_until(pilot, lambda: bool(started) and started[0].is_finished)
        [worker] = started
        assert worker.state is WorkerState.SUCCESS
        assert len(server.message_requests) == 1
