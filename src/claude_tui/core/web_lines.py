"""The one line a web search or fetch, or its result, stands as in a reply's plain text: what
is stored as the message's ``content``, searched, and shown for a reply read as plain text.

The screen shows these calls as cards (``web_card.py``); the lines here say the same in
words, ``Searched the web: “otters”`` and ``3 results: a.com, b.org, c.net``, so a session
search for a query or a site finds the reply. They take the blocks' raw fields (not the
blocks: ``blocks.block_line`` calls them) and are not yet safe to show: whoever draws them
sanitizes, as for any model text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

SHOWN_DOMAINS = 3


def _words(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _domain(url: object) -> str:
    try:
        host = urlsplit(url.strip()).hostname if isinstance(url, str) else None
    except ValueError:
        return ""
    return (host or "").removeprefix("www.")


def call_line(name: str, tool_input: Mapping[str, Any]) -> str | None:
    """``Searched the web: “q”`` or ``Fetched https://…``; None for another tool."""
    if name == "web_search":
        query = _words(tool_input.get("query"))
        return f"Searched the web: “{query}”" if query else "Searched the web"
    if name == "web_fetch":
        url = _words(tool_input.get("url"))
        return f"Fetched {url}" if url else "Fetched a page"
    return None


def result_line(kind: str, content: Any) -> str | None:
    """``3 results: a.com, b.org, c.net …``, ``Page: Title``, or ``Search failed: code``;
    None for another tool's result."""
    if kind not in ("web_search_tool_result", "web_fetch_tool_result"):
        return None
    search = kind == "web_search_tool_result"
    if isinstance(content, Mapping) and str(content.get("type", "")).endswith("_error"):
        code = _words(str(content.get("error_code") or "unknown"))
        return f"{'Search' if search else 'Fetch'} failed: {code}"
    if search:
        results = (
            [r for r in content if isinstance(r, Mapping)] if isinstance(content, list) else []
        )
        domains = list(dict.fromkeys(d for d in (_domain(r.get("url")) for r in results) if d))
        named = ", ".join(domains[:SHOWN_DOMAINS]) + (" …" if len(domains) > SHOWN_DOMAINS else "")
        count = f"{len(results)} result{'' if len(results) == 1 else 's'}"
        return f"{count}: {named}" if named else count
    document = content.get("content") if isinstance(content, Mapping) else None
    title = _words(document.get("title")) if isinstance(document, Mapping) else ""
    return f"Page: {title}" if title else "Page fetched"
