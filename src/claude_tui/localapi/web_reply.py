"""A reply that searches or fetches first, as the API answers with `web_search`/`web_fetch` on.

The blocks follow the reference (``/work/shared/reference/blocks-capabilities-tools.md``, "Server
tools") and anthropic 2.10.0's types: a ``server_tool_use`` (``id`` "srvtoolu_…", input
``{"query": …}`` or ``{"url": …}``), then its result (``web_search_tool_result`` holding a list of
``web_search_result``, or ``web_fetch_tool_result`` holding a ``web_fetch_result`` with a plain-text
``document``; either holding an error object with an ``error_code`` instead), then text. Text
that draws on search results carries ``web_search_result_location`` citations.

The results are made up and look it: reserved example domains, titles that say "Example". Their
``encrypted_content`` and the citations' ``encrypted_index`` are sealed tokens
(:func:`~claude_tui.localapi.signing.seal`) this server can read back: a paused turn resumed later
cites the results it holds (:func:`resumed_results`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from claude_tui.localapi.server_tools import enabled_tools
from claude_tui.localapi.signing import seal, unseal
from claude_tui.localapi.wire import JSON, random_id

CONTENT_PREFIX = "EncWR"
INDEX_PREFIX = "EncCI"
SITES = (
    ("https://encyclopedia.example.com/wiki/{slug}", "{topic} - Example Encyclopedia"),
    ("https://news.example.org/2026/03/{slug}", "What's new with {topic} | Example News"),
    ("https://docs.example.net/guides/{slug}", "A field guide to {topic} (example.net)"),
)
PAGE_AGES = ("March 2, 2026", "2 weeks ago", None)
_URL_RE = re.compile(r"https?://\S+")
_PAUSE_RE = re.compile(r"\bpause\b", re.IGNORECASE)
"""In the demo (``auto``), a prompt with this word gets its search paused, to show
``pause_turn`` and the continuation that follows by itself."""


@dataclass
class WebTurn:
    """The blocks of a reply's server-tool part, what they count, and whether it pauses."""

    blocks: list[JSON] = field(default_factory=list)
    searches: int = 0
    fetches: int = 0
    paused: bool = False

    def usage(self) -> JSON:
        """``usage.server_tool_use`` as the SDK's ``ServerToolUsage`` has it."""
        return {"web_search_requests": self.searches, "web_fetch_requests": self.fetches}


def _topic(query: str) -> str:
    words = re.findall(r"[A-Za-z0-9']+", query)[:6]
    return " ".join(words).capitalize() or "The question"


def search_results(query: str) -> list[JSON]:
    """Three plausible, clearly fake results for ``query``, their content sealed."""
    topic = _topic(query)
    slug = topic.lower().replace(" ", "-")
    results: list[JSON] = []
    for (url, title), age in zip(SITES, PAGE_AGES, strict=True):
        url, title = url.format(slug=slug), title.format(topic=topic)
        text = f"{title}: an example page about {topic.lower()}, made up by the local server."
        payload = json.dumps({"url": url, "title": title, "text": text})
        results.append(
            {
                "type": "web_search_result",
                "url": url,
                "title": title,
                "encrypted_content": seal(payload, CONTENT_PREFIX),
                "page_age": age,
            }
        )
    return results


def cited_text(result: JSON) -> str:
    """The text a citation of ``result`` quotes: what its sealed content says (the title when
    the content is not one this server sealed)."""
    payload = unseal(str(result.get("encrypted_content", "")), CONTENT_PREFIX)
    if payload is not None:
        return str(json.loads(payload)["text"])
    return str(result.get("title", ""))


def citation(result: JSON) -> JSON:
    """A ``web_search_result_location`` citing ``result``, its ``encrypted_index`` sealed."""
    url, title, text = str(result.get("url", "")), str(result.get("title", "")), cited_text(result)
    index = seal(json.dumps({"url": url, "cited_text": text}), INDEX_PREFIX)
    return {
        "type": "web_search_result_location",
        "url": url,
        "title": title,
        "cited_text": text,
        "encrypted_index": index,
    }


def cited_answer(results: list[JSON]) -> list[JSON]:
    """Text blocks answering from ``results``: an opening, then one cited sentence per source."""
    blocks: list[JSON] = [{"type": "text", "text": "Here is what the search turned up."}]
    for n, result in enumerate(results[:2]):
        sentence = " The example pages agree on the basics" if n == 0 else " and add a few details"
        blocks.append({"type": "text", "text": sentence, "citations": [citation(result)]})
    blocks.append({"type": "text", "text": ". (These sources are made up for the demo.)"})
    return blocks


def _tool_use(name: str, tool_input: JSON) -> JSON:
    return {
        "type": "server_tool_use",
        "id": random_id("srvtoolu_"),
        "name": name,
        "input": tool_input,
    }


def fetch_result(tool_use_id: str, url: str, error: str | None) -> JSON:
    """A ``web_fetch_tool_result`` for ``url``: a made-up plain-text page, or ``error``."""
    content: JSON
    if error is not None:
        content = {"type": "web_fetch_tool_result_error", "error_code": error}
    else:
        text = f"Example page at {url}. Its text is made up by the local server."
        content = {
            "type": "web_fetch_result",
            "url": url,
            "retrieved_at": "2026-03-02T12:00:00Z",
            "content": {
                "type": "document",
                "source": {"type": "text", "media_type": "text/plain", "data": text},
                "title": "An example page",
            },
        }
    return {"type": "web_fetch_tool_result", "tool_use_id": tool_use_id, "content": content}


def search_result(tool_use_id: str, query: str, error: str | None) -> WebTurn:
    """The result of search ``tool_use_id`` for ``query`` (or ``error``), then the text."""
    results = search_results(query)
    content: Any = results
    if error is not None:
        content = {"type": "web_search_tool_result_error", "error_code": error}
    result = {"type": "web_search_tool_result", "tool_use_id": tool_use_id, "content": content}
    turn = WebTurn([result], searches=1)
    if error is not None:
        text = f"The search did not work ({error}), so this answer goes on without sources."
        turn.blocks.append({"type": "text", "text": text})
    else:
        turn.blocks.extend(cited_answer(results))
    return turn


def search_turn(query: str, error: str | None, pause: bool) -> WebTurn:
    """A search for ``query``: the call, its results (or ``error``), then cited text; with
    ``pause``, the turn pauses mid-search, after the call (see :func:`resumed_call`)."""
    use = _tool_use("web_search", {"query": query})
    if pause:
        return WebTurn([use], paused=True)
    rest = search_result(use["id"], query, error)
    rest.blocks.insert(0, use)
    return rest


def fetch_turn(url: str, error: str | None) -> WebTurn:
    """A fetch of ``url``, its page (or ``error``), then text about it."""
    use = _tool_use("web_fetch", {"url": url})
    result = fetch_result(use["id"], url, error)
    text = (
        f"The fetch did not work ({error}), so this answer goes on without the page."
        if error is not None
        else f"The page at {url} is an example page; its text is made up for the demo."
    )
    return WebTurn([use, result, {"type": "text", "text": text}], fetches=1)


def url_in(text: str) -> str | None:
    """The first URL in ``text``, without trailing punctuation."""
    found = _URL_RE.search(text)
    return found.group(0).rstrip(".,;:!?)'\"") if found else None


def _final_assistant_content(body: JSON) -> list[Any]:
    """The blocks of the request's final message when it is the assistant's (a turn going on)."""
    messages = body.get("messages")
    final = messages[-1] if isinstance(messages, list) and messages else None
    if not isinstance(final, dict) or final.get("role") != "assistant":
        return []
    content = final.get("content")
    return content if isinstance(content, list) else []


def resumed_call(body: JSON, error: str | None) -> WebTurn | None:
    """The rest of a turn paused mid-search, which this request resumes: its final message is
    the assistant's and ends with a search call that has no result yet. The reply goes on from
    there: the call's result, then the text."""
    content = _final_assistant_content(body)
    if not content:
        return None
    call = content[-1]
    if not isinstance(call, dict) or call.get("type") != "server_tool_use":
        return None
    tool_input = call.get("input")
    query = tool_input.get("query") if isinstance(tool_input, dict) else None
    if call.get("name") != "web_search" or not isinstance(query, str):
        return None
    return search_result(str(call.get("id")), query, error)


def resumed_results(body: JSON) -> list[JSON] | None:
    """The search results of a paused turn this request resumes (its final message is the
    assistant's and holds a search result list), or ``None``."""
    results: list[JSON] = []
    for block in _final_assistant_content(body):
        if isinstance(block, dict) and block.get("type") == "web_search_tool_result":
            items = block.get("content")
            if isinstance(items, list):
                results.extend(item for item in items if isinstance(item, dict))
    return results or None


def plan_web(
    body: JSON,
    prompt: str,
    *,
    search: str | None,
    fetch: str | None,
    auto: bool,
    error: str | None,
    pause: bool,
) -> WebTurn | None:
    """The server-tool part of the reply to ``body``, or ``None`` when it has none.

    A resumed pause goes on: a search call is answered (:func:`resumed_call`), results already
    there are cited (:func:`resumed_results`). Otherwise
    a fetch of ``fetch`` (with ``auto``: of a URL in ``prompt``) when the request gives the model
    ``web_fetch``, else a search for ``search`` (with ``auto``: for ``prompt``) when it gives it
    ``web_search``: the model calls only the tools it was given. With ``auto``, a prompt
    saying "pause" has its search paused (``pause_turn``), as ``pause`` does.
    """
    call = resumed_call(body, error)
    if call is not None:
        return call
    resumed = resumed_results(body)
    if resumed is not None:
        return WebTurn(cited_answer(resumed))
    tools = enabled_tools(body)
    url = fetch if fetch is not None else (url_in(prompt) if auto else None)
    if url is not None and "web_fetch" in tools:
        return fetch_turn(url, error)
    query = search if search is not None else (prompt.strip() or None if auto else None)
    if query is not None and "web_search" in tools:
        return search_turn(query, error, pause or (auto and bool(_PAUSE_RE.search(prompt))))
    return None
