"""A reply laid out as text parts and web cards, with numbered sources (``core.reply_parts``), and
what each card says (``core.web_card``)."""

from __future__ import annotations

from typing import Any

from claude_tui.core.blocks import (
    Block,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
    UnknownBlock,
    block_from_api,
)
from claude_tui.core.reply_parts import (
    TextPart,
    WebCallPart,
    copy_text,
    has_web_calls,
    reply_parts,
)
from claude_tui.core.web_card import card_text, subject

CATS = "https://example.com/cats"
DOGS = "https://dogs.example.org/a"


def cite(url: str, title: str) -> dict[str, Any]:
    return {
        "type": "web_search_result_location",
        "url": url,
        "title": title,
        "cited_text": "…",
        "encrypted_index": "Enc",
    }


def result(call_id: str, *urls: str, ages: tuple[str | None, ...] = ()) -> ToolResultBlock:
    content = [
        {
            "type": "web_search_result",
            "url": url,
            "title": f"Page {n}",
            "encrypted_content": "Enc",
            "page_age": ages[n] if n < len(ages) else None,
        }
        for n, url in enumerate(urls)
    ]
    block = block_from_api(
        {"type": "web_search_tool_result", "tool_use_id": call_id, "content": content}
    )
    assert isinstance(block, ToolResultBlock)
    return block


def search(call_id: str, query: str, *, partial_json: str = "") -> ServerToolUseBlock:
    if partial_json:
        return ServerToolUseBlock(call_id, "web_search", partial_json=partial_json, partial=True)
    return ServerToolUseBlock(call_id, "web_search", {"query": query})


def searched_reply() -> list[Block]:
    return [
        ThinkingBlock("hmm", "sig"),
        TextBlock("Let me look."),
        search("s1", "cats and water"),
        result("s1", CATS, DOGS, "https://www.example.com/x", "https://more.example.net/"),
        TextBlock("Cats like water", (cite(CATS, "Cats"),)),
        TextBlock(", dogs too", (cite(DOGS, "Dogs"), cite(CATS, "Cats"))),
        TextBlock(". Mostly."),
    ]


class TestLayout:
    def test_text_between_cards_with_markers_numbered_by_first_citation(self) -> None:
        laid_out = reply_parts(searched_reply())
        first, card, after = laid_out.parts
        assert first == TextPart("Let me look.")
        assert isinstance(card, WebCallPart) and card.search and card.result is not None
        assert after == TextPart("Cats like water\\[1\\], dogs too\\[2\\]\\[1\\]. Mostly.")
        assert [(s.number, s.title, s.url) for s in laid_out.sources] == [
            (1, "Cats", CATS),
            (2, "Dogs", DOGS),
        ]

    def test_plain_markers_for_copying(self) -> None:
        after = reply_parts(searched_reply(), markdown=False).parts[-1]
        assert after == TextPart("Cats like water[1], dogs too[2][1]. Mostly.")

    def test_a_block_still_streaming_shows_no_marker_until_it_ends(self) -> None:
        blocks = searched_reply()[:5]
        streaming = TextBlock("Cats like", (cite(CATS, "Cats"),), partial=True)
        blocks[-1] = streaming
        assert reply_parts(blocks, ended=False).parts[-1] == TextPart("Cats like")
        assert reply_parts(blocks, ended=True).parts[-1] == TextPart("Cats like\\[1\\]")

    def test_the_text_only_grows_at_its_end_as_the_reply_streams(self) -> None:
        """Each state of a streaming reply lays out as a prefix of the next: what the screen
        appends to never has to be rewritten."""
        whole = searched_reply()
        before = ""
        for end in range(1, len(whole) + 1):
            blocks = [*whole[: end - 1], _streaming(whole[end - 1])]
            for state in (blocks, whole[:end]):
                texts = [
                    p.text for p in reply_parts(state, ended=False).parts if isinstance(p, TextPart)
                ]
                now = "\x00".join(texts)
                assert now.startswith(before), (before, now)
                before = now

    def test_a_reply_without_web_calls_is_one_text_part(self) -> None:
        blocks: list[Block] = [
            TextBlock("Hello "),
            UnknownBlock({"type": "future"}),
            TextBlock("you"),
        ]
        laid_out = reply_parts(blocks)
        assert laid_out.parts == (TextPart("Hello \n\n[unsupported block: future]\n\nyou"),)
        assert not has_web_calls(blocks) and has_web_calls(searched_reply())

    def test_a_result_without_its_call_is_a_neutral_line(self) -> None:
        laid_out = reply_parts([result("nope", CATS), TextBlock("x")])
        assert laid_out.parts == (TextPart("\n\n1 result: example.com\n\nx"),)

    def test_other_server_tools_stay_lines(self) -> None:
        tool = ServerToolUseBlock("c1", "code_execution", {"code": "1"})
        assert reply_parts([tool]).parts == (TextPart("\n\n[server tool: code_execution]\n\n"),)


def _streaming(block: Block) -> Block:
    """``block`` as it stands while streaming: partial, text cut in half."""
    if isinstance(block, TextBlock):
        return TextBlock(block.text[: len(block.text) // 2], block.citations, partial=True)
    if isinstance(block, ServerToolUseBlock):
        return ServerToolUseBlock(block.id, block.name, partial_json='{"query": "ca', partial=True)
    return block


class TestCopy:
    def test_markers_kept_and_sources_appended(self) -> None:
        assert copy_text(searched_reply()) == (
            "Let me look.Cats like water[1], dogs too[2][1]. Mostly.\n\n"
            "Sources\n"
            f"[1] Cats — {CATS}\n"
            f"[2] Dogs — {DOGS}"
        )

    def test_no_sources_no_list(self) -> None:
        assert copy_text([TextBlock("Just text.\n")]) == "Just text."


class TestCards:
    def test_the_query_shows_as_it_arrives(self) -> None:
        part = WebCallPart(search("s1", "", partial_json='{"query": "python 3.1'))
        assert subject(part) == "python 3.1"
        text = card_text(part, ended=False)
        assert (text.title, text.state) == ("🔍 Searching: python 3.1", "running")

    def test_only_an_escape_cut_in_two_is_left_out_while_the_query_arrives(self) -> None:
        arriving = {
            r'{"query": "regex \\d': "regex \\d",  # an escaped backslash, then d
            r'{"query": "a\\': "a\\",
            r'{"query": "x\\u00': "x\\u00",  # an escaped backslash, then "u00"
            r'{"query": "caf\u00e': "caf",  # \u00e9 cut in two
            r'{"query": "x\\\u00': "x\\",
            r'{"query": "tab\t': "tab\t",
        }
        got = {raw: subject(WebCallPart(search("s", "", partial_json=raw))) for raw in arriving}
        assert got == arriving

    def test_results_fold_into_one_line_and_open_to_titles_domains_ages(self) -> None:
        part = reply_parts(searched_reply()).calls[0]
        text = card_text(part, ended=True)
        assert text.title == (
            "🔍 “cats and water” · 4 results · example.com, dogs.example.org, more.example.net"
        )
        assert text.details[:2] == ("Page 0 — example.com", "Page 1 — dogs.example.org")
        aged = WebCallPart(search("s", "q"), result("s", CATS, ages=("2 weeks ago",)))
        assert card_text(aged, ended=True).details == ("Page 0 — example.com · 2 weeks ago",)

    def test_more_domains_than_shown_end_with_an_ellipsis(self) -> None:
        urls = [f"https://site{n}.example/" for n in range(5)]
        part = WebCallPart(search("s", "q"), result("s", *urls))
        assert card_text(part, ended=True).title.endswith(
            "site0.example, site1.example, site2.example …"
        )

    def test_an_error_is_said_plainly(self) -> None:
        error = block_from_api(
            {
                "type": "web_search_tool_result",
                "tool_use_id": "s",
                "content": {
                    "type": "web_search_tool_result_error",
                    "error_code": "max_uses_exceeded",
                },
            }
        )
        assert isinstance(error, ToolResultBlock)
        text = card_text(WebCallPart(search("s", "q"), error), ended=True)
        assert text.state == "failed"
        used = "this reply used all its searches (web_max_uses in the config)"
        assert text.title == f"🔍 “q” · search failed: {used}"

    def test_before_the_query_arrives_the_card_says_it_is_searching(self) -> None:
        part = WebCallPart(search("s", "", partial_json='{"que'))
        assert card_text(part, ended=False).title == "🔍 Searching…"
        fetch = WebCallPart(ServerToolUseBlock("f", "web_fetch", partial_json="{", partial=True))
        assert card_text(fetch, ended=False).title == "🌐 Fetching…"

    def test_a_call_cut_off_is_stopped(self) -> None:
        part = WebCallPart(search("s", "", partial_json='{"query": "half'))
        text = card_text(part, ended=True)
        assert (text.title, text.state) == ("🔍 “half” · stopped before its results", "stopped")

    def test_a_fetch_says_its_size(self) -> None:
        page = "x" * 12_800
        fetched = block_from_api(
            {
                "type": "web_fetch_tool_result",
                "tool_use_id": "f",
                "content": {
                    "type": "web_fetch_result",
                    "url": DOGS,
                    "retrieved_at": "2026-03-02T12:00:00Z",
                    "content": {
                        "type": "document",
                        "source": {"type": "text", "media_type": "text/plain", "data": page},
                        "title": "Dogs",
                    },
                },
            }
        )
        assert isinstance(fetched, ToolResultBlock)
        call = ServerToolUseBlock("f", "web_fetch", {"url": DOGS})
        assert card_text(WebCallPart(call), ended=False).title == f"🌐 Fetching: {DOGS}"
        text = card_text(WebCallPart(call, fetched), ended=True)
        assert text.title == f"🌐 {DOGS} · fetched · 12 KB"
        assert text.details == ("Dogs", "retrieved 2026-03-02T12:00:00Z")

    def test_control_sequences_never_reach_a_card(self) -> None:
        hostile = "\x1b]8;;https://evil\x07click\x1b]8;;\x07\x1b[2J"
        part = WebCallPart(search("s", hostile), result("s", f"https://a.example/{hostile}"))
        text = card_text(part, ended=True)
        for line in (text.title, *text.details):
            assert "\x1b" not in line and "\x07" not in line
