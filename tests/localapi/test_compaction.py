"""Server-side compaction (beta) on the local server, through the real SDK over HTTP: the 400s
the API gives, the compaction block as it streams, the pause, the count from the block on, and
the 400 for a block sent back altered."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic
import pytest

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


@pytest.fixture
def server() -> Iterator[LocalAPIServer]:
    with LocalAPIServer() as srv:
        yield srv


@pytest.fixture
def client(server: LocalAPIServer) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key="test", base_url=server.base_url, max_retries=0)


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
    assert final.usage.input_tokens == estimate_tokens({"messages": PROMPTS})


def test_without_the_pause_the_reply_follows_the_block(client: anthropic.Anthropic) -> None:
    _, final = stream(client, PROMPTS, edit())
    assert [block.type for block in final.content] == ["compaction", "text"]
    assert final.stop_reason == "end_turn"
    # The reply reads the summary and the last prompt, not the 57,000 tokens before.
    assert final.usage.input_tokens < 200


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
    counted = client.messages.count_tokens(model=MODEL, messages=later)
    assert counted.input_tokens == reply.usage.input_tokens


@pytest.mark.parametrize("field", ["content", "encrypted_content"])
def test_a_compaction_block_sent_back_altered_is_refused(
    client: anthropic.Anthropic, field: str
) -> None:
    _, final = stream(client, PROMPTS, edit(pause_after_compaction=True))
    block = compaction_json(final)
    block[field] += " (edited)"
    later = [
        *PROMPTS,
        {"role": "assistant", "content": [block]},
        {"role": "user", "content": "Go on"},
    ]
    assert rejection(client, messages=later, betas=[BETA]) == (
        "messages.3.content.0: `compaction` block was modified; it must be sent back exactly as "
        "the API returned it"
    )


def test_a_scripted_compaction_block_streams_the_same_way(
    client: anthropic.Anthropic, server: LocalAPIServer
) -> None:
    block = {"type": "compaction", "content": "Earlier: cats.", "encrypted_content": "EcX"}
    server.push(Scenario(content=[block, {"type": "text", "text": "Hello."}]))
    events, final = stream(client, [{"role": "user", "content": "Hi"}])
    deltas = [e.delta.type for e in events if e.type == "content_block_delta"]
    assert deltas[0] == "compaction_delta" and set(deltas[1:]) == {"text_delta"}
    assert compaction_json(final) == block


def test_the_demo_answers_a_request_for_a_summary_with_one(client: anthropic.Anthropic) -> None:
    """Only the last text asks: a summary quoted before the next prompt does not."""
    ask = "Please summarise our conversation so far.\n\nInstructions: name the pets"
    history = [
        {"role": "user", "content": "Tell me about cats"},
        {"role": "assistant", "content": "Cats purr."},
        {"role": "user", "content": ask},
    ]
    reply = client.messages.create(model=MODEL, max_tokens=1024, messages=history)
    summary = reply.content[0].text  # type: ignore[union-attr]
    assert summary.startswith("Summary of the conversation so far (2 messages).")
    assert "1. Tell me about cats" in summary
    assert summary.endswith("Summarised as instructed: name the pets")
    quoted = {"type": "text", "text": f"Earlier, summarised:\n\n{summary}\n\n{ask}"}
    nxt = [{"role": "user", "content": [quoted, {"type": "text", "text": "Which is older?"}]}]
    reply = client.messages.create(model=MODEL, max_tokens=1024, messages=nxt)
    assert not reply.content[0].text.startswith("Summary of")  # type: ignore[union-attr]
