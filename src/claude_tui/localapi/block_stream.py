"""How a reply's content blocks are cut into stream events, the way the real API streams them.

Each block streams as a ``content_block_start`` carrying the block's empty form, then its deltas,
then ``content_block_stop`` (``/work/shared/reference/blocks-capabilities-tools.md``):

* text: ``{"type": "text", "text": ""}``, token-sized ``text_delta`` pieces, then one
  ``citations_delta`` per citation;
* thinking: ``{"type": "thinking", "thinking": "", "signature": ""}``, ``thinking_delta`` pieces,
  then one ``signature_delta`` (the server's own signature, :mod:`signing`);
* a tool call (``server_tool_use``, ``tool_use``, ``mcp_tool_use``): the block with ``"input": {}``,
  then its input's JSON in ``input_json_delta`` pieces;
* compaction (beta): ``{"type": "compaction", "content": null, "encrypted_content": null}``, then
  one ``compaction_delta`` carrying both fields whole;
* anything else (a tool result, redacted thinking, a type nobody knows yet): whole in its start.

A block is planned in full (:class:`PlannedBlock`) before a byte is sent, so the sender is one loop
that only paces, fails and writes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from claude_tui.localapi.signing import sign_thinking
from claude_tui.localapi.wire import JSON

TOOL_CALL_TYPES = frozenset({"server_tool_use", "tool_use", "mcp_tool_use"})
"""Blocks whose ``input`` streams as ``input_json_delta`` pieces."""

_TOKEN_RE = re.compile(r"\s*\S{1,4}|\s+")


def tokenize(text: str) -> list[str]:
    """Split ``text`` into chunks of about one token each; ``"".join(chunks) == text``.

    Words are cut into pieces of at most four characters with their leading whitespace attached,
    which is close to how real tokens are sized, so the stream looks and paces like the API's.
    Only a trailing run of whitespace becomes a chunk on its own.
    """
    return _TOKEN_RE.findall(text)


@dataclass(frozen=True)
class PlannedDelta:
    """One ``content_block_delta``'s ``delta``, and how the sender treats it."""

    delta: JSON
    paced: bool = True
    """Sent at the scenario's token rate (and counted in ``usage.output_tokens``); a signature
    or a citation is not a token and goes out at once."""
    counted: bool = True
    """Counts toward a fault's N (``error_after`` and the like)."""


@dataclass(frozen=True)
class PlannedBlock:
    """One content block as it will stream, and as a whole (non-streaming) reply holds it."""

    start: JSON
    """The ``content_block`` of its ``content_block_start``."""
    deltas: tuple[PlannedDelta, ...]
    final: JSON
    """The finished block: what the client has after its ``content_block_stop``."""


def _text_deltas(block: JSON) -> list[PlannedDelta]:
    text = block.get("text")
    pieces = tokenize(text) if isinstance(text, str) else []
    deltas = [PlannedDelta({"type": "text_delta", "text": piece}) for piece in pieces]
    citations = block.get("citations")
    if isinstance(citations, list):
        deltas.extend(
            PlannedDelta({"type": "citations_delta", "citation": citation}, paced=False)
            for citation in citations
        )
    return deltas


def _thinking_deltas(thinking: str, signature: str, counted: bool) -> list[PlannedDelta]:
    deltas = [
        PlannedDelta({"type": "thinking_delta", "thinking": piece}, counted=counted)
        for piece in tokenize(thinking)
    ]
    deltas.append(
        PlannedDelta(
            {"type": "signature_delta", "signature": signature}, paced=False, counted=counted
        )
    )
    return deltas


def _input_deltas(block: JSON) -> list[PlannedDelta]:
    partial = json.dumps(block.get("input", {}))
    return [
        PlannedDelta({"type": "input_json_delta", "partial_json": piece})
        for piece in tokenize(partial)
    ]


def plan_block(
    block: JSON, *, counted: bool = True, deltas: Sequence[JSON] | None = None
) -> PlannedBlock:
    """How ``block`` (a finished block as API JSON) streams.

    A thinking block is signed by this server whatever signature it came with, as the API signs
    what it sends. ``deltas``, if given, are sent as they are instead of the ones the block's
    type calls for (to send a delta type nobody knows yet); the block's start is unchanged.
    ``counted`` says whether the deltas count toward a fault's N.
    """
    kind = block.get("type")
    final = dict(block)
    planned: list[PlannedDelta]
    if kind == "text":
        start: JSON = {"type": "text", "text": ""}
        planned = _text_deltas(block)
    elif kind == "thinking":
        thinking = block.get("thinking")
        thinking = thinking if isinstance(thinking, str) else ""
        final["signature"] = sign_thinking(thinking)
        start = {"type": "thinking", "thinking": "", "signature": ""}
        planned = _thinking_deltas(thinking, final["signature"], counted)
    elif kind in TOOL_CALL_TYPES:
        start = {**block, "input": {}}
        planned = _input_deltas(block)
    elif kind == "compaction":
        start = {"type": "compaction", "content": None, "encrypted_content": None}
        delta: JSON = {"type": "compaction_delta"}
        delta.update({k: block.get(k) for k in ("content", "encrypted_content")})
        planned = [PlannedDelta(delta, paced=False)]
    else:
        start = dict(block)
        planned = []
    if deltas is not None:
        planned = [PlannedDelta(dict(delta)) for delta in deltas]
    if not counted:
        planned = [PlannedDelta(d.delta, d.paced, counted=False) for d in planned]
    return PlannedBlock(start=start, deltas=tuple(planned), final=final)


def plan_content(
    content: Sequence[JSON], deltas: dict[int, list[JSON]] | None = None
) -> list[PlannedBlock]:
    """The plan for a scenario's ``content``; ``deltas`` replaces the deltas of block i."""
    overrides = deltas or {}
    return [plan_block(block, deltas=overrides.get(i)) for i, block in enumerate(content)]
