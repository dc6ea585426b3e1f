"""The history the real Messages API accepts, made from the blocks of the turns a person sees.

What is on screen and what is sent differ on purpose: a cancelled or failed reply stays on
screen exactly as far as it got, but the API rejects some shapes of history with a 400, so only
what it accepts goes back:

- the history starts with a user message, and consecutive messages of one role are merged;
- a text block that is empty or only whitespace is dropped, and the final assistant message
  loses its trailing whitespace when it ends with a text block (a text block before a call
  keeps its words as they came: the API's rule is about how the final content ends);
- a thinking block goes back only with its signature, and only complete; redacted thinking goes
  back as it came;
- a server tool call goes back only complete and followed, in the same message, by its result;
  a result only after its call. With ``keep_open_calls``, the calls the final assistant message ends
  with (:func:`open_tail`) go back without results: a turn the API paused mid-search goes back
  exactly as it came, thinking first, the call last;
- compaction, images, documents and kinds the app does not know go back unchanged;
- a block the reply ended in the middle of (``partial``) is not sent, except text: the text
  that arrived is a valid text block, and it is what the person saw;
- an assistant message left with nothing but thinking is dropped, thinking and all;
- only one compaction block with content goes back, the last: the API refuses more than one
  (``CompactionBlockAmbiguousError``) and reads nothing before the last anyway, so when there are
  several the history is sent from the prompt that the last one's reply answered (it has to
  start with a user message), and that reply from its compaction block on. A failed
  compaction's block (``content: null``) is a no-op to the API and is kept where it is. With a
  single compaction block the whole history goes, as it was returned.

Every block that goes back is its ``to_api()``: server blocks and unknown kinds byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from claude_tui.core.blocks import (
    Block,
    CompactionBlock,
    RedactedThinkingBlock,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
    UnknownBlock,
)

Message = tuple[str, list[Block]]
"""A role and its blocks."""


def api_history(
    messages: Iterable[tuple[str, Sequence[Block]]], *, keep_open_calls: bool = False
) -> list[dict[str, Any]]:
    """The API's ``messages`` for these roles and blocks (see the module docstring).

    ``keep_open_calls``: the final assistant message keeps the calls it ends with, which have no
    result yet (a paused turn being continued); they count before the rule that drops an
    assistant message of thinking alone, so ``[thinking, call]`` goes back whole."""
    settled = [(role, [block for block in blocks if _sendable(block)]) for role, blocks in messages]
    keep: frozenset[str] = frozenset()
    if keep_open_calls and settled and settled[-1][0] == "assistant":
        keep = frozenset(call.id for call in _trailing_calls(settled[-1][1]))
    while True:
        before = settled
        settled = [(role, _paired(blocks, keep)) for role, blocks in _merged(settled)]
        settled = [(role, blocks) for role, blocks in settled if _worth_sending(role, blocks)]
        if settled == before:
            break  # dropping a message can make two of one role meet: merge again until not
    settled = _from_last_summary(settled)
    if settled and settled[-1][0] == "assistant":
        role, blocks = settled[-1]
        settled[-1] = (role, without_trailing_whitespace(blocks))
        if not _worth_sending(role, settled[-1][1]):
            settled = _merged(settled[:-1])
    return [
        {"role": role, "content": [block.to_api() for block in blocks]} for role, blocks in settled
    ]


def _from_last_summary(messages: list[Message]) -> list[Message]:
    """``messages`` from the prompt before the last compaction block with content on, when
    there is more than one such block (see the module docstring); else as they are."""
    places = [
        (i, j)
        for i, (_, blocks) in enumerate(messages)
        for j, block in enumerate(blocks)
        if isinstance(block, CompactionBlock) and block.raw.get("content") is not None
    ]
    if len(places) < 2:
        return messages
    i, j = places[-1]
    role, blocks = messages[i]
    kept = [(role, blocks[j:]), *messages[i + 1 :]]
    if role != "user" and i > 0:
        kept.insert(0, messages[i - 1])  # the prompt it answered: _merged made roles alternate
    return kept


def _sendable(block: Block) -> bool:
    """Whether the API accepts this block on its own (pairing is checked per message)."""
    if isinstance(block, TextBlock):
        return bool(block.text.strip())
    if block.partial:
        return False
    if isinstance(block, ThinkingBlock):
        return bool(block.signature)
    return True


def _merged(messages: Iterable[Message]) -> list[Message]:
    """Empty messages and those before the first user message dropped, consecutive messages
    of one role joined."""
    merged: list[Message] = []
    for role, blocks in messages:
        if not blocks or (not merged and role != "user"):
            continue
        if merged and merged[-1][0] == role:
            merged[-1] = (role, [*merged[-1][1], *blocks])
        else:
            merged.append((role, list(blocks)))
    return merged


def open_tail(blocks: Sequence[Block]) -> list[ServerToolUseBlock]:
    """The complete server tool calls a reply ends with, which have no result yet: where the
    API pauses a turn mid-search (``pause_turn``). Blocks that are never sent (a call cut in
    the middle, thinking without its signature) are skipped at the end: ``[A, partial]`` ends
    with ``A``."""
    return _trailing_calls([block for block in blocks if _sendable(block)])


def _trailing_calls(blocks: Sequence[Block]) -> list[ServerToolUseBlock]:
    tail: list[ServerToolUseBlock] = []
    for block in reversed(blocks):
        if not isinstance(block, ServerToolUseBlock):
            break
        tail.insert(0, block)
    return tail


def _paired(blocks: list[Block], keep: frozenset[str] = frozenset()) -> list[Block]:
    """Server tool calls only with their results after them (or in ``keep``: the open tail of
    a paused turn), results only after their calls.

    A result's call is the earlier block with its ``tool_use_id`` as ``id``: a server tool call,
    or a kind the app does not know (a tool call of a newer kind goes back with its result).
    """
    kept: list[Block] = []
    open_calls: set[str] = set()
    for position, block in enumerate(blocks):
        if isinstance(block, ServerToolUseBlock):
            answered = any(_answers(later, block.id) for later in blocks[position + 1 :])
            if answered or block.id in keep:
                kept.append(block)
                open_calls.add(block.id)
        elif isinstance(block, ToolResultBlock):
            if block.tool_use_id in open_calls:
                kept.append(block)
                open_calls.discard(block.tool_use_id)
        else:
            if isinstance(block, UnknownBlock) and isinstance(block.raw.get("id"), str):
                open_calls.add(block.raw["id"])
            kept.append(block)
    return kept


def _answers(block: Block, call_id: str) -> bool:
    return isinstance(block, ToolResultBlock) and block.tool_use_id == call_id


def _worth_sending(role: str, blocks: list[Block]) -> bool:
    """Not empty, and not an assistant message of thinking alone."""
    if role == "assistant":
        return any(not isinstance(b, ThinkingBlock | RedactedThinkingBlock) for b in blocks)
    return bool(blocks)


def without_trailing_whitespace(blocks: list[Block]) -> list[Block]:
    """The blocks with the last one right-stripped when it is text (dropped if that empties
    it, and then the one before it); a text block followed by anything else keeps its
    whitespace."""
    while blocks and isinstance(blocks[-1], TextBlock):
        block = blocks[-1]
        stripped = block.text.rstrip()
        if stripped == block.text:
            return blocks
        if stripped:
            return [*blocks[:-1], replace(block, text=stripped)]
        blocks = blocks[:-1]  # only whitespace: the text before it is now the end
    return blocks
