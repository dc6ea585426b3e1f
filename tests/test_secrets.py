"""Secrets and files (issue 5): the API key is never written anywhere; files 0600, folders 0700.

One run does everything that writes: an exchange, a 401, a rename, a theme change saved to the
config file, exports in both formats and a screenshot. Then every file the app owns is searched
for the key, byte for byte.
"""

from __future__ import annotations

import stat
from dataclasses import replace
from pathlib import Path

import pytest

from claude_tui.cli.main import main
from claude_tui.core import paths
from claude_tui.core.client import ApiSettings
from claude_tui.core.config import config_path, ensure_config
from claude_tui.localapi.server import LocalAPIServer, Scenario
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.screens.dialogs import RenameScreen
from claude_tui.ui.widgets.message import AssistantMessage
from claude_tui.ui.widgets.sidebar import SessionList, SessionSidebar

from .ui.helpers import options, send_and_finish, wait_until

KEY = "sk-ant-test-SECRET-1234567890"
NEEDLES = (KEY.encode(), b"SECRET-1234567890")
"""The key, and its distinctive part (in case something writes it cut or prefixed)."""


async def test_the_api_key_is_written_nowhere(
    server: LocalAPIServer, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    config = config_path()
    assert ensure_config(config)
    api = ApiSettings(api_key=KEY, base_url=server.base_url, request_timeout=10.0)
    app = ClaudeTUI(replace(options(api), config_path=config))
    async with app.run_test(size=(120, 36)) as pilot:
        server.push(Scenario(text="Here is an answer worth saving."))
        await send_and_finish(pilot, "Hello, please remember this")
        server.push(Scenario(status=401))
        await send_and_finish(pilot, "And once more")
        notice = app.query(AssistantMessage).last().query_one(".notice")
        assert "Authentication failed" in str(notice.render())

        sidebar = app.query_one(SessionSidebar)
        await wait_until(pilot, lambda: len(sidebar.sessions) == 1)
        app.query_one(SessionList).focus()
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, RenameScreen))
        await pilot.press(*"Renamed session", "enter")
        await wait_until(pilot, lambda: [s.title for s in sidebar.sessions] == ["Renamed session"])

        theme = app.theme
        await pilot.press("ctrl+t")
        assert app.theme != theme
        await wait_until(pilot, lambda: f'theme = "{app.theme}"' in config.read_text())

        screenshot = app.export_screenshot()
    # the key really was in use: every request carried it (the SDK picks the header)
    for request in server.message_requests:
        assert any(KEY in value for value in request["headers"].values())

    exports = [tmp_path / "export.json", tmp_path / "export.md"]
    assert main(["export", "latest", "--format", "json", "-o", str(exports[0])]) == 0
    assert main(["export", "latest", "--format", "md", "-o", str(exports[1])]) == 0
    assert "Renamed session" in exports[0].read_text()  # the exports hold the session

    config_home, data_home = tmp_path / "config", tmp_path / "data"
    written = [p for home in (config_home, data_home) for p in home.rglob("*") if p.is_file()]
    assert config in written and paths.data_dir() / "sessions.db" in written
    captured = capfd.readouterr()
    for name, content in [
        *((str(p), p.read_bytes()) for p in [*written, *exports]),
        ("the screenshot", screenshot.encode()),
        ("stdout", captured.out.encode()),
        ("stderr", captured.err.encode()),
    ]:
        for needle in NEEDLES:
            assert needle not in content, f"the API key is in {name}"

    # files 0600, folders 0700: everything the app owns, and the exports
    for directory in (paths.config_dir(), paths.data_dir()):
        assert mode(directory) == 0o700, directory
        for path in directory.rglob("*"):
            assert mode(path) == (0o700 if path.is_dir() else 0o600), path
    for path in exports:
        assert mode(path) == 0o600, path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)
