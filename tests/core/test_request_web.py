"""Web search and web fetch in the request: the newest version each model takes, max_uses from
the settings, left out (and said why) for a model without them, shown by /context as sent, and
never sent to ``count_tokens``, which refuses server tools."""

from __future__ import annotations

import pytest

from claude_tui.core.capabilities import (
    CapabilitySource,
    ModelCapabilities,
    builtin_capabilities,
    from_model_info,
    to_model_info,
)
from claude_tui.core.capabilities_web import (
    WEB_FETCH_VERSIONS,
    WEB_SEARCH_VERSIONS,
    web_fetch_tool,
    web_search_tool,
)
from claude_tui.core.client import ApiSettings
from claude_tui.core.config import Settings
from claude_tui.core.conversation import Conversation
from claude_tui.core.events import Finished
from claude_tui.core.request import next_messages, preview_request, request_body, stream_request
from claude_tui.core.request_shape import shape_request
from claude_tui.core.runner import StreamRunner
from claude_tui.core.tokens import count_request_tokens
from claude_tui.localapi.server import LocalAPIServer, Scenario

WEB = Settings(web_search=True, web_fetch=True, web_max_uses=3)


@pytest.mark.parametrize(
    ("model", "search", "fetch"),
    [
        ("claude-sonnet-5-5", "web_search_20260318", "web_fetch_20260318"),
        ("claude-opus-4-6", "web_search_20260209", "web_fetch_20260209"),
        ("claude-haiku-4-5-20251001", "web_search_20250305", "web_fetch_20250910"),
        ("claude-3-7-sonnet-20250219", "web_search_20250305", "web_fetch_20250910"),
    ],
)
def test_each_model_gets_the_newest_version_it_takes(model: str, search: str, fetch: str) -> None:
    caps = builtin_capabilities(model)
    assert (web_search_tool(caps), web_fetch_tool(caps)) == (search, fetch)
    shape = shape_request(Settings(model=model, web_search=True, web_fetch=True), caps)
    assert shape.tools == (
        {"type": search, "name": "web_search", "max_uses": 5},
        {"type": fetch, "name": "web_fetch", "max_uses": 5},
    )
    assert "web_search" not in shape.notes and "web_fetch" not in shape.notes
    assert shape.betas == (("compact-2026-01-12",) if caps.compaction else ())


def test_the_versions_are_the_sdks() -> None:
    """Every version the table can pick is one anthropic 2.10.0's non-beta tool union names:
    no beta header is needed, and no version is made up."""
    from typing import get_args, get_type_hints

    from anthropic.types import ToolUnionParam

    named: set[str] = set()
    for typed in get_args(ToolUnionParam):
        kind = get_type_hints(typed).get("type")  # Required[Literal["..."]] without extras
        named.update(str(value) for value in get_args(kind))
    assert set(WEB_SEARCH_VERSIONS) | set(WEB_FETCH_VERSIONS) <= named


def test_an_unplaced_model_the_api_says_searches_gets_the_first_versions() -> None:
    """A proxy's alias has no version to place it by: the API's word says it has web search,
    and the oldest versions are the ones every such model takes."""
    caps = ModelCapabilities("house-model", web_search=True, web_fetch=True)
    assert (web_search_tool(caps), web_fetch_tool(caps)) == (
        "web_search_20250305",
        "web_fetch_20250910",
    )
    assert web_search_tool(ModelCapabilities("house-model")) is None


def test_the_models_api_answer_decides_both_and_survives_the_cache() -> None:
    info = to_model_info(builtin_capabilities("claude-sonnet-5-5"))
    caps = from_model_info(info, CapabilitySource.API)
    assert (caps.web_search, caps.web_fetch) == (True, True)
    info["capabilities"]["server_tools"] = {"supported": False, "web_search": {"supported": False}}
    caps = from_model_info(info, CapabilitySource.API)
    assert (caps.web_search, caps.web_fetch) == (False, False)
    assert shape_request(WEB, caps).tools == ()


def test_off_sends_no_tools() -> None:
    caps = builtin_capabilities("claude-sonnet-5-5")
    shape = shape_request(Settings(), caps)
    assert shape.tools == ()
    assert "tools" not in request_body(stream_request(Settings(), [], caps))
    only_fetch = shape_request(Settings(web_fetch=True), caps)
    assert [tool["name"] for tool in only_fetch.tools] == ["web_fetch"]


def test_a_model_without_them_is_sent_none_and_context_says_why() -> None:
    model = "claude-3-haiku-20240307"
    settings = Settings(model=model, web_search=True, web_fetch=True)
    caps = builtin_capabilities(model)
    shape = shape_request(settings, caps)
    assert shape.tools == ()
    assert shape.notes["web_search"] == (
        "claude-3-haiku-20240307 has no web search: the reply is sent without it"
    )
    preview = preview_request(settings, next_messages(Conversation(), "hi"), caps=caps)
    assert "tools" not in preview.body
    assert (
        "web tools: not sent (claude-3-haiku-20240307 has no web search: the reply is sent"
        " without it; claude-3-haiku-20240307 has no web fetch: the reply is sent without it)"
    ) in preview.text.splitlines()


def test_context_shows_the_tools_the_server_is_sent(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    settings = Settings(model="claude-sonnet-5-5", web_search=True, web_fetch=True, web_max_uses=3)
    caps = builtin_capabilities(settings.model)
    messages = next_messages(Conversation(), "What is new today?")
    preview = preview_request(settings, messages, api=api, caps=caps, now=0.0)
    lines = preview.text.splitlines()
    at = lines.index(
        "web tools: web search (web_search_20260318, up to 3 a reply),"
        " web fetch (web_fetch_20260318, up to 3 a reply)"
    )
    assert lines[at + 1] == (
        '  "tools": [{"type": "web_search_20260318", "name": "web_search", "max_uses": 3},'
        ' {"type": "web_fetch_20260318", "name": "web_fetch", "max_uses": 3}]'
    )
    server.push(Scenario(text="ok"))
    request = stream_request(settings, messages, caps)
    ended = StreamRunner(request, lambda _event: None, api=api).run()
    assert isinstance(ended, Finished)
    (sent,) = server.message_requests
    assert sent["body"] == preview.body == request_body(request)
    assert sent["body"]["tools"][0]["type"] == "web_search_20260318"


def test_token_counting_leaves_the_tools_out(server: LocalAPIServer, api: ApiSettings) -> None:
    """count_tokens refuses server tools: the count is asked without them."""
    settings = Settings(model="claude-haiku-4-5-20251001", web_search=True, web_fetch=True)
    request = stream_request(settings, next_messages(Conversation(), "hi"))
    assert len(request.tools) == 2  # the reply's request has them
    count_request_tokens(api, request)
    counted = [r for r in server.requests if str(r["path"]).endswith("/count_tokens")]
    (sent,) = counted
    assert "tools" not in sent["body"]  # type: ignore[operator]
