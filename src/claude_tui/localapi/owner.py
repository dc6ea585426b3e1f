"""What a connection handler needs from the server that owns it: the whole of their contract.

Handlers run in their own threads and must not reach into the server. They see it only through
:class:`ConnectionOwner`: the next scenario to answer with, the records to add to (requests,
disconnects, open connections), whether to validate and against which sent blocks, and whether
the server is stopping. :class:`~claude_tui.localapi.state.ServerState` is the implementation.
"""

from __future__ import annotations

import socket
from typing import Protocol

from claude_tui.localapi.emitted import EmittedBlocks
from claude_tui.localapi.models import ModelSpec
from claude_tui.localapi.prompt_cache import PromptCache
from claude_tui.localapi.scenario import Scenario
from claude_tui.localapi.wire import JSON


class ConnectionOwner(Protocol):
    """The server as its connection handlers see it; every member is safe from any thread."""

    @property
    def stopping(self) -> bool:
        """The server is shutting down: end every response now (not a client disconnect)."""
        ...

    @property
    def validate(self) -> bool:
        """Reject bodies the real API would reject."""
        ...

    @property
    def models(self) -> tuple[ModelSpec, ...]:
        """The models this server lists, each with what it accepts."""
        ...

    @property
    def signing_key(self) -> bytes:
        """What this server signs and verifies thinking signatures and sealed tokens with."""
        ...

    @property
    def emitted_blocks(self) -> EmittedBlocks:
        """The blocks sent that a history may send back only unchanged."""
        ...

    @property
    def paused_endings(self) -> EmittedBlocks:
        """The whole content of the replies that stopped with ``pause_turn``: a final assistant
        message holding one resumes it, which a model without prefill takes too (see
        :mod:`prefill`)."""
        ...

    @property
    def prompt_cache(self) -> PromptCache:
        """The prompt cache of this server, which every request that asks for caching uses."""
        ...

    def next_message_scenario(self) -> Scenario:
        """The scenario for the next ``POST /v1/messages`` (the default when none is queued)."""
        ...

    def next_route_scenario(self, route: str) -> Scenario | None:
        """The scripted fault for the next request to ``route``, if one is queued."""
        ...

    def record_request(self, request: JSON) -> None: ...

    def record_disconnect(self) -> None:
        """A client went away before its response ended."""
        ...

    def track(self, conn: socket.socket) -> None:
        """A connection opened; the server shuts it down when it stops."""
        ...

    def untrack(self, conn: socket.socket) -> None:
        """A connection closed."""
        ...
