"""What the real API rejects in the content blocks of a history sent back to it.

A reply's blocks go back in the next request, and the API checks them: a thinking block must carry
the signature issued for exactly its text; a server-tool call, a tool result, a compaction, redacted
thinking, or a block of a type the API does not take as input must come back exactly as it was
sent; and text must not be empty. Each check here answers with the message the API's 400 would
carry (``messages.N.content.M: ...``), so a client that alters history fails here as it would in
production. Which blocks were sent is the caller's
:class:`~claude_tui.localapi.emitted.EmittedBlocks`.

Compaction is a beta: a ``compaction`` block is taken only with the ``anthropic-beta:
compact-2026-01-12`` header (anthropic 2.10.0 has the block in its beta types alone), and only
one compaction block with content may be sent, the one the conversation returned last
(``CompactionBlockAmbiguousError``, error code ``compaction_block_ambiguous``). A block with
``content: null`` is a failed compaction, which the API treats as a no-op, so it does not count.
"""

from __future__ import annotations

from collections.abc import Container
from typing import Any

from claude_tui.localapi.signing import signature_is_valid

COMPACT_BETA = "compact-2026-01-12"
"""The ``anthropic-beta`` value compaction needs, in a request's edit or in its history."""


class Problem(str):
    """A 400's message, with the ``error.details.error_code`` the API gives it, if any (the SDK
    raises the error class of that code, e.g. ``CompactionBlockAmbiguousError``)."""

    error_code: str | None

    def __new__(cls, message: str, error_code: str | None = None) -> Problem:
        problem = super().__new__(cls, message)
        problem.error_code = error_code
        return problem


def has_beta(header: str, beta: str) -> bool:
    """Whether an ``anthropic-beta`` header (comma-separated) names ``beta``."""
    return beta in [name.strip() for name in header.split(",")]


INPUT_TYPES = frozenset(
    {
        "text",
        "image",
        "document",
        "search_result",
        "tool_use",
        "tool_result",
        "thinking",
        "redacted_thinking",
        "server_tool_use",
        "web_search_tool_result",
        "web_fetch_tool_result",
        "code_execution_tool_result",
        "bash_code_execution_tool_result",
        "text_editor_code_execution_tool_result",
        "tool_search_tool_result",
        "mcp_tool_use",
        "mcp_tool_result",
        "container_upload",
        "compaction",
    }
)
"""The block types the API takes in a message's content."""

FREE_TYPES = frozenset(
    {"text", "image", "document", "search_result", "tool_use", "tool_result", "container_upload"}
)
"""Input types the client writes itself (checked for shape only, if at all)."""


def must_be_unchanged(kind: str) -> bool:
    """Whether a block of this type is accepted back only exactly as the API sent it: server-side
    calls and results, compaction, redacted thinking, and types the API does not take as input."""
    return kind not in FREE_TYPES and kind != "thinking"


def _where(i: int, j: int) -> str:
    return f"messages.{i}.content.{j}"


def _unknown_tag(i: int, j: int, kind: str) -> str:
    expected = ", ".join(f"'{name}'" for name in sorted(INPUT_TYPES))
    return (
        f"{_where(i, j)}: Input tag '{kind}' found using 'type' does not match any of the "
        f"expected tags: {expected}"
    )


def _thinking_problem(i: int, j: int, block: dict[str, Any]) -> str | None:
    thinking, signature = block.get("thinking"), block.get("signature")
    if not isinstance(thinking, str):
        return f"{_where(i, j)}.thinking.thinking: Field required"
    if not isinstance(signature, str):
        return f"{_where(i, j)}.thinking.signature: Field required"
    if not signature_is_valid(thinking, signature):
        return f"{_where(i, j)}: Invalid `signature` in `thinking` block"
    return None


def block_problem(
    i: int, j: int, block: Any, role: str, emitted: Container[object], betas: str = ""
) -> str | None:
    """The 400 message for block ``j`` of message ``i`` (whose role is ``role``), or ``None``;
    ``betas`` is the request's ``anthropic-beta`` header."""
    if not isinstance(block, dict):
        return f"{_where(i, j)}: Input should be a valid dictionary or object"
    kind = block.get("type")
    if not isinstance(kind, str):
        return f"{_where(i, j)}: Unable to extract tag using discriminator 'type'"
    if kind == "compaction" and not has_beta(betas, COMPACT_BETA):
        return (
            f"{_where(i, j)}.type: 'compaction' blocks require the beta header "
            f"'anthropic-beta: {COMPACT_BETA}'"
        )
    if kind == "text":
        text = block.get("text")
        if not isinstance(text, str) or not text.strip():
            return f"{_where(i, j)}.text: text content blocks must contain non-whitespace text"
        return _citations_problem(i, j, block, emitted)
    if kind == "thinking":
        return _thinking_problem(i, j, block)
    if not must_be_unchanged(kind):
        return None
    if role != "assistant":
        if kind not in INPUT_TYPES:
            return _unknown_tag(i, j, kind)
        return f"{_where(i, j)}: `{kind}` blocks are only allowed in assistant messages"
    if block in emitted:
        return None
    if kind not in INPUT_TYPES:
        return _unknown_tag(i, j, kind)
    return (
        f"{_where(i, j)}: `{kind}` block was modified; it must be sent back exactly as the API "
        "returned it"
    )


SEARCH_CITATION = "web_search_result_location"


def sent_citations(block: Any) -> list[Any]:
    """The search citations of a text block, each of which must come back as it was sent."""
    citations = block.get("citations") if isinstance(block, dict) else None
    if block.get("type") != "text" or not isinstance(citations, list):
        return []
    return [c for c in citations if isinstance(c, dict) and c.get("type") == SEARCH_CITATION]


def _citations_problem(i: int, j: int, block: Any, emitted: Container[object]) -> str | None:
    citations = block.get("citations")
    if citations is not None and not isinstance(citations, list):
        return f"{_where(i, j)}.citations: Input should be a valid list"
    for k, citation in enumerate(sent_citations(block)):
        if citation not in emitted:
            return (
                f"{_where(i, j)}.citations.{k}: Invalid `encrypted_index`; a "
                f"`{SEARCH_CITATION}` citation must be sent back exactly as the API returned it"
            )
    return None


RESULT_TYPES = {"web_search": "web_search_tool_result", "web_fetch": "web_fetch_tool_result"}


def unanswered_call(i: int, content: list[Any], final: bool) -> str | None:
    """The 400 for a ``server_tool_use`` in message ``i`` with no result for its id after it in
    the same message (the result comes in the same turn, so a call alone was cut off). The
    ``final`` assistant message is not checked: it is a turn being continued (one paused
    mid-search ends with its call, which the API runs when the turn goes on), and whether it may
    be continued at all is the prefill rule's to say (:mod:`~claude_tui.localapi.prefill`)."""
    if final:
        return None
    for j, block in enumerate(content):
        if not isinstance(block, dict) or block.get("type") != "server_tool_use":
            continue
        call_id, name = block.get("id"), block.get("name")
        answered = any(
            isinstance(later, dict)
            and str(later.get("type", "")).endswith("_tool_result")
            and later.get("tool_use_id") == call_id
            for later in content[j + 1 :]
        )
        if not answered:
            result = RESULT_TYPES.get(str(name), f"{name}_tool_result")
            return (
                f"{_where(i, j)}: `{name}` tool use with id `{call_id}` was found without a "
                f"corresponding `{result}` block"
            )
    return None


AMBIGUOUS = "compaction_block_ambiguous"


def compaction_ambiguity(messages: list[Any]) -> Problem | None:
    """The API's 400 for a history holding more than one compaction block with content."""
    found = [
        (i, j)
        for i, message in enumerate(messages)
        if isinstance(message, dict) and isinstance(message.get("content"), list)
        for j, block in enumerate(message["content"])
        if isinstance(block, dict)
        and block.get("type") == "compaction"
        and block.get("content") is not None
    ]
    if len(found) < 2:
        return None
    i, j = found[0]
    return Problem(
        f"{_where(i, j)}: messages holds more than one `compaction` block with content. Send "
        "only the block the conversation returned last.",
        AMBIGUOUS,
    )
