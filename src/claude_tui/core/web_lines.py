"""The words a web search or fetch, or its result, is said in: one source for the plain-text
line, the Markdown transcript and the cards.

A reply's plain text (what is stored as the message's ``content``, searched, and shown for a
reply read as plain text) has one line a call or result: ``Searched the web: “otters”``,
``3 results: a.com, b.org, c.net …``, ``Fetched page: Title``, ``Search failed: code``, so a
session search for a query or a site finds the reply. The transcript writes the same lines in
``*…*``, each piece made Markdown-safe (``store.transcript_web`` passes its own ``text`` and
``url``); the cards (``web_card``) use the same domains, count and error detection.

The lines take the blocks' raw fields (not the blocks: ``blocks.block_line`` calls them). With
the default ``text``, they are not yet safe to show: whoever draws them sanitizes, as for any
model text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

SHOWN_DOMAINS = 3
"""How many of a search's result domains a line or a card names before "…"."""

WEB_CALLS = ("web_search", "web_fetch")
WEB_RESULTS = ("web_search_tool_result", "web_fetch_tool_result")

Words = Callable[[str], str]
"""How a piece of the model's words is written into a line (plain: whitespace folded)."""


def folded(value: str) -> str:
    return " ".join(value.split())


def host(url: object) -> str:
    """The host a result's URL is on, without ``www.``; empty when there is none."""
    try:
        name = urlsplit(url.strip()).hostname if isinstance(url, str) else None
    except ValueError:
        return ""
    return (name or "").removeprefix("www.")


def result_domains(results: Iterable[Any], shown: Words = folded) -> list[str]:
    """The domains of a search's results, each once, in order (``shown`` writes each)."""
    names = (shown(host(r.get("url"))) for r in results if isinstance(r, Mapping))
    return list(dict.fromkeys(name for name in names if name))


def named_domains(domains: list[str]) -> str:
    """``a.com, b.org, c.net …``: the first :data:`SHOWN_DOMAINS`, "…" when there are more."""
    more = " …" if len(domains) > SHOWN_DOMAINS else ""
    return ", ".join(domains[:SHOWN_DOMAINS]) + more


def results_count(count: int) -> str:
    return f"{count} result{'' if count == 1 else 's'}"


def error_code(content: Any) -> str | None:
    """A result's error code (``max_uses_exceeded``), when the result is an error."""
    if isinstance(content, Mapping) and str(content.get("type", "")).endswith("_error"):
        return str(content.get("error_code") or "unknown")
    return None


def call_line(
    name: str, tool_input: Mapping[str, Any], *, text: Words = folded, url: Words = folded
) -> str | None:
    """``Searched the web: “q”`` or ``Fetched https://…``; a call cut off before its input
    arrived says only what it was; None for another tool."""
    if name == "web_search":
        query = tool_input.get("query")
        shown = text(query) if isinstance(query, str) and query.strip() else ""
        return f"Searched the web: “{shown}”" if shown else "Searched the web"
    if name == "web_fetch":
        address = tool_input.get("url")
        shown = url(address) if isinstance(address, str) and address.strip() else ""
        return f"Fetched {shown}" if shown else "Fetched a page"
    return None


def result_line(kind: str, content: Any, *, text: Words = folded) -> str | None:
    """``3 results: a.com, b.org, c.net …``, ``Fetched page: Title``, or
    ``Search failed: code``; None for another tool's result. Nothing encrypted is read."""
    if kind not in WEB_RESULTS:
        return None
    search = kind == "web_search_tool_result"
    code = error_code(content)
    if code is not None:
        return f"{'Search' if search else 'Fetch'} failed: {text(code)}"
    if search:
        results = (
            [r for r in content if isinstance(r, Mapping)] if isinstance(content, list) else []
        )
        named = named_domains(result_domains(results, text))
        count = results_count(len(results))
        return f"{count}: {named}" if named else count
    page = content.get("content") if isinstance(content, Mapping) else None
    title = page.get("title") if isinstance(page, Mapping) else None
    shown = text(title) if isinstance(title, str) and title.strip() else ""
    return f"Fetched page: {shown}" if shown else "Fetched page"
