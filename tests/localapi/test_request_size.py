"""A request body over 32 MB gets the API's 413, decided before the body is read, and the body
is never held: the client sees the 413 (not a reset) and the server stays usable.
"""

from __future__ import annotations

import http.client
import json
import tracemalloc

import anthropic
import pytest

from claude_tui.localapi.server import LocalAPIServer
from claude_tui.localapi.wire import REQUEST_MAX_BYTES

from .attachment_samples import MODEL

PIECE = b"a" * (1 << 16)


def test_the_sdk_gets_the_413_for_a_body_over_32_mb(server: LocalAPIServer) -> None:
    client = anthropic.Anthropic(api_key="test", base_url=server.base_url, max_retries=0)
    text = "a" * REQUEST_MAX_BYTES  # the JSON around it takes the body over the limit
    with pytest.raises(anthropic.ContentTooLargeError) as info:
        client.messages.create(
            model=MODEL, max_tokens=8, messages=[{"role": "user", "content": text}]
        )
    assert info.value.status_code == 413
    assert info.value.body == {
        "error": {"type": "request_too_large", "message": "Request exceeds the maximum size"}
    }
    assert info.value.type == "request_too_large"
    [request] = server.requests
    assert request["body"] is None
    assert request["body_size"] > REQUEST_MAX_BYTES
    assert server.received_attachments(0) == []
    assert server.disconnects == []
    # The server is still there for the next request, and a body at the limit is read.
    reply = client.messages.create(
        model=MODEL, max_tokens=8, messages=[{"role": "user", "content": "hello"}]
    )
    assert reply.content


def test_the_refused_body_is_read_and_dropped_not_kept(server: LocalAPIServer) -> None:
    """Sent a piece at a time with its length declared, so the client holds 64 KB at once;
    the whole process's peak allocation shows the server did not keep the 33 MB either."""
    pieces = REQUEST_MAX_BYTES // len(PIECE) + 16
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    tracemalloc.start()
    try:
        connection.request(
            "POST",
            "/v1/messages",
            body=(PIECE for _ in range(pieces)),
            headers={
                "content-length": str(pieces * len(PIECE)),
                "content-type": "application/json",
            },
        )
        response = connection.getresponse()
        payload = json.loads(response.read())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        connection.close()
    assert response.status == 413
    assert response.getheader("connection") == "close"
    assert payload["error"]["type"] == "request_too_large"
    assert peak < 4 * 1024 * 1024
