"""Everything the UI needs to know at start-up, gathered by the CLI in one value."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from claude_tui.core.client import ApiSettings
from claude_tui.core.config import Settings
from claude_tui.core.runner import RunnerSettings, StreamRequest
from claude_tui.core.themes import ThemeSpec

THINKING_HEADROOM = 1024
"""Tokens of reply kept free above the thinking budget (the API needs max_tokens > budget)."""


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


def stream_request(settings: Settings, messages: list[dict[str, object]]) -> StreamRequest:
    """The request for the next reply, as the settings say; with thinking on, max_tokens is
    raised if needed so the budget fits, since the API rejects max_tokens <= budget."""
    budget = settings.thinking_budget if settings.thinking else None
    max_tokens = settings.max_tokens
    if budget is not None:
        max_tokens = max(max_tokens, budget + THINKING_HEADROOM)
    return StreamRequest(
        messages=messages,
        model=settings.model,
        max_tokens=max_tokens,
        system=settings.system_prompt,
        thinking_budget=budget,
    )
