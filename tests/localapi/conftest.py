"""The SDK's client against the local server (``tests/conftest.py``'s ``server``), for the tests
that speak to the server directly, as the app would, without the app."""

from __future__ import annotations

import anthropic
import pytest

from claude_tui.localapi.server import LocalAPIServer


@pytest.fixture
def client(server: LocalAPIServer) -> anthropic.Anthropic:
    """No retries: a test sees exactly the answer the server gave."""
    return anthropic.Anthropic(api_key="test", base_url=server.base_url, max_retries=0)
