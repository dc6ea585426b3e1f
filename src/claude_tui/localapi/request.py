"""How the local API server reads a ``POST /v1/messages`` body, the way the real API does.

Validation, the estimated input tokens, and the parts of the history a demo reply depends on (the
last user text, how many replies came before, whether thinking is on). Every function takes the
parsed JSON as it arrived, so nothing here trusts its shape.
"""

from __future__ import annotations

from collections.abc import Container
from typing import Any

from claude_tui.localapi.attachment_checks import attachments_problem
from claude_tui.localapi.attachments import attachment_chars
from claude_tui.localapi.history import block_problem, compaction_ambiguity, unanswered_call
from claude_tui.localapi.wire import JSON


def _collect_text(value: Any, out: list[str]) -> int:
    """Append every piece of text in a ``system`` or ``messages`` value to ``out``; what its
    image and document blocks weigh, in characters (:func:`~claude_tui.localapi.attachments.
    attachment_chars`)."""
    weight = 0
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, list):
        for item in value:
            weight += _collect_text(item, out)
    elif isinstance(value, dict):
        if value.get("type") in ("image", "document"):
            return attachment_chars(value)
        for key in ("text", "thinking", "content"):
            if key in value:
                weight += _collect_text(value[key], out)
    return weight


def from_last_compaction(messages: Any) -> Any:
    """The part of ``messages`` the API reads: from the last ``compaction`` block on.

    With server-side compaction (beta) the API ignores everything before the last compaction
    block sent back, so that is where counting starts: the block's own message from the block
    on, then every message after it. ``messages`` as it is when it holds no such block (or is
    not a list).
    """
    if not isinstance(messages, list):
        return messages
    for i in range(len(messages) - 1, -1, -1):
        message = messages[i]
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, list):
            continue
        for j in range(len(content) - 1, -1, -1):
            block = content[j]
            if isinstance(block, dict) and block.get("type") == "compaction":
                return [{**message, "content": content[j:]}, *messages[i + 1 :]]
    return messages


def estimate_tokens(body: Any) -> int:
    """About a quarter of the characters of the request's text, plus what its attachments cost
    (:mod:`~claude_tui.localapi.attachments`), and at least 1.

    Counted as the API counts with compaction: from the last compaction block on (a summary's
    ``content`` counts as text). Good enough for usage display and cost estimates in demo mode
    and tests; the exact count is not what anything here is testing.
    """
    if not isinstance(body, dict):
        return 1
    messages = from_last_compaction(body.get("messages"))
    chars = text_length(body.get("system")) + text_length(messages)
    return max(1, (chars + 3) // 4)


def text_length(value: Any) -> int:
    """Characters of the text in a ``system`` or ``messages`` value, or any part of one, with
    its attachments weighed as four characters a token: what :func:`estimate_tokens` counts
    (the prompt cache counts its prefixes the same way, so its parts add up to the whole)."""
    parts: list[str] = []
    weight = _collect_text(value, parts)
    return sum(len(part) for part in parts) + weight


def message_text(message: Any) -> str:
    """The text of one message, whether its content is a string or a list of blocks."""
    if not isinstance(message, dict):
        return ""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [
            block["text"]
            for block in content
            if isinstance(block, dict)
            and block.get("type") == "text"
            and isinstance(block.get("text"), str)
        ]
        return "\n".join(texts)
    return ""


def last_user_text(body: JSON) -> str:
    messages = body.get("messages")
    if isinstance(messages, list):
        for message in reversed(messages):
            if isinstance(message, dict) and message.get("role") == "user":
                return message_text(message)
    return ""


def turn_index(body: JSON) -> int:
    """How many replies came before this one: the count of assistant messages in the history."""
    messages = body.get("messages")
    if not isinstance(messages, list):
        return 0
    return sum(1 for m in messages if isinstance(m, dict) and m.get("role") == "assistant")


def thinking_enabled(body: JSON) -> bool:
    config = body.get("thinking")
    return isinstance(config, dict) and config.get("type") in ("enabled", "adaptive")


MESSAGES_FIELDS = ("model", "max_tokens", "messages")
"""Fields ``POST /v1/messages`` requires."""

COUNT_TOKENS_FIELDS = ("model", "messages")
"""Fields ``POST /v1/messages/count_tokens`` requires (it takes no ``max_tokens``)."""


def validate_body(
    body: Any,
    required: tuple[str, ...] = MESSAGES_FIELDS,
    emitted: Container[object] = frozenset(),
    betas: str = "",
) -> str | None:
    """The message the real API's 400 would carry for this body, or ``None`` if it is valid
    (a :class:`~claude_tui.localapi.history.Problem` when the API gives it an error code).

    Only what the app could plausibly get wrong is checked: the required fields and the history
    rules from the reference (first message from the user, no empty or whitespace-only text, no
    trailing whitespace on a final assistant turn, the blocks sent back as :mod:`history` says,
    against ``emitted``, the blocks this server sent, and ``betas``, the request's
    ``anthropic-beta`` header). Catching these here means a test fails the way production would,
    instead of passing against a lenient fake.
    """
    if not isinstance(body, dict):
        return "Request body must be a JSON object."
    for name in required:
        if name not in body:
            return f"{name}: Field required"
    messages = body["messages"]
    if not isinstance(messages, list) or not messages:
        return "messages: at least one message is required"
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            return f"messages.{i}: role must be 'user' or 'assistant'"
    if messages[0]["role"] != "user":
        return 'messages: first message must use the "user" role'
    last = len(messages) - 1
    for i, message in enumerate(messages):
        is_final_assistant = i == last and message["role"] == "assistant"
        content = message.get("content")
        if isinstance(content, str):
            if not content.strip() and not (is_final_assistant and content == ""):
                return (
                    f"messages.{i}: all messages must have non-empty content except for the "
                    "optional final assistant message"
                )
        elif isinstance(content, list):
            if not content and not is_final_assistant:
                return (
                    f"messages.{i}: all messages must have non-empty content except for the "
                    "optional final assistant message"
                )
            for j, block in enumerate(content):
                problem = block_problem(i, j, block, message["role"], emitted, betas)
                if problem is not None:
                    return problem
            problem = unanswered_call(i, content, is_final_assistant)
            if problem is not None:
                return problem
        else:
            return f"messages.{i}.content: Input should be a valid string or list"
    attachments = attachments_problem(messages)
    if attachments is not None:
        return attachments
    ambiguous = compaction_ambiguity(messages)
    if ambiguous is not None:
        return ambiguous
    final = messages[last]
    if final["role"] == "assistant":
        text = _final_text(final)
        if text and text != text.rstrip():
            return "messages: final assistant content cannot end with trailing whitespace"
        return _final_thinking_problem(last, final, thinking_enabled(body))
    return None


def _final_text(final: JSON) -> str:
    """The text the final message ends with: the rule on trailing whitespace is about how the
    content ends, so a text block before a call (``"I'll search "``) is not its concern."""
    content = final.get("content")
    if isinstance(content, str):
        return content
    last = content[-1] if isinstance(content, list) and content else None
    if isinstance(last, dict) and last.get("type") == "text" and isinstance(last.get("text"), str):
        return str(last["text"])
    return ""


def _final_thinking_problem(i: int, final: JSON, thinking: bool) -> str | None:
    """The API's two rules for thinking in a final assistant message (one being continued):
    with thinking on it must start with a thinking block, with thinking off it has none."""
    content = final.get("content")
    blocks = content if isinstance(content, list) else [{"type": "text"}]
    kinds = [block.get("type") if isinstance(block, dict) else None for block in blocks]
    is_thinking = [kind in ("thinking", "redacted_thinking") for kind in kinds]
    if thinking and kinds and not is_thinking[0]:
        return (
            f"messages.{i}.content.0.type: Expected `thinking` or `redacted_thinking`, but found "
            f"`{kinds[0]}`. When `thinking` is enabled, a final `assistant` message must start "
            "with a thinking block (preceeding the lastmost set of `tool_use` and `tool_result` "
            "blocks). To avoid this requirement, disable `thinking`."
        )
    if not thinking and any(is_thinking):
        return (
            f"messages.{i}.content.{is_thinking.index(True)}: When thinking is disabled, an "
            "`assistant` message in the final position cannot contain `thinking`. To use "
            "thinking blocks, enable `thinking` in your request."
        )
    return None
