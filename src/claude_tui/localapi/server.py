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

This module is the server's lifecycle and its scripting and observing; the rest is in modules of
its own, and everything public is imported from here:

* ``scenario`` — :class:`Scenario`, the reply each request gets;
* ``block_stream`` — how each content block streams (its start and deltas), :func:`tokenize`;
* ``signing`` — the thinking signatures the server issues and checks;
* ``request`` — reading a request body: validation, :func:`estimate_tokens`;
* ``attachments`` — image and document blocks: what each holds and costs (``image_header`` and
  ``pdf_facts`` read them with the standard library); ``attachment_checks`` — the API's 400s for
  them; ``attachment_reply`` — the demo reply that says what arrived;
* ``history`` — what the API rejects in blocks sent back; ``emitted`` — the blocks sent;
  ``memory`` — a server's key and its records of blocks sent; ``memory_file`` — the demo's,
  kept across runs;
* ``prompt_cache`` — prompt caching: what a request reads and writes, and its usage;
* ``wire`` — the wire format: paths, SSE framing, error bodies, the models list;
* ``models`` — :data:`MODELS`, what each accepts, and the 400s for what it does not;
* ``state`` — what the server and its handlers share, behind one lock; ``owner`` — the part of it
  a handler may use (:class:`~claude_tui.localapi.owner.ConnectionOwner`);
* ``handler`` — one connection: select-based waits that notice the client leaving;
* ``reply`` — answering ``POST /v1/messages``: the stream loop and its faults;
* ``routes`` — which route answers a request, and the routes other than messages.

The imports have no cycles: handlers know the server only through ``owner``, and nothing imports
this module but its users.

Only the standard library is used, and nothing else of the app: it can run in a plain test
process or in a thread beside the TUI without printing.
"""

from __future__ import annotations

import contextlib
import socket
import threading

from claude_tui.localapi.attachments import Attachment, received
from claude_tui.localapi.block_stream import tokenize
from claude_tui.localapi.emitted import EmittedBlocks
from claude_tui.localapi.handler import POLL, LocalHTTPServer
from claude_tui.localapi.memory import ServerMemory
from claude_tui.localapi.models import MODELS, ModelSpec
from claude_tui.localapi.prompt_cache import PromptCache
from claude_tui.localapi.request import estimate_tokens
from claude_tui.localapi.routes import RoutingHandler
from claude_tui.localapi.scenario import DEMO_SCENARIO, Scenario, generate_text
from claude_tui.localapi.state import ServerState
from claude_tui.localapi.wire import (
    COUNT_TOKENS_ROUTE,
    JSON,
    MESSAGES_ROUTE,
    MODEL_ROUTE,
    MODELS_ROUTE,
    ROUTES,
)

__all__ = [
    "COUNT_TOKENS_ROUTE",
    "DEMO_SCENARIO",
    "MESSAGES_ROUTE",
    "MODELS",
    "MODELS_ROUTE",
    "MODEL_ROUTE",
    "ROUTES",
    "Attachment",
    "LocalAPIServer",
    "ModelSpec",
    "Scenario",
    "estimate_tokens",
    "generate_text",
    "tokenize",
]


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
        models: tuple[ModelSpec, ...] = MODELS,
        memory: ServerMemory | None = None,
    ) -> None:
        """``models``: what ``GET /v1/models`` lists and each model accepts (a test may give a
        model a small window). ``memory``: the key and the record of blocks sent that a history
        is checked against; by default a fresh one in memory under the process's key (the demo
        gives one kept in a file, :func:`~claude_tui.localapi.memory_file.load_memory`)."""
        self._state = ServerState(
            scenario if scenario is not None else Scenario(), validate, models, memory
        )
        self._host = host
        self._port = port
        self._httpd: LocalHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- settings ---------------------------------------------------------------------------

    @property
    def default(self) -> Scenario:
        """The scenario used when the queue is empty."""
        return self._state.default

    @default.setter
    def default(self, scenario: Scenario) -> None:
        self._state.default = scenario

    @property
    def validate(self) -> bool:
        """Reject bodies the real API would reject (400), e.g. history that starts with the
        assistant, ends in whitespace, or alters a block this server sent. Turn off to test what
        happens with a lenient server."""
        return self._state.validate

    @validate.setter
    def validate(self, value: bool) -> None:
        self._state.validate = value

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> LocalAPIServer:
        """Bind (a free port unless one was given) and serve in daemon threads."""
        if self._httpd is not None:
            return self
        self._state.set_stopping(False)
        httpd = LocalHTTPServer((self._host, self._port), self._state, RoutingHandler)
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
        so that idle keep-alive readers and stalled clients are released at once. A memory kept
        in a file is written out last.
        """
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._state.set_stopping(True)
        httpd.shutdown()
        for conn in self._state.open_connections():
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2.0)
            self._thread = None
        self._state.wait_for_no_connections(timeout=1.0)
        self._state.memory.flush()  # the demo's file: what a timer has not written yet

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
        self._state.push(route, scenarios)

    @property
    def pending(self) -> int:
        """How many pushed scenarios, for any route, are still waiting for a request."""
        return self._state.pending()

    @property
    def requests(self) -> list[JSON]:
        """Every request: ``{"method", "path", "headers" (lower-case keys), "body" (parsed JSON
        or ``None``)}``, in arrival order."""
        return self._state.requests

    @property
    def message_requests(self) -> list[JSON]:
        """The recorded ``POST /v1/messages`` requests only."""
        return self._state.message_requests()

    @property
    def disconnects(self) -> list[float]:
        """``time.monotonic()`` of each client that went away before its response ended."""
        return self._state.disconnects

    @property
    def emitted_blocks(self) -> EmittedBlocks:
        """The finished blocks this server sent that a history may send back only unchanged."""
        return self._state.emitted_blocks

    @property
    def prompt_cache(self) -> PromptCache:
        """The prefixes requests asked to cache (:mod:`prompt_cache`); set its ``clock`` to
        move time past a TTL without waiting."""
        return self._state.prompt_cache

    def received_attachments(self, request_index: int) -> list[Attachment]:
        """What request ``request_index`` (of :attr:`requests`, any route; negative counts from
        the end) carried in its image and document blocks, as the server read them: kind,
        media type, size and SHA-256 of the decoded bytes, pixel size, pages or lines, title,
        token cost (:class:`~claude_tui.localapi.attachments.Attachment`). Empty for a request
        with none, or whose body was refused unread (over 32 MB)."""
        return received(self.requests[request_index]["body"])

    def wait_for_requests(self, n: int, timeout: float) -> bool:
        """Whether at least ``n`` requests (of any path) arrive within ``timeout`` seconds."""
        return self._state.wait_for_requests(n, timeout)

    def wait_for_disconnect(self, timeout: float, count: int = 1) -> bool:
        """Whether at least ``count`` client disconnects are recorded within ``timeout``."""
        return self._state.wait_for_disconnect(timeout, count)
