"""Thinking signatures, and the sealed tokens of server-tool results: what the server signs with.

The real API signs each thinking block it sends and rejects one sent back whose text or signature
was altered. Here a signature is an HMAC of the thinking text under a secret made when the process
starts, so the server can check a block it issued without remembering it, and any change to the
text or the signature shows.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_SECRET = secrets.token_bytes(32)
"""This process's signing key; signatures from another process do not verify."""

_PREFIX = "Eq"
"""How the API's signatures look; nothing depends on it."""


def sign_thinking(thinking: str) -> str:
    """The signature this server issues for a thinking block with this text."""
    digest = hmac.new(_SECRET, thinking.encode(), hashlib.sha256).digest()
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
    digest = hmac.new(_SECRET, (prefix + data).encode(), hashlib.sha256).digest()
    return f"{prefix}{data}.{base64.urlsafe_b64encode(digest[:18]).decode()}"
