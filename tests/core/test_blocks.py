"""The content-block model: every kind from and back to the API's JSON, unknown kinds kept whole,
the store form, and the assembler that builds a streamed reply."""

from __future__ import annotations

import json

import pytest

from claude_tui.core.block_assembler import BlockAssembler
from claude_tui.core.blocks import (
    STORE_MARK,
    CompactionBlock,
    DocumentBlock,
    ImageBlock,
    RedactedThinkingBlock,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
    UnknownBlock,
    block_from_api,
    block_from_store,
    block_to_store,
    blocks_from_json,
    blocks_from_text,
    blocks_to_json,
    plain_text,
    text_of,
    thinking_of,
)

CITATION = {
    "type": "web_search_result_location",
    "url": "https://example.com",
    "title": "Example",
    "cited_text": "An example.",
    "encrypted_index": "Eo8BCioIAhgB",
}
SEARCH_USE = {
    "type": "server_tool_use",
    "id": "srvtoolu_01",
    "name": "web_search",
    "input": {"query": "example"},
    "caller": {"type": "direct"},
}
SEARCH_RESULT = {
    "type": "web_search_tool_result",
    "tool_use_id": "srvtoolu_01",
    "content": [
        {"type": "web_search_result", "url": "u", "encrypted_content": "Eqg", "page_age": None}
    ],
}
FUTURE = {"type": "future_block", "text": {"not": "a string"}, "data": [1, 2.5, None, "x"]}

EVERY_KIND = [
    ({"type": "text", "text": "Hello."}, TextBlock),
    ({"type": "text", "text": "Cited.", "citations": [CITATION]}, TextBlock),
    ({"type": "thinking", "thinking": "Hmm.", "signature": "EqQB"}, ThinkingBlock),
    ({"type": "redacted_thinking", "data": "EmwKAhgB"}, RedactedThinkingBlock),
    (SEARCH_USE, ServerToolUseBlock),
    (SEARCH_RESULT, ToolResultBlock),
    ({"type": "compaction", "content": "Summary.", "encrypted_content": "Ex9"}, CompactionBlock),
    (
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iV"}},
        ImageBlock,
    ),
    ({"type": "document", "source": {"type": "text", "data": "notes"}}, DocumentBlock),
    (FUTURE, UnknownBlock),
]


@pytest.mark.parametrize(("data", "kind"), EVERY_KIND)
def test_every_kind_goes_back_as_it_came(data: dict[str, object], kind: type) -> None:
    block = block_from_api(data)
    assert isinstance(block, kind)
    assert block.to_api() == data
    assert block.type == data["type"]
    assert block_from_store(block_to_store(block)) == block


def test_raw_blocks_go_back_byte_for_byte() -> None:
    for data in (SEARCH_RESULT, FUTURE, SEARCH_USE):
        assert json.dumps(block_from_api(data).to_api()) == json.dumps(data)


def test_a_block_never_shares_its_json() -> None:
    data = json.loads(json.dumps(SEARCH_USE))
    block = block_from_api(data)
    data["input"]["query"] = "changed"
    sent = block.to_api()
    sent["input"]["query"] = "changed too"
    assert block.to_api() == SEARCH_USE


@pytest.mark.parametrize(
    "data",
    [
        {"type": "text", "text": None},
        {"type": "text", "text": "x", "citations": ["not an object"]},
        {"type": "thinking", "thinking": 5},
        {"type": "server_tool_use", "id": "s", "name": "n", "input": "not an object"},
        {"no": "type"},
    ],
)
def test_a_block_that_does_not_fit_its_kind_is_kept_whole(data: dict[str, object]) -> None:
    block = block_from_api(data)
    assert isinstance(block, UnknownBlock)
    assert block.to_api() == data


def test_the_store_keeps_the_apps_own_marks_apart() -> None:
    cut = ServerToolUseBlock("srvtoolu_1", "web_search", partial_json='{"que', partial=True)
    stored = block_to_store(cut)
    assert stored[STORE_MARK] == {"partial": True, "partial_json": '{"que'}
    assert block_from_store(stored) == cut
    assert STORE_MARK not in block_to_store(TextBlock("whole"))
    assert STORE_MARK not in cut.to_api()
    blocks = [ThinkingBlock("t", "s"), TextBlock("a", partial=True), UnknownBlock(FUTURE)]
    assert blocks_from_json(blocks_to_json(blocks)) == blocks
    with pytest.raises(ValueError):
        blocks_from_json('{"type": "text"}')


def test_text_only_messages() -> None:
    assert blocks_from_text("hi") == [TextBlock("hi")]
    assert blocks_from_text("") == [TextBlock("")]
    assert blocks_from_text("", "thought") == [ThinkingBlock("thought")]
    assert blocks_from_text("a", "t") == [ThinkingBlock("t"), TextBlock("a")]


def test_flattening_is_for_display_only() -> None:
    blocks = [ThinkingBlock("t1"), TextBlock("one "), UnknownBlock(FUTURE), TextBlock("two")]
    assert text_of(blocks) == "one two"
    assert thinking_of(blocks) == "t1"
    assert plain_text(blocks) == "one \n\n[unsupported block: future_block]\n\ntwo"


# -- the assembler ------------------------------------------------------------------------------


def test_the_assembler_builds_a_reply_by_index() -> None:
    assembler = BlockAssembler()
    assembler.start(0, block_from_api({"type": "thinking", "thinking": "", "signature": ""}))
    assert not assembler.has_content
    assembler.add_text(0, "thinking", "Let me ")
    assembler.add_text(0, "thinking", "think.")
    assembler.add_text(0, "signature", "EqQB")
    assert assembler.has_content
    assert assembler.stop(0) == ThinkingBlock("Let me think.", "EqQB")
    assembler.start(1, TextBlock(""))
    assembler.add_text(1, "text", "Cited")
    assembler.add_item(1, "citation", {"type": "citations_delta", "citation": CITATION})
    assembler.add_text(1, "thinking", "ignored: not a thinking block")
    assert assembler.blocks() == [
        ThinkingBlock("Let me think.", "EqQB"),
        TextBlock("Cited", (CITATION,), partial=True),
    ]
    assert assembler.stop(1) == TextBlock("Cited", (CITATION,))
    assert assembler.stop(7) is None  # never started
    assembler.add_text(7, "text", "nowhere to go")
    assert len(assembler.blocks()) == 2


def test_a_tool_input_is_parsed_at_its_stop() -> None:
    assembler = BlockAssembler()
    assembler.start(0, block_from_api({**SEARCH_USE, "input": {}}))
    assembler.add_text(0, "input_json", '{"query": ')
    cut = assembler.block(0)
    assert isinstance(cut, ServerToolUseBlock) and cut.partial and cut.input == {}
    assembler.add_text(0, "input_json", '"example"}')
    assert assembler.stop(0) == block_from_api(SEARCH_USE)


def test_compaction_content_overwrites_as_the_beta_accumulator_does() -> None:
    assembler = BlockAssembler()
    start = {"type": "compaction", "content": None, "encrypted_content": None}
    assembler.start(0, block_from_api(start))
    delta = {"type": "compaction_delta", "content": "Summary.", "encrypted_content": "Ex9"}
    assembler.add_item(0, "compaction", delta)
    assert assembler.stop(0) == CompactionBlock(
        {"type": "compaction", "content": "Summary.", "encrypted_content": "Ex9"}
    )


def test_an_unknown_block_is_content_and_stays_whole() -> None:
    assembler = BlockAssembler()
    assembler.start(0, TextBlock(""))
    assembler.start(1, block_from_api(FUTURE))
    assert assembler.has_content
    assembler.add_item(1, "other", {"type": "future_delta", "more": 1})
    assert assembler.stop(1) == UnknownBlock(FUTURE)
    assert assembler.blocks()[0] == TextBlock("", partial=True)


def test_a_kept_block_shares_nothing_mutable_with_what_it_was_made_from() -> None:
    """Blocks keep raw JSON copied, strings shared: changing the source afterwards (or the
    block's JSON) must not change the other."""
    source = {"type": "image", "source": {"type": "base64", "data": "QUJD"}, "x": [1, {"y": 2}]}
    block = block_from_api(source)
    source["source"]["data"] = "changed"
    source["x"][1]["y"] = 3  # type: ignore[index]
    sent = block.to_api()
    assert sent == {
        "type": "image",
        "source": {"type": "base64", "data": "QUJD"},
        "x": [1, {"y": 2}],
    }
    sent["source"]["data"] = "again"
    assert block.to_api()["source"]["data"] == "QUJD"


def test_a_block_that_is_not_json_is_refused_as_json_would_refuse_it() -> None:
    with pytest.raises(TypeError):
        block_from_api({"type": "image", "source": {"when": object()}})
