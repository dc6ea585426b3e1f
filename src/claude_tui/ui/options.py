"""Everything the UI needs to know at start-up, gathered by the CLI in one value."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from claude_tui.core.client import ApiSettings
from claude_tui.core.config import Settings
from claude_tui.core.request import stream_request
from claude_tui.core.request_shape import THINKING_HEADROOM
from claude_tui.core.runner import RunnerSettings
from claude_tui.core.themes import ThemeSpec

__all__ = ["THINKING_HEADROOM", "AppOptions", "runner_settings", "stream_request"]
"""``stream_request`` lives in ``core.request`` (``/context`` shows what it builds); it is
re-exported here for the screens that import it from this module."""


@dataclass(frozen=True)
class AppOptions:
    api: ApiSettings = field(default_factory=ApiSettings)
    settings: Settings = field(default_factory=Settings)
    """The config file's settings with this run's command-line overrides on top."""
    demo: bool = False
    """Talking to the embedded local server rather than the real API."""
    store_path: Path | None = None
    """The session database; ``None`` is the default under the user data dir."""
    open_session_id: str | None = None
    """A saved session to open at start-up (``--continue``, ``--session``)."""
    config_path: Path | None = None
    """Where settings changed in the app are saved; ``None`` keeps them for this run only."""
    notices: tuple[str, ...] = ()
    """Problems found before start-up (config values, theme files), shown on screen."""
    themes: tuple[ThemeSpec, ...] = ()
    """Shipped and user theme files, parsed."""


def runner_settings(settings: Settings) -> RunnerSettings:
    return RunnerSettings(
        refresh_rate=settings.refresh_rate,
        idle_timeout=settings.stream_idle_timeout,
        max_retries=settings.max_retries,
    )
