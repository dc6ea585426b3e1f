"""Fixtures shared by every test.

No test touches the network or the developer's own files: the environment is cleaned of API
settings, config, data and cache dirs point into a temporary folder, and every API call goes to the
local Messages-API server over real HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import anthropic  # noqa: F401  imported once here, so no app under test pays for it in a thread
import pytest

from claude_tui.core.client import ApiSettings
from claude_tui.localapi.server import LocalAPIServer, Scenario

from . import idle

idle.install()


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def server() -> Iterator[LocalAPIServer]:
    """A local Messages-API server at full speed; push a ``Scenario`` to shape one reply."""
    with LocalAPIServer(Scenario()) as running:
        yield running


@pytest.fixture
def api(server: LocalAPIServer) -> ApiSettings:
    return ApiSettings(api_key="test-key", base_url=server.base_url, request_timeout=10.0)
