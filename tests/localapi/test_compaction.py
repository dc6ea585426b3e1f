"""Server-side compaction (beta) on the local server, through the real SDK over HTTP: the 400s
the API gives, the compaction block as it streams, the pause, the count from the block on, and
the 400 for a block sent back altered."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest
from anthropic.types import CompactionBlockAmbiguousError

from claude_tui.localapi.server import LocalAPIServer, Scenario, estimate_tokens

MODEL = "claude-sonnet-5-5"
BETA = "compact-2026-01-12"
BIG = "First, my notes on the deploy: " + "the rollout waits for green checks " * 6_500
"""About 57,000 tokens: over the API's minimum trigger."""
PROMPTS = [
    {"role": "user", "content": BIG},
    {"role": "assistant", "content": "Noted."},
    {"role": "user", "content": "Which step comes first?"},
]


def edit(value: int | None = 50_000, **fields: Any) -> dict[str, Any]:
    """A ``compact_20260112`` edit with this trigger (``None``: the default's)."""
    found: dict[str, Any] = {"type": "compact_20260112", **fields}
    if value is not None:
        found["trigger"] = {"type": "input_tokens", "value": value}
    return found


def stream(
    client: anthropic.Anthropic, messages: list[Any], *edits: dict[str, Any], model: str = MODEL
) -> tuple[list[Any], Any]:
    """The raw events of a beta stream, and the final message."""
    management = {"edits": list(edits)} if edits else anthropic.omit
    with client.beta.messages.stream(
        model=model,
        max_tokens=1024,
        messages=messages,
        context_management=management,
        betas=[BETA],
    ) as events:
        seen = list(events)
        return seen, events.get_final_message()


def rejection(client: anthropic.Anthropic, **kwargs: Any) -> str:
    with pytest.raises(anthropic.BadRequestError) as info:
        client.beta.messages.create(model=MODEL, max_tokens=1024, **kwargs)
    body: Any = info.value.body
    return str(body["error"]["message"])


def test_the_edit_needs_the_beta_header(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        client.messages.create(
            model=MODEL,
            max_tokens=1024,
            messages=PROMPTS,
            extra_body={"context_management": {"edits": [edit()]}},
        )
    body: Any = info.value.body
    assert body["error"]["message"] == (
        "context_management.edits.0.type: 'compact_20260112' requires the beta header "
        "'anthropic-beta: compact-2026-01-12'"
    )


def test_a_trigger_below_the_minimum_is_refused(client: anthropic.Anthropic) -> None:
    message = rejection(
        client, messages=PROMPTS, context_management={"edits": [edit(49_999)]}, betas=[BETA]
    )
    assert message == (
        "context_management.edits.0.trigger.value: Input should be greater than or equal to 50000"
    )


def test_a_model_without_compaction_is_refused(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        client.beta.messages.create(
            model="claude-haiku-5-5",
            max_tokens=1024,
            messages=PROMPTS,
            context_management={"edits": [edit()]},
            betas=[BETA],
        )
    body: Any = info.value.body
    assert body["error"]["message"] == (
        "context_management.edits.0: 'compact_20260112' is not supported for claude-haiku-5-5"
    )


def test_under_the_trigger_nothing_is_compacted(client: anthropic.Anthropic) -> None:
    """57,000 tokens is under the default trigger of 150,000."""
    assert estimate_tokens({"messages": PROMPTS}) > 50_000
    _, final = stream(client, PROMPTS, edit(None))
    assert [block.type for block in final.content] == ["text"]
    assert final.stop_reason == "end_turn"


def test_a_paused_compaction_streams_one_block_as_the_api_does(
    client: anthropic.Anthropic,
) -> None:
    events, final = stream(
        client, PROMPTS, edit(pause_after_compaction=True, instructions="Keep the deploy steps.")
    )
    starts = [e for e in events if e.type == "content_block_start"]
    deltas = [e for e in events if e.type == "content_block_delta"]
    assert len(starts) == 1
    assert starts[0].content_block.type == "compaction"
    assert starts[0].content_block.content is None
    assert starts[0].content_block.encrypted_content is None
    assert len(deltas) == 1 and deltas[0].delta.type == "compaction_delta"
    assert final.stop_reason == "compaction"
    [block] = final.content
    assert block.type == "compaction"
    assert block.content == deltas[0].delta.content
    assert block.encrypted_content == deltas[0].delta.encrypted_content
    assert block.encrypted_content
    summary = block.content
    assert summary.startswith("Summary of the conversation so far (3 messages).")
    assert "1. First, my notes on the deploy: the rollout waits" in summary
    assert "2. Which step comes first?" in summary
    assert summary.endswith("Summarised as instructed: Keep the deploy steps.")
    # The compaction's tokens are its own entry of iterations, left out of the top level.
    assert (final.usage.input_tokens, final.usage.output_tokens) == (0, 0)
    [entry] = final.usage.iterations
    assert entry.type == "compaction"
    assert entry.input_tokens == estimate_tokens({"messages": PROMPTS})
    assert entry.output_tokens == (len(summary) + 3) // 4


def test_without_the_pause_the_reply_follows_the_block(client: anthropic.Anthropic) -> None:
    _, final = stream(client, PROMPTS, edit())
    assert [block.type for block in final.content] == ["compaction", "text"]
    assert final.stop_reason == "end_turn"
    # The reply reads the summary and the last prompt, not the 57,000 tokens before.
    assert final.usage.input_tokens < 200
    # Those are the compaction's, in its entry of iterations; the message's entry is the top
    # level's (the context the next request builds on).
    compaction, message = final.usage.iterations
    assert compaction.type == "compaction" and message.type == "message"
    assert compaction.input_tokens == estimate_tokens({"messages": PROMPTS})
    assert compaction.output_tokens == (len(final.content[0].content) + 3) // 4
    assert (message.input_tokens, message.output_tokens) == (
        final.usage.input_tokens,
        final.usage.output_tokens,
    )


def test_a_whole_reply_reports_the_iterations_too(client: anthropic.Anthropic) -> None:
    final = client.beta.messages.create(
        model=MODEL,
        max_tokens=1024,
        messages=PROMPTS,
        context_management={"edits": [edit()]},
        betas=[BETA],
    )
    assert [entry.type for entry in final.usage.iterations or []] == ["compaction", "message"]
    assert final.usage.input_tokens < 200


def test_without_a_compaction_there_are_no_iterations(client: anthropic.Anthropic) -> None:
    _, final = stream(client, PROMPTS, edit(None))
    assert final.usage.iterations is None


def compaction_json(final: Any) -> dict[str, Any]:
    block = final.content[0]
    return {
        "type": "compaction",
        "content": block.content,
        "encrypted_content": block.encrypted_content,
    }


def test_sent_back_unchanged_the_input_counts_from_the_block_on(
    client: anthropic.Anthropic,
) -> None:
    _, final = stream(client, PROMPTS, edit(pause_after_compaction=True))
    block = compaction_json(final)
    later = [
        *PROMPTS,
        {"role": "assistant", "content": [block]},
        {"role": "user", "content": "Go on"},
    ]
    reply = client.beta.messages.create(model=MODEL, max_tokens=1024, messages=later, betas=[BETA])
    assert reply.usage.input_tokens == estimate_tokens(
        {"messages": [{"role": "assistant", "content": [block]}, later[-1]]}
    )
    assert reply.usage.input_tokens < 200
    counted = client.beta.messages.count_tokens(model=MODEL, messages=later, betas=[BETA])
    assert counted.input_tokens == reply.usage.input_tokens


def test_a_compaction_block_needs_the_beta_header_too(client: anthropic.Anthropic) -> None:
    """Without ``context_management`` (``auto_compact`` off), a history that holds a compaction
    block still needs the beta: the block is a beta type. The count as well as the reply."""
    _, final = stream(client, PROMPTS, edit(pause_after_compaction=True))
    later = [
        *PROMPTS,
        {"role": "assistant", "content": [compaction_json(final)]},
        {"role": "user", "content": "Go on"},
    ]
    expected = (
        "messages.3.content.0.type: 'compaction' blocks require the beta header "
        "'anthropic-beta: compact-2026-01-12'"
    )
    with pytest.raises(anthropic.BadRequestError) as info:
        client.messages.create(model=MODEL, max_tokens=1024, messages=later)
    assert info.value.api_message == expected
    with pytest.raises(anthropic.BadRequestError) as info:
        client.messages.count_tokens(model=MODEL, messages=later)
    assert info.value.api_message == expected
    # On a model without compaction too: the API decides what it makes of the block there.
    reply = client.beta.messages.create(
        model="claude-haiku-5-5", max_tokens=1024, messages=later, betas=[BETA]
    )
    assert reply.stop_reason == "end_turn"


def test_two_compaction_blocks_with_content_are_ambiguous(
    client: anthropic.Anthropic, server: LocalAPIServer
) -> None:
    """Only the block the conversation returned last may go back; a failed compaction's block
    (``content: null``) is a no-op and does not count."""
    _, first = stream(client, PROMPTS, edit(pause_after_compaction=True))
    history = [
        *PROMPTS,
        {"role": "assistant", "content": [compaction_json(first)]},
        {"role": "user", "content": BIG},
    ]
    _, second = stream(client, history, edit(pause_after_compaction=True))
    both = [
        *history,
        {"role": "assistant", "content": [compaction_json(second)]},
        {"role": "user", "content": "Go on"},
    ]
    with pytest.raises(CompactionBlockAmbiguousError) as info:
        client.beta.messages.create(model=MODEL, max_tokens=1024, messages=both, betas=[BETA])
    assert info.value.error_code == "compaction_block_ambiguous"
    assert info.value.api_message == (
        "messages.3.content.0: messages holds more than one `compaction` block with content. "
        "Send only the block the conversation returned last."
    )
    # From the prompt before the last block on, it goes through.
    reply = client.beta.messages.create(
        model=MODEL, max_tokens=1024, messages=both[4:], betas=[BETA]
    )
    assert reply.stop_reason == "end_turn"

    failed = {"type": "compaction", "content": None, "encrypted_content": None}
    server.push(Scenario(content=[failed, {"type": "text", "text": "Hello."}]))
    _, third = stream(client, both[4:])
    with_failed = [
        *both[4:],
        {"role": "assistant", "content": [failed, {"type": "text", "text": "Hello."}]},
        {"role": "user", "content": "And then?"},
    ]
    assert third.content[0].content is None
    reply = client.beta.messages.create(
        model=MODEL, max_tokens=1024, messages=with_failed, betas=[BETA]
    )
    assert reply.stop_reason == "end_turn"
