"""A paused or cut reply going back whole: thinking first, open calls last, whitespace kept
before a call; what the turn keeps is what was sent (also when the model is asked to go on)."""

from __future__ import annotations

from claude_tui.core.api_history import api_history, open_tail, without_trailing_whitespace
from claude_tui.core.blocks import (
    Block,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
)
from claude_tui.core.continuation import begin_continuation, continuation_prefix
from claude_tui.core.conversation import Turn

PROMPT = Turn.from_text("user", "otter news?")
THOUGHT = ThinkingBlock("hm", "sig")
A = ServerToolUseBlock("srvtoolu_A", "web_search", {"query": "a"})
B = ServerToolUseBlock("srvtoolu_B", "web_search", {"query": "b"})
RA = ToolResultBlock({"type": "web_search_tool_result", "tool_use_id": "srvtoolu_A", "content": []})
CUT = ServerToolUseBlock("srvtoolu_P", "web_search", partial_json='{"query": "x', partial=True)


def _paused(blocks: list[Block]) -> Turn:
    return Turn("assistant", list(blocks), stop_reason="pause_turn")


def test_a_paused_search_goes_back_exactly_as_it_came_with_thinking_on() -> None:
    for blocks in ([THOUGHT, B], [THOUGHT, A, RA, B], [THOUGHT, A, B]):
        reply = _paused(blocks)
        plan = begin_continuation([PROMPT, reply], reply, thinking=True)
        assert plan.messages[-1] == {"role": "assistant", "content": [b.to_api() for b in blocks]}
        assert plan.thinking is True
        assert plan.prefix == blocks == reply.blocks


def test_only_the_final_message_keeps_its_open_calls() -> None:
    history = [("user", [TextBlock("q")]), ("assistant", [THOUGHT, B])]
    assert api_history(history) == [{"role": "user", "content": [{"type": "text", "text": "q"}]}]
    kept = api_history(history, keep_open_calls=True)
    assert kept[-1]["content"] == [THOUGHT.to_api(), B.to_api()]
    earlier = [*history, ("user", [TextBlock("and?")])]  # no longer final: never sent open
    assert [m["role"] for m in api_history(earlier, keep_open_calls=True)] == ["user"]


def test_a_call_cut_in_the_middle_after_a_complete_one_loses_only_itself() -> None:
    assert open_tail([A, CUT]) == [A]
    reply = Turn("assistant", [A, CUT], stop_reason="max_tokens")
    plan = begin_continuation([PROMPT, reply], reply, thinking=False)
    assert plan.messages[-1] == {"role": "assistant", "content": [A.to_api()]}
    assert reply.blocks == [A]  # the turn goes on from what was sent


def test_asked_to_go_on_the_turn_drops_the_calls_that_were_not_sent() -> None:
    reply = _paused([THOUGHT, TextBlock("Let me look. "), A, RA, B])
    plan = begin_continuation([PROMPT, reply], reply, thinking=True, ask=True)
    sent = plan.messages[-2]["content"]
    assert [b.get("id") or b["type"] for b in sent] == [
        "thinking",
        "text",
        "srvtoolu_A",
        "web_search_tool_result",
    ]
    assert reply.blocks == [THOUGHT, TextBlock("Let me look. "), A, RA] == plan.prefix


def test_whitespace_before_a_call_is_kept_only_a_final_text_is_trimmed() -> None:
    said = TextBlock("I'll search ")
    reply = _paused([said, B])
    plan = begin_continuation([PROMPT, reply], reply, thinking=False)
    assert plan.messages[-1]["content"][0] == {"type": "text", "text": "I'll search "}
    assert reply.blocks == [said, B]
    assert continuation_prefix([said, TextBlock(" \n")]) == [TextBlock("I'll search")]
    assert without_trailing_whitespace([said, B]) == [said, B]
    history = api_history([("user", [TextBlock("q")]), ("assistant", [said, A, RA])])
    assert history[-1]["content"][0]["text"] == "I'll search "
