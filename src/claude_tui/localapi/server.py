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

* ``scenario`` — :class:`Scenario`, the reply each request gets;
* ``block_stream`` — how each content block streams (its start and deltas), :func:`tokenize`;
* ``signing`` — the thinking signatures the server issues and checks;
* ``request`` — reading a request body: validation, :func:`estimate_tokens`;
* ``wire`` — the wire format: SSE framing, error bodies, :data:`MODELS`;
* ``handler`` — one connection: select-based waits that notice the client leaving;
* ``reply`` — answering ``POST /v1/messages``: the stream loop and its faults.

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
from urllib.parse import parse_qsl

from claude_tui.localapi.block_stream import tokenize
from claude_tui.localapi.emitted import EmittedBlocks
from claude_tui.localapi.handler import POLL, ClientGone, LocalHTTPServer
from claude_tui.localapi.reply import MessagesHandler
from claude_tui.localapi.request import COUNT_TOKENS_FIELDS, estimate_tokens, validate_body
from claude_tui.localapi.scenario import DEMO_SCENARIO, Scenario, generate_text
from claude_tui.localapi.wire import JSON, MODELS, find_model, models_page, random_id

MESSAGES_ROUTE = "/v1/messages"
COUNT_TOKENS_ROUTE = "/v1/messages/count_tokens"
MODELS_ROUTE = "/v1/models"
MODEL_ROUTE = "/v1/models/{model_id}"
ROUTES = (MESSAGES_ROUTE, COUNT_TOKENS_ROUTE, MODELS_ROUTE, MODEL_ROUTE)
"""What :meth:`LocalAPIServer.push` can script, named by the API's path templates."""

__all__ = [
    "COUNT_TOKENS_ROUTE",
    "DEMO_SCENARIO",
    "MESSAGES_ROUTE",
    "MODELS",
    "MODELS_ROUTE",
    "MODEL_ROUTE",
    "ROUTES",
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
        route = ""
        answer: Callable[[Any], None] | None = None
        if method == "POST" and path == MESSAGES_ROUTE:
            route, answer = MESSAGES_ROUTE, self._messages
        elif method == "POST" and path == COUNT_TOKENS_ROUTE:
            route, answer = COUNT_TOKENS_ROUTE, self._count_tokens
        elif method == "GET" and path == MODELS_ROUTE:
            route, answer = MODELS_ROUTE, self._models
        elif method == "GET" and path.startswith(MODELS_ROUTE + "/"):
            route, answer = MODEL_ROUTE, self._model
        try:
            if answer is None:
                self._send_api_error(404, message=f"Not found: {method} {path}")
            elif raw and body is None and method == "POST":
                self._send_api_error(400, message="Request body is not valid JSON.")
            elif route == MESSAGES_ROUTE:
                answer(body)  # takes its own scenario: it has more to follow than an error
            else:
                scenario = owner._next_route_scenario(route)
                if scenario is None or not self._route_fault(scenario):
                    answer(body)
        except ClientGone:
            self.close_connection = True

    def _route_fault(self, scenario: Scenario) -> bool:
        """A scripted fault for a route other than ``POST /v1/messages``; whether it answered.

        Only what fits a plain JSON response applies: ``headers_delay``, an error ``status`` (with
        its ``error_type``, ``error_message``, ``retry_after``, ``should_retry``), and
        ``drop_after`` (any value), which closes the connection without a response.
        """
        if self._scripted_error(scenario):
            return True
        if scenario.drop_after is not None:
            raise ClientGone()  # close without a response; not a client disconnect
        return False

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    # -- routes other than POST /v1/messages (that one is MessagesHandler._messages) ---------

    def _send_ok(self, payload: JSON) -> None:
        """A 200 JSON response with the ``request-id`` header every API response carries."""
        self._send_json(200, payload, {"request-id": random_id("req_")})

    def _models(self, _body: Any) -> None:
        query = dict(parse_qsl(self.path.partition("?")[2]))
        page = models_page(query)
        if isinstance(page, str):
            self._send_api_error(400, message=page)
        else:
            self._send_ok(page)

    def _model(self, _body: Any) -> None:
        wanted = self.path.split("?", 1)[0].rsplit("/", 1)[-1]
        model = find_model(wanted)
        if model is None:
            self._send_api_error(404, message=f"model: {wanted}")
        else:
            self._send_ok(model)

    def _count_tokens(self, body: Any) -> None:
        """The estimate :func:`estimate_tokens` gives, after the same validation as a message
        (less ``max_tokens``, which this endpoint does not take)."""
        if self.server.owner.validate:
            problem = validate_body(body, COUNT_TOKENS_FIELDS, self.server.owner.emitted_blocks)
            if problem is not None:
                self._send_api_error(400, message=problem)
                return
        self._send_ok({"input_tokens": estimate_tokens(body)})


class LocalAPIServer:
    """A Messages-API server on a local port, answering each request by a :class:`Scenario`.

    Use it as a context manager (or :meth:`start` / :meth:`stop`). Requests to
    ``POST /v1/messages`` take scenarios from the queue filled by :meth:`push`, first in first
    out, and use :attr:`default` when it is empty. The other routes (:data:`ROUTES`) have queues
    of their own, for faults only, and answer normally when theirs is empty. Every request is
    recorded in :attr:`requests`, and every client that leaves before its response ended in
    :attr:`disconnects`.
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
        self.emitted_blocks = EmittedBlocks()
        """The blocks sent in replies, which a history may send back only unchanged."""
        self._host = host
        self._port = port
        self._queues: dict[str, deque[Scenario]] = {route: deque() for route in ROUTES}
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

    def push(self, *scenarios: Scenario, route: str = MESSAGES_ROUTE) -> None:
        """Queue scenarios for the next requests to ``route`` (one of :data:`ROUTES`; by default
        ``POST /v1/messages``), one each, in order."""
        if route not in ROUTES:
            raise ValueError(f"no such route: {route!r}; one of {', '.join(ROUTES)}")
        with self._cond:
            self._queues[route].extend(scenarios)

    @property
    def pending(self) -> int:
        """How many pushed scenarios, for any route, are still waiting for a request."""
        with self._cond:
            return sum(len(queue) for queue in self._queues.values())

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
            queue = self._queues[MESSAGES_ROUTE]
            return queue.popleft() if queue else self.default

    def _next_route_scenario(self, route: str) -> Scenario | None:
        with self._cond:
            queue = self._queues[route]
            return queue.popleft() if queue else None

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
