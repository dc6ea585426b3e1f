"""Web search and fetch in the exports: the JSON export keeps every server block and citation
byte for byte through an import, and the Markdown transcript shows each call and result as one
line and the citations as numbered footnotes, with hostile titles and URLs kept harmless."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from claude_tui.core.blocks import (
    Block,
    ServerToolUseBlock,
    TextBlock,
    ToolResultBlock,
    block_from_api,
    block_to_store,
)
from claude_tui.core.store import SessionStore
from claude_tui.core.store.export import to_json, to_markdown

from ..block_samples import CITATIONS, TOOL_RESULT

SEARCH = ServerToolUseBlock("srvtoolu_01", "web_search", {"query": "do cats like water"})
FETCH = ServerToolUseBlock("srvtoolu_02", "web_fetch", {"url": "https://example.org/a_b"})
FETCH_RESULT: dict[str, Any] = {
    "type": "web_fetch_tool_result",
    "tool_use_id": "srvtoolu_02",
    "content": {
        "type": "web_fetch_result",
        "url": "https://example.org/a_b",
        "retrieved_at": "2026-12-07T23:00:00Z",
        "content": {
            "type": "document",
            "title": "A *page*",
            "source": {"type": "text", "media_type": "text/plain", "data": "the page's text"},
        },
    },
}
OTHER = {
    "type": "web_search_result_location",
    "url": "https://news.example.org/dogs",
    "title": "Dogs",
    "cited_text": "Dogs swim.",
    "encrypted_index": "EncIdxD==",
}


def _reply(cited: list[list[dict[str, Any]]]) -> list[Block]:
    """A search, its result, then a text block for each list of citations given."""
    texts = [TextBlock(f"Claim {i}. ", tuple(c)) for i, c in enumerate(cited)]
    return [SEARCH, block_from_api(TOOL_RESULT), *texts]


def _markdown(*replies: list[Block]) -> str:
    messages = [{"role": "assistant", "blocks": [block_to_store(b) for b in r]} for r in replies]
    return to_markdown({"messages": messages})


def test_the_json_export_keeps_server_blocks_and_citations_byte_for_byte(tmp_path: Path) -> None:
    reply = [
        *_reply([CITATIONS, [OTHER]]),
        FETCH,
        block_from_api(FETCH_RESULT),
        ToolResultBlock(
            {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_03",
             "content": {"type": "web_search_tool_result_error", "error_code": "max_uses_exceeded"}}
        ),
    ]  # fmt: skip
    sent = json.dumps([block.to_api() for block in reply], ensure_ascii=False)
    with SessionStore.open(tmp_path / "a.db") as store:
        session = store.create_session(model="m").id
        store.add_message(session, "user", "cats?")
        store.add_message(session, "assistant", blocks=reply, status="complete")
        text = to_json(store.export_session(session))
    assert "EncR3sult==" in text and "EncIdx1==" in text and "EncIdxD==" in text
    with SessionStore.open(tmp_path / "b.db") as store:
        imported = store.import_session(json.loads(text))
        blocks = store.messages(imported)[1].blocks
        assert json.dumps([b.to_api() for b in blocks], ensure_ascii=False) == sent
        assert blocks[1].to_api() == TOOL_RESULT
        assert blocks[2].to_api()["citations"] == CITATIONS
        assert to_json(store.export_session(imported)) == text


def test_footnotes_number_each_source_once_in_the_order_first_cited() -> None:
    text = _markdown(_reply([CITATIONS[:1], [OTHER], CITATIONS[1:]]))
    assert "Claim 0.[^1] Claim 1.[^2] Claim 2.[^1]\n\n" in text
    assert text.endswith(
        "[^1]: Cats — https://example.com/cats\n[^2]: Dogs — https://news.example.org/dogs\n"
    )
    # Two citations of one URL in one block are one marker.
    assert "Claim 0.[^1]\n" in _markdown(_reply([CITATIONS]))


def test_numbers_go_on_in_the_next_reply_so_each_label_is_unique() -> None:
    text = _markdown(_reply([[OTHER]]), _reply([CITATIONS]))
    assert "[^1]: Dogs — https://news.example.org/dogs\n\n## Claude" in text
    assert "Claim 0.[^2]\n\n[^2]: Cats — https://example.com/cats\n" in text


def test_hostile_titles_and_urls_stay_plain_text() -> None:
    hostile = {
        "type": "web_search_result_location",
        "url": "https://evil.example/x y)[z]\x1b]8;;https://phish\x07<b>*",
        "title": "[click](https://phish) \x1b[2J\n# Heading <script>*bold*",
        "cited_text": "x",
        "encrypted_index": "E",
    }
    text = _markdown([TextBlock("Claim.", (hostile,))])
    note = text.splitlines()[-1]
    assert note == (
        r"[^1]: \[click\](https://phish) ␛\[2J # Heading \<script\>\*bold\* — "
        "https://evil.example/x%20y)%5Bz%5D%1B%5D8;;https://phish%07%3Cb%3E%2A"
    )
    assert "\x1b" not in text and "\x07" not in text and "\n# Heading" not in text


def test_searches_and_fetches_read_as_one_line_each() -> None:
    many = copy.deepcopy(TOOL_RESULT)
    hosts = ["a.com", "b.com", "a.com", "c.com", "d.com", "e.com", "f.com"]
    many["content"] = [{"type": "web_search_result", "url": f"https://{h}/p", "title": h,
                        "encrypted_content": "Enc"} for h in hosts]  # fmt: skip
    failed = {**TOOL_RESULT, "content": {"type": "web_search_tool_result_error",
                                         "error_code": "too_many_requests"}}  # fmt: skip
    fetch_failed = {**FETCH_RESULT, "content": {"type": "web_fetch_tool_result_error",
                                                "error_code": "url_not_accessible"}}  # fmt: skip
    blocks = [SEARCH, block_from_api(many), block_from_api(failed), FETCH,
              block_from_api(FETCH_RESULT), block_from_api(fetch_failed),
              ServerToolUseBlock("s", "web_search", partial_json='{"qu', partial=True)]  # fmt: skip
    assert _markdown(blocks).split("## Claude\n\n")[1] == (
        "*Searched the web: “do cats like water”*\n\n"
        "*7 results: a.com, b.com, c.com …*\n\n"
        "*Search failed: too\\_many\\_requests*\n\n"
        "*Fetched https://example.org/a%5Fb*\n\n"
        "*Fetched page: A \\*page\\**\n\n"
        "*Fetch failed: url\\_not\\_accessible*\n\n"
        "*Searched the web*\n"
    )
    assert "Enc" not in _markdown(blocks)


def test_one_result_and_a_hostile_query() -> None:
    query = ServerToolUseBlock("q", "web_search", {"query": "x\x1b[31m”*\n- item"})
    text = _markdown([query, block_from_api(TOOL_RESULT)])
    assert "*Searched the web: “x␛\\[31m”\\* - item”*\n\n*1 result: example.com*" in text
