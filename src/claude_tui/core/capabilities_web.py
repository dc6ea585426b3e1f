"""Which version of the web search and web fetch server tools a model is sent.

A server tool is named by a dated version (``web_search_20250305``, ``web_fetch_20250910``, ...),
and the app sends the newest version the model takes. The Models API cannot say which that is:
anthropic 2.10.0's ``ServerToolsCapability`` has one ``web_search`` flag, true "when the model
supports at least one version of the tool, not necessarily every version", and no entry for web
fetch at all. So the flag says *whether* (``ModelCapabilities.web_search``) and this built-in
table, by model family, says *which version*:

* a model of version 5 or later: the newest, ``web_search_20260318`` / ``web_fetch_20260318``;
* 4.6: the dynamic-filtering versions of 2026-02-09;
* anything older, or a model the table cannot place (a proxy's alias): the first versions,
  which every model with the tool takes.

A guess errs old: an older version costs a newer model only the newer version's features,
while a version the model does not know costs the whole request a 400. Web fetch is assumed
wherever web search is (``capabilities`` says so), since the API does not report it. Every
version here is in anthropic 2.10.0's non-beta ``ToolUnionParam``: neither tool needs a beta
header.
"""

from __future__ import annotations

from claude_tui.core.capabilities import ModelCapabilities
from claude_tui.core.models import model_version

WEB_SEARCH_VERSIONS = ("web_search_20250305", "web_search_20260209", "web_search_20260318")
"""Oldest first, as in anthropic 2.10.0's ``types/web_search_tool_*_param.py``."""

WEB_FETCH_VERSIONS = (
    "web_fetch_20250910",
    "web_fetch_20260209",
    "web_fetch_20260309",
    "web_fetch_20260318",
)
"""Oldest first, as in anthropic 2.10.0's ``types/web_fetch_tool_*_param.py``."""

_BY_FAMILY: tuple[tuple[tuple[int, ...], str, str], ...] = (
    ((5,), "web_search_20260318", "web_fetch_20260318"),
    ((4, 6), "web_search_20260209", "web_fetch_20260209"),
)
"""From a model version up: its web search and web fetch versions (first match wins)."""


def _versions(model: str) -> tuple[str, str]:
    version = model_version(model)
    for since, search, fetch in _BY_FAMILY:
        if version and version >= since:
            return search, fetch
    return WEB_SEARCH_VERSIONS[0], WEB_FETCH_VERSIONS[0]


def web_search_tool(caps: ModelCapabilities) -> str | None:
    """The web search version to send to ``caps.model``; ``None`` when it has no web search."""
    return _versions(caps.model)[0] if caps.web_search else None


def web_fetch_tool(caps: ModelCapabilities) -> str | None:
    """The web fetch version to send to ``caps.model``; ``None`` when it has no web fetch."""
    return _versions(caps.model)[1] if caps.web_fetch else None
