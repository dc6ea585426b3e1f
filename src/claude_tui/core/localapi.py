"""A local server that speaks the Anthropic Messages API over real HTTP.

It is two things at once:

* **Demo mode's backend.** The real client, with the real SDK, talks to this server, so the UI can
  be shown (and screenshotted) without an API key and every code path is the production one.
* **The test fixture for the stream runner.** Faults are scripted per request with a
  :class:`Scenario` — HTTP error statuses, an ``error`` event, a dropped connection, a stall, a
  malformed event, slow headers — and each one reaches the SDK exactly as the real API's would:
  over a socket, with chunked transfer encoding, so the SDK raises the same exceptions it raises in
  production (see ``/work/shared/reference/messages-api-streaming.md``).

The server also notices when the *client* goes away (cancel, read timeout) and records it in
:attr:`LocalAPIServer.disconnects`, which is how tests prove that cancelling really closes the
connection instead of leaving a request running.

Only the standard library is used: this module is part of ``core`` and must never import Textual
or Rich, so it can run in a plain test process or in a thread beside the TUI without printing.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import select
import socket
import socketserver
import string
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from claude_tui.core.demo_replies import REPLIES, make_thinking, pick_reply

__all__ = [
    "DEMO_SCENARIO",
    "MODELS",
    "LocalAPIServer",
    "Scenario",
    "estimate_tokens",
    "generate_text",
    "tokenize",
]

JSON = dict[str, Any]


@dataclass
class Scenario:
    """How the server answers one request.

    Fault knobs count *text* tokens (thinking tokens are not counted): ``error_after=3`` sends
    three text deltas, then the ``error`` event. A fault whose count is at least the number of text
    tokens fires after the last one, before ``content_block_stop``, so a fault that is set always
    happens. A stall that times out (``stall_seconds``) resumes the stream where it stopped.
    """

    text: str | None = None
    """Exact reply text; ``None`` picks a demo reply for the last user message and turn."""
    tokens: int | None = None
    """If set (and ``text`` is ``None``): a reply of about this many tokens, built from the demo
    replies and cut at a token boundary, with no trailing whitespace."""
    thinking: str | None = None
    """If set, a thinking block (index 0) streams before the text block (index 1). When ``None``
    and the request enables thinking, a short plausible thinking text is generated."""
    ttft: float = 0.0
    """Seconds between ``message_start`` and the first content block (time to first token)."""
    rate: float = 0.0
    """Tokens per second; 0 sends at full speed."""
    status: int | None = None
    """Answer with this HTTP error status and the API's error JSON instead of a stream."""
    error_type: str | None = None
    """Overrides ``error.type`` for ``status`` and for the ``error`` event."""
    error_message: str | None = None
    """Overrides ``error.message`` for ``status`` and for the ``error`` event."""
    retry_after: float | None = None
    """Adds a ``retry-after`` header (seconds) to an error status response."""
    error_after: int | None = None
    """After N text tokens, send ``event: error`` (default ``overloaded_error``); end the body."""
    drop_after: int | None = None
    """After N text tokens, close the connection mid-body (an incomplete chunked read)."""
    stall_after: int | None = None
    """After N text tokens, send nothing until the client leaves or ``stall_seconds`` pass."""
    stall_seconds: float = 3600.0
    malformed_after: int | None = None
    """After N text tokens, send a ``content_block_delta`` whose data is not JSON, end the body."""
    stop_reason: str = "end_turn"
    headers_delay: float = 0.0
    """Seconds to wait before the status line and headers (a stall before the response)."""
    should_retry: bool | None = None
    """If set, an error status response carries ``x-should-retry: true|false``."""


DEMO_SCENARIO = Scenario(ttft=0.35, rate=90.0)
"""Demo mode: a realistic pause before the first token, then a realistic token rate."""

MODELS: tuple[tuple[str, str, str], ...] = (
    ("claude-opus-5-5", "Claude Opus 5.5", "2026-02-24T00:00:00Z"),
    ("claude-sonnet-5-5", "Claude Sonnet 5.5", "2026-02-24T00:00:00Z"),
    ("claude-haiku-5-5", "Claude Haiku 5.5", "2026-02-24T00:00:00Z"),
)
"""``(id, display_name, created_at)`` of the models ``GET /v1/models`` lists."""

_DEFAULT_MODEL = "claude-sonnet-5-5"

_ERROR_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    503: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}
"""The API's ``error.type`` for each status it uses (the reference table)."""

_ERROR_MESSAGES: dict[str, str] = {
    "invalid_request_error": "Invalid request.",
    "authentication_error": "invalid x-api-key",
    "billing_error": "Your credit balance is too low to access the Anthropic API.",
    "permission_error": "Your API key does not have permission to use the specified resource.",
    "not_found_error": "Not found.",
    "request_too_large": "Request exceeds the maximum allowed number of bytes.",
    "rate_limit_error": "This request would exceed the rate limit for your organization.",
    "api_error": "Internal server error",
    "timeout_error": "Request timed out.",
    "overloaded_error": "Overloaded",
}

_REASONS: dict[int, str] = {413: "Request Entity Too Large", 529: "Overloaded"}
"""Reason phrases http.server does not know (it would send an empty one)."""

_POLL = 0.05
"""Longest single ``select`` while waiting, so a stopping server is noticed promptly."""

_TOKEN_RE = re.compile(r"\s*\S{1,4}|\s+")


def tokenize(text: str) -> list[str]:
    """Split ``text`` into chunks of about one token each; ``"".join(chunks) == text``.

    Words are cut into pieces of at most four characters with their leading whitespace attached,
    which is close to how real tokens are sized, so the stream looks and paces like the API's.
    Only a trailing run of whitespace becomes a chunk on its own.
    """
    return _TOKEN_RE.findall(text)


def generate_text(tokens: int) -> str:
    """A reply of about ``tokens`` tokens, made by concatenating the demo replies.

    Used for long-reply tests and benchmarks. It is cut at a token boundary and never ends in
    whitespace, because the API rejects an assistant turn that does (the app sends it back).
    """
    if tokens <= 0:
        return ""
    chunks: list[str] = []
    index = 0
    while len(chunks) < tokens:
        reply = REPLIES[index % len(REPLIES)]
        chunks.extend(tokenize(reply if index == 0 else "\n\n" + reply))
        index += 1
    return "".join(chunks[:tokens]).rstrip()


def _collect_text(value: Any, out: list[str]) -> None:
    """Append every piece of text in a ``system`` or ``messages`` value to ``out``."""
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, list):
        for item in value:
            _collect_text(item, out)
    elif isinstance(value, dict):
        for key in ("text", "thinking", "content"):
            if key in value:
                _collect_text(value[key], out)


def estimate_tokens(body: Any) -> int:
    """About a quarter of the characters of the request's text, and at least 1.

    Good enough for usage display and cost estimates in demo mode and tests; the exact count is
    not what anything here is testing.
    """
    if not isinstance(body, dict):
        return 1
    parts: list[str] = []
    _collect_text(body.get("system"), parts)
    _collect_text(body.get("messages"), parts)
    return max(1, (sum(len(part) for part in parts) + 3) // 4)


def _message_text(message: Any) -> str:
    """The text of one message, whether its content is a string or a list of blocks."""
    if not isinstance(message, dict):
        return ""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [
            block["text"]
            for block in content
            if isinstance(block, dict)
            and block.get("type") == "text"
            and isinstance(block.get("text"), str)
        ]
        return "\n".join(texts)
    return ""


def _last_user_text(body: JSON) -> str:
    messages = body.get("messages")
    if isinstance(messages, list):
        for message in reversed(messages):
            if isinstance(message, dict) and message.get("role") == "user":
                return _message_text(message)
    return ""


def _turn_index(body: JSON) -> int:
    """How many replies came before this one: the count of assistant messages in the history."""
    messages = body.get("messages")
    if not isinstance(messages, list):
        return 0
    return sum(1 for m in messages if isinstance(m, dict) and m.get("role") == "assistant")


def _thinking_enabled(body: JSON) -> bool:
    config = body.get("thinking")
    return isinstance(config, dict) and config.get("type") in ("enabled", "adaptive")


def _validate(body: Any) -> str | None:
    """The message the real API's 400 would carry for this body, or ``None`` if it is valid.

    Only what the app could plausibly get wrong is checked: the required fields and the history
    rules from the reference (first message from the user, no empty or whitespace-only text, no
    trailing whitespace on a final assistant turn). Catching these here means a test fails the way
    production would, instead of passing against a lenient fake.
    """
    if not isinstance(body, dict):
        return "Request body must be a JSON object."
    for name in ("model", "max_tokens", "messages"):
        if name not in body:
            return f"{name}: Field required"
    messages = body["messages"]
    if not isinstance(messages, list) or not messages:
        return "messages: at least one message is required"
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            return f"messages.{i}: role must be 'user' or 'assistant'"
    if messages[0]["role"] != "user":
        return 'messages: first message must use the "user" role'
    last = len(messages) - 1
    for i, message in enumerate(messages):
        is_final_assistant = i == last and message["role"] == "assistant"
        content = message.get("content")
        if isinstance(content, str):
            if not content.strip() and not (is_final_assistant and content == ""):
                return (
                    f"messages.{i}: all messages must have non-empty content except for the "
                    "optional final assistant message"
                )
        elif isinstance(content, list):
            if not content and not is_final_assistant:
                return (
                    f"messages.{i}: all messages must have non-empty content except for the "
                    "optional final assistant message"
                )
            for j, block in enumerate(content):
                if not isinstance(block, dict) or block.get("type") != "text":
                    continue
                text = block.get("text")
                if not isinstance(text, str) or not text.strip():
                    return (
                        f"messages.{i}.content.{j}.text: text content blocks must contain "
                        "non-whitespace text"
                    )
        else:
            return f"messages.{i}.content: Input should be a valid string or list"
    final = messages[last]
    if final["role"] == "assistant":
        text = _message_text(final)
        if text and text != text.rstrip():
            return "messages: final assistant content cannot end with trailing whitespace"
    return None


def _random_id(prefix: str) -> str:
    alphabet = string.ascii_letters + string.digits
    return prefix + "".join(random.choices(alphabet, k=24))


class _HTTPServer(ThreadingHTTPServer):
    """The socket server; each connection gets a daemon thread with a :class:`_Handler`."""

    daemon_threads = True
    block_on_close = False  # stop() does its own bounded wait; never join a stalled handler
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], owner: LocalAPIServer) -> None:
        self.owner = owner
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse-DNS lookup (getfqdn), which can take seconds on a
        # machine with broken DNS; the name is only used in CGI environments.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Print nothing: the TUI owns the terminal, and a client going away is not an error."""


class _ClientGone(Exception):
    """The client closed the connection, or the server is stopping: end this response."""


class _Handler(BaseHTTPRequestHandler):
    """Answers one connection's requests (keep-alive), following the scenario of each."""

    protocol_version = "HTTP/1.1"
    server_version = "claude-tui-localapi"
    sys_version = ""
    server: _HTTPServer

    # -- plumbing ---------------------------------------------------------------------------

    def setup(self) -> None:
        super().setup()
        # Each event is one small write; without TCP_NODELAY, Nagle's algorithm could hold it
        # back for a delayed ACK (tens of ms) and distort TTFT and rate measurements.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._watchable = True
        self.server.owner._track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.owner._untrack(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        """Print nothing (http.server logs every request to stderr by default)."""

    def _gone(self) -> _ClientGone:
        """Record a disconnect (unless the server itself is stopping) and end the connection."""
        self.close_connection = True
        if not self.server.owner._stopping.is_set():
            self.server.owner._record_disconnect()
        return _ClientGone()

    def _check_client(self, timeout: float) -> None:
        """Wait up to ``timeout`` for the client to close; raise :class:`_ClientGone` if it does.

        A closed connection makes the socket readable with zero bytes to read (``MSG_PEEK``
        leaves any real bytes in place). If the client sends data instead — it cannot, mid
        response, short of pipelining — the socket can no longer be watched that way, and the
        wait becomes a plain sleep.
        """
        if self.server.owner._stopping.is_set():
            raise self._gone()
        if not self._watchable:
            if timeout > 0:
                time.sleep(timeout)
            return
        sock = self.connection
        try:
            readable, _, _ = select.select([sock], [], [], max(0.0, timeout))
            if not readable:
                return
            data = sock.recv(1, socket.MSG_PEEK)
        except (OSError, ValueError):
            raise self._gone() from None
        if not data:
            raise self._gone()
        self._watchable = False

    def _wait_until(self, deadline: float) -> None:
        """Sleep until ``deadline`` (monotonic) while watching the client and the server."""
        while True:
            self._check_client(0.0)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self._check_client(min(remaining, _POLL))

    def _wait(self, seconds: float) -> None:
        self._wait_until(time.monotonic() + seconds)

    def _send(self, data: bytes) -> None:
        """Write to the socket now; a write that fails means the client is gone."""
        try:
            self.connection.sendall(data)
        except OSError:
            raise self._gone() from None

    def _send_headers(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status, _REASONS.get(status))
        for name, value in headers.items():
            self.send_header(name, value)
        try:
            self.end_headers()
        except OSError:
            raise self._gone() from None

    def _send_json(self, status: int, payload: JSON, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload).encode()
        all_headers = {"content-type": "application/json", "content-length": str(len(body))}
        all_headers.update(headers or {})
        self._send_headers(status, all_headers)
        self._send(body)

    def _send_chunk(self, data: bytes) -> None:
        self._send(b"%x\r\n%b\r\n" % (len(data), data))

    def _send_event(self, name: str, payload: JSON) -> None:
        """One SSE event as one HTTP chunk, written to the socket at once (no buffering)."""
        self._check_client(0.0)
        self._send_chunk(f"event: {name}\ndata: {json.dumps(payload)}\n\n".encode())

    def _end_body(self) -> None:
        self._send(b"0\r\n\r\n")

    def _send_api_error(
        self,
        status: int,
        error_type: str | None = None,
        message: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """The API's error response: ``{"type": "error", "error": {...}, "request_id": ...}``."""
        kind = error_type or _ERROR_TYPES.get(
            status, "api_error" if status >= 500 else "invalid_request_error"
        )
        request_id = _random_id("req_")
        payload: JSON = {
            "type": "error",
            "error": {"type": kind, "message": message or _ERROR_MESSAGES.get(kind, kind)},
            "request_id": request_id,
        }
        self._send_json(status, payload, {"request-id": request_id, **(headers or {})})

    # -- request entry points ---------------------------------------------------------------

    def _read_body(self) -> bytes:
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            parts: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self, method: str) -> None:
        self._watchable = True  # a new request on a kept-alive connection can be watched again
        raw = self._read_body()
        path = self.path.split("?", 1)[0]
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
        owner = self.server.owner
        owner._record_request(
            {
                "method": method,
                "path": path,
                "headers": {name.lower(): value for name, value in self.headers.items()},
                "body": body,
            }
        )
        route: Callable[[Any], None] | None = None
        if method == "POST" and path == "/v1/messages":
            route = self._messages
        elif method == "POST" and path == "/v1/messages/count_tokens":
            route = self._count_tokens
        elif method == "GET" and path == "/v1/models":
            route = self._models
        elif method == "GET" and path.startswith("/v1/models/"):
            route = self._model
        try:
            if route is None:
                self._send_api_error(404, message=f"Not found: {method} {path}")
            elif raw and body is None and method == "POST":
                self._send_api_error(400, message="Request body is not valid JSON.")
            else:
                route(body)
        except _ClientGone:
            self.close_connection = True

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    # -- routes -----------------------------------------------------------------------------

    def _models(self, _body: Any) -> None:
        data = [
            {"type": "model", "id": mid, "display_name": name, "created_at": created}
            for mid, name, created in MODELS
        ]
        self._send_json(
            200,
            {"data": data, "has_more": False, "first_id": data[0]["id"], "last_id": data[-1]["id"]},
        )

    def _model(self, _body: Any) -> None:
        wanted = self.path.split("?", 1)[0].rsplit("/", 1)[-1]
        for mid, name, created in MODELS:
            if mid == wanted:
                payload = {"type": "model", "id": mid, "display_name": name, "created_at": created}
                self._send_json(200, payload)
                return
        self._send_api_error(404, message=f"model: {wanted}")

    def _count_tokens(self, body: Any) -> None:
        self._send_json(200, {"input_tokens": estimate_tokens(body)})

    def _messages(self, body: Any) -> None:
        owner = self.server.owner
        scenario = owner._next_scenario()
        self._wait(scenario.headers_delay)
        if scenario.status is not None:
            headers: dict[str, str] = {}
            if scenario.retry_after is not None:
                headers["retry-after"] = f"{scenario.retry_after:g}"
            if scenario.should_retry is not None:
                headers["x-should-retry"] = "true" if scenario.should_retry else "false"
            self._send_api_error(
                scenario.status, scenario.error_type, scenario.error_message, headers
            )
            return
        if owner.validate:
            problem = _validate(body)
            if problem is not None:
                self._send_api_error(400, message=problem)
                return
        if not isinstance(body, dict):  # only possible with validation off
            body = {}
        reply = _Reply.build(scenario, body)
        if body.get("stream") is True:
            self._stream(scenario, reply)
        else:
            self._whole_message(scenario, reply)

    def _whole_message(self, scenario: Scenario, reply: _Reply) -> None:
        """A non-streaming reply: the whole Message after the whole generation time.

        Mid-stream faults map to what a non-streaming client can see: ``drop_after`` closes the
        connection before any response, ``stall_after`` delays the response, and ``error_after``
        becomes a 529 (or the ``error_type``'s) error status.
        """
        if scenario.drop_after is not None:
            raise _ClientGone()  # close without a response; not a client disconnect
        generation = scenario.ttft
        if scenario.rate > 0:
            generation += (len(reply.thinking_tokens) + len(reply.text_tokens)) / scenario.rate
        self._wait(generation)
        if scenario.stall_after is not None:
            self._wait(scenario.stall_seconds)
        if scenario.error_after is not None:
            kind = scenario.error_type or "overloaded_error"
            status = next((s for s, t in _ERROR_TYPES.items() if t == kind), 500)
            self._send_api_error(status, kind, scenario.error_message)
            return
        if scenario.malformed_after is not None:
            data = b"{not json"
            self._send_headers(
                200, {"content-type": "application/json", "content-length": str(len(data))}
            )
            self._send(data)
            return
        content: list[JSON] = []
        if reply.thinking is not None:
            content.append(
                {"type": "thinking", "thinking": reply.thinking, "signature": reply.signature}
            )
        content.append({"type": "text", "text": reply.text})
        message = reply.message_json(content, scenario.stop_reason)
        message["usage"]["output_tokens"] = len(reply.thinking_tokens) + len(reply.text_tokens)
        self._send_json(200, message, {"request-id": _random_id("req_")})

    def _stream(self, scenario: Scenario, reply: _Reply) -> None:
        """The SSE stream, event by event, with the scenario's timing and faults."""
        self._send_headers(
            200,
            {
                "content-type": "text/event-stream",
                "cache-control": "no-cache",
                "transfer-encoding": "chunked",
                "request-id": _random_id("req_"),
            },
        )
        self._send_event(
            "message_start",
            {"type": "message_start", "message": reply.message_json([], None)},
        )
        self._wait(scenario.ttft)

        pacer = _Pacer(scenario.rate)
        index = 0
        if reply.thinking is not None:
            self._block_start(0, {"type": "thinking", "thinking": "", "signature": ""})
            self._send_event("ping", {"type": "ping"})
            for chunk in reply.thinking_tokens:
                self._wait_until(pacer.next_due())
                self._delta(0, {"type": "thinking_delta", "thinking": chunk})
            self._delta(0, {"type": "signature_delta", "signature": reply.signature})
            self._send_event("content_block_stop", {"type": "content_block_stop", "index": 0})
            index = 1
            self._block_start(index, {"type": "text", "text": ""})
        else:
            self._block_start(index, {"type": "text", "text": ""})
            self._send_event("ping", {"type": "ping"})

        stalled = False
        for sent in range(len(reply.text_tokens) + 1):
            last = sent == len(reply.text_tokens)
            if not stalled and _due(scenario.stall_after, sent, last):
                stalled = True
                began = time.monotonic()
                self._wait(scenario.stall_seconds)
                pacer.shift(time.monotonic() - began)
            if _due(scenario.error_after, sent, last):
                kind = scenario.error_type or "overloaded_error"
                message = scenario.error_message or _ERROR_MESSAGES.get(kind, kind)
                self._send_event(
                    "error", {"type": "error", "error": {"type": kind, "message": message}}
                )
                self._end_body()
                return
            if _due(scenario.malformed_after, sent, last):
                self._check_client(0.0)
                self._send_chunk(b"event: content_block_delta\ndata: {not json\n\n")
                self._end_body()
                return
            if _due(scenario.drop_after, sent, last):
                self._drop()
                return
            if last:
                break
            self._wait_until(pacer.next_due())
            self._delta(index, {"type": "text_delta", "text": reply.text_tokens[sent]})

        self._send_event("content_block_stop", {"type": "content_block_stop", "index": index})
        self._send_event(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": scenario.stop_reason, "stop_sequence": None},
                "usage": {"output_tokens": pacer.sent},
            },
        )
        self._send_event("message_stop", {"type": "message_stop"})
        self._end_body()

    def _block_start(self, index: int, block: JSON) -> None:
        self._send_event(
            "content_block_start",
            {"type": "content_block_start", "index": index, "content_block": block},
        )

    def _delta(self, index: int, delta: JSON) -> None:
        self._send_event(
            "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
        )

    def _drop(self) -> None:
        """Close the connection mid-body: no terminating chunk, so the read is incomplete."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_WR)


def _due(after: int | None, sent: int, last: bool) -> bool:
    """Whether a fault set to fire after ``after`` text tokens fires now, ``sent`` tokens in."""
    return after is not None and (after == sent or (last and after > sent))


class _Pacer:
    """Token i is due at ``start + i / rate``: a schedule, so sleeps don't accumulate drift."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.sent = 0
        self.start = time.monotonic()

    def next_due(self) -> float:
        """The time the next token is due, counting it as sent."""
        due = self.start + self.sent / self.rate if self.rate > 0 else 0.0
        self.sent += 1
        return due

    def shift(self, seconds: float) -> None:
        """Move the schedule later (after a stall), so the stream resumes at its rate."""
        self.start += seconds


@dataclass
class _Reply:
    """What one request will be answered with, worked out before anything is sent."""

    model: str
    input_tokens: int
    text: str
    text_tokens: list[str]
    thinking: str | None
    thinking_tokens: list[str]
    signature: str

    @classmethod
    def build(cls, scenario: Scenario, body: JSON) -> _Reply:
        prompt = _last_user_text(body)
        turn = _turn_index(body)
        if scenario.text is not None:
            text = scenario.text
        elif scenario.tokens is not None:
            text = generate_text(scenario.tokens)
        else:
            text = pick_reply(prompt, turn)
        thinking = scenario.thinking
        if thinking is None and _thinking_enabled(body):
            thinking = make_thinking(prompt, turn)
        model = body.get("model")
        return cls(
            model=model if isinstance(model, str) else _DEFAULT_MODEL,
            input_tokens=estimate_tokens(body),
            text=text,
            text_tokens=tokenize(text),
            thinking=thinking,
            thinking_tokens=tokenize(thinking) if thinking is not None else [],
            signature="Eq" + _random_id("") + _random_id("") + "==",
        )

    def message_json(self, content: list[JSON], stop_reason: str | None) -> JSON:
        return {
            "id": _random_id("msg_"),
            "type": "message",
            "role": "assistant",
            "model": self.model,
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": {
                "input_tokens": self.input_tokens,
                "output_tokens": 1,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0,
            },
        }


class LocalAPIServer:
    """A Messages-API server on a local port, answering each request by a :class:`Scenario`.

    Use it as a context manager (or :meth:`start` / :meth:`stop`). Requests to
    ``POST /v1/messages`` take scenarios from the queue filled by :meth:`push`, first in first
    out, and use :attr:`default` when it is empty. Every request is recorded in :attr:`requests`,
    and every client that leaves before its response ended in :attr:`disconnects`.
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        validate: bool = True,
    ) -> None:
        self.default: Scenario = scenario if scenario is not None else Scenario()
        """The scenario used when the queue is empty."""
        self.validate = validate
        """Reject bodies the real API would reject (400), e.g. history that starts with the
        assistant or ends in whitespace. Turn off to test what happens with a lenient server."""
        self.requests: list[JSON] = []
        """Every request: ``{"method", "path", "headers" (lower-case keys), "body" (parsed JSON
        or ``None``)}``, in arrival order."""
        self.disconnects: list[float] = []
        """``time.monotonic()`` of each client that went away before its response ended."""
        self._host = host
        self._port = port
        self._queue: deque[Scenario] = deque()
        self._cond = threading.Condition()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> LocalAPIServer:
        """Bind (a free port unless one was given) and serve in daemon threads."""
        if self._httpd is not None:
            return self
        self._stopping.clear()
        httpd = _HTTPServer((self._host, self._port), self)
        self._httpd = httpd
        self._port = int(httpd.server_address[1])
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": _POLL},
            name=f"localapi:{self._port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every connection; safe to call twice, never hangs.

        Handlers mid-wait see the stop within ``_POLL`` seconds; open connections are shut down
        so that idle keep-alive readers and stalled clients are released at once.
        """
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        with self._cond:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
            self._thread = None
        with self._cond:
            self._cond.wait_for(lambda: not self._connections, timeout=1.0)

    def __enter__(self) -> LocalAPIServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT`` for ``anthropic.Anthropic(base_url=...)``."""
        if self._httpd is None:
            raise RuntimeError("LocalAPIServer is not running; call start() first")
        return f"http://{self._host}:{self._port}"

    @property
    def port(self) -> int:
        return self._port

    # -- scripting and observing ------------------------------------------------------------

    def push(self, *scenarios: Scenario) -> None:
        """Queue scenarios for the next ``POST /v1/messages`` requests, one each, in order."""
        with self._cond:
            self._queue.extend(scenarios)

    @property
    def pending(self) -> int:
        """How many pushed scenarios are still waiting for a request."""
        with self._cond:
            return len(self._queue)

    @property
    def message_requests(self) -> list[JSON]:
        """The recorded ``POST /v1/messages`` requests only."""
        with self._cond:
            return [
                r for r in self.requests if r["method"] == "POST" and r["path"] == "/v1/messages"
            ]

    def wait_for_requests(self, n: int, timeout: float) -> bool:
        """Whether at least ``n`` requests (of any path) arrive within ``timeout`` seconds."""
        with self._cond:
            return self._cond.wait_for(lambda: len(self.requests) >= n, timeout=timeout)

    def wait_for_disconnect(self, timeout: float, count: int = 1) -> bool:
        """Whether at least ``count`` client disconnects are recorded within ``timeout``."""
        with self._cond:
            return self._cond.wait_for(lambda: len(self.disconnects) >= count, timeout=timeout)

    # -- called from handler threads --------------------------------------------------------

    def _next_scenario(self) -> Scenario:
        with self._cond:
            return self._queue.popleft() if self._queue else self.default

    def _record_request(self, request: JSON) -> None:
        with self._cond:
            self.requests.append(request)
            self._cond.notify_all()

    def _record_disconnect(self) -> None:
        with self._cond:
            self.disconnects.append(time.monotonic())
            self._cond.notify_all()

    def _track(self, conn: socket.socket) -> None:
        with self._cond:
            self._connections.add(conn)

    def _untrack(self, conn: socket.socket) -> None:
        with self._cond:
            self._connections.discard(conn)
            self._cond.notify_all()
