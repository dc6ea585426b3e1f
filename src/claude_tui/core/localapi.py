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

This module is the server's lifecycle and the routing of requests; the rest is in modules of its
own, and everything public is imported from here:

* ``localapi_scenario`` — :class:`Scenario`, :func:`tokenize`, the reply each request gets;
* ``localapi_request`` — reading a request body: validation, :func:`estimate_tokens`;
* ``localapi_wire`` — the wire format: SSE framing, error bodies, :data:`MODELS`;
* ``localapi_handler`` — one connection: select-based waits that notice the client leaving;
* ``localapi_reply`` — answering ``POST /v1/messages``: the stream loop and its faults.

Only the standard library is used: this module is part of ``core`` and must never import Textual
or Rich, so it can run in a plain test process or in a thread beside the TUI without printing.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from claude_tui.core.localapi_handler import POLL, ClientGone, LocalHTTPServer
from claude_tui.core.localapi_reply import MessagesHandler
from claude_tui.core.localapi_request import estimate_tokens
from claude_tui.core.localapi_scenario import DEMO_SCENARIO, Scenario, generate_text, tokenize
from claude_tui.core.localapi_wire import JSON, MODELS, find_model, models_page

__all__ = [
    "DEMO_SCENARIO",
    "MODELS",
    "LocalAPIServer",
    "Scenario",
    "estimate_tokens",
    "generate_text",
    "tokenize",
]


class _Handler(MessagesHandler):
    """Answers one connection's requests (keep-alive), following the scenario of each."""

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
        except ClientGone:
            self.close_connection = True

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    # -- routes other than POST /v1/messages (that one is MessagesHandler._messages) ---------

    def _models(self, _body: Any) -> None:
        self._send_json(200, models_page())

    def _model(self, _body: Any) -> None:
        wanted = self.path.split("?", 1)[0].rsplit("/", 1)[-1]
        model = find_model(wanted)
        if model is None:
            self._send_api_error(404, message=f"model: {wanted}")
        else:
            self._send_json(200, model)

    def _count_tokens(self, body: Any) -> None:
        self._send_json(200, {"input_tokens": estimate_tokens(body)})


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
        self._httpd: LocalHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> LocalAPIServer:
        """Bind (a free port unless one was given) and serve in daemon threads."""
        if self._httpd is not None:
            return self
        self._stopping.clear()
        httpd = LocalHTTPServer((self._host, self._port), self, _Handler)
        self._httpd = httpd
        self._port = int(httpd.server_address[1])
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": POLL},
            name=f"localapi:{self._port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every connection; safe to call twice, never hangs.

        Handlers mid-wait see the stop within ``POLL`` seconds; open connections are shut down
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
