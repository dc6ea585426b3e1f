"""The lines a web call and its result stand as in a reply's plain text (stored ``content``,
session search): readable words, not the block's type."""

from __future__ import annotations

from claude_tui.core.blocks import ServerToolUseBlock, ToolResultBlock, block_line, plain_text


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
    assert block_line(result("web_fetch_tool_result", page)) == "Page: A page"
    assert block_line(result("web_fetch_tool_result", {})) == "Page fetched"


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
