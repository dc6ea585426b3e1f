"""Blocks sent back in the history are checked as the real API checks them.

A reply's blocks come back through the real SDK the way the app sends them (the JSON the SDK
received), and anything altered on the way gets the API's 400 ``invalid_request_error`` with a
``messages.N.content.M: ...`` message.
"""

from __future__ import annotations

import threading
from typing import Any

import anthropic
import httpx2
import pytest

from claude_tui.localapi.emitted import EmittedBlocks, canonical_json
from claude_tui.localapi.server import LocalAPIServer, Scenario
from claude_tui.localapi.signing import sign_thinking

from ..block_samples import TOOL_RESULT

MODEL = "claude-sonnet-5-5"
BETA = "compact-2026-01-12"
PROMPT: Any = {"role": "user", "content": "Search for cats"}
NEXT: Any = {"role": "user", "content": "Go on"}

THINKING = {"type": "thinking", "thinking": "Let me search for that.", "signature": ""}
TOOL_USE = {
    "type": "server_tool_use",
    "id": "srvtoolu_01",
    "name": "web_search",
    "input": {"query": "cats"},
}
REDACTED = {"type": "redacted_thinking", "data": "EncRedacted=="}
COMPACTION = {"type": "compaction", "content": "Summary so far.", "encrypted_content": "EncC=="}
FUTURE = {"type": "future_block", "data": {"n": 1}}
TEXT = {"type": "text", "text": "Cats are fine swimmers."}
CONTENT = [THINKING, TOOL_USE, TOOL_RESULT, REDACTED, COMPACTION, FUTURE, TEXT]


def streamed_content(client: anthropic.Anthropic, server: LocalAPIServer) -> list[dict[str, Any]]:
    """Stream :data:`CONTENT` and return the blocks as the SDK holds them, as JSON. Through the
    beta client, as a compaction block comes only with the compaction beta: the plain client's
    accumulator does not know its ``compaction_delta``."""
    server.push(Scenario(content=CONTENT))
    with client.beta.messages.stream(
        model=MODEL, max_tokens=1024, messages=[PROMPT], betas=[BETA]
    ) as stream:
        final = stream.get_final_message()
    return [dict(block.to_dict(warnings=False)) for block in final.content]


def send_back(client: anthropic.Anthropic, content: list[Any]) -> Any:
    """The next request, with ``content`` as the assistant's turn; with the compaction beta,
    which a history holding a compaction block needs."""
    return client.beta.messages.create(
        model=MODEL,
        max_tokens=1024,
        messages=[PROMPT, {"role": "assistant", "content": content}, NEXT],
        betas=[BETA],
    )


def rejection(client: anthropic.Anthropic, content: list[Any]) -> str:
    """The message of the 400 the history gets (failing the test if it is accepted)."""
    with pytest.raises(anthropic.BadRequestError) as info:
        send_back(client, content)
    assert info.value.status_code == 400
    body: Any = info.value.body
    assert body["error"]["type"] == "invalid_request_error"
    return str(body["error"]["message"])


def test_a_reply_sent_back_unchanged_is_accepted(
    client: anthropic.Anthropic, server: LocalAPIServer
) -> None:
    content = streamed_content(client, server)
    assert send_back(client, content).content  # the next reply came


def test_the_sdks_own_block_objects_go_back_unchanged(
    client: anthropic.Anthropic, server: LocalAPIServer
) -> None:
    """Passing ``message.content`` (SDK objects, an unknown block included) straight back."""
    server.push(Scenario(content=CONTENT))
    with client.beta.messages.stream(
        model=MODEL, max_tokens=1024, messages=[PROMPT], betas=[BETA]
    ) as stream:
        final = stream.get_final_message()
    assert send_back(client, list(final.content)).content


def test_key_order_does_not_matter(client: anthropic.Anthropic, server: LocalAPIServer) -> None:
    content = streamed_content(client, server)
    reordered = [dict(reversed(list(block.items()))) for block in content]
    assert send_back(client, reordered).content


def test_altered_thinking_text_is_rejected(
    client: anthropic.Anthropic, server: LocalAPIServer
) -> None:
    content = streamed_content(client, server)
    content[0] = {**content[0], "thinking": content[0]["thinking"] + " Hm."}
    assert rejection(client, content) == (
        "messages.1.content.0: Invalid `signature` in `thinking` block"
    )


def test_altered_signature_is_rejected(client: anthropic.Anthropic, server: LocalAPIServer) -> None:
    content = streamed_content(client, server)
    content[0] = {**content[0], "signature": content[0]["signature"][:-4] + "AAA="}
    assert "Invalid `signature`" in rejection(client, content)


def test_empty_or_missing_signature_is_rejected(client: anthropic.Anthropic) -> None:
    thinking = {"type": "thinking", "thinking": "Hm.", "signature": ""}
    assert rejection(client, [thinking, TEXT]) == (
        "messages.1.content.0: Invalid `signature` in `thinking` block"
    )
    del thinking["signature"]
    assert rejection(client, [thinking, TEXT]) == (
        "messages.1.content.0.thinking.signature: Field required"
    )


def test_a_signature_from_this_server_for_that_text_is_accepted(
    client: anthropic.Anthropic,
) -> None:
    thinking = {"type": "thinking", "thinking": "Hm.", "signature": sign_thinking("Hm.")}
    assert send_back(client, [thinking, TEXT]).content


def test_demo_thinking_round_trips(client: anthropic.Anthropic, server: LocalAPIServer) -> None:
    server.push(Scenario(thinking="Thinking it over.", text="Done."))
    message = client.messages.create(model=MODEL, max_tokens=1024, messages=[PROMPT])
    content = [block.to_dict() for block in message.content]
    assert send_back(client, content).content


@pytest.mark.parametrize(
    ("index", "change"),
    [
        (1, {"input": {"query": "dogs"}}),
        (2, {"tool_use_id": "srvtoolu_02"}),
        (3, {"data": "EncOther=="}),
        (4, {"encrypted_content": "EncD=="}),
    ],
    ids=["server_tool_use", "tool_result", "redacted_thinking", "compaction"],
)
def test_altered_server_blocks_are_rejected(
    client: anthropic.Anthropic, server: LocalAPIServer, index: int, change: dict[str, Any]
) -> None:
    content = streamed_content(client, server)
    kind = content[index]["type"]
    content[index] = {**content[index], **change}
    assert rejection(client, content) == (
        f"messages.1.content.{index}: `{kind}` block was modified; it must be sent back exactly "
        "as the API returned it"
    )


def test_an_altered_nested_field_is_rejected(
    client: anthropic.Anthropic, server: LocalAPIServer
) -> None:
    content = streamed_content(client, server)
    result = content[2]
    content[2] = {**result, "content": [{**result["content"][0], "encrypted_content": "X=="}]}
    assert "`web_search_tool_result` block was modified" in rejection(client, content)


def test_an_altered_unknown_block_is_an_unknown_tag(
    client: anthropic.Anthropic, server: LocalAPIServer
) -> None:
    content = streamed_content(client, server)
    content[5] = {**content[5], "data": {"n": 2}}
    message = rejection(client, content)
    assert message.startswith(
        "messages.1.content.5: Input tag 'future_block' found using 'type' does not match any "
        "of the expected tags: "
    )
    assert "'server_tool_use'" in message


def test_server_blocks_never_sent_are_rejected(client: anthropic.Anthropic) -> None:
    for block in (TOOL_USE, TOOL_RESULT, REDACTED, COMPACTION):
        assert "was modified" in rejection(client, [block, TEXT])
    assert "Input tag 'future_block'" in rejection(client, [FUTURE, TEXT])


def test_server_blocks_in_a_user_message_are_rejected(
    client: anthropic.Anthropic, server: LocalAPIServer
) -> None:
    streamed_content(client, server)  # sent, so only the role is wrong
    with pytest.raises(anthropic.BadRequestError) as info:
        client.messages.create(
            model=MODEL, max_tokens=1024, messages=[{"role": "user", "content": [TOOL_USE]}]
        )
    body: Any = info.value.body
    assert body["error"]["message"] == (
        "messages.0.content.0: `server_tool_use` blocks are only allowed in assistant messages"
    )


def test_a_block_cut_before_its_stop_is_not_accepted_back(
    client: anthropic.Anthropic, server: LocalAPIServer
) -> None:
    """A block the stream never finished was never the API's block: it cannot go back."""
    server.push(Scenario(content=[TOOL_USE, TEXT], drop_after=2))
    manager = client.messages.stream(model=MODEL, max_tokens=1024, messages=[PROMPT])
    with pytest.raises(httpx2.RemoteProtocolError), manager as stream:
        for _ in stream:
            pass
    assert "was modified" in rejection(client, [TOOL_USE, TEXT])


def test_empty_text_and_trailing_whitespace_stay_rejected(client: anthropic.Anthropic) -> None:
    assert rejection(client, [{"type": "text", "text": " \n"}]) == (
        "messages.1.content.0.text: text content blocks must contain non-whitespace text"
    )
    with pytest.raises(anthropic.BadRequestError) as info:
        client.messages.create(
            model=MODEL,
            max_tokens=1024,
            messages=[PROMPT, {"role": "assistant", "content": [{"type": "text", "text": "Hi "}]}],
        )
    body: Any = info.value.body
    assert body["error"]["message"] == (
        "messages: final assistant content cannot end with trailing whitespace"
    )


def test_count_tokens_checks_the_history_too(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError):
        client.messages.count_tokens(
            model=MODEL, messages=[PROMPT, {"role": "assistant", "content": [TOOL_USE]}, NEXT]
        )


def test_a_lenient_server_accepts_altered_blocks() -> None:
    with LocalAPIServer(validate=False) as server:
        client = anthropic.Anthropic(api_key="test", base_url=server.base_url, max_retries=0)
        assert send_back(client, [{**THINKING, "signature": "forged"}, TOOL_USE, TEXT]).content


# -- the registry ------------------------------------------------------------------------------


def test_canonical_json_ignores_order_and_spacing_only() -> None:
    assert canonical_json({"b": 1, "a": [1, 2]}) == canonical_json({"a": [1, 2], "b": 1})
    assert canonical_json({"a": [1, 2]}) != canonical_json({"a": [2, 1]})
    assert canonical_json({"a": "é"}) == '{"a":"é"}'


def test_registry_is_bounded_and_forgets_the_least_recently_seen() -> None:
    emitted = EmittedBlocks(capacity=3)
    blocks = [{"type": "x", "n": n} for n in range(4)]
    for block in blocks[:3]:
        emitted.add(block)
    assert blocks[0] in emitted  # seen again: now the most recent
    emitted.add(blocks[3])
    assert len(emitted) == 3
    assert blocks[1] not in emitted
    assert all(block in emitted for block in (blocks[0], blocks[2], blocks[3]))
    assert {"not": {1, 2}} not in emitted  # not JSON: never sent


def test_registry_is_safe_across_threads() -> None:
    emitted = EmittedBlocks(capacity=500)
    barrier = threading.Barrier(8)

    def add(worker: int) -> None:
        barrier.wait()
        for n in range(200):
            emitted.add({"type": "x", "worker": worker, "n": n})
            _ = {"type": "x", "worker": worker, "n": n - 1} in emitted

    threads = [threading.Thread(target=add, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(emitted) == 500
