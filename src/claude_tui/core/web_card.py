"""What a web search or fetch card says: its one line, and the lines it opens to.

A search card reads ``🔍 Searching: <query>`` while the call streams (the query as far as it has
arrived, read from the partial JSON), then folds its results into one line, ``🔍 “query” ·
3 results · example.com, docs.python.org …``, and opens to one line per result: title, domain
and page age. A fetch card reads ``🌐 Fetching: <url>``, then ``🌐 <url> · fetched · 12 KB``,
and opens to the page's title and when it was retrieved. A result error is said plainly on the
card (``search failed: too many searches at once, try again shortly``); the reply goes on.

Every string here comes from the model or a web page: each is made one safe line
(``sanitize_line``) before it is put in a card. Nothing encrypted is ever read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from claude_tui.core.reply_parts import WebCallPart
from claude_tui.core.sanitize import one_line
from claude_tui.core.web_lines import (
    error_code,
    host,
    named_domains,
    result_domains,
    results_count,
)

SEARCH_ICON = "🔍"
FETCH_ICON = "🌐"

ERROR_WORDS = {
    "max_uses_exceeded": "this reply used all its searches (web_max_uses in the config)",
    "too_many_requests": "too many searches at once, try again shortly",
    "unavailable": "the search service is unavailable right now",
    "invalid_input": "the query was not valid",
    "invalid_tool_input": "the query was not valid",
    "query_too_long": "the query was too long",
    "url_too_long": "the URL was too long",
    "url_not_allowed": "that site is not allowed",
    "url_not_accessible": "the page could not be reached",
    "unsupported_content_type": "the page is of a kind that cannot be fetched",
}
"""The API's ``error_code`` values, in words; an unknown code is shown as it is."""


@dataclass(frozen=True)
class CardText:
    """What a card shows: ``title`` is its one line; ``details`` what it opens to; ``state`` is
    ``running``, ``done``, ``failed`` or ``stopped`` (the reply ended before the result came)."""

    title: str
    details: tuple[str, ...]
    state: str


_CUT_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\(?:u[0-9a-fA-F]{0,3})?$")
"""An escape cut in two at the end: a lone backslash, or one starting a ``u`` escape with fewer
than four hex digits; only a backslash after an even number of backslashes starts an escape,
so a complete escaped backslash (two in the JSON) is kept, with what follows it."""


def _partial_string(partial_json: str, key: str) -> str:
    """The value of ``key`` in JSON that is still arriving (``{"query": "python 3.1``), as far
    as it has come; empty if it has not begun."""
    found = re.search(rf'"{re.escape(key)}"\s*:\s*"((?:[^"\\]|\\.)*)', partial_json)
    if found is None:
        return ""
    raw = _CUT_ESCAPE.sub(r"\1", found.group(1))
    try:
        value = json.loads(f'"{raw}"')
    except ValueError:
        return raw
    return value if isinstance(value, str) else ""


def subject(part: WebCallPart) -> str:
    """The query searched for, or the URL fetched: from the call's input, else from the
    partial JSON while it streams; unsafe until :func:`one_line`."""
    key = "query" if part.search else "url"
    value = part.call.input.get(key)
    if isinstance(value, str):
        return value
    return _partial_string(part.call.partial_json, key)


def domain(url: str) -> str:
    """The site a URL is on, as one safe line (``example.com``)."""
    return one_line(host(url))


def error_words(code: str) -> str:
    return ERROR_WORDS.get(code, one_line(code))


def card_text(part: WebCallPart, *, ended: bool) -> CardText:
    """What ``part``'s card shows now; ``ended``: the reply is over (a call with no result was
    stopped, not still running). A search and a fetch say running, stopped and failed in the
    same shape; only a result that came is read their own way."""
    what = one_line(subject(part))
    if part.search:
        named = f"{SEARCH_ICON} “{what}”" if what else f"{SEARCH_ICON} Web search"
        running = f"{SEARCH_ICON} Searching: {what}" if what else f"{SEARCH_ICON} Searching…"
        waited_for = "its results"
    else:
        named = f"{FETCH_ICON} {what}" if what else f"{FETCH_ICON} Web fetch"
        running = f"{FETCH_ICON} Fetching: {what}" if what else f"{FETCH_ICON} Fetching…"
        waited_for = "the page came"
    if part.result is None:
        if ended:
            return CardText(f"{named} · stopped before {waited_for}", (), "stopped")
        return CardText(running, (), "running")
    content = part.result.raw.get("content")
    code = error_code(content)
    if code is not None:
        kind = "search" if part.search else "fetch"
        return CardText(f"{named} · {kind} failed: {error_words(code)}", (), "failed")
    return _searched(named, content) if part.search else _fetched(named, content)


def _searched(named: str, content: Any) -> CardText:
    """A search's results folded into its line, one detail line each."""
    results = [r for r in content if isinstance(r, Mapping)] if isinstance(content, list) else []
    shown = named_domains(result_domains(results, one_line))
    count = results_count(len(results))
    title = " · ".join(piece for piece in (named, count, shown) if piece)
    return CardText(title, tuple(_result_line(result) for result in results), "done")


def _result_line(result: Mapping[str, Any]) -> str:
    """``Title — domain · 2 weeks ago``."""
    title = one_line(str(result.get("title") or "")) or "(untitled)"
    age = result.get("page_age")
    about = " · ".join(
        piece
        for piece in (
            domain(str(result.get("url", ""))),
            one_line(age) if isinstance(age, str) else "",
        )
        if piece
    )
    return f"{title} — {about}" if about else title


def _fetched(named: str, content: Any) -> CardText:
    """A fetched page: its size on the line, its title and retrieval time below."""
    page = content if isinstance(content, Mapping) else {}
    document = page.get("content")
    document = document if isinstance(document, Mapping) else {}
    size = _fetched_bytes(document)
    title = f"{named} · fetched" + (f" · {_kilobytes(size)}" if size is not None else "")
    details = []
    name = document.get("title")
    if isinstance(name, str) and name.strip():
        details.append(one_line(name))
    when = page.get("retrieved_at")
    if isinstance(when, str) and when.strip():
        details.append(f"retrieved {one_line(when)}")
    return CardText(title, tuple(details), "done")


def _fetched_bytes(document: Mapping[str, Any]) -> int | None:
    """The fetched page's size: its text in UTF-8, or a base64 PDF's decoded bytes."""
    source = document.get("source")
    if not isinstance(source, Mapping) or not isinstance(source.get("data"), str):
        return None
    data: str = source["data"]
    if source.get("type") == "base64":
        return len(data) * 3 // 4 - data[-2:].count("=")
    return len(data.encode("utf-8", "surrogatepass"))


def _kilobytes(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    return f"{size / 1024:,.0f} KB" if size >= 10 * 1024 else f"{size / 1024:.1f} KB"
