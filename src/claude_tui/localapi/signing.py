"""Thinking signatures: what the server signs a thinking block with, and checks it by.

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
