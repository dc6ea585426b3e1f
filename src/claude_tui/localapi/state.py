"""The local server's shared state: scenario queues, records, open connections, stopping.

:class:`~claude_tui.localapi.server.LocalAPIServer` (the test's side) and the connection handlers
(one thread each) share this one object, and every access is under one condition variable, which
also wakes whoever waits for a request or a disconnect. It implements the handlers' side,
:class:`~claude_tui.localapi.owner.ConnectionOwner`, and the server's side (queueing, waiting,
the shutdown of open connections).
"""

from __future__ import annotations

import socket
import threading
import time
from collections import deque

from claude_tui.localapi.emitted import EmittedBlocks
from claude_tui.localapi.memory import ServerMemory
from claude_tui.localapi.models import MODELS, ModelSpec
from claude_tui.localapi.prompt_cache import PromptCache
from claude_tui.localapi.scenario import Scenario
from claude_tui.localapi.wire import JSON, MESSAGES_ROUTE, ROUTES


class ServerState:
    """Everything the server and its handlers share, each part behind the same lock."""

    def __init__(
        self,
        default: Scenario,
        validate: bool,
        models: tuple[ModelSpec, ...] = MODELS,
        memory: ServerMemory | None = None,
    ) -> None:
        self.default = default
        self.validate = validate
        self.models = models
        self.requests: list[JSON] = []
        self.disconnects: list[float] = []
        self.memory = memory if memory is not None else ServerMemory()
        """The key and the blocks sent (thread-safe themselves)."""
        self.prompt_cache = PromptCache()
        """What requests that asked for caching wrote, for the requests after them to read
        (thread-safe itself)."""
        self._queues: dict[str, deque[Scenario]] = {route: deque() for route in ROUTES}
        self._cond = threading.Condition()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()

    # -- the handlers' side (ConnectionOwner) -----------------------------------------------

    @property
    def signing_key(self) -> bytes:
        return self.memory.key

    @property
    def emitted_blocks(self) -> EmittedBlocks:
        return self.memory.emitted

    @property
    def paused_endings(self) -> EmittedBlocks:
        return self.memory.paused

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def next_message_scenario(self) -> Scenario:
        with self._cond:
            queue = self._queues[MESSAGES_ROUTE]
            return queue.popleft() if queue else self.default

    def next_route_scenario(self, route: str) -> Scenario | None:
        with self._cond:
            queue = self._queues[route]
            return queue.popleft() if queue else None

    def record_request(self, request: JSON) -> None:
        with self._cond:
            self.requests.append(request)
            self._cond.notify_all()

    def record_disconnect(self) -> None:
        with self._cond:
            self.disconnects.append(time.monotonic())
            self._cond.notify_all()

    def track(self, conn: socket.socket) -> None:
        with self._cond:
            self._connections.add(conn)

    def untrack(self, conn: socket.socket) -> None:
        with self._cond:
            self._connections.discard(conn)
            self._cond.notify_all()

    # -- the server's side ------------------------------------------------------------------

    def set_stopping(self, stopping: bool) -> None:
        if stopping:
            self._stopping.set()
        else:
            self._stopping.clear()

    def push(self, route: str, scenarios: tuple[Scenario, ...]) -> None:
        with self._cond:
            self._queues[route].extend(scenarios)

    def pending(self) -> int:
        with self._cond:
            return sum(len(queue) for queue in self._queues.values())

    def message_requests(self) -> list[JSON]:
        with self._cond:
            return [
                r for r in self.requests if r["method"] == "POST" and r["path"] == MESSAGES_ROUTE
            ]

    def wait_for_requests(self, n: int, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: len(self.requests) >= n, timeout=timeout)

    def wait_for_disconnect(self, timeout: float, count: int) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: len(self.disconnects) >= count, timeout=timeout)

    def open_connections(self) -> list[socket.socket]:
        with self._cond:
            return list(self._connections)

    def wait_for_no_connections(self, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: not self._connections, timeout=timeout)
