"""A final assistant message: a prefill, which newer models refuse, or a paused turn resumed.

The API carries on from a final assistant message. Older models take one as a prefill (the
start of the reply, written by the client); newer ones refuse it with a 400 (:data:`NO_PREFILL`,
which ``core.continuation`` recognises, so the app then asks the model to go on instead). A
reply the API itself paused (``stop_reason: "pause_turn"``) is another matter: the reference
says to send it back, unchanged, as the last message, and the model goes on, on every model.

How this server tells the two apart: by the reply the final message ends with. When a reply
stops with ``pause_turn``, its ending (the last block that is not thinking, a text block
compared without trailing whitespace, which the client must trim) is remembered; a final
assistant message that ends with a remembered ending resumes that pause and is accepted. Any
other final assistant message on a model without prefill is refused. (The real API knows the
turn it paused by its own means; this is the nearest a stateless server can come to it.)
"""

from __future__ import annotations

from collections.abc import Container
from typing import Any

from claude_tui.localapi.models import ModelSpec
from claude_tui.localapi.wire import JSON

NO_PREFILL = (
    "This model does not support assistant message prefill. The conversation must end with a "
    "user message."
)
"""The API's 400 for a final assistant message on a model that takes no prefill."""

PAUSED = "pause_turn"
"""The stop reason after which a final assistant message resumes the turn, on any model."""

THINKING = ("thinking", "redacted_thinking")


def ending(content: Any) -> JSON | None:
    """What a reply, or a final assistant message, ends with (see the module docstring)."""
    blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
    if not isinstance(blocks, list):
        return None
    for block in reversed(blocks):
        if not isinstance(block, dict) or block.get("type") in THINKING:
            continue
        text = block.get("text")
        if block.get("type") == "text" and isinstance(text, str):
            return {**block, "text": text.rstrip()} if text.strip() else None
        return block
    return None


def prefill_problem(spec: ModelSpec, body: JSON, paused: Container[object]) -> str | None:
    """The 400 for a final assistant message ``spec``'s model takes no prefill for, unless it
    resumes a reply that stopped with ``pause_turn`` (its ending is in ``paused``)."""
    if spec.prefill:
        return None
    messages = body.get("messages")
    final = messages[-1] if isinstance(messages, list) and messages else None
    if not isinstance(final, dict) or final.get("role") != "assistant":
        return None
    end = ending(final.get("content"))
    if end is not None and end in paused:
        return None
    return NO_PREFILL
