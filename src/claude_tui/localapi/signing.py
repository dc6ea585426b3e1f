"""Thinking signatures, and the sealed tokens of server-tool results: what the server signs with.

The real API signs each thinking block it sends and rejects one sent back whose text or signature
was altered. Here a signature is an HMAC of the thinking text under a secret key, so the server
can check a block it issued without remembering it, and any change to the text or the signature
shows.

The key is the one of the server answering the request: each handler thread runs under its
server's key (:func:`signing_with`). A server's key is made when the process starts
(:data:`PROCESS_KEY`, what tests use), unless it was given one: the demo keeps its key in a file
(:mod:`~claude_tui.localapi.memory_file`), so what it signed in an earlier run still verifies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

KEY_BYTES = 32
"""The size of a signing key."""

PROCESS_KEY = secrets.token_bytes(KEY_BYTES)
"""The key of every server not given one; signatures from another process do not verify."""

_key: ContextVar[bytes] = ContextVar("localapi_signing_key", default=PROCESS_KEY)


def new_key() -> bytes:
    """A fresh random signing key."""
    return secrets.token_bytes(KEY_BYTES)


@contextmanager
def signing_with(key: bytes) -> Iterator[None]:
    """Sign and verify with ``key`` inside the block (in this thread only)."""
    token = _key.set(key)
    try:
        yield
    finally:
        _key.reset(token)


_PREFIX = "Eq"
"""How the API's signatures look; nothing depends on it."""


def sign_thinking(thinking: str) -> str:
    """The signature this server issues for a thinking block with this text."""
    digest = hmac.new(_key.get(), thinking.encode(), hashlib.sha256).digest()
    return _PREFIX + base64.b64encode(digest).decode()


def signature_is_valid(thinking: str, signature: str) -> bool:
    """Whether ``signature`` is the one this server issued for exactly ``thinking``."""
    return hmac.compare_digest(sign_thinking(thinking), signature)


def seal(payload: str, prefix: str) -> str:
    """An opaque token carrying ``payload`` (an ``encrypted_content``, an ``encrypted_index``):
    ``prefix``, the payload in URL-safe base64, and its HMAC, so :func:`unseal` can read back a
    token this server issued and tell any other apart."""
    return _sealed(base64.urlsafe_b64encode(payload.encode()).decode(), prefix)


def unseal(token: str, prefix: str) -> str | None:
    """The payload of a token :func:`seal` issued with ``prefix``, or ``None`` for any other."""
    if not token.startswith(prefix) or "." not in token:
        return None
    data = token[len(prefix) :].rsplit(".", 1)[0]
    if not hmac.compare_digest(_sealed(data, prefix), token):
        return None
    try:
        return base64.urlsafe_b64decode(data.encode()).decode()
    except ValueError:
        return None


def _sealed(data: str, prefix: str) -> str:
    digest = hmac.new(_key.get(), (prefix + data).encode(), hashlib.sha256).digest()
    return f"{prefix}{data}.{base64.urlsafe_b64encode(digest[:18]).decode()}"
