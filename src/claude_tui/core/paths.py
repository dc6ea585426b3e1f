"""Where claude-tui keeps its files, following the platform's conventions (XDG on Linux)."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "claude-tui"


def config_dir() -> Path:
    """``$XDG_CONFIG_HOME/claude-tui``: config, user themes and the optional key file."""
    return platformdirs.user_config_path(APP_NAME)


def data_dir() -> Path:
    """``$XDG_DATA_HOME/claude-tui``: the session database."""
    return platformdirs.user_data_path(APP_NAME)


def key_file() -> Path:
    """A file holding only the API key, for people who keep it out of their environment."""
    return config_dir() / "api_key"


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/claude-tui``: what can be fetched again (the Models API's answers)."""
    return platformdirs.user_cache_path(APP_NAME)
