"""``/compact``: making the context smaller, one of two ways, and saying which.

* **On the server**, where the model lists ``compact_20260112`` and the context is at least the
  API's minimum trigger (50,000 input tokens): the history goes out with a short user turn
  asking to compact, and a ``compact_20260112`` edit whose trigger is that minimum, with
  ``pause_after_compaction`` (the API needs a final user message; the pause means nothing is
  answered after the summary) and the user's instructions. The reply is a ``compaction`` block
  alone, kept and sent back unchanged from then on: the API reads on from it.
* **By a summary**, elsewhere (or below the minimum): an ordinary request asks the model for a
  summary, and the session starts a new branch from it, as an edit does: a first user message
  holding the summary, which the next prompts follow.

Either way nothing is deleted: every earlier turn stays in the store (the summary way leaves
them on the other branch) and in exports. These are the pure parts; the chat screen runs them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from enum import StrEnum
from typing import Any

from claude_tui.core.blocks import summaries_of
from claude_tui.core.capabilities import COMPACTION_EDIT, ModelCapabilities
from claude_tui.core.conversation import Turn
from claude_tui.core.metrics import StreamMetrics
from claude_tui.core.request_shape import COMPACTION_BETA, MIN_COMPACTION_TRIGGER, with_beta
from claude_tui.core.runner import StreamRequest


class Way(StrEnum):
    SERVER = "server"
    """The API's server-side compaction (beta)."""
    SUMMARY = "summary"
    """A summary asked of the model, and a new branch from it."""


COMPACT_PROMPT = "/compact: compact our conversation so far; we go on from the summary."
"""The user turn that carries a server-side compaction (the API needs a final user message)."""

SUMMARY_PROMPT = (
    "/compact: summarise our conversation so far, so that it can go on from your summary "
    "alone. Keep every decision, fact, name, number and piece of code still needed, and what "
    "was being worked on last. Reply with the summary only."
)
"""The request for a summary where the API cannot compact."""

BRANCH_HEADING = "Summary of the earlier conversation (made by /compact):"
"""How the new branch's first message begins: what the model reads the summary as."""


def prompt_text(way: Way, instructions: str) -> str:
    """The user turn ``/compact`` sends, with the user's instructions, if any, said in it."""
    base = COMPACT_PROMPT if way is Way.SERVER else SUMMARY_PROMPT
    instructions = instructions.strip()
    return f"{base}\n\nInstructions: {instructions}" if instructions else base


def choose_way(caps: ModelCapabilities, context_tokens: int | None) -> Way:
    """The server's compaction where the model has it and the context reaches the API's
    minimum trigger; a summary and a new branch otherwise (and when the size is unknown)."""
    if caps.compaction and context_tokens is not None and context_tokens >= MIN_COMPACTION_TRIGGER:
        return Way.SERVER
    return Way.SUMMARY


def why_summary(caps: ModelCapabilities, model: str, context_tokens: int | None) -> str:
    """Why ``/compact`` asked for a summary instead of the server's compaction."""
    if not caps.compaction:
        return f"{model} has no server-side compaction"
    if context_tokens is None:
        return "the context's size is not known"
    return (
        f"the context, ~{context_tokens:,} tokens, is under the API's "
        f"{MIN_COMPACTION_TRIGGER:,}-token minimum for server-side compaction"
    )


def size_after(metrics: StreamMetrics | None) -> int | None:
    """About what the next request reads, from the last reply's usage: its input
    (``StreamMetrics.request_input``: cached parts too, the last request's for a continued
    reply) and its output, which the next request sends back. ``None`` without usage."""
    read = None if metrics is None else metrics.request_input
    return None if read is None or metrics is None else read + (metrics.output_tokens or 0)


def compaction_edit(instructions: str) -> dict[str, Any]:
    """The ``compact_20260112`` edit that compacts now: the lowest trigger the API takes, and
    a pause after the summary, so the reply is the compaction block alone."""
    edit: dict[str, Any] = {
        "type": COMPACTION_EDIT,
        "trigger": {"type": "input_tokens", "value": MIN_COMPACTION_TRIGGER},
        "pause_after_compaction": True,
    }
    if instructions.strip():
        edit["instructions"] = instructions.strip()
    return edit


def with_compaction(request: StreamRequest, instructions: str) -> StreamRequest:
    """``request`` asking the API to compact now (its own edit in place of any other
    ``compact_20260112`` edit, such as ``auto_compact``'s), with the beta header, and without
    tools (:func:`without_tools`)."""
    management = dict(request.context_management or {})
    edits = [
        edit
        for edit in management.get("edits", [])
        if not (isinstance(edit, dict) and edit.get("type") == COMPACTION_EDIT)
    ]
    management["edits"] = [*edits, compaction_edit(instructions)]
    betas = with_beta(request.betas, COMPACTION_BETA)
    return replace(without_tools(request), context_management=management, betas=betas)


def without_tools(request: StreamRequest) -> StreamRequest:
    """``request`` with no tools: a compaction or a summary is asked of the model alone, and
    must not search or fetch (nor be charged for it) whatever the session's ``/web`` says. The
    history keeps any earlier searches' blocks: they are what is being summarised."""
    return replace(request, tools=())


def branch_text(summary: str) -> str:
    """The first message of the branch a summary starts."""
    return f"{BRANCH_HEADING}\n\n{summary.strip()}"


def estimate_tokens(text: str) -> int:
    """About a quarter of the characters: what the summary will weigh in the next request."""
    return max(1, round(len(text) / 4))


def compacted_to(turns: Sequence[Turn]) -> int | None:
    """The context's size right after a compaction alone (the latest reply is ``/compact``'s
    on the server: a compaction block, then the pause it asks for): its summary's, which the
    API reads on from. That reply's own usage counts what came before the summary, so it says
    nothing of the context now. ``None`` otherwise, and for a compaction without a summary's
    text: the last usage is the best guess then."""
    last = next((turn for turn in reversed(turns) if turn.role == "assistant"), None)
    if last is None or last.stop_reason != "compaction":
        return None
    summary = summaries_of(last.blocks)
    return estimate_tokens(summary) if summary else None


def outcome_text(way: Way, before: int | None, after: int, reason: str = "") -> str:
    """What ``/compact`` tells the user it did: which way, and how much smaller the context is."""
    size = f"~{after:,} tokens" if before is None else f"~{before:,} → ~{after:,} tokens"
    kept = "Every earlier turn is kept in the session and in its exports."
    if way is Way.SERVER:
        return (
            f"Compacted on the server (compact_20260112): context {size}. The summary is "
            f"sent back with each request from now on, in place of what came before it. {kept}"
        )
    because = f" ({reason})" if reason else ""
    return (
        f"Summarised by the model{because}: a new branch starts from the summary, context "
        f"{size}. The earlier turns are another branch of this session. {kept}"
    )
