"""Counting input tokens: the local server's count, through the real SDK over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from claude_tui.core.client import ApiSettings
from claude_tui.core.config import Settings
from claude_tui.core.errors import ApiCallError, ErrorKind
from claude_tui.core.request import stream_request
from claude_tui.core.tokens import count_input_tokens, count_request_tokens
from claude_tui.localapi.server import COUNT_TOKENS_ROUTE, LocalAPIServer, Scenario, estimate_tokens

MODEL = "claude-sonnet-5-5"
SYSTEM = "You answer in haiku, and only in haiku."
MESSAGES: list[dict[str, Any]] = [
    {"role": "user", "content": [{"type": "text", "text": "What is a token?"}]},
    {"role": "assistant", "content": [{"type": "text", "text": "A piece of a word."}]},
    {"role": "user", "content": [{"type": "text", "text": "And how many here? " * 40}]},
]
THINKING = {"type": "enabled", "budget_tokens": 2048}


def count_requests(server: LocalAPIServer) -> list[dict[str, object]]:
    return [r for r in server.requests if r["path"] == COUNT_TOKENS_ROUTE]


def test_returns_the_servers_count_for_what_was_sent(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    tokens = count_input_tokens(
        api, model=MODEL, system=SYSTEM, messages=MESSAGES, thinking=THINKING
    )
    (request,) = count_requests(server)
    assert request["method"] == "POST"
    body = request["body"]
    assert isinstance(body, dict)
    assert body["model"] == MODEL
    assert body["system"] == SYSTEM
    assert body["messages"] == MESSAGES
    assert body["thinking"] == THINKING
    assert "max_tokens" not in body and "stream" not in body
    assert (
        tokens == estimate_tokens(body) == estimate_tokens({"system": SYSTEM, "messages": MESSAGES})
    )
    assert tokens > 100  # the long last message counts
    assert server.message_requests == []


@pytest.mark.parametrize("system", [None, "", "   \n"])
def test_a_blank_system_prompt_is_not_sent(
    server: LocalAPIServer, api: ApiSettings, system: str | None
) -> None:
    tokens = count_input_tokens(api, model=MODEL, system=system, messages=MESSAGES)
    (request,) = count_requests(server)
    body = request["body"]
    assert isinstance(body, dict)
    assert "system" not in body and "thinking" not in body
    assert tokens == estimate_tokens({"messages": MESSAGES})


def test_counts_exactly_what_the_next_reply_would_send(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    settings = Settings(
        model="claude-haiku-4-5-20251001",
        system_prompt=SYSTEM,
        thinking=True,
        thinking_budget=2048,
    )
    request = stream_request(settings, list(MESSAGES))
    tokens = count_request_tokens(api, request)
    (sent,) = count_requests(server)
    body = sent["body"]
    assert isinstance(body, dict)
    assert body == {
        "model": settings.model,
        "system": SYSTEM,
        "messages": MESSAGES,
        "thinking": THINKING,
    }
    assert tokens == estimate_tokens(body)


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (401, ErrorKind.AUTH),
        (429, ErrorKind.RATE_LIMITED),
        (500, ErrorKind.SERVER),
        (529, ErrorKind.OVERLOADED),
    ],
)
def test_an_error_status_raises_a_classified_error(
    server: LocalAPIServer, api: ApiSettings, status: int, kind: ErrorKind
) -> None:
    server.push(Scenario(status=status, error_message="not now"), route=COUNT_TOKENS_ROUTE)
    with pytest.raises(ApiCallError) as info:
        count_input_tokens(api, model=MODEL, system=SYSTEM, messages=MESSAGES)
    assert info.value.error.kind is kind
    assert info.value.error.status == status
    assert "not now" in str(info.value)
    assert str(info.value) == info.value.error.message
    assert len(count_requests(server)) == 1  # not retried


def test_history_the_api_rejects_is_a_bad_request(server: LocalAPIServer, api: ApiSettings) -> None:
    starts_with_assistant = [{"role": "assistant", "content": "Hello"}]
    with pytest.raises(ApiCallError) as info:
        count_input_tokens(api, model=MODEL, system=None, messages=starts_with_assistant)
    assert info.value.error.kind is ErrorKind.BAD_REQUEST
    assert "user" in str(info.value)


def test_a_slow_server_times_out(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(headers_delay=30), route=COUNT_TOKENS_ROUTE)
    with pytest.raises(ApiCallError) as info:
        count_input_tokens(api, model=MODEL, system=None, messages=MESSAGES, timeout=0.3)
    assert info.value.error.kind is ErrorKind.TIMEOUT


def test_no_key_raises_without_a_request(server: LocalAPIServer) -> None:
    api = ApiSettings(api_key=None, base_url=server.base_url)
    with pytest.raises(ApiCallError) as info:
        count_input_tokens(api, model=MODEL, system=None, messages=MESSAGES)
    assert info.value.error.kind is ErrorKind.NO_API_KEY
    assert server.requests == []


BLOCK = {"type": "compaction", "content": "Earlier: tokens.", "encrypted_content": "EcX=="}


@pytest.mark.parametrize(
    ("model", "auto_compact"),
    [("claude-sonnet-5-5", False), ("claude-haiku-5-5", True)],
    ids=["auto-compact-off", "model-without-compaction"],
)
def test_a_compacted_history_is_counted_with_the_compaction_beta(
    server: LocalAPIServer, api: ApiSettings, model: str, auto_compact: bool
) -> None:
    """A compaction block is a beta type: the plain count_tokens refuses it, so the count goes
    to the beta endpoint with the header, whether or not the request asks to compact."""
    import anthropic

    server.push(Scenario(content=[BLOCK, {"type": "text", "text": "Go on."}]))
    client = anthropic.Anthropic(api_key="test", base_url=server.base_url, max_retries=0)
    client.beta.messages.create(
        model=MODEL, max_tokens=64, messages=MESSAGES[:1], betas=["compact-2026-01-12"]
    )
    history = [
        MESSAGES[0],
        {"role": "assistant", "content": [BLOCK, {"type": "text", "text": "Go on."}]},
        {"role": "user", "content": [{"type": "text", "text": "And then?"}]},
    ]
    request = stream_request(Settings(model=model, auto_compact=auto_compact), history)
    assert request.betas == ("compact-2026-01-12",)
    assert request.context_management is None
    tokens = count_request_tokens(api, request)
    (sent,) = count_requests(server)
    header: Any = sent["headers"]
    assert "compact-2026-01-12" in header["anthropic-beta"].split(",")
    assert sent["body"]["messages"] == history  # type: ignore[index]
    assert tokens == estimate_tokens(sent["body"])
