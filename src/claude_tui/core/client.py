"""How to reach the API: key, address and the SDK client built from them.

The client is built the way the SDK builds it (``ANTHROPIC_API_KEY``, ``ANTHROPIC_BASE_URL``), with
the command line able to override the address. The key is only ever held in memory: nothing here
writes it anywhere.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from claude_tui.core.defaults import DEFAULT_REQUEST_TIMEOUT
from claude_tui.core.paths import key_file

if TYPE_CHECKING:
    import ssl

    from anthropic import Anthropic, AsyncAnthropic

DEFAULT_BASE_URL = "https://api.anthropic.com"


@dataclass(frozen=True)
class ApiSettings:
    api_key: str | None = field(default=None, repr=False)
    """Never shown in a repr, so it cannot leak into a log or a traceback."""
    base_url: str | None = None
    """``None`` lets the SDK use ``ANTHROPIC_BASE_URL`` or its default."""
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT

    @property
    def display_url(self) -> str:
        """The address requests go to, for messages to the user."""
        return self.base_url or os.environ.get("ANTHROPIC_BASE_URL") or DEFAULT_BASE_URL

    @property
    def has_credentials(self) -> bool:
        return bool(self.api_key) or bool(os.environ.get("ANTHROPIC_AUTH_TOKEN"))


def resolve_api_key(
    environ: Mapping[str, str] | None = None, key_path: Path | None = None
) -> str | None:
    """The key from ``ANTHROPIC_API_KEY``, else from the key file, else ``None``."""
    env = os.environ if environ is None else environ
    key = env.get("ANTHROPIC_API_KEY", "").strip()
    if key:
        return key
    path = key_file() if key_path is None else key_path
    try:
        key = path.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return key or None


def make_async_client(settings: ApiSettings) -> AsyncAnthropic:
    """An SDK client that does not retry on its own: the runner owns retries, so a
    ``retry-after`` can never hang a request silently and every wait is visible and cancellable."""
    import anthropic  # lazy: about a second of import time, paid in the worker thread

    return anthropic.AsyncAnthropic(
        api_key=settings.api_key,
        base_url=settings.base_url,
        max_retries=0,
        timeout=settings.request_timeout,
        http_client=anthropic.DefaultAsyncHttpxClient(verify=tls_context()),
    )


@lru_cache(maxsize=1)
def tls_context() -> ssl.SSLContext:
    """One TLS context for every reply's client, the one the SDK would build itself.

    Each reply runs on an event loop of its own, so it needs a client of its own; building the
    context (loading the CA bundle) took about 35 ms of every request's time to first token.
    A context is safe to share between threads."""
    import httpx2

    return httpx2.create_ssl_context()


def make_client(settings: ApiSettings, *, timeout: float | None = None) -> Anthropic:
    """A blocking SDK client for the short calls beside the chat (the models list, a token count),
    made from a worker thread. It does not retry either: such a call answers quickly or the app
    does without it, so ``timeout`` (default: the settings' request timeout) is its whole wait."""
    import anthropic  # lazy, as above

    return anthropic.Anthropic(
        api_key=settings.api_key,
        base_url=settings.base_url,
        max_retries=0,
        timeout=settings.request_timeout if timeout is None else timeout,
        http_client=anthropic.DefaultHttpxClient(verify=tls_context()),
    )


def warm_up_sdk() -> None:
    """Import the SDK and build the TLS context ahead of the first request (call from a
    background thread)."""
    import anthropic  # noqa: F401

    tls_context()
