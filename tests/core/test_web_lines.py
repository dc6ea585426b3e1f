"""The lines a web call and its result stand as in a reply's plain text (stored ``content``,
session search): readable words, not the block's type."""

from __future__ import annotations

from claude_tui.core.blocks import ServerToolUseBlock, ToolResultBlock, block_line, plain_text
from claude_tui.core.reply_parts import WebCallPart
from claude_tui.core.store.transcript_web import call_line, result_line
from claude_tui.core.web_card import card_text


def result(kind: str, content: object) -> ToolResultBlock:
    return ToolResultBlock({"type": kind, "tool_use_id": "t", "content": content})


def test_a_search_says_its_query_and_its_results_their_domains() -> None:
    call = ServerToolUseBlock("t", "web_search", {"query": "  otters\n in  winter "})
    found = [{"type": "web_search_result", "url": f"https://www.{d}/x"} for d in "abcda"]
    assert block_line(call) == "Searched the web: “otters in winter”"
    assert block_line(result("web_search_tool_result", found)) == "5 results: a, b, c …"
    assert block_line(result("web_search_tool_result", found[:1])) == "1 result: a"


def test_a_fetch_says_its_url_and_its_page() -> None:
    call = ServerToolUseBlock("t", "web_fetch", {"url": "https://example.com/p"})
    page = {"type": "web_fetch_result", "content": {"type": "document", "title": "A  page"}}
    assert block_line(call) == "Fetched https://example.com/p"
    assert block_line(result("web_fetch_tool_result", page)) == "Fetched page: A page"
    assert block_line(result("web_fetch_tool_result", {})) == "Fetched page"


def test_an_error_is_named_and_a_call_still_streaming_has_no_query_yet() -> None:
    error = {"type": "web_search_tool_result_error", "error_code": "max_uses_exceeded"}
    assert block_line(result("web_search_tool_result", error)) == (
        "Search failed: max_uses_exceeded"
    )
    assert block_line(ServerToolUseBlock("t", "web_search", partial_json='{"qu')) == (
        "Searched the web"
    )


def test_another_server_tool_keeps_its_neutral_line() -> None:
    call = ServerToolUseBlock("t", "code_execution", {"code": "1"})
    assert plain_text([call]) == "\n\n[server tool: code_execution]\n\n"
    assert block_line(result("code_execution_tool_result", {})) == "[code_execution_tool_result]"


def test_the_line_the_transcript_and_the_card_say_the_same_words() -> None:
    """One source of words and domains: the transcript's line is the plain one in ``*…*``
    (Markdown-safe), and the card names the same domains, as many."""
    call = ServerToolUseBlock("t", "web_search", {"query": "cats"})
    hosts = ["a.com", "www.b.org", "a.com", "c.net", "d_e.io"]
    found = result(
        "web_search_tool_result",
        [{"type": "web_search_result", "url": f"https://{h}/x", "title": h} for h in hosts],
    )
    assert block_line(found) == "5 results: a.com, b.org, c.net …"
    assert result_line(found) == "*5 results: a.com, b.org, c.net …*"
    assert call_line(call) == f"*{block_line(call)}*"
    card = card_text(WebCallPart(call, found), ended=True)
    assert card.title == "🔍 “cats” · 5 results · a.com, b.org, c.net …"
    failed = result("web_fetch_tool_result", {"type": "web_fetch_tool_result_error"})
    assert (block_line(failed), result_line(failed)) == (
        "Fetch failed: unknown",
        "*Fetch failed: unknown*",
    )
