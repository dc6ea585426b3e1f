"""Server-side compaction (beta), as the local server emulates it.

A request whose ``context_management.edits`` holds a ``compact_20260112`` edit asks the API to
summarise the conversation once its input passes the edit's trigger (150,000 tokens unless it
says; never below 50,000). The real API needs the ``anthropic-beta: compact-2026-01-12`` header
for it and answers a 400 without; so does this server, and for a trigger below the minimum, and
for a model it lists without compaction.

When the input (counted from the last compaction block on, as :func:`estimate_tokens` counts)
passes the trigger, the reply starts with a ``compaction`` block: a summary made from the
user's earlier prompts, with the edit's ``instructions`` quoted in it so a test can see they
were used, and an opaque ``encrypted_content``. With ``pause_after_compaction`` the reply is
that block alone and stops with ``stop_reason: "compaction"``. The block streams as the API
streams it (see :mod:`block_stream`) and must come back unchanged (see :mod:`history`).
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from claude_tui.localapi.history import COMPACT_BETA, has_beta
from claude_tui.localapi.models import ModelSpec
from claude_tui.localapi.prompt_cache import CacheUsage
from claude_tui.localapi.request import estimate_tokens, from_last_compaction, message_text
from claude_tui.localapi.wire import JSON

COMPACT_EDIT = "compact_20260112"
DEFAULT_TRIGGER = 150_000
"""Input tokens at which the API compacts when the edit names no trigger."""
MIN_TRIGGER = 50_000
"""The smallest trigger the API takes."""
PROMPT_CHARS = 120
"""How much of each earlier prompt the summary quotes."""


def compaction_edit(body: Mapping[str, Any]) -> tuple[int, JSON] | None:
    """The ``compact_20260112`` edit of the request and its position in ``edits``, if any."""
    management = body.get("context_management")
    edits = management.get("edits") if isinstance(management, dict) else None
    if not isinstance(edits, list):
        return None
    for i, edit in enumerate(edits):
        if isinstance(edit, dict) and edit.get("type") == COMPACT_EDIT:
            return i, edit
    return None


def trigger_value(edit: Mapping[str, Any]) -> object:
    """The edit's trigger in input tokens (the default when it names none)."""
    trigger = edit.get("trigger")
    if trigger is None:
        return DEFAULT_TRIGGER
    return trigger.get("value") if isinstance(trigger, dict) else trigger


def compaction_problem(body: Mapping[str, Any], betas: str, spec: ModelSpec | None) -> str | None:
    """The 400 the real API gives a request's compaction settings, or ``None``.

    ``betas`` is the request's ``anthropic-beta`` header (comma-separated); ``spec`` the model's,
    when this server lists it."""
    found = compaction_edit(body)
    if found is None:
        return None
    i, edit = found
    where = f"context_management.edits.{i}"
    if not has_beta(betas, COMPACT_BETA):
        return (
            f"{where}.type: '{COMPACT_EDIT}' requires the beta header "
            f"'anthropic-beta: {COMPACT_BETA}'"
        )
    if spec is not None and not spec.compaction:
        return f"{where}: '{COMPACT_EDIT}' is not supported for {spec.id}"
    value = trigger_value(edit)
    if not isinstance(value, int) or isinstance(value, bool):
        return f"{where}.trigger.value: Input should be a valid integer"
    if value < MIN_TRIGGER:
        return f"{where}.trigger.value: Input should be greater than or equal to {MIN_TRIGGER}"
    instructions = edit.get("instructions")
    if instructions is not None and not isinstance(instructions, str):
        return f"{where}.instructions: Input should be a valid string"
    return None


@dataclass(frozen=True)
class Compaction:
    """A compaction this request triggers: the block, and whether the reply stops after it."""

    block: JSON
    pause: bool
    input_tokens: int
    """What the compaction read: the input, from the last compaction block on."""
    usage: CacheUsage | None = None
    """How that input split between plain input and the prompt cache (all plain when not
    known)."""

    @property
    def summary_tokens(self) -> int:
        content = self.block.get("content")
        return max(1, (len(content) + 3) // 4) if isinstance(content, str) else 0

    def iteration(self) -> JSON:
        """Its entry in ``usage.iterations``: what the compaction itself read and wrote (the
        summary), which the API leaves out of the top-level usage."""
        read = self.usage or CacheUsage(self.input_tokens)
        return {
            "type": "compaction",
            "input_tokens": read.input_tokens,
            "cache_creation_input_tokens": read.cache_creation_input_tokens,
            "cache_read_input_tokens": read.cache_read_input_tokens,
            "output_tokens": self.summary_tokens,
        }


def plan_compaction(body: Mapping[str, Any]) -> Compaction | None:
    """The compaction a valid request triggers, or ``None`` (no edit, or under its trigger)."""
    found = compaction_edit(body)
    if found is None:
        return None
    edit = found[1]
    tokens = estimate_tokens(body)
    value = trigger_value(edit)
    if not isinstance(value, int) or tokens <= value:
        return None
    instructions = edit.get("instructions")
    summary = summarise(body.get("messages"), instructions if isinstance(instructions, str) else "")
    block = {"type": "compaction", "content": summary, "encrypted_content": _opaque(summary)}
    return Compaction(block, edit.get("pause_after_compaction") is True, tokens)


def summarise(messages: Any, instructions: str = "") -> str:
    """A plausible summary of the messages from the last compaction on: what was summarised
    before (if anything), then each earlier prompt of the user's, quoted short."""
    counted = from_last_compaction(messages)
    counted = counted if isinstance(counted, list) else []
    earlier = ""
    prompts: list[str] = []
    for message in counted:
        if not isinstance(message, dict):
            continue
        content = message.get("content")
        if isinstance(content, list) and not earlier:
            first = content[0] if content else None
            if isinstance(first, dict) and first.get("type") == "compaction":
                earlier = str(first.get("content") or "")
        if message.get("role") == "user":
            text = " ".join(message_text(message).split())
            if text:
                prompts.append(text if len(text) <= PROMPT_CHARS else text[:PROMPT_CHARS] + "…")
    lines = [f"Summary of the conversation so far ({len(counted)} messages)."]
    if earlier:
        lines.append(f"Before that: {' '.join(earlier.split())[:400]}")
    if prompts:
        lines.append("The user asked, in order:")
        lines.extend(f"{n}. {prompt}" for n, prompt in enumerate(prompts, start=1))
    if instructions.strip():
        lines.append(f"Summarised as instructed: {instructions.strip()}")
    return "\n".join(lines)


def _opaque(summary: str) -> str:
    """Stands for the API's encrypted metadata: random, and bound to the summary."""
    digest = hashlib.sha256(secrets.token_bytes(16) + summary.encode()).digest()
    return "Ec" + base64.b64encode(digest).decode()


def compacted_messages(body: Mapping[str, Any], block: JSON) -> list[Any]:
    """What the model reads after compacting: the summary, then the last user message."""
    messages = body.get("messages")
    last = messages[-1] if isinstance(messages, list) and messages else None
    after = [last] if isinstance(last, dict) and last.get("role") == "user" else []
    return [{"role": "assistant", "content": [block]}, *after]


SUMMARY_REQUEST = re.compile(r"\bsummari[sz]e (?:our|the|this) conversation\b", re.IGNORECASE)


def asks_for_summary(body: Mapping[str, Any]) -> bool:
    """Whether the request's last piece of text asks for a summary of the conversation (the
    app's ``/compact`` does, where the API cannot compact): the demo then answers with one, not
    a canned reply. Only the last text block is read: the summary a branch starts from is text
    of the same user message, and may quote an earlier request."""
    messages = body.get("messages")
    last = messages[-1] if isinstance(messages, list) and messages else None
    content = last.get("content") if isinstance(last, dict) else None
    if isinstance(content, list):
        texts = [b.get("text") for b in content if isinstance(b, dict) and b.get("type") == "text"]
        content = texts[-1] if texts else None
    return isinstance(content, str) and SUMMARY_REQUEST.search(content) is not None


def demo_summary(body: Mapping[str, Any], prompt: str) -> str:
    """The demo's answer to a request for a summary: the messages before the request,
    summarised as a compaction would, with the prompt's own ``Instructions:`` followed."""
    messages = body.get("messages")
    earlier = messages[:-1] if isinstance(messages, list) else []
    _, said, instructions = prompt.partition("Instructions:")
    return summarise(earlier, instructions if said else "")
