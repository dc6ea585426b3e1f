"""A final assistant message on the local server, through the real SDK: a prefill the 5.5
models refuse as the API does, older models take, and a paused turn resumed, which every model
takes."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest

from claude_tui.localapi.prefill import NO_PREFILL, NOT_PAUSED
from claude_tui.localapi.server import LocalAPIServer, Scenario

PROMPT = {"role": "user", "content": "Search for the weather in Paris."}
SEARCH = {
    "type": "server_tool_use",
    "id": "srvtoolu_01",
    "name": "web_search",
    "input": {"query": "weather in Paris"},
}
THINKING = {"type": "thinking", "thinking": "Search first."}


def ask(client: anthropic.Anthropic, model: str, final: Any) -> Any:
    messages = [PROMPT, {"role": "assistant", "content": final}]
    return client.messages.create(model=model, max_tokens=1024, messages=messages)


@pytest.mark.parametrize("model", ["claude-sonnet-5-5", "claude-opus-5-5", "claude-haiku-5-5"])
def test_the_5_5_models_refuse_a_prefill(client: anthropic.Anthropic, model: str) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        ask(client, model, "The weather in Paris is")
    assert info.value.api_message == NO_PREFILL


@pytest.mark.parametrize("model", ["claude-haiku-4-5-20251001", "claude-3-haiku-20240307"])
def test_older_models_take_a_prefill(client: anthropic.Anthropic, model: str) -> None:
    assert ask(client, model, "The weather in Paris is").stop_reason == "end_turn"


def test_a_paused_turn_sent_back_last_goes_on_on_every_model(
    client: anthropic.Anthropic, server: LocalAPIServer
) -> None:
    """``pause_turn``: the reference says to send the reply back unchanged as the last message;
    that resumes the turn, it is not a prefill. Its last text goes back trimmed, as it must."""
    server.push(
        Scenario(content=[{"type": "text", "text": "Let me look.  "}], stop_reason="pause_turn"),
        Scenario(content=[SEARCH], stop_reason="pause_turn"),
    )
    model = "claude-sonnet-5-5"
    first = client.messages.create(model=model, max_tokens=1024, messages=[PROMPT])
    assert first.stop_reason == "pause_turn"
    said = [{"type": "text", "text": "Let me look."}]
    second = client.messages.create(
        model=model,
        max_tokens=1024,
        messages=[PROMPT, {"role": "assistant", "content": said}],
    )
    assert second.stop_reason == "pause_turn"
    so_far = [*said, second.content[0].to_dict()]
    assert ask(client, model, so_far).stop_reason == "end_turn"
    # Anything else written after it is a prefill again.
    with pytest.raises(anthropic.BadRequestError) as info:
        ask(client, model, [*so_far, {"type": "text", "text": "So the weather is"}])
    assert info.value.api_message == NO_PREFILL


def test_a_reply_cut_at_max_tokens_is_no_pause(
    client: anthropic.Anthropic, server: LocalAPIServer
) -> None:
    server.push(Scenario(text="The first half", stop_reason="max_tokens"))
    cut = client.messages.create(model="claude-sonnet-5-5", max_tokens=1024, messages=[PROMPT])
    with pytest.raises(anthropic.BadRequestError) as info:
        ask(client, "claude-sonnet-5-5", [block.to_dict() for block in cut.content])
    assert info.value.api_message == NO_PREFILL


def test_a_paused_turn_comes_back_whole_or_is_refused(
    client: anthropic.Anthropic, server: LocalAPIServer
) -> None:
    """The whole paused content must come back, not only its ending: with thinking on, a turn
    that lost its thinking is refused by the API's rule for a final message; with thinking off
    it goes on without its thinking, but not without another of its blocks."""
    said = {"type": "text", "text": "Let me look. "}
    server.push(Scenario(content=[THINKING, said, SEARCH], stop_reason="pause_turn"))
    tools: Any = [{"type": "web_search_20250305", "name": "web_search"}]
    model, thinking = "claude-haiku-4-5-20251001", {"type": "enabled", "budget_tokens": 1024}
    first = client.messages.create(
        model=model, max_tokens=2048, messages=[PROMPT], tools=tools, thinking=thinking
    )
    paused = [block.to_dict() for block in first.content]
    assert [block["type"] for block in paused] == ["thinking", "text", "server_tool_use"]

    def resume(content: list[Any], **options: Any) -> Any:
        messages: Any = [PROMPT, {"role": "assistant", "content": content}]
        return client.messages.create(
            model=model, max_tokens=2048, messages=messages, tools=tools, **options
        )

    with pytest.raises(anthropic.BadRequestError) as info:
        resume(paused[1:], thinking=thinking)
    assert "must start with a thinking block" in info.value.api_message
    for lost_a_block in ([paused[0], paused[2]], [paused[2]]):
        with pytest.raises(anthropic.BadRequestError) as info:
            resume(lost_a_block, thinking=thinking if lost_a_block[0] is paused[0] else None)
        assert info.value.api_message == NOT_PAUSED.format(i=1)
    assert resume(paused[1:]).stop_reason == "end_turn"  # thinking off: none goes back
    assert resume(paused, thinking=thinking).stop_reason == "end_turn"
