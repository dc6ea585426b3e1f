"""Thinking, effort and max_tokens as each kind of model takes them: what ``/context`` shows is
what the runner sends, and the local server (which answers a 400 as the real API does for what a
model does not accept) takes it, for the adaptive default, a budget-only model and a model
without thinking; and no setting the app allows ever makes a request one of them refuses."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from claude_tui.core.capabilities import (
    CapabilitySource,
    ModelCapabilities,
    builtin_capabilities,
    from_model_info,
)
from claude_tui.core.client import ApiSettings
from claude_tui.core.config import Settings
from claude_tui.core.config_schema import EFFORT_CHOICES, PROMPT_CACHE_CHOICES
from claude_tui.core.conversation import Conversation
from claude_tui.core.events import Finished
from claude_tui.core.request import next_messages, preview_request, request_body, stream_request
from claude_tui.core.request_shape import shape_request
from claude_tui.core.runner import StreamRunner
from claude_tui.localapi.models import MODELS, ModelSpec, find_spec, model_problem
from claude_tui.localapi.server import LocalAPIServer, Scenario

CACHING = (
    "prompt caching: 5 minutes, top-level cache_control (up to the request's last cacheable block)",
    '  "cache_control": {"type": "ephemeral"}',
)

SHOWN = {
    "claude-sonnet-5-5": [
        "model: claude-sonnet-5-5 (what it accepts: from the app's built-in table"
        " (the Models API has not answered yet))",
        "max_tokens: 8192",
        "thinking: adaptive: the model decides when and how much to think",
        '  "thinking": {"type": "adaptive"}',
        "effort: high",
        '  "output_config": {"effort": "high"}',
        *CACHING,
        "compaction: the API summarises from 800,000 input tokens (beta compact-2026-01-12)",
        '  "context_management": {"edits": [{"type": "compact_20260112", "trigger": {"type":'
        ' "input_tokens", "value": 800000}}]}',
        "web tools: off",
        "header anthropic-beta: compact-2026-01-12 (server-side compaction)",
    ],
    "claude-haiku-4-5-20251001": [
        "model: claude-haiku-4-5-20251001 (what it accepts: from the app's built-in table"
        " (the Models API has not answered yet))",
        "max_tokens: 8192",
        "thinking: on, budget 4,096 tokens",
        '  "thinking": {"type": "enabled", "budget_tokens": 4096}',
        "effort: not sent (high in your settings, but claude-haiku-4-5-20251001 has no effort"
        " levels)",
        *CACHING,
        "compaction: not sent (claude-haiku-4-5-20251001 has no server-side compaction)",
        "web tools: off",
    ],
    "claude-3-haiku-20240307": [
        "model: claude-3-haiku-20240307 (what it accepts: from the app's built-in table"
        " (the Models API has not answered yet))",
        "max_tokens: 4096 (8,192 in your settings, capped at claude-3-haiku-20240307's limit of"
        " 4,096)",
        "thinking: not sent (on in your settings, but claude-3-haiku-20240307 has no extended"
        " thinking)",
        "effort: not sent (high in your settings, but claude-3-haiku-20240307 has no effort"
        " levels)",
        *CACHING,
        "compaction: not sent (claude-3-haiku-20240307 has no server-side compaction)",
        "web tools: off",
    ],
}
"""What /context shows of the parameters, with thinking on and effort high, by model."""


def served_caps(model: str) -> ModelCapabilities:
    """What the local server's Models API says ``model`` accepts."""
    spec = find_spec(MODELS, model)
    assert spec is not None
    return from_model_info(spec.to_json(), CapabilitySource.API)


def parameter_lines(text: str) -> list[str]:
    """The lines of a /context text from the model to the blank line before the system prompt."""
    lines = text.splitlines()
    return lines[1 : lines.index("")]


@pytest.mark.parametrize("model", list(SHOWN))
def test_context_shows_what_the_runner_sends_and_the_server_takes_it(
    server: LocalAPIServer, api: ApiSettings, model: str
) -> None:
    settings = Settings(model=model, thinking=True, effort="high")
    caps = builtin_capabilities(model)  # what the app knows before the Models API answers
    messages = next_messages(Conversation(), "Think, then say hi.")
    preview = preview_request(settings, messages, api=api, caps=caps, now=0.0)
    assert parameter_lines(preview.text) == SHOWN[model]

    server.push(Scenario(text="hi", thinking="A greeting." if caps.thinking else None))
    request = stream_request(settings, messages, caps)
    ended = StreamRunner(request, lambda _event: None, api=api).run()
    assert isinstance(ended, Finished) and ended.text == "hi"
    (sent,) = server.message_requests
    assert sent["body"] == preview.body == request_body(request)
    beta = [line for line in SHOWN[model] if line.startswith("header anthropic-beta: ")]
    shown_beta = beta[0].split(": ")[1].split(" (")[0] if beta else None
    assert sent["headers"].get("anthropic-beta") == shown_beta


def test_max_tokens_is_capped_at_the_models_own_limit(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    model = "claude-3-haiku-20240307"
    settings = Settings(model=model, max_tokens=100_000)
    messages = next_messages(Conversation(), "hi")
    preview = preview_request(settings, messages, api=api, caps=builtin_capabilities(model))
    assert (
        f"max_tokens: 4096 (100,000 in your settings, capped at {model}'s limit of 4,096)"
        in preview.text.splitlines()
    )
    server.push(Scenario(text="ok"))
    ended = StreamRunner(stream_request(settings, messages), lambda _event: None, api=api).run()
    assert isinstance(ended, Finished)
    assert server.message_requests[-1]["body"]["max_tokens"] == 4096
    # the same request, uncapped, is refused: the cap is what makes it go through
    spec = find_spec(MODELS, model)
    assert spec is not None
    assert model_problem(spec, {**preview.body, "max_tokens": 100_000}, 10) is not None


@pytest.mark.parametrize("spec", MODELS, ids=[spec.id for spec in MODELS])
def test_no_setting_makes_a_request_the_model_refuses(spec: ModelSpec) -> None:
    """Every thinking, effort, budget, max_tokens and caching setting the config file allows,
    shaped for each of the server's models by what its Models API says, passes the server's
    own check of what the model accepts (``model_problem``, the 400s of the real API)."""
    caps = served_caps(spec.id)
    settings_space = itertools.product(
        (False, True),
        EFFORT_CHOICES,
        (1024, 4096, 200_000),
        (1, 1025, 8192, 1_000_000),
        PROMPT_CACHE_CHOICES,
    )
    for thinking, effort, budget, max_tokens, cache in settings_space:
        settings = Settings(
            model=spec.id,
            thinking=thinking,
            effort=effort,
            thinking_budget=budget,
            max_tokens=max_tokens,
            prompt_cache=cache,
        )
        body = request_body(stream_request(settings, [], caps))
        problem = model_problem(spec, body, 10)
        assert problem is None, (settings, problem)


def test_a_model_whose_limit_leaves_no_room_for_a_budget_gets_no_thinking() -> None:
    """The smallest budget is 1,024 tokens and max_tokens must exceed it: a model that cannot
    reply with more gets no thinking (and /context says why), never a budget the API refuses."""
    spec = ModelSpec(
        "claude-haiku-4-5-tiny", "Tiny", "2025-10-01T00:00:00Z", ("enabled",), max_tokens=1024
    )
    caps = from_model_info(spec.to_json(), CapabilitySource.API)
    settings = Settings(model=spec.id, thinking=True, thinking_budget=4096, max_tokens=8192)
    shape = shape_request(settings, caps)
    assert shape.thinking is None and shape.max_tokens == 1024
    assert "no room for the smallest thinking budget" in shape.notes["thinking"]
    assert model_problem(spec, request_body(stream_request(settings, [], caps)), 10) is None
    roomy = replace(spec, max_tokens=2048)
    caps = from_model_info(roomy.to_json(), CapabilitySource.API)
    assert shape_request(settings, caps).thinking == {"type": "enabled", "budget_tokens": 1024}
