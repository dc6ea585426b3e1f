"""The conversation's turns are blocks, and the history sent back is one the real API accepts."""

from __future__ import annotations

import json
from typing import Any

from claude_tui.core.blocks import (
    Block,
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
)
from claude_tui.core.conversation import Conversation, Turn, TurnStatus, build_api_messages

SEARCH_USE = {
    "type": "server_tool_use",
    "id": "srvtoolu_01",
    "name": "web_search",
    "input": {"query": "weather in Paris"},
}
SEARCH_RESULT = {
    "type": "web_search_tool_result",
    "tool_use_id": "srvtoolu_01",
    "content": [
        {
            "type": "web_search_result",
            "url": "https://example.com/paris",
            "title": "Paris weather",
            "encrypted_content": "EqgfCioIARgBIiQ3YTAwMjY1Mi1mZjM5LTQ1NGUtODgxNC1kNjNjNTk1ZWI3Y",
            "page_age": None,
        }
    ],
}
CITATION = {
    "type": "web_search_result_location",
    "url": "https://example.com/paris",
    "title": "Paris weather",
    "cited_text": "Sunny, 21 degrees.",
    "encrypted_index": "Eo8BCioIAhgBIiQyYjQ0OWJmZi1lNm",
}
FUTURE = {"type": "future_block", "data": {"nested": [1, 2.5, None]}, "text": {"not": "text"}}
COMPACTION = {"type": "compaction", "content": "Summary so far.", "encrypted_content": "Ex9z"}
SIGNED = ThinkingBlock("Let me think.", "EqQBCgIYAhIM1gbcDa9GJwZA")


def user(*blocks: Block) -> Turn:
    return Turn("user", list(blocks))


def reply(*blocks: Block, status: TurnStatus = TurnStatus.COMPLETE) -> Turn:
    return Turn("assistant", list(blocks), status)


def hi() -> Turn:
    return Turn.from_text("user", "hi")


def content(turns: list[Turn], index: int = -1) -> list[dict[str, Any]]:
    messages = build_api_messages(turns)
    result: list[dict[str, Any]] = messages[index]["content"]
    return result


# -- turns ------------------------------------------------------------------------------------


def test_a_turn_is_its_blocks() -> None:
    turn = reply(SIGNED, TextBlock("Hello, "), UnknownBlock(FUTURE), TextBlock("world."))
    assert turn.text == "Hello, world."
    assert turn.thinking == "Let me think."
    assert Turn.from_text("assistant", "Answer.", "Thought.").blocks == [
        ThinkingBlock("Thought."),
        TextBlock("Answer."),
    ]
    prompt = Turn.from_text("user", "hi", message_id=7, status=TurnStatus.ERROR)
    assert (prompt.blocks, prompt.message_id, prompt.status) == (
        [TextBlock("hi")],
        7,
        TurnStatus.ERROR,
    )


def test_plain_exchange() -> None:
    conv = Conversation()
    conv.add_user("hi")
    answer = conv.start_assistant()
    answer.blocks, answer.status = [TextBlock("Hello!")], TurnStatus.COMPLETE
    conv.add_user("more")
    assert conv.turns[0].blocks == [TextBlock("hi")]
    assert conv.api_messages() == [
        {"role": "user", "content": [{"type": "text", "text": "hi"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "Hello!"}]},
        {"role": "user", "content": [{"type": "text", "text": "more"}]},
    ]


# -- the history the API accepts --------------------------------------------------------------


def test_streaming_turn_is_left_out() -> None:
    conv = Conversation()
    conv.add_user("hi")
    conv.start_assistant().blocks = [TextBlock("partial so far", partial=True)]
    assert [m["role"] for m in conv.api_messages()] == ["user"]
    assert conv.streaming


def test_cancelled_partial_text_is_sent_as_it_got() -> None:
    turns = [
        Turn.from_text("user", "explain"),
        reply(TextBlock("The first part ", partial=True), status=TurnStatus.CANCELLED),
        Turn.from_text("user", "go on"),
    ]
    messages = build_api_messages(turns)
    assert messages[1] == {
        "role": "assistant",
        "content": [{"type": "text", "text": "The first part "}],  # not final: kept as is
    }


def test_empty_and_whitespace_text_is_dropped_and_same_roles_merge() -> None:
    turns = [
        Turn.from_text("user", "one"),
        reply(status=TurnStatus.ERROR),
        Turn.from_text("user", "two"),
        reply(TextBlock("  \n", partial=True), status=TurnStatus.CANCELLED),
        Turn.from_text("user", "three"),
        reply(TextBlock(""), TextBlock("four"), TextBlock(" ")),
    ]
    messages = build_api_messages(turns)
    assert messages == [
        {
            "role": "user",
            "content": [{"type": "text", "text": t} for t in ("one", "two", "three")],
        },
        {"role": "assistant", "content": [{"type": "text", "text": "four"}]},
    ]


def test_history_starts_with_user() -> None:
    turns = [reply(TextBlock("stray")), hi()]
    assert [m["role"] for m in build_api_messages(turns)] == ["user"]


def test_final_assistant_text_loses_trailing_whitespace() -> None:
    turns = [
        hi(),
        reply(
            TextBlock("Partial answer \n\n", partial=True),
            UnknownBlock(FUTURE),
            status=TurnStatus.CANCELLED,
        ),
    ]
    # the content does not end with the text: the API's rule is not about it
    assert content(turns) == [{"type": "text", "text": "Partial answer \n\n"}, FUTURE]
    cut = [hi(), reply(TextBlock("Partial answer \n\n", partial=True), status=TurnStatus.CANCELLED)]
    assert content(cut) == [{"type": "text", "text": "Partial answer"}]
    # the turn itself keeps every character: only what is sent changes
    assert cut[1].text == "Partial answer \n\n"
    # only the final message's last text block is stripped
    two = [hi(), reply(TextBlock("a "), TextBlock("b \n")), hi()]
    assert content(two, 1) == [{"type": "text", "text": "a "}, {"type": "text", "text": "b \n"}]
    final = [hi(), reply(TextBlock("a "), TextBlock("b \n"))]
    assert content(final) == [{"type": "text", "text": "a "}, {"type": "text", "text": "b"}]


def test_thinking_goes_back_only_signed_and_complete() -> None:
    unsigned = ThinkingBlock("Saved before signatures were kept.")
    cut = ThinkingBlock("Halfway through a thou", partial=True)
    cut_signed = ThinkingBlock("Thought", "EqQBsig", partial=True)
    turns = [
        hi(),
        reply(SIGNED, TextBlock("one")),
        hi(),
        reply(unsigned, TextBlock("two")),
        hi(),
        reply(cut_signed, cut, TextBlock("three", partial=True), status=TurnStatus.CANCELLED),
    ]
    messages = build_api_messages(turns)
    assert messages[1]["content"] == [SIGNED.to_api(), {"type": "text", "text": "one"}]
    assert messages[3]["content"] == [{"type": "text", "text": "two"}]
    assert messages[5]["content"] == [{"type": "text", "text": "three"}]


def test_redacted_thinking_goes_back() -> None:
    redacted = RedactedThinkingBlock("EmwKAhgBEgy3va3pzix/LafPsn4a")
    turns = [hi(), reply(redacted, SIGNED, TextBlock("Answer."))]
    assert content(turns) == [
        {"type": "redacted_thinking", "data": "EmwKAhgBEgy3va3pzix/LafPsn4a"},
        SIGNED.to_api(),
        {"type": "text", "text": "Answer."},
    ]


def test_an_assistant_message_of_thinking_alone_is_dropped() -> None:
    """Cancelled while thinking (or after it, before any text): nothing of the reply goes back,
    and the prompts around it merge."""
    redacted = RedactedThinkingBlock("EmwKAhgBEgy3va3pzix")
    turns = [
        Turn.from_text("user", "one"),
        reply(SIGNED, redacted, TextBlock(" ", partial=True), status=TurnStatus.CANCELLED),
        Turn.from_text("user", "two"),
    ]
    assert build_api_messages(turns) == [
        {
            "role": "user",
            "content": [{"type": "text", "text": "one"}, {"type": "text", "text": "two"}],
        }
    ]
    # the last message too: the history then ends with the prompt
    assert build_api_messages(turns[:2]) == [
        {"role": "user", "content": [{"type": "text", "text": "one"}]}
    ]


def test_a_server_tool_call_goes_back_with_its_result_byte_for_byte() -> None:
    cited = TextBlock("Sunny.", (CITATION,))
    turns = [hi(), reply(block_from_api(SEARCH_USE), block_from_api(SEARCH_RESULT), cited)]
    sent = content(turns)
    cited_json = {"type": "text", "text": "Sunny.", "citations": [CITATION]}
    assert sent == [SEARCH_USE, SEARCH_RESULT, cited_json]
    assert json.dumps(sent[1]) == json.dumps(SEARCH_RESULT)  # the same keys, in the same order


def test_a_server_tool_call_without_its_result_is_not_sent() -> None:
    complete_use = block_from_api(SEARCH_USE)
    cut_use = ServerToolUseBlock("srvtoolu_02", "web_search", partial_json='{"que', partial=True)
    turns = [
        hi(),
        reply(TextBlock("Let me look."), complete_use, status=TurnStatus.CANCELLED),
        hi(),
        reply(TextBlock("Searching."), cut_use, status=TurnStatus.CANCELLED),
    ]
    messages = build_api_messages(turns)
    assert messages[1]["content"] == [{"type": "text", "text": "Let me look."}]
    assert messages[3]["content"] == [{"type": "text", "text": "Searching."}]


def test_a_result_goes_back_only_after_its_call() -> None:
    result = block_from_api(SEARCH_RESULT)
    cut_result = ToolResultBlock(SEARCH_RESULT, partial=True)
    use = block_from_api(SEARCH_USE)
    turns = [
        hi(),
        reply(result, use, TextBlock("Backwards.")),  # the result before its call
        hi(),
        reply(TextBlock("No call."), result),
        hi(),
        reply(use, cut_result, TextBlock("Cut."), status=TurnStatus.CANCELLED),
    ]
    messages = build_api_messages(turns)
    assert messages[1]["content"] == [{"type": "text", "text": "Backwards."}]
    assert messages[3]["content"] == [{"type": "text", "text": "No call."}]
    assert messages[5]["content"] == [{"type": "text", "text": "Cut."}]


def test_a_result_goes_back_with_a_call_of_a_kind_the_app_does_not_know() -> None:
    call = {"type": "future_tool_use", "id": "futu_1", "name": "x", "input": {}}
    answer = {"type": "future_tool_result", "tool_use_id": "futu_1", "content": []}
    turns = [hi(), reply(block_from_api(call), block_from_api(answer), TextBlock("Done."))]
    assert content(turns) == [call, answer, {"type": "text", "text": "Done."}]


def test_compaction_and_unknown_blocks_go_back_unchanged() -> None:
    turns = [
        hi(),
        reply(block_from_api(COMPACTION), TextBlock("Go on."), block_from_api(FUTURE)),
    ]
    sent = content(turns)
    assert sent == [COMPACTION, {"type": "text", "text": "Go on."}, FUTURE]
    assert isinstance(block_from_api(COMPACTION), CompactionBlock)
    assert json.dumps(sent[2]) == json.dumps(FUTURE)


def test_partial_blocks_other_than_text_are_not_sent() -> None:
    turns = [
        hi(),
        reply(
            TextBlock("Before."),
            UnknownBlock(FUTURE, partial=True),
            CompactionBlock({"type": "compaction", "content": None}, partial=True),
            RedactedThinkingBlock("Emw", partial=True),
            status=TurnStatus.CANCELLED,
        ),
    ]
    assert content(turns) == [{"type": "text", "text": "Before."}]


def test_an_assistant_message_left_with_only_thinking_after_pairing_is_dropped() -> None:
    cut_use = ServerToolUseBlock("srvtoolu_03", "web_search", partial=True)
    turns = [
        Turn.from_text("user", "one"),
        reply(SIGNED, block_from_api(SEARCH_USE), cut_use, status=TurnStatus.CANCELLED),
        Turn.from_text("user", "two"),
    ]
    assert build_api_messages(turns) == [
        {
            "role": "user",
            "content": [{"type": "text", "text": "one"}, {"type": "text", "text": "two"}],
        }
    ]


def test_prompt_attachments_go_back_unchanged() -> None:
    image = {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": "iVB"},
    }
    document = {
        "type": "document",
        "source": {"type": "text", "media_type": "text/plain", "data": "notes"},
        "title": "notes.txt",
    }
    turns = [user(block_from_api(image), block_from_api(document), TextBlock("Look."))]
    assert isinstance(turns[0].blocks[0], ImageBlock)
    assert isinstance(turns[0].blocks[1], DocumentBlock)
    assert content(turns) == [image, document, {"type": "text", "text": "Look."}]


def test_only_the_last_compaction_with_content_goes_back() -> None:
    """The API refuses two compaction blocks with content and reads nothing before the last:
    the history goes from the prompt the last one's reply answered, that reply from its block
    on. A /compact reply is the block alone; a failed compaction (content null) is a no-op."""
    second = {**COMPACTION, "content": "Summary, again.", "encrypted_content": "Ey0"}
    failed = {"type": "compaction", "content": None, "encrypted_content": None}
    turns = [
        Turn.from_text("user", "one"),
        reply(block_from_api(COMPACTION), TextBlock("First.")),
        Turn.from_text("user", "two"),
        reply(SIGNED, block_from_api(second)),
        Turn.from_text("user", "three"),
        reply(block_from_api(failed), TextBlock("Third.")),
        Turn.from_text("user", "four"),
    ]
    assert build_api_messages(turns) == [
        {"role": "user", "content": [{"type": "text", "text": "two"}]},
        {"role": "assistant", "content": [second]},
        {"role": "user", "content": [{"type": "text", "text": "three"}]},
        {"role": "assistant", "content": [failed, {"type": "text", "text": "Third."}]},
        {"role": "user", "content": [{"type": "text", "text": "four"}]},
    ]
    one = [*turns[:2], Turn.from_text("user", "two")]
    assert content(one, 1)[0] == COMPACTION and len(build_api_messages(one)) == 3
