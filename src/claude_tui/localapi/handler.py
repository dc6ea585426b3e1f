"""One connection to the local API server: waits that notice the client leaving, unbuffered writes.

This is the plumbing under every response. Each wait is a short ``select`` on the socket, so a
client that goes away (a cancel, a read timeout) is noticed within a poll and recorded with the
owner (:class:`~claude_tui.localapi.owner.ConnectionOwner`), and a stopping server is noticed just
as fast. Each write goes to the socket at once, so the client sees every event when it is sent.
"""

from __future__ import annotations

import contextlib
import json
import select
import socket
import socketserver
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from claude_tui.localapi.owner import ConnectionOwner
from claude_tui.localapi.wire import (
    END_OF_BODY,
    JSON,
    REASONS,
    chunk,
    error_body,
    error_type_for,
    random_id,
    sse_event,
)

POLL = 0.05
"""Longest single ``select`` while waiting, so a stopping server is noticed promptly."""
DRAIN_PIECE = 1 << 16
"""How much of a refused body is read at a time (and dropped)."""
DRAIN_MAX = 256 * 1024 * 1024
"""The most of a refused body read before the connection is closed on the rest."""


class LocalHTTPServer(ThreadingHTTPServer):
    """The socket server; each connection gets a daemon thread with a ``handler``."""

    daemon_threads = True
    block_on_close = False  # stop() does its own bounded wait; never join a stalled handler
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        owner: ConnectionOwner,
        handler: type[ConnectionHandler],
    ) -> None:
        self.owner = owner
        super().__init__(address, handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse-DNS lookup (getfqdn), which can take seconds on a
        # machine with broken DNS; the name is only used in CGI environments.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Print nothing: the TUI owns the terminal, and a client going away is not an error."""


class ClientGone(Exception):
    """The client closed the connection, or the server is stopping: end this response."""


class ConnectionHandler(BaseHTTPRequestHandler):
    """Reading a request and writing a response on one kept-alive connection."""

    protocol_version = "HTTP/1.1"
    server_version = "claude-tui-localapi"
    sys_version = ""
    server: LocalHTTPServer

    def setup(self) -> None:
        super().setup()
        # Each event is one small write; without TCP_NODELAY, Nagle's algorithm could hold it
        # back for a delayed ACK (tens of ms) and distort TTFT and rate measurements.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._watchable = True
        self.server.owner.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.owner.untrack(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        """Print nothing (http.server logs every request to stderr by default)."""

    # -- waiting ----------------------------------------------------------------------------

    def _gone(self) -> ClientGone:
        """Record a disconnect (unless the server itself is stopping) and end the connection."""
        self.close_connection = True
        if not self.server.owner.stopping:
            self.server.owner.record_disconnect()
        return ClientGone()

    def _check_client(self, timeout: float) -> None:
        """Wait up to ``timeout`` for the client to close; raise :class:`ClientGone` if it does.

        A closed connection makes the socket readable with zero bytes to read (``MSG_PEEK``
        leaves any real bytes in place). If the client sends data instead — it cannot, mid
        response, short of pipelining — the socket can no longer be watched that way, and the
        wait becomes a plain sleep.
        """
        if self.server.owner.stopping:
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
            self._check_client(min(remaining, POLL))

    def _wait(self, seconds: float) -> None:
        self._wait_until(time.monotonic() + seconds)

    # -- reading ----------------------------------------------------------------------------

    def _read_body(self, limit: int) -> tuple[bytes | None, int]:
        """The body and its size; ``None`` for the body when it is over ``limit`` bytes.

        A body over the limit is read and dropped, never kept: its ``Content-Length`` says so
        before a byte is read, and a chunked one is dropped from the chunk that passes the
        limit. It is still read to its end (up to :data:`DRAIN_MAX`), because a client that is
        still sending when the connection closes sees a reset instead of the 413.
        """
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            parts: list[bytes] = []
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return (b"".join(parts) if total <= limit else None), total
                total += size
                if total <= limit:
                    parts.append(self.rfile.read(size))
                else:
                    parts.clear()
                    self._discard(size)
                self.rfile.readline()
        length = int(self.headers.get("content-length") or 0)
        if length > limit:
            self._discard(length)
            return None, length
        return (self.rfile.read(length) if length > 0 else b""), length

    def _discard(self, size: int) -> None:
        """Read ``size`` bytes (at most :data:`DRAIN_MAX`) a piece at a time, keeping none."""
        left = min(size, DRAIN_MAX)
        while left > 0:
            piece = self.rfile.read(min(left, DRAIN_PIECE))
            if not piece:
                return
            left -= len(piece)

    # -- writing ----------------------------------------------------------------------------

    def _send(self, data: bytes) -> None:
        """Write to the socket now; a write that fails means the client is gone."""
        try:
            self.connection.sendall(data)
        except OSError:
            raise self._gone() from None

    def _send_headers(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status, REASONS.get(status))
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
        self._send(chunk(data))

    def _send_event(self, name: str, payload: JSON) -> None:
        """One SSE event as one HTTP chunk, written to the socket at once (no buffering)."""
        self._check_client(0.0)
        self._send_chunk(sse_event(name, payload))

    def _end_body(self) -> None:
        self._send(END_OF_BODY)

    def _send_api_error(
        self,
        status: int,
        error_type: str | None = None,
        message: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """The API's error response: ``{"type": "error", "error": {...}, "request_id": ...}``,
        with ``error.details.error_code`` when ``message`` is a problem that has one."""
        kind = error_type or error_type_for(status)
        request_id = random_id("req_")
        payload = error_body(kind, message, request_id)
        code = getattr(message, "error_code", None)
        if isinstance(code, str):
            payload["error"]["details"] = {"error_code": code}
        self._send_json(status, payload, {"request-id": request_id, **(headers or {})})

    def _drop(self) -> None:
        """Close the connection mid-body: no terminating chunk, so the read is incomplete."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_WR)
