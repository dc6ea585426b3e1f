"""The next request, as built from the settings and shown by ``/context``: what is shown is what the
runner sends (checked against the local server), every text is whole, and the key never shows."""

from __future__ import annotations

from dataclasses import replace

from claude_tui.core.blocks import (
    RedactedThinkingBlock,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
    UnknownBlock,
)
from claude_tui.core.client import ApiSettings
from claude_tui.core.config import Settings
from claude_tui.core.conversation import Conversation, Turn, TurnStatus
from claude_tui.core.request import (
    HIDDEN,
    next_messages,
    preview_request,
    render_request,
    request_body,
    stream_request,
)
from claude_tui.core.request_shape import THINKING_HEADROOM
from claude_tui.core.runner import StreamRequest, StreamRunner
from claude_tui.localapi.server import LocalAPIServer, Scenario

KEY = "sk-ant-test-SECRET-1234567890"
SYSTEM = "You are terse.\nAnswer in one line."
LONG = " ".join(f"word{i}" for i in range(3000))


def conversation() -> Conversation:
    conv = Conversation()
    conv.add_user("What is 2 + 2?")
    reply = conv.start_assistant()
    reply.blocks, reply.status = [TextBlock("4.")], TurnStatus.COMPLETE
    return conv


OLDER = "claude-haiku-4-5-20251001"
"""A model that takes thinking only as ``enabled`` with a budget (the local server's)."""


def thinking_settings() -> Settings:
    return Settings(
        model=OLDER, system_prompt=SYSTEM, thinking=True, thinking_budget=4096, max_tokens=2048
    )


# -- building the request -------------------------------------------------------------------


def test_thinking_raises_max_tokens_above_the_budget() -> None:
    request = stream_request(thinking_settings(), [])
    assert request.thinking == {"type": "enabled", "budget_tokens": 4096}
    assert request.max_tokens == 4096 + THINKING_HEADROOM
    plain = stream_request(Settings(max_tokens=2048), [])
    assert plain.thinking is None and plain.max_tokens == 2048


def test_next_messages_is_the_history_a_sent_prompt_makes() -> None:
    conv = conversation()
    preview = next_messages(conv, "And 3 + 3?")
    conv.add_user("And 3 + 3?")
    assert preview == conv.api_messages()
    assert next_messages(conv) == conv.api_messages()
    conv.start_assistant()  # a reply on its way is not part of the history
    assert next_messages(conv) == preview


def test_the_body_is_what_the_runner_sends(server: LocalAPIServer, api: ApiSettings) -> None:
    settings = thinking_settings()
    messages = next_messages(conversation(), "And 3 + 3?")
    preview = preview_request(settings, messages, api=api)
    server.push(Scenario(text="6."))
    request = stream_request(settings, messages)
    StreamRunner(request, lambda _event: None, api=api).run()
    (sent,) = server.message_requests
    assert sent["body"] == preview.body == request_body(request)


def test_temperature_is_in_the_body_as_the_sdk_sends_it(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    request = replace(
        stream_request(Settings(), next_messages(conversation(), "Hi")), temperature=0.25
    )
    server.push(Scenario(text="ok"))
    StreamRunner(request, lambda _event: None, api=api).run()
    (sent,) = server.message_requests
    body = request_body(request)
    assert sent["body"] == body and body["temperature"] == 0.25
    assert "temperature: 0.25" in render_request(body).splitlines()


# -- the /context text -----------------------------------------------------------------------


def test_context_text_with_a_system_prompt_and_thinking_on() -> None:
    api = ApiSettings(api_key=KEY, base_url="http://127.0.0.1:9999/")
    messages = next_messages(conversation(), "And 3 + 3?")
    preview = preview_request(thinking_settings(), messages, api=api, now=0.0)
    model = OLDER
    assert preview.text == "\n".join(
        [
            "POST http://127.0.0.1:9999/v1/messages (streamed)",
            f"model: {model} (what it accepts: from the app's built-in table"
            " (the Models API has not answered yet))",
            "max_tokens: 5120 (raised from 2,048 to fit the thinking budget and 1,024 tokens of"
            " reply)",
            "thinking: on, budget 4,096 tokens",
            '  "thinking": {"type": "enabled", "budget_tokens": 4096}',
            "effort: the model's default (no level sent)",
            "prompt caching: 5 minutes, top-level cache_control (up to the request's last"
            " cacheable block)",
            '  "cache_control": {"type": "ephemeral"}',
            f"compaction: not sent ({model} has no server-side compaction)",
            "web tools: off",
            "",
            f"system prompt ({len(SYSTEM)} characters):",
            "You are terse.",
            "Answer in one line.",
            "",
            "messages: 3",
            "",
            "── 1 · user ──",
            "What is 2 + 2?",
            "",
            "── 2 · assistant ──",
            "4.",
            "",
            "── 3 · user ──",
            "And 3 + 3?",
        ]
    )
    assert preview.body["thinking"] == {"type": "enabled", "budget_tokens": 4096}
    assert preview.body["system"] == SYSTEM
    assert preview.body["max_tokens"] == 5120
    assert preview.body["stream"] is True


def test_context_text_without_a_system_prompt_or_thinking() -> None:
    settings = Settings(system_prompt="", max_tokens=1000)
    preview = preview_request(settings, next_messages(conversation()))
    lines = preview.text.splitlines()
    assert lines[0] == "POST /v1/messages (streamed)"
    assert "max_tokens: 1000" in lines
    assert "thinking: off" in lines
    assert "system prompt: none" in lines
    assert "system" not in preview.body and "thinking" not in preview.body


def test_an_empty_conversation_has_no_messages_yet() -> None:
    preview = preview_request(Settings(), next_messages(Conversation()))
    assert preview.body["messages"] == []
    assert preview.text.splitlines()[-1] == "messages: none yet"


def test_long_texts_are_kept_whole() -> None:
    conv = conversation()
    preview = preview_request(Settings(system_prompt=LONG), next_messages(conv, LONG + " end"))
    assert preview.text.count(LONG) == 2
    assert preview.text.endswith(LONG + " end")


def test_merged_turns_show_each_block() -> None:
    conv = conversation()
    conv.add_user("first part")
    preview = preview_request(Settings(), next_messages(conv, "second part"))
    tail = preview.text.splitlines()[-5:]
    assert tail == [
        "── 3 · user · 2 blocks ──",
        "[block 1 of 2]",
        "first part",
        "[block 2 of 2]",
        "second part",
    ]


def test_each_kind_of_block_is_shown() -> None:
    conv = Conversation()
    conv.add_user("Weather in Paris?")
    search = ServerToolUseBlock("srvtoolu_1", "web_search", {"query": "Paris \x1b[31mweather"})
    result = ToolResultBlock(
        {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []}
    )
    future = UnknownBlock({"type": "future_block", "data": "\x1b]0;title\x07"})
    conv.turns.append(
        Turn(
            "assistant",
            [
                ThinkingBlock("Let me search.", "EqQBsig"),
                RedactedThinkingBlock("EmwKAhgB"),
                search,
                result,
                TextBlock("Sunny, 21 \x1b[2J degrees."),
                future,
            ],
        )
    )
    preview = preview_request(Settings(), next_messages(conv, "Thanks"))
    lines = preview.text.splitlines()
    start = lines.index("── 2 · assistant · 6 blocks ──")
    assert lines[start : start + 14] == [
        "── 2 · assistant · 6 blocks ──",
        "[block 1 of 6]",
        "[thinking block, 14 characters, signed]",
        "[block 2 of 6]",
        "[redacted_thinking block]",
        "[block 3 of 6]",
        '[server tool use: web_search {"query": "Paris \\u001b[31mweather"}]',  # as JSON
        "[block 4 of 6]",
        "[web_search_tool_result block]",
        "[block 5 of 6]",
        "Sunny, 21 ␛[2J degrees.",
        "[block 6 of 6]",
        "[future_block block]",
        "",
    ]
    assert "\x1b" not in preview.text and "\x07" not in preview.text


def test_thinking_shows_whether_it_is_signed() -> None:
    # only a signed thinking block is ever sent, but a body may be rendered from elsewhere
    body = {
        "messages": [
            {"role": "assistant", "content": [{"type": "thinking", "thinking": "Hmm."}]},
        ]
    }
    assert "[thinking block, 4 characters, not signed]" in render_request(body)


def test_control_characters_are_shown_not_obeyed() -> None:
    preview = preview_request(Settings(), next_messages(Conversation(), "clear \x1b[2J now"))
    assert "\x1b" not in preview.text
    assert "clear ␛[2J now" in preview.text
    assert preview.body["messages"][0]["content"][0]["text"] == "clear \x1b[2J now"


# -- the key ---------------------------------------------------------------------------------


def test_the_key_never_appears(server: LocalAPIServer) -> None:
    api = ApiSettings(api_key=KEY, base_url=server.base_url)
    preview = preview_request(thinking_settings(), next_messages(conversation(), "Hi"), api=api)
    for shown in (preview.text, repr(preview), repr(preview.body), repr(api)):
        assert KEY not in shown and "SECRET" not in shown


def test_the_key_is_hidden_even_inside_a_message() -> None:
    api = ApiSettings(api_key=KEY)
    prompt = f"is {KEY} my key?"
    preview = preview_request(Settings(system_prompt=f"key={KEY}"), [], api=api)
    assert KEY not in preview.text and f"key={HIDDEN}" in preview.text
    preview = preview_request(Settings(), next_messages(Conversation(), prompt), api=api)
    assert KEY not in preview.text and f"is {HIDDEN} my key?" in preview.text


def test_credential_headers_are_hidden() -> None:
    request = StreamRequest(
        messages=[{"role": "user", "content": "hi"}],
        extra_headers={"x-api-key": KEY, "Authorization": f"Bearer {KEY}", "x-trace": "t-1"},
    )
    body = request_body(request)
    assert "extra_headers" not in body
    text = render_request(body, headers=request.extra_headers)
    assert KEY not in text
    assert f"header x-api-key: {HIDDEN}" in text
    assert f"header Authorization: {HIDDEN}" in text
    assert "header x-trace: t-1" in text


def test_context_shows_the_beta_a_compacted_history_needs() -> None:
    """With ``auto_compact`` off no compaction is asked for, but the history holds a compaction
    block, a beta type: /context shows the header that goes with it."""
    block = {"type": "compaction", "content": "Earlier: cats.", "encrypted_content": "Ec=="}
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "cats?"}]},
        {"role": "assistant", "content": [block, {"type": "text", "text": "Purr."}]},
        {"role": "user", "content": [{"type": "text", "text": "birds?"}]},
    ]
    settings = Settings(model="claude-sonnet-5-5", auto_compact=False)
    preview = preview_request(settings, messages)
    assert "context_management" not in preview.body
    assert "header anthropic-beta: compact-2026-01-12 (server-side compaction)" in preview.text
    plain = preview_request(settings, [messages[0]])
    assert "anthropic-beta" not in plain.text
