"""A final assistant message: a prefill, which newer models refuse, or a paused turn resumed.

The API carries on from a final assistant message. Older models take one as a prefill (the
start of the reply, written by the client); newer ones refuse it with a 400 (:data:`NO_PREFILL`,
which ``core.continuation`` recognises, so the app then asks the model to go on instead). A
reply the API itself paused (``stop_reason: "pause_turn"``) is another matter: the reference
says to send it back, unchanged, as the last message, and the model goes on, on every model.

How this server tells the two apart: by the whole turn. When a reply stops with ``pause_turn``,
the turn so far is remembered (what the request went on from, if anything, then the reply; see
:func:`paused_form`: every block as sent, thinking first, the call last; only a final text block
is compared without trailing whitespace, which the client must trim). A final assistant message
with exactly that content resumes the pause and is accepted on any model; with thinking off, so
is that content without its thinking blocks (the API takes a turn going on without thinking, but
no thinking in a final message then; with thinking on, ``request`` refuses a final message that
does not start with thinking). Any other final assistant message on a model without prefill is
refused, and so is one, on any model, that ends with a server tool call without its result but
is not a paused turn sent back whole (a block left out or changed): the API runs that call only
for the turn it paused. (The real API knows the turn it paused by its own means; this is the
nearest a stateless server can come to it.)
"""

from __future__ import annotations

from collections.abc import Container
from typing import Any

from claude_tui.localapi.models import ModelSpec
from claude_tui.localapi.request import thinking_enabled
from claude_tui.localapi.wire import JSON

THINKING = ("thinking", "redacted_thinking")

NO_PREFILL = (
    "This model does not support assistant message prefill. The conversation must end with a "
    "user message."
)
"""The API's 400 for a final assistant message on a model that takes no prefill."""

PAUSED = "pause_turn"
"""The stop reason after which a final assistant message resumes the turn, on any model."""


NOT_PAUSED = (
    "messages.{i}.content: the final assistant message ends with a `server_tool_use` without its"
    " result, but it is not a paused turn sent back unchanged. Send the content of a"
    " `pause_turn` reply back exactly as it came (its thinking blocks included)."
)
"""The 400 for a final message with an open call that resumes no paused turn as it was."""


def paused_form(content: Any, *, thinking: bool = True) -> JSON | None:
    """A reply's content, or a final assistant message's, as a paused turn is compared (see the
    module docstring); ``None`` for content that is no list of blocks. ``thinking=False``: the
    form a request with thinking off sends back, its thinking blocks left out (the API takes a
    turn going on without thinking, but not thinking in a final message then)."""
    blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
    if not isinstance(blocks, list) or not blocks:
        return None
    if not thinking:
        blocks = [b for b in blocks if not (isinstance(b, dict) and b.get("type") in THINKING)]
    blocks = list(blocks)
    last = blocks[-1] if blocks else None
    if isinstance(last, dict) and last.get("type") == "text" and isinstance(last.get("text"), str):
        text = last["text"].rstrip()
        blocks[-1] = {**last, "text": text}
        if not text:
            blocks.pop()
    return {"paused": blocks, "thinking": thinking} if blocks else None


def paused_forms(content: Any) -> list[JSON]:
    """The forms a paused reply may come back in: whole, and without its thinking."""
    forms = (paused_form(content), paused_form(content, thinking=False))
    return [form for form in forms if form is not None]


def going_on_from(body: JSON) -> list[Any]:
    """The blocks of the request's final message when it is the assistant's: the turn so far
    that the reply goes on from (empty for a request that starts a new turn)."""
    messages = body.get("messages")
    final = messages[-1] if isinstance(messages, list) and messages else None
    if not isinstance(final, dict) or final.get("role") != "assistant":
        return []
    content = final.get("content")
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    return list(content) if isinstance(content, list) else []


def _ends_with_open_call(content: Any) -> bool:
    return (
        isinstance(content, list)
        and bool(content)
        and isinstance(content[-1], dict)
        and content[-1].get("type") == "server_tool_use"
    )


def prefill_problem(spec: ModelSpec | None, body: JSON, paused: Container[object]) -> str | None:
    """The 400 for a final assistant message that resumes no paused turn whole (its
    :func:`paused_form` is not in ``paused``) when ``spec``'s model takes no prefill, or when it
    ends with an open server tool call, whatever the model (``spec`` ``None``: one this server
    does not know; see the module docstring)."""
    messages = body.get("messages")
    final = messages[-1] if isinstance(messages, list) and messages else None
    if not isinstance(messages, list) or not isinstance(final, dict):
        return None
    if final.get("role") != "assistant":
        return None
    content = final.get("content")
    form = paused_form(content, thinking=thinking_enabled(body))
    if form is not None and form in paused:
        return None
    if _ends_with_open_call(content):
        return NOT_PAUSED.format(i=len(messages) - 1)
    return None if spec is None or spec.prefill else NO_PREFILL
