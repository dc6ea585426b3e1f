"""Everything the UI needs to know at start-up, gathered by the CLI in one value."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from claude_tui.core import defaults
from claude_tui.core.client import ApiSettings
from claude_tui.core.runner import RunnerSettings


@dataclass(frozen=True)
class AppOptions:
    api: ApiSettings = field(default_factory=ApiSettings)
    model: str = defaults.DEFAULT_MODEL
    max_tokens: int = defaults.DEFAULT_MAX_TOKENS
    system_prompt: str = defaults.DEFAULT_SYSTEM_PROMPT
    runner: RunnerSettings = field(default_factory=RunnerSettings)
    demo: bool = False
    """Talking to the embedded local server rather than the real API."""
    store_path: Path | None = None
    """The session database; ``None`` is the default under the user data dir."""
    show_sidebar: bool = True
    """Show the sessions sidebar at start-up (on terminals at least 100 columns wide)."""
    open_session_id: str | None = None
    """A saved session to open at start-up (``--continue``, ``--session``)."""
