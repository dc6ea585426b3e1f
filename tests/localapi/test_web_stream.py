"""Searches and fetches stream as the API streams them, and their blocks must come back intact.

Everything goes through the real SDK over real HTTP: the raw events of ``stream=True`` for the
wire format, ``messages.stream`` and ``messages.create`` for what the SDK makes of it, and the
next request for what the history check says about the blocks sent back.
"""

from __future__ import annotations

import json
from typing import Any

import anthropic
import pytest

from claude_tui.localapi.scenario import DEMO_SCENARIO
from claude_tui.localapi.server import LocalAPIServer, Scenario
from claude_tui.localapi.signing import unseal
from claude_tui.localapi.web_reply import CONTENT_PREFIX, INDEX_PREFIX

MODEL = "claude-sonnet-5-5"
PROMPT: Any = {"role": "user", "content": "What is new with otters?"}
NEXT: Any = {"role": "user", "content": "Thanks. And beavers?"}
SEARCH: Any = [{"type": "web_search_20250305", "name": "web_search", "max_uses": 5}]
FETCH: Any = [{"type": "web_fetch_20250910", "name": "web_fetch"}]


def raw_events(client: anthropic.Anthropic, tools: Any) -> list[dict[str, Any]]:
    stream = client.messages.create(
        model=MODEL, max_tokens=1024, messages=[PROMPT], tools=tools, stream=True
    )
    return [dict(event.to_dict(warnings=False)) for event in stream]


def streamed(client: anthropic.Anthropic, tools: Any, messages: Any = None) -> Any:
    """The final message of one streamed reply, as the SDK assembles it."""
    with client.messages.stream(
        model=MODEL, max_tokens=1024, messages=messages or [PROMPT], tools=tools
    ) as stream:
        return stream.get_final_message()


def as_json(message: Any) -> list[dict[str, Any]]:
    return [dict(block.to_dict(warnings=False)) for block in message.content]


def send_back(client: anthropic.Anthropic, content: Any, tools: Any = SEARCH) -> Any:
    return client.messages.create(
        model=MODEL,
        max_tokens=1024,
        messages=[PROMPT, {"role": "assistant", "content": content}, NEXT],
        tools=tools,
    )


def rejection(client: anthropic.Anthropic, content: Any) -> str:
    with pytest.raises(anthropic.BadRequestError) as info:
        send_back(client, content)
    body: Any = info.value.body
    assert body["error"]["type"] == "invalid_request_error"
    return str(body["error"]["message"])


def test_a_search_streams_in_the_wire_format(
    client: anthropic.Anthropic, server: LocalAPIServer
) -> None:
    server.push(Scenario(search="otters news"))
    events = raw_events(client, SEARCH)
    starts = [e["content_block"] for e in events if e["type"] == "content_block_start"]
    assert [s["type"] for s in starts] == [
        "server_tool_use",
        "web_search_tool_result",
        "text",
        "text",
        "text",
        "text",
    ]
    use, result = starts[0], starts[1]
    assert use["name"] == "web_search" and use["input"] == {}
    assert use["id"].startswith("srvtoolu_")
    pieces = [
        e["delta"]["partial_json"]
        for e in events
        if e["type"] == "content_block_delta" and e["index"] == 0
    ]
    assert len(pieces) > 1 and json.loads("".join(pieces)) == {"query": "otters news"}
    assert result["tool_use_id"] == use["id"]
    assert [sorted(r) for r in result["content"]] == [
        ["encrypted_content", "page_age", "title", "type", "url"]
    ] * 3
    hosts = [r["url"].split("/")[2] for r in result["content"]]
    assert all(host.endswith((".example.com", ".example.org", ".example.net")) for host in hosts)
    citations = [
        e["delta"]["citation"]
        for e in events
        if e["type"] == "content_block_delta" and e["delta"]["type"] == "citations_delta"
    ]
    assert [c["url"] for c in citations] == [r["url"] for r in result["content"][:2]]
    assert {c["type"] for c in citations} == {"web_search_result_location"}
    start_usage = events[0]["message"]["usage"]["server_tool_use"]
    assert start_usage == {"web_search_requests": 0, "web_fetch_requests": 0}
    delta = next(e for e in events if e["type"] == "message_delta")
    assert delta["usage"]["server_tool_use"]["web_search_requests"] == 1
    assert delta["delta"]["stop_reason"] == "end_turn"


def test_the_sdk_assembles_the_search_and_its_citations(
    client: anthropic.Anthropic, server: LocalAPIServer
) -> None:
    server.push(Scenario(search="otters"))
    final = streamed(client, SEARCH)
    assert final.usage.server_tool_use.web_search_requests == 1
    use, result, *texts = final.content
    assert use.type == "server_tool_use" and use.input == {"query": "otters"}
    assert result.type == "web_search_tool_result" and result.tool_use_id == use.id
    cited = [c for block in texts for c in (block.citations or [])]
    first = result.content[0]
    assert cited[0].url == first.url and cited[0].title == first.title
    # Opaque to the client, readable by the server that sealed them.
    assert json.loads(unseal(first.encrypted_content, CONTENT_PREFIX) or "")["url"] == first.url
    index = json.loads(unseal(cited[0].encrypted_index, INDEX_PREFIX) or "")
    assert index == {"url": first.url, "cited_text": cited[0].cited_text}


def test_a_whole_message_carries_the_same_blocks(
    client: anthropic.Anthropic, server: LocalAPIServer
) -> None:
    server.push(Scenario(search="otters"))
    reply = client.messages.create(model=MODEL, max_tokens=1024, messages=[PROMPT], tools=SEARCH)
    assert [b.type for b in reply.content[:2]] == ["server_tool_use", "web_search_tool_result"]
    assert reply.usage.server_tool_use is not None
    assert reply.usage.server_tool_use.web_search_requests == 1


def test_without_the_tool_there_is_no_search(
    client: anthropic.Anthropic, server: LocalAPIServer
) -> None:
    server.push(Scenario(search="otters"))
    final = streamed(client, FETCH)
    assert [b.type for b in final.content] == ["text"]
    assert final.usage.server_tool_use is None


def test_a_fetch_streams_its_page(client: anthropic.Anthropic, server: LocalAPIServer) -> None:
    url = "https://otters.example.com/facts"
    server.push(Scenario(fetch=url))
    final = streamed(client, FETCH)
    use, result, text = final.content
    assert use.type == "server_tool_use" and use.name == "web_fetch" and use.input == {"url": url}
    assert result.type == "web_fetch_tool_result" and result.tool_use_id == use.id
    assert result.content.type == "web_fetch_result" and result.content.url == url
    assert result.content.content.source.media_type == "text/plain"
    assert text.type == "text" and url in text.text
    assert final.usage.server_tool_use.web_fetch_requests == 1
    assert final.usage.server_tool_use.web_search_requests == 0


@pytest.mark.parametrize("code", ["max_uses_exceeded", "too_many_requests", "unavailable"])
def test_a_search_error_is_in_the_result_and_the_reply_goes_on(
    client: anthropic.Anthropic, server: LocalAPIServer, code: str
) -> None:
    server.push(Scenario(search="otters", tool_error=code))
    final = streamed(client, SEARCH)
    result = final.content[1]
    assert result.content.type == "web_search_tool_result_error"
    assert result.content.error_code == code
    assert final.content[2].type == "text" and code in final.content[2].text
    assert final.stop_reason == "end_turn"
    assert send_back(client, as_json(final)).content  # the error result goes back too


def test_a_fetch_error_is_in_the_result(
    client: anthropic.Anthropic, server: LocalAPIServer
) -> None:
    server.push(Scenario(fetch="https://example.com/x", tool_error="url_not_accessible"))
    final = streamed(client, FETCH)
    assert final.content[1].content.type == "web_fetch_tool_result_error"
    assert final.content[1].content.error_code == "url_not_accessible"
    assert final.stop_reason == "end_turn"


def test_pause_turn_mid_search_and_the_continuation_goes_on(
    client: anthropic.Anthropic, server: LocalAPIServer
) -> None:
    server.push(Scenario(search="otters", pause_turn=True))
    paused = streamed(client, SEARCH)
    assert paused.stop_reason == "pause_turn"
    assert [b.type for b in paused.content] == ["server_tool_use"]
    history = [PROMPT, {"role": "assistant", "content": as_json(paused)}]
    resumed = streamed(client, SEARCH, history)  # a 5.5 model: no prefill, yet accepted
    assert resumed.content[0].type == "web_search_tool_result"
    assert resumed.content[0].tool_use_id == paused.content[0].id
    assert any(block.type == "text" and block.citations for block in resumed.content[1:])
    assert resumed.stop_reason == "end_turn"
    assert resumed.usage.server_tool_use.web_search_requests == 1
    # The whole turn, paused part and all, goes back in the next request.
    assert send_back(client, as_json(paused) + as_json(resumed)).content


def test_the_demo_searches_any_prompt_and_fetches_a_url(
    client: anthropic.Anthropic, server: LocalAPIServer
) -> None:
    assert DEMO_SCENARIO.web_auto
    server.push(Scenario(web_auto=True), Scenario(web_auto=True), Scenario(web_auto=True))
    final = streamed(client, SEARCH)
    assert final.content[0].input == {"query": "What is new with otters?"}
    url = "https://docs.example.net/otters"
    ask: Any = [{"role": "user", "content": f"Summarise {url}."}]
    fetched = streamed(client, SEARCH + FETCH, ask)
    assert fetched.content[0].name == "web_fetch" and fetched.content[0].input == {"url": url}
    plain = streamed(client, None)
    assert [b.type for b in plain.content] == ["text"]


def test_the_streamed_turn_goes_back_unchanged(
    client: anthropic.Anthropic, server: LocalAPIServer
) -> None:
    server.push(Scenario(search="otters"))
    assert send_back(client, as_json(streamed(client, SEARCH))).content


def test_an_altered_result_is_rejected(client: anthropic.Anthropic, server: LocalAPIServer) -> None:
    server.push(Scenario(search="otters"))
    content = as_json(streamed(client, SEARCH))
    result = content[1]
    changed = {
        **result["content"][0],
        "encrypted_content": result["content"][1]["encrypted_content"],
    }
    content[1] = {**result, "content": [changed, *result["content"][1:]]}
    assert rejection(client, content) == (
        "messages.1.content.1: `web_search_tool_result` block was modified; it must be sent back "
        "exactly as the API returned it"
    )


@pytest.mark.parametrize("field", ["encrypted_index", "cited_text", "url"])
def test_an_altered_citation_is_rejected(
    client: anthropic.Anthropic, server: LocalAPIServer, field: str
) -> None:
    server.push(Scenario(search="otters"))
    content = as_json(streamed(client, SEARCH))
    j = next(j for j, block in enumerate(content) if block.get("citations"))
    citation = content[j]["citations"][0]
    content[j] = {**content[j], "citations": [{**citation, field: citation[field] + "x"}]}
    assert rejection(client, content) == (
        f"messages.1.content.{j}.citations.0: Invalid `encrypted_index`; a "
        "`web_search_result_location` citation must be sent back exactly as the API returned it"
    )


def test_a_citation_never_sent_is_rejected(client: anthropic.Anthropic) -> None:
    made_up = {
        "type": "web_search_result_location",
        "url": "https://example.com/a",
        "title": "A",
        "cited_text": "A.",
        "encrypted_index": "EncCIZm9v.bar",
    }
    text = {"type": "text", "text": "Otters hold hands.", "citations": [made_up]}
    assert "citations.0: Invalid `encrypted_index`" in rejection(client, [text])


def test_a_search_without_its_result_is_rejected(
    client: anthropic.Anthropic, server: LocalAPIServer
) -> None:
    """What a client that kept the call but lost the result would send."""
    server.push(Scenario(search="otters"))
    content = as_json(streamed(client, SEARCH))
    use = content[0]
    assert rejection(client, [use, *content[2:]]) == (
        f"messages.1.content.0: `web_search` tool use with id `{use['id']}` was found without a "
        "corresponding `web_search_tool_result` block"
    )


def test_a_call_cut_mid_stream_cannot_go_back(
    client: anthropic.Anthropic, server: LocalAPIServer
) -> None:
    """Cut inside the call's input: the call was never finished, so never the API's."""
    server.push(Scenario(search="otters that hold hands", error_after=2))
    with pytest.raises(anthropic.APIStatusError):
        streamed(client, SEARCH)
    cut = {"type": "server_tool_use", "id": "srvtoolu_x", "name": "web_search", "input": {}}
    message = rejection(client, [cut, {"type": "text", "text": "Sorry."}])
    assert message.endswith(
        "`server_tool_use` block was modified; it must be sent back exactly as the API returned it"
    )


def _drop_one_result(content: Any) -> None:
    result = content[1]
    content[1] = {**result, "content": result["content"][1:]}


def _edit_encrypted_content(content: Any) -> None:
    result = content[1]
    first = result["content"][0]
    edited = {**first, "encrypted_content": first["encrypted_content"] + "x"}
    content[1] = {**result, "content": [edited, *result["content"][1:]]}


@pytest.mark.parametrize(
    "alter", [_drop_one_result, _edit_encrypted_content], ids=["one-result-dropped", "edited"]
)
def test_a_search_result_list_must_come_back_whole(
    client: anthropic.Anthropic, server: LocalAPIServer, alter: Any
) -> None:
    server.push(Scenario(search="otters"))
    content = as_json(streamed(client, SEARCH))
    alter(content)
    assert rejection(client, content).startswith(
        "messages.1.content.1: `web_search_tool_result` block was modified"
    )


def test_a_fetched_page_must_come_back_unchanged_and_with_its_call(
    client: anthropic.Anthropic, server: LocalAPIServer
) -> None:
    server.push(Scenario(fetch="https://docs.example.net/otters"))
    content = as_json(streamed(client, SEARCH + FETCH))
    use, result, *rest = content
    assert result["type"] == "web_fetch_tool_result"
    page = result["content"]["content"]
    altered_page = {**page, "source": {**page["source"], "data": "Otters are fish."}}
    altered = {**result, "content": {**result["content"], "content": altered_page}}
    with pytest.raises(anthropic.BadRequestError) as info:
        send_back(client, [use, altered, *rest], SEARCH + FETCH)
    assert info.value.body["error"]["message"] == (  # type: ignore[index]
        "messages.1.content.1: `web_fetch_tool_result` block was modified; it must be sent back "
        "exactly as the API returned it"
    )
    with pytest.raises(anthropic.BadRequestError) as info:
        send_back(client, [use, *rest], SEARCH + FETCH)
    assert info.value.body["error"]["message"] == (  # type: ignore[index]
        f"messages.1.content.0: `web_fetch` tool use with id `{use['id']}` was found without a "
        "corresponding `web_fetch_tool_result` block"
    )
    assert send_back(client, content, SEARCH + FETCH).content


def test_the_demo_pauses_a_search_when_asked_to(
    client: anthropic.Anthropic, server: LocalAPIServer
) -> None:
    server.push(Scenario(web_auto=True), Scenario(web_auto=True), Scenario(web_auto=True))
    ask: Any = {"role": "user", "content": "Pause mid-search on otters, please."}
    paused = streamed(client, SEARCH, [ask])
    assert paused.stop_reason == "pause_turn"
    assert [b.type for b in paused.content] == ["server_tool_use"]
    resumed = streamed(client, SEARCH, [ask, {"role": "assistant", "content": as_json(paused)}])
    assert resumed.stop_reason == "end_turn"
    assert resumed.content[0].tool_use_id == paused.content[0].id
    assert streamed(client, SEARCH).stop_reason == "end_turn"  # "otters": no pause
