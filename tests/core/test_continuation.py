"""Continuing a cut reply: which turn can go on, what is sent, and the thinking rules."""

from __future__ import annotations

from claude_tui.core.blocks import ServerToolUseBlock, TextBlock, ThinkingBlock, ToolResultBlock
from claude_tui.core.continuation import (
    CONTINUE_PROMPT,
    FollowUp,
    begin_continuation,
    combined,
    continuable_turn,
    continuation_prefix,
    continuation_request,
    follow_up,
    prefill_refused,
)
from claude_tui.core.conversation import Turn, TurnStatus
from claude_tui.core.metrics import StreamMetrics


def _reply(stop: str | None, status: TurnStatus = TurnStatus.COMPLETE) -> Turn:
    return Turn("assistant", [TextBlock("so far  ")], status, stop_reason=stop)


def test_only_a_last_complete_reply_cut_where_it_can_go_on_is_continued() -> None:
    prompt = Turn.from_text("user", "hi")
    for stop in ("max_tokens", "pause_turn"):
        reply = _reply(stop)
        assert continuable_turn([prompt, reply]) is reply
    assert continuable_turn([prompt, _reply("end_turn")]) is None
    assert continuable_turn([prompt, _reply("refusal")]) is None
    assert continuable_turn([prompt, _reply("compaction")]) is None  # /compact's own pause
    assert continuable_turn([prompt, _reply("max_tokens", TurnStatus.CANCELLED)]) is None
    assert continuable_turn([prompt, _reply("max_tokens"), Turn.from_text("user", "x")]) is None
    assert continuable_turn([]) is None


def test_the_prefix_is_what_was_sent_back_the_last_text_trimmed() -> None:
    blocks = [ThinkingBlock("hm", "sig"), TextBlock("a "), TextBlock("b \n")]
    assert continuation_prefix(blocks) == [
        ThinkingBlock("hm", "sig"),
        TextBlock("a "),
        TextBlock("b"),
    ]


USER = {"role": "user", "content": [{"type": "text", "text": "q"}]}
THOUGHT = {"type": "thinking", "thinking": "hm", "signature": "sig"}
TEXT = {"type": "text", "text": "so far"}


def test_thinking_stays_on_only_when_the_final_reply_starts_with_thinking() -> None:
    starts = [USER, {"role": "assistant", "content": [THOUGHT, TEXT]}]
    assert continuation_request(starts, True) == (starts, True)
    plain = [USER, {"role": "assistant", "content": [TEXT]}]
    assert continuation_request(plain, True) == (plain, False)
    assert continuation_request(plain, False) == (plain, False)


def test_with_thinking_off_the_final_reply_goes_without_its_thinking() -> None:
    starts = [USER, {"role": "assistant", "content": [THOUGHT, TEXT]}]
    sent, thinking = continuation_request(starts, False)
    assert sent == [USER, {"role": "assistant", "content": [TEXT]}]
    assert thinking is False
    only_thinking = [USER, {"role": "assistant", "content": [THOUGHT]}]
    assert continuation_request(only_thinking, False) == ([USER], False)


def test_a_history_ending_with_the_prompt_is_an_ordinary_request() -> None:
    assert continuation_request([USER], True) == ([USER], True)


def test_the_requests_of_one_reply_add_up() -> None:
    first = StreamMetrics(
        model="m", started_at=10.0, first_token_at=10.5, ended_at=12.0, input_tokens=100,
        output_tokens=50, usage_final=True, cache_read_tokens=7, stop_reason="max_tokens",
    )  # fmt: skip
    second = StreamMetrics(
        model="m", started_at=20.0, first_token_at=20.2, ended_at=21.0, input_tokens=160,
        output_tokens=20, usage_final=True, cache_creation_tokens=3, stop_reason="end_turn",
    )  # fmt: skip
    both = combined(first, second)
    assert both is not None
    assert (both.input_tokens, both.output_tokens) == (260, 70)
    assert (both.cache_read_tokens, both.cache_creation_tokens) == (7, 3)
    assert both.ttft_ms == 500.0
    assert both.elapsed(99.0) == 3.0
    assert both.stop_reason == "end_turn"
    assert combined(None, second) is second and combined(first, None) is first
    unfinished = combined(first, second.with_(usage_final=False))
    assert unfinished is not None and unfinished.output_tokens is None


def test_beginning_a_continuation_streams_the_turn_again_and_says_what_to_send() -> None:
    measured = StreamMetrics(model="m", started_at=0.0, input_tokens=9, stop_reason="max_tokens")
    prompt = Turn.from_text("user", "q")
    reply = Turn(
        "assistant",
        [TextBlock("so far \n")],
        stop_reason="max_tokens",
        metrics=measured,
        error=None,
    )
    plan = begin_continuation([prompt, reply], reply, thinking=True)
    assert plan.messages == [
        {"role": "user", "content": [{"type": "text", "text": "q"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "so far"}]},
    ]
    assert plan.thinking is False  # the reply does not start with thinking
    assert plan.prefix == [TextBlock("so far")] == reply.blocks
    assert plan.earlier is measured is reply.metrics_before
    assert (reply.status, reply.stop_reason) == (TurnStatus.STREAMING, None)


def test_a_model_without_prefill_is_asked_to_go_on_with_thinking_as_set() -> None:
    prompt = Turn.from_text("user", "q")
    reply = Turn("assistant", [TextBlock("so far ")], stop_reason="max_tokens")
    plan = begin_continuation([prompt, reply], reply, thinking=True, ask=True)
    assert plan.messages[-2:] == [
        {"role": "assistant", "content": [{"type": "text", "text": "so far"}]},
        {"role": "user", "content": [{"type": "text", "text": CONTINUE_PROMPT}]},
    ]
    assert plan.thinking is True  # the last message is the user's: no rule for thinking
    assert prefill_refused("Bad request: This model does not support assistant message prefill.")
    assert not prefill_refused("Bad request: something else")
    assert not prefill_refused(None)


def test_a_request_refused_before_it_began_adds_nothing() -> None:
    earlier = StreamMetrics(model="m", started_at=0.0, input_tokens=5, output_tokens=2)
    refused = StreamMetrics(model="m", started_at=1.0, ended_at=1.1)
    assert combined(earlier, refused) is earlier
    assert combined(None, refused) is None


def test_what_the_app_does_by_itself_when_a_reply_ends() -> None:
    paused = Turn("assistant", [TextBlock("x")], stop_reason="pause_turn")
    first = follow_up(paused, continued=False, asked=False, pauses=0)
    assert first == FollowUp(1, False)
    assert first.note == "Paused by the API · continuing (1 of 3)"
    assert follow_up(paused, continued=True, asked=False, pauses=2) == FollowUp(3, False)
    assert follow_up(paused, continued=True, asked=False, pauses=3) is None
    refused = Turn(
        "assistant", [], TurnStatus.ERROR, error="does not support assistant message prefill"
    )
    step = follow_up(refused, continued=True, asked=False, pauses=1)
    assert step == FollowUp(1, True)
    assert follow_up(refused, continued=True, asked=True, pauses=1) is None  # once only
    assert follow_up(refused, continued=False, asked=False, pauses=0) is None  # not a continuation
    assert FollowUp(0, True).note == "This model takes no cut reply back · asked it to go on"
    done = Turn("assistant", [TextBlock("x")], stop_reason="end_turn")
    assert follow_up(done, continued=True, asked=False, pauses=2) is None


SEARCH = ServerToolUseBlock("srvtoolu_1", "web_search", {"query": "otters"})


def test_a_turn_paused_mid_search_goes_back_ending_with_its_call() -> None:
    """The call has no result yet: any other history leaves it out, a paused turn must not."""
    prompt = Turn.from_text("user", "otter news?")
    for before in ([], [TextBlock("Let me look.")]):
        reply = Turn("assistant", [*before, SEARCH], stop_reason="pause_turn")
        plan = begin_continuation([prompt, reply], reply, thinking=False)
        assert plan.messages[-1] == {
            "role": "assistant",
            "content": [*(b.to_api() for b in before), SEARCH.to_api()],
        }
        assert plan.prefix == [*before, SEARCH]


def test_only_complete_calls_at_the_end_go_back_open() -> None:
    prompt = Turn.from_text("user", "otter news?")
    result = ToolResultBlock({"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1"})
    answered = Turn("assistant", [SEARCH, result, TextBlock("Otters.")], stop_reason="max_tokens")
    plan = begin_continuation([prompt, answered], answered, thinking=False)
    assert [b["type"] for b in plan.messages[-1]["content"]] == [
        "server_tool_use",
        "web_search_tool_result",
        "text",
    ]
    cut = ServerToolUseBlock("srvtoolu_2", "web_search", partial_json='{"qu', partial=True)
    half = Turn("assistant", [TextBlock("Looking."), cut], stop_reason="max_tokens")
    plan = begin_continuation([prompt, half], half, thinking=False)
    assert plan.messages[-1]["content"] == [{"type": "text", "text": "Looking."}]
