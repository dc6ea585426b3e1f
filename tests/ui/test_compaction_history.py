"""A compacted history as the API takes it, against the local server: the compaction beta goes
with every request whose history holds a compaction block (``auto_compact`` off, or a model
without compaction after ``/model``), and only the last compaction block goes back."""

from __future__ import annotations

from typing import Any

import pytest

from claude_tui.core.blocks import CompactionBlock
from claude_tui.core.capabilities import CapabilitySource, ModelCapabilities, from_model_info
from claude_tui.core.client import ApiSettings
from claude_tui.core.context_window import context_tokens
from claude_tui.core.conversation import TurnStatus
from claude_tui.localapi.server import (
    MODELS,
    LocalAPIServer,
    ModelSpec,
    Scenario,
    estimate_tokens,
)
from claude_tui.ui.app import ClaudeTUI

from .helpers import make_app, send, send_and_finish, wait_until

SIZE = (110, 34)
BETA = "compact-2026-01-12"
FIRST = {"type": "compaction", "content": "Earlier: cats.", "encrypted_content": "EcOne=="}
SECOND = {"type": "compaction", "content": "Earlier: cats, dogs.", "encrypted_content": "EcTwo=="}


def text(words: str) -> dict[str, Any]:
    return {"type": "text", "text": words}


def betas(request: dict[str, Any]) -> list[str]:
    header = request["headers"].get("anthropic-beta", "")
    return [name.strip() for name in header.split(",") if name.strip()]


async def test_with_auto_compact_off_a_compacted_history_still_sends_the_beta(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(content=[FIRST, text("Cats purr.")]))
    app = make_app(api, auto_compact=False)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_finish(pilot, "cats?")
        assert betas(server.message_requests[0]) == []
        await send_and_finish(pilot, "and birds?")
        sent = server.message_requests[-1]
        assert betas(sent) == [BETA]
        assert "context_management" not in sent["body"]  # it asks for no compaction
        assert sent["body"]["messages"][1]["content"][0] == FIRST
        last = app.chat.current.conversation.turns[-1]
        assert (last.status, last.error) == (TurnStatus.COMPLETE, None)


async def test_after_model_switches_to_one_without_compaction_the_beta_still_goes(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    """claude-haiku-5-5 has no compaction: the block goes back unchanged with the beta, and the
    API decides what it makes of it (the local server knows no rule against it)."""
    server.push(Scenario(content=[FIRST, text("Cats purr.")]))
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_finish(pilot, "cats?")
        await send(pilot, "/model claude-haiku-5-5")
        await wait_until(
            pilot, lambda: app.chat.session_settings(app.chat.current).model == "claude-haiku-5-5"
        )
        await send_and_finish(pilot, "and birds?")
        sent = server.message_requests[-1]
        assert sent["body"]["model"] == "claude-haiku-5-5"
        assert betas(sent) == [BETA]
        assert "context_management" not in sent["body"]
        last = app.chat.current.conversation.turns[-1]
        assert (last.status, last.error) == (TurnStatus.COMPLETE, None)


async def test_only_the_last_compaction_goes_back(server: LocalAPIServer, api: ApiSettings) -> None:
    """Two compactions in one session: the API refuses both blocks together, and reads nothing
    before the last, so the history goes from the prompt the last one answered."""
    server.push(
        Scenario(content=[FIRST, text("Cats purr.")]),
        Scenario(content=[SECOND, text("Dogs bark.")]),
    )
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_finish(pilot, "cats?")
        await send_and_finish(pilot, "dogs?")
        assert server.message_requests[-1]["body"]["messages"][1]["content"][0] == FIRST
        await send_and_finish(pilot, "and birds?")
        sent = server.message_requests[-1]
        assert sent["body"]["messages"] == [
            {"role": "user", "content": [text("dogs?")]},
            {"role": "assistant", "content": [SECOND, text("Dogs bark.")]},
            {"role": "user", "content": [text("and birds?")]},
        ]
        assert betas(sent) == [BETA]
        turns = app.chat.current.conversation.turns
        assert len(turns) == 6  # every turn is kept, on screen and in the session
        assert (turns[-1].status, turns[-1].error) == (TurnStatus.COMPLETE, None)


BIG = "My notes on the rollout: " + "the deploy waits for green checks " * 6_500
"""About 55,000 tokens: over the API's minimum compaction trigger."""


async def test_a_compactions_tokens_are_billed_and_the_gauge_reads_what_is_left(
    api: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 60,000-token window, compacted at the API's minimum of 50,000: the reply's cost counts
    the tokens the compaction read and the summary it wrote (``usage.iterations``, which the
    top-level usage leaves out), and the gauge shows the context the reply was made from (the
    message entry's: the summary and the prompt), not that plus what the compaction read."""
    sonnet = next(spec for spec in MODELS if spec.id == "claude-sonnet-5-5")
    small = ModelSpec(**{**sonnet.__dict__, "max_input_tokens": 60_000})

    def capabilities(self: ClaudeTUI, model: str) -> ModelCapabilities:
        return from_model_info(small.to_json(), CapabilitySource.API)

    monkeypatch.setattr(ClaudeTUI, "capabilities", capabilities)
    with LocalAPIServer(models=(small,)) as server:
        api = ApiSettings(api_key="test-key", base_url=server.base_url, request_timeout=10.0)
        app = make_app(api, model=small.id, prompt_cache="off")
        async with app.run_test(size=SIZE) as pilot:
            await send_and_finish(pilot, BIG)
            turn = app.chat.current.conversation.turns[-1]
            compaction = turn.blocks[0]
            assert isinstance(compaction, CompactionBlock)
            sent = server.message_requests[-1]["body"]
            read = estimate_tokens(sent)  # what the compaction read: the whole request
            after = estimate_tokens(
                {
                    "system": sent["system"],
                    "messages": [
                        {"role": "assistant", "content": [compaction.raw]},
                        sent["messages"][-1],
                    ],
                }
            )
            metrics = turn.metrics
            assert metrics is not None
            assert metrics.input_tokens == read + after
            summary = (len(compaction.summary) + 3) // 4
            assert metrics.output_tokens == summary + server_output(turn.text)
            assert context_tokens(metrics) == after
            alone = metrics.with_(input_tokens=after, output_tokens=server_output(turn.text))
            assert metrics.cost_usd is not None and alone.cost_usd is not None
            assert metrics.cost_usd > alone.cost_usd * 1.9


def server_output(text: str) -> int:
    from claude_tui.localapi.block_stream import tokenize

    return len(tokenize(text))
