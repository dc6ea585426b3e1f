"""The local Messages-API server, exercised through the real ``anthropic`` SDK over real HTTP.

The point of the server is that the SDK cannot tell it from the API: every fault must surface as
the exception the reference (``messages-api-streaming.md``) says production raises. So these tests
never parse the stream themselves except to check the wire format; they use the SDK.
"""

from __future__ import annotations

import http.client
import itertools
import json
import socket
import time
from typing import Any

import anthropic
import httpx2
import pytest

from claude_tui.localapi import demo_replies
from claude_tui.localapi.demo_replies import REPLIES, pick_reply
from claude_tui.localapi.server import (
    DEMO_SCENARIO,
    LocalAPIServer,
    Scenario,
    estimate_tokens,
    generate_text,
    tokenize,
)

MODEL = "claude-sonnet-5-5"
PROMPT = "Tell me something"
MESSAGES: list[Any] = [{"role": "user", "content": PROMPT}]
TEXT = "Hello there, world!\n\n```python\nprint('hi')\n```\n\n- one\n- two"
DETECT = 0.1
"""How soon the server must notice a client that went away (seconds)."""


def client_for(server: LocalAPIServer, **options: Any) -> anthropic.Anthropic:
    options.setdefault("max_retries", 0)
    return anthropic.Anthropic(api_key="test", base_url=server.base_url, **options)


def stream_all(client: anthropic.Anthropic, **params: Any) -> tuple[str, Any]:
    """Stream one reply to the end; the text as it arrived and the final message."""
    params.setdefault("messages", MESSAGES)
    with client.messages.stream(model=MODEL, max_tokens=1024, **params) as stream:
        text = "".join(stream.text_stream)
        return text, stream.get_final_message()


def read_until_error(client: anthropic.Anthropic) -> tuple[BaseException, str]:
    """Stream until the SDK raises; the exception and the text the snapshot holds.

    The text is empty when the error came before the stream (an HTTP error status).
    """
    manager = client.messages.stream(model=MODEL, max_tokens=1024, messages=MESSAGES)
    opened: list[Any] = []
    # Exception, because the exception's class is what the callers check.
    with pytest.raises(Exception) as info, manager as stream:
        opened.append(stream)
        for _ in stream.text_stream:
            pass
    if not opened:
        return info.value, ""
    snapshot = opened[0].current_message_snapshot
    text = "".join(block.text for block in snapshot.content if block.type == "text")
    return info.value, text


def raw_post(server: LocalAPIServer, path: str, body: Any) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("POST", path, json.dumps(body), {"content-type": "application/json"})
    return conn.getresponse()


# -- tokenization and canned content ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "a",
        "   ",
        "Hello, world!",
        "  leading and trailing  \n",
        "line one\nline two\n\n\nline five\r\n",
        "```python\ndef f(x):\n\treturn x  # done\n```",
        "日本語のテキストと中文混合 text",
        "emoji 👋🏽 and 👨‍👩‍👧 family, flags 🇫🇷!",
        "supercalifragilisticexpialidocious",
        *REPLIES,
    ],
)
def test_tokenize_round_trips(text: str) -> None:
    chunks = tokenize(text)
    assert "".join(chunks) == text
    assert all(chunks)
    for chunk in chunks:
        assert len(chunk.strip()) <= 4


def test_tokenize_sizes_like_tokens() -> None:
    assert tokenize("The quick brownish fox") == ["The", " quic", "k", " brow", "nish", " fox"]


@pytest.mark.parametrize("n", [1, 7, 300, 2500])
def test_generate_text_has_about_n_tokens_and_no_trailing_whitespace(n: int) -> None:
    text = generate_text(n)
    assert text == text.rstrip()
    assert n - 1 <= len(tokenize(text)) <= n
    assert generate_text(0) == ""


def test_demo_replies_are_varied_markdown() -> None:
    assert len(REPLIES) >= 6
    for reply in REPLIES:
        assert 150 <= len(reply.split()) <= 450, reply[:40]
        assert reply == reply.rstrip() and reply == reply.strip()
        assert reply.count("```") % 2 == 0
    joined = "\n".join(REPLIES)
    for marker in ("```python", "```rust", "```bash", "|---|", "## ", "1. ", "- ", "**", " *"):
        assert marker in joined


@pytest.mark.parametrize(
    ("prompt", "needle"),
    [
        ("hi", "demo mode"),
        ("Hello!", "demo mode"),
        ("Write a python function for retries", "```python"),
        ("show me some rust", "```rust"),
        ("Can you compare the options in a table?", "|---|"),
        ("list the steps please", "1. **"),
    ],
)
def test_pick_reply_follows_keywords(prompt: str, needle: str) -> None:
    assert needle in pick_reply(prompt, 0)


def test_pick_reply_rotates_when_nothing_matches() -> None:
    picks = [pick_reply("mmm", turn) for turn in range(8)]
    assert all(a != b for a, b in itertools.pairwise(picks))
    assert pick_reply("mmm", 3) == pick_reply("mmm", 3)
    assert "demo mode" not in "".join(picks)  # the greeting is only for greetings


def test_make_thinking_mentions_the_prompt() -> None:
    thinking = demo_replies.make_thinking("How do lists work?")
    assert "How do lists work?" in thinking
    assert thinking == thinking.strip()


# -- a normal stream ----------------------------------------------------------------------------


def test_stream_gives_exact_text_and_usage(server: LocalAPIServer) -> None:
    server.push(Scenario(text=TEXT))
    text, message = stream_all(client_for(server), system="Be brief.")
    assert text == TEXT
    assert message.content[0].text == TEXT
    assert message.id.startswith("msg_")
    assert message.model == MODEL
    assert message.stop_reason == "end_turn"
    body = server.requests[0]["body"]
    assert message.usage.input_tokens == estimate_tokens(body) == (len("Be brief.") + 3 + 17) // 4
    assert message.usage.output_tokens == len(tokenize(TEXT))
    assert message.usage.cache_read_input_tokens == 0


def test_wire_format_is_chunked_sse(server: LocalAPIServer) -> None:
    server.push(Scenario(text="One two three", stop_reason="max_tokens"))
    body = {"model": MODEL, "max_tokens": 10, "messages": MESSAGES, "stream": True}
    response = raw_post(server, "/v1/messages", body)
    assert response.status == 200
    assert response.getheader("content-type") == "text/event-stream"
    assert response.getheader("transfer-encoding") == "chunked"
    assert (response.getheader("request-id") or "").startswith("req_")
    events = [
        (block.split("\n")[0].removeprefix("event: "), json.loads(block.split("\n")[1][6:]))
        for block in response.read().decode().strip().split("\n\n")
    ]
    names = [name for name, _ in events]
    assert names == [
        "message_start",
        "content_block_start",
        "ping",
        *["content_block_delta"] * 4,
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    assert all(data["type"] == name for name, data in events)
    assert events[0][1]["message"]["usage"]["output_tokens"] == 1
    assert events[-2][1]["delta"]["stop_reason"] == "max_tokens"
    assert events[-2][1]["usage"]["output_tokens"] == 4


def test_default_scenario_picks_a_demo_reply_by_prompt_and_turn(server: LocalAPIServer) -> None:
    client = client_for(server)
    text, _ = stream_all(client, messages=[{"role": "user", "content": "hello"}])
    assert text == pick_reply("hello", 0)
    history = [
        {"role": "user", "content": "hello"},
        {"role": "assistant", "content": text},
        {"role": "user", "content": [{"type": "text", "text": "mmm"}]},
    ]
    second, _ = stream_all(client, messages=history)
    assert second == pick_reply("mmm", 1)


def test_tokens_scenario_streams_a_long_reply(server: LocalAPIServer) -> None:
    server.push(Scenario(tokens=1500))
    text, message = stream_all(client_for(server))
    assert text == generate_text(1500)
    assert message.usage.output_tokens == len(tokenize(text))


def test_thinking_block_streams_before_text(server: LocalAPIServer) -> None:
    thinking = "Let me think.\nFirst, the user wants a greeting."
    server.push(Scenario(text=TEXT, thinking=thinking))
    seen: list[str] = []
    with client_for(server).messages.stream(
        model=MODEL, max_tokens=2048, messages=MESSAGES
    ) as stream:
        for event in stream:
            if event.type == "thinking":
                seen.append(event.thinking)
        message = stream.get_final_message()
    assert "".join(seen) == thinking and len(seen) == len(tokenize(thinking))
    assert [block.type for block in message.content] == ["thinking", "text"]
    assert message.content[0].thinking == thinking
    assert message.content[0].signature
    assert message.content[1].text == TEXT
    assert message.usage.output_tokens == len(tokenize(thinking)) + len(tokenize(TEXT))


def test_thinking_is_generated_when_the_request_enables_it(server: LocalAPIServer) -> None:
    server.push(Scenario(text="ok"))
    _, message = stream_all(client_for(server), thinking={"type": "adaptive"})
    assert message.content[0].type == "thinking"
    assert PROMPT in message.content[0].thinking
    assert message.content[1].text == "ok"


def test_ttft_and_rate_are_honoured(server: LocalAPIServer) -> None:
    text = " ".join(["word"] * 40)
    server.push(Scenario(text=text, ttft=0.2, rate=200.0))
    first_event = first_text = None
    start = time.monotonic()
    with client_for(server).messages.stream(
        model=MODEL, max_tokens=1024, messages=MESSAGES
    ) as stream:
        for event in stream:
            now = time.monotonic() - start
            if first_event is None:
                assert event.type == "message_start"
                first_event = now
            if event.type == "text" and first_text is None:
                first_text = now
    total = time.monotonic() - start
    assert first_event is not None and first_text is not None
    assert first_event < 0.15  # message_start is sent at once; TTFT is to the first content
    assert 0.2 <= first_text < 0.35
    assert 0.2 + 39 / 200 - 0.01 <= total < 0.2 + 39 / 200 + 0.2


def test_demo_scenario_is_realistic() -> None:
    assert DEMO_SCENARIO.ttft == 0.35 and DEMO_SCENARIO.rate == 90.0
    assert DEMO_SCENARIO.text is None and DEMO_SCENARIO.status is None


def test_non_streaming_request_returns_a_whole_message(server: LocalAPIServer) -> None:
    server.push(Scenario(text=TEXT))
    message = client_for(server).messages.create(model=MODEL, max_tokens=100, messages=MESSAGES)
    assert message.content[0].text == TEXT
    assert message.usage.output_tokens == len(tokenize(TEXT))
    assert server.requests[0]["body"].get("stream") in (None, False)


# -- faults before the stream -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error_class", "error_type"),
    [
        (400, anthropic.BadRequestError, "invalid_request_error"),
        (401, anthropic.AuthenticationError, "authentication_error"),
        (402, anthropic.PaymentRequiredError, "billing_error"),
        (403, anthropic.PermissionDeniedError, "permission_error"),
        (404, anthropic.NotFoundError, "not_found_error"),
        (413, anthropic.ContentTooLargeError, "request_too_large"),
        (429, anthropic.RateLimitError, "rate_limit_error"),
        (500, anthropic.InternalServerError, "api_error"),
        (503, anthropic.ServiceUnavailableError, "api_error"),
        (504, anthropic.GatewayTimeoutError, "timeout_error"),
        (529, anthropic.OverloadedError, "overloaded_error"),
    ],
)
def test_error_status_raises_the_sdk_class(
    server: LocalAPIServer, status: int, error_class: type[Exception], error_type: str
) -> None:
    server.push(Scenario(status=status))
    with pytest.raises(anthropic.APIStatusError) as info:
        stream_all(client_for(server))
    assert type(info.value) is error_class
    assert info.value.status_code == status
    assert info.value.type == error_type
    assert (info.value.request_id or "").startswith("req_")


def test_error_type_and_message_can_be_overridden(server: LocalAPIServer) -> None:
    server.push(Scenario(status=400, error_type="billing_error", error_message="No credit"))
    with pytest.raises(anthropic.BadRequestError) as info:
        stream_all(client_for(server))
    assert info.value.type == "billing_error"
    assert info.value.api_message == "No credit"


def test_retry_after_is_sent_and_honoured(server: LocalAPIServer) -> None:
    server.push(Scenario(status=429, retry_after=0.3), Scenario(text="ok"))
    start = time.monotonic()
    text, _ = stream_all(client_for(server, max_retries=1))
    assert text == "ok"
    assert time.monotonic() - start >= 0.3
    assert [r["headers"]["x-stainless-retry-count"] for r in server.requests] == ["0", "1"]
    server.push(Scenario(status=529, retry_after=2))
    response = raw_post(server, "/v1/messages", {"model": MODEL, "max_tokens": 1})
    assert response.status == 529
    assert response.getheader("retry-after") == "2"
    assert json.loads(response.read())["error"]["type"] == "overloaded_error"


def test_should_retry_false_stops_sdk_retries(server: LocalAPIServer) -> None:
    server.push(Scenario(status=500, should_retry=False))
    with pytest.raises(anthropic.InternalServerError):
        stream_all(client_for(server, max_retries=2))
    assert len(server.requests) == 1


def test_headers_delay_is_a_stall_before_headers(server: LocalAPIServer) -> None:
    server.push(Scenario(text="late", headers_delay=0.2))
    start = time.monotonic()
    text, _ = stream_all(client_for(server))
    assert text == "late"
    assert time.monotonic() - start >= 0.2


def test_history_the_api_rejects_is_rejected(server: LocalAPIServer) -> None:
    client = client_for(server)
    bad_histories: list[list[Any]] = [
        [{"role": "assistant", "content": "I speak first"}],
        [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "trailing "}],
        [
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": [{"type": "text", "text": "  "}]},
            {"role": "user", "content": "again"},
        ],
    ]
    for history in bad_histories:
        with pytest.raises(anthropic.BadRequestError):
            stream_all(client, messages=history)
    server.validate = False
    server.push(Scenario(text="fine"))
    assert stream_all(client, messages=bad_histories[0])[0] == "fine"


# -- faults during the stream -------------------------------------------------------------------


def test_error_event_raises_api_status_error(server: LocalAPIServer) -> None:
    server.push(Scenario(text=TEXT, error_after=3))
    error, text = read_until_error(client_for(server))
    assert type(error) is anthropic.APIStatusError
    assert error.status_code == 200
    assert error.type == "overloaded_error"
    assert text == "".join(tokenize(TEXT)[:3])


def test_error_event_type_can_be_overridden(server: LocalAPIServer) -> None:
    server.push(Scenario(text=TEXT, error_after=0, error_type="api_error"))
    error, text = read_until_error(client_for(server))
    assert isinstance(error, anthropic.APIStatusError) and error.type == "api_error"
    assert text == ""


def test_fault_after_the_last_token_still_fires(server: LocalAPIServer) -> None:
    server.push(Scenario(text="a b c", error_after=99))
    error, text = read_until_error(client_for(server))
    assert isinstance(error, anthropic.APIStatusError)
    assert text == "a b c"


def test_dropped_connection_is_an_incomplete_chunked_read(server: LocalAPIServer) -> None:
    server.push(Scenario(text=TEXT, drop_after=4))
    error, text = read_until_error(client_for(server))
    assert type(error) is httpx2.RemoteProtocolError
    assert "incomplete chunked read" in str(error)
    assert text == "".join(tokenize(TEXT)[:4])
    assert server.disconnects == []  # the server dropped it; no client went away


def test_malformed_event_raises_json_decode_error(server: LocalAPIServer) -> None:
    server.push(Scenario(text=TEXT, malformed_after=2))
    error, text = read_until_error(client_for(server))
    assert type(error) is json.JSONDecodeError
    assert text == "".join(tokenize(TEXT)[:2])


def test_stall_is_seen_as_a_read_timeout(server: LocalAPIServer) -> None:
    server.push(Scenario(text=TEXT, stall_after=2))
    start = time.monotonic()
    error, text = read_until_error(client_for(server, timeout=0.3))
    assert type(error) is httpx2.ReadTimeout
    assert 0.3 <= time.monotonic() - start < 1.0
    assert text == "".join(tokenize(TEXT)[:2])
    assert server.wait_for_disconnect(DETECT)  # the client gave up and closed


def test_stall_resumes_after_stall_seconds(server: LocalAPIServer) -> None:
    server.push(Scenario(text=TEXT, stall_after=2, stall_seconds=0.2, rate=1000.0))
    start = time.monotonic()
    text, message = stream_all(client_for(server))
    assert text == TEXT
    assert message.usage.output_tokens == len(tokenize(TEXT))
    assert 0.2 <= time.monotonic() - start < 0.6


# -- recording, scripting, other endpoints ------------------------------------------------------


def test_requests_are_recorded(server: LocalAPIServer) -> None:
    server.push(Scenario(text="one"))
    stream_all(client_for(server), system="sys")
    assert server.wait_for_requests(1, timeout=1.0)
    assert not server.wait_for_requests(2, timeout=0.05)
    (request,) = server.requests
    assert request["path"] == "/v1/messages"
    assert request["method"] == "POST"
    headers = request["headers"]
    assert all(name == name.lower() for name in headers)
    assert headers.get("authorization") == "Bearer test" or headers.get("x-api-key") == "test"
    assert "anthropic-version" in headers
    assert request["body"]["stream"] is True
    assert request["body"]["messages"] == MESSAGES
    assert request["body"]["system"] == "sys"
    assert server.message_requests == [request]


def test_scenarios_are_consumed_in_order_then_the_default(server: LocalAPIServer) -> None:
    server.default = Scenario(text="default")
    server.push(Scenario(text="first"), Scenario(text="second"))
    assert server.pending == 2
    client = client_for(server)
    assert [stream_all(client)[0] for _ in range(4)] == ["first", "second", "default", "default"]
    assert server.pending == 0


def test_models_and_count_tokens(server: LocalAPIServer) -> None:
    client = client_for(server)
    ids = [model.id for model in client.models.list()]
    assert MODEL in ids
    assert client.models.retrieve(MODEL).display_name
    counted = client.messages.count_tokens(model=MODEL, messages=MESSAGES)
    assert counted.input_tokens == estimate_tokens({"messages": MESSAGES})
    assert server.pending == 0 and server.message_requests == []


def test_unknown_path_is_a_404_error_json(server: LocalAPIServer) -> None:
    response = raw_post(server, "/v1/nothing", {})
    assert response.status == 404
    payload = json.loads(response.read())
    assert payload["type"] == "error"
    assert payload["error"]["type"] == "not_found_error"
    assert payload["request_id"].startswith("req_")


# -- client disconnects -------------------------------------------------------------------------


def test_disconnect_mid_stream_is_noticed(server: LocalAPIServer) -> None:
    server.push(Scenario(tokens=400, rate=100.0))
    with client_for(server).messages.stream(
        model=MODEL, max_tokens=1024, messages=MESSAGES
    ) as stream:
        for count, _ in enumerate(stream.text_stream):
            if count == 3:
                break
    closed = time.monotonic()
    assert server.wait_for_disconnect(DETECT)
    assert server.disconnects[0] - closed < DETECT


def test_disconnect_during_ttft_is_noticed(server: LocalAPIServer) -> None:
    server.push(Scenario(text=TEXT, ttft=5.0))
    with client_for(server).messages.stream(model=MODEL, max_tokens=1024, messages=MESSAGES):
        pass  # headers and message_start are in; leave before any content
    assert server.wait_for_disconnect(DETECT)


def test_disconnect_during_stall_is_noticed(server: LocalAPIServer) -> None:
    server.push(Scenario(text=TEXT, stall_after=1))
    with client_for(server).messages.stream(
        model=MODEL, max_tokens=1024, messages=MESSAGES
    ) as stream:
        next(iter(stream.text_stream))
    assert server.wait_for_disconnect(DETECT)
    assert len(server.disconnects) == 1


def test_disconnect_during_headers_delay_is_noticed(server: LocalAPIServer) -> None:
    server.push(Scenario(text=TEXT, headers_delay=5.0))
    with pytest.raises(anthropic.APITimeoutError):
        stream_all(client_for(server, timeout=0.2))
    assert server.wait_for_disconnect(DETECT)


def test_stop_does_not_hang_on_a_stalled_handler(capfd: pytest.CaptureFixture[str]) -> None:
    server = LocalAPIServer(Scenario(text=TEXT, stall_after=0)).start()
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    body = json.dumps({"model": MODEL, "max_tokens": 5, "messages": MESSAGES, "stream": True})
    sock.sendall(
        (
            "POST /v1/messages HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\n\r\n{body}"
        ).encode()
    )
    assert sock.recv(4096).startswith(b"HTTP/1.1 200")
    start = time.monotonic()
    server.stop()
    server.stop()  # idempotent
    assert time.monotonic() - start < 1.0
    sock.settimeout(1.0)
    while sock.recv(4096):  # the server closed its side: the client is released
        pass
    sock.close()
    assert server.disconnects == []  # stopping is not a client disconnect
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_server_prints_nothing(server: LocalAPIServer, capfd: pytest.CaptureFixture[str]) -> None:
    server.push(
        Scenario(text=TEXT, drop_after=1), Scenario(status=500), Scenario(text=TEXT, ttft=5.0)
    )
    client = client_for(server)
    read_until_error(client)
    read_until_error(client)
    with client.messages.stream(model=MODEL, max_tokens=1024, messages=MESSAGES):
        pass
    assert server.wait_for_disconnect(1.0)
    raw_post(server, "/v1/nothing", {}).read()
    out, err = capfd.readouterr()
    assert out == "" and err == ""
