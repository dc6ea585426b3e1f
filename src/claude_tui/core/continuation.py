"""Continuing a reply that was cut short (``max_tokens``, ``pause_turn``) in the same turn.

The API carries on from a final assistant message: the request sends the history with the cut
reply last, exactly as ``core.api_history`` sends any reply back (blocks unchanged, a final text
block without its trailing whitespace, which the API rejects), keeping the calls a paused turn
ends with (``keep_open_calls``: ``[thinking, call]`` goes back whole), and the new content is
the rest of that same message. On screen and in the store it joins the same turn; the blocks
kept before it (:func:`continuation_prefix`) are what was sent, so the text reads on without a
seam.

Thinking has two rules for a final assistant message (the API's 400s say them): with thinking
enabled it must start with a thinking block, and with thinking disabled it must contain none. A
cut reply that starts with its (signed) thinking goes back with thinking on, as the settings
say; one that does not is sent without thinking, and any thinking in it is left out of that
request only (:func:`continuation_request`).

Newer models take no assistant message last ("This model does not support assistant message
prefill", a 400). For them the cut reply goes back as an ordinary assistant turn followed by a
short request to go on (:data:`CONTINUE_PROMPT`), sent in that request only: the person sees,
and the store keeps, one turn growing, as with the others. The app tries the prefill first,
since it is the exact continuation, and asks this way when the API refuses it
(:func:`prefill_refused`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from claude_tui.core.api_history import open_tail, without_trailing_whitespace
from claude_tui.core.blocks import Block, ServerToolUseBlock
from claude_tui.core.context_window import context_tokens
from claude_tui.core.conversation import Turn, TurnStatus, build_api_messages
from claude_tui.core.metrics import StreamMetrics
from claude_tui.core.stop_reasons import CONTINUABLE_STOPS, MAX_AUTO_CONTINUES

THINKING_TYPES = frozenset({"thinking", "redacted_thinking"})

CONTINUE_PROMPT = (
    "Your reply above was cut off. Continue it exactly where it stopped, mid-sentence if need"
    " be, without repeating anything or commenting on the cut."
)
"""Sent after the cut reply to a model that takes no assistant message last; never shown."""


def prefill_refused(error: str | None) -> bool:
    """Whether a failed continuation was the API refusing a final assistant message."""
    return error is not None and "prefill" in error.lower()


def continuable_turn(turns: Sequence[Turn]) -> Turn | None:
    """The last turn, if it is a reply that ended where it can be continued."""
    if not turns:
        return None
    last = turns[-1]
    if (
        last.role == "assistant"
        and last.status is TurnStatus.COMPLETE
        and last.stop_reason in CONTINUABLE_STOPS
    ):
        return last
    return None


def continuation_prefix(blocks: Sequence[Block], *, ask: bool = False) -> list[Block]:
    """The blocks a continued reply keeps before its new content: what went back in its
    request. A server tool call cut in the middle at the end is left out (it was never sent;
    the call that follows replaces it), and a final text block loses the trailing whitespace it
    could not be sent back with (a text block before a call keeps it, as it went back).
    ``ask``: the open calls the reply ends with are left out too: the request asks the model
    to go on instead of sending the paused reply back, so they would never get a result."""
    kept = list(blocks)
    while kept and isinstance(kept[-1], ServerToolUseBlock) and kept[-1].partial:
        kept.pop()
    if ask:
        unanswered = {id(call) for call in open_tail(kept)}
        kept = [block for block in kept if id(block) not in unanswered]
    return without_trailing_whitespace(kept)


def continued_blocks(prefix: Sequence[Block], new: Sequence[Block]) -> list[Block]:
    """The whole turn: what it had, then what the continuation brought."""
    return [*prefix, *new]


def continuation_request(
    messages: list[dict[str, Any]], thinking: bool
) -> tuple[list[dict[str, Any]], bool]:
    """The history and the thinking setting a continuation is sent with (see the module
    docstring): thinking stays on only if the final assistant message starts with thinking;
    when it is off, the final assistant message's thinking blocks are left out."""
    if not messages or messages[-1].get("role") != "assistant":
        return messages, thinking  # nothing of the reply could go back: an ordinary request
    content = messages[-1].get("content")
    blocks = content if isinstance(content, list) else []
    starts_with_thinking = bool(blocks) and _kind(blocks[0]) in THINKING_TYPES
    if thinking and starts_with_thinking:
        return messages, True
    kept = [block for block in blocks if _kind(block) not in THINKING_TYPES]
    if not kept:
        return messages[:-1], False
    return [*messages[:-1], {**messages[-1], "content": kept}], False


@dataclass(frozen=True)
class Continuation:
    """What the request of a continuation is made of, and what its reply is saved after."""

    messages: list[dict[str, Any]]
    thinking: bool
    """Whether the request enables thinking (see :func:`continuation_request`)."""
    prefix: list[Block]
    earlier: StreamMetrics | None
    """The reply's requests so far, summed (:func:`combined`)."""


def begin_continuation(
    turns: Sequence[Turn], turn: Turn, *, thinking: bool, ask: bool = False
) -> Continuation:
    """Make ``turn`` (the last of ``turns``, cut short) stream again, and say what to send.

    The turn keeps the blocks that go back (:func:`continuation_prefix`), remembers its
    measurements so far (``metrics``: every request of it, summed, :func:`reply_total`) in
    ``metrics_before``, and is ``STREAMING`` again, with no stop reason or error, until its
    continuation ends. ``thinking`` is whether the settings enable it.
    ``ask``: the request ends with :data:`CONTINUE_PROMPT` instead of the cut reply."""
    prefix = continuation_prefix(turn.blocks, ask=ask)
    turn.blocks = list(prefix)
    if ask:
        nudge = {"role": "user", "content": [{"type": "text", "text": CONTINUE_PROMPT}]}
        messages = [*build_api_messages(list(turns)), nudge]
    else:
        messages = build_api_messages(list(turns), keep_open_calls=True)
        messages, thinking = continuation_request(messages, thinking)
    earlier = combined(None, turn.metrics)
    turn.metrics_before = earlier
    turn.status, turn.stop_reason, turn.error = TurnStatus.STREAMING, None, None
    return Continuation(messages, thinking, list(prefix), earlier)


def _kind(block: object) -> object:
    return block.get("type") if isinstance(block, dict) else None


def combined(earlier: StreamMetrics | None, latest: StreamMetrics | None) -> StreamMetrics | None:
    """The requests of one reply as one measurement: tokens and durations summed, the first
    request's time to first token, the last one's stop reason and context size (what the
    next request builds on: ``StreamMetrics.context_tokens``). ``None`` when neither request
    was measured."""
    if latest is not None and latest.input_tokens is None:
        latest = None  # a request refused before it began: it cost nothing
    if earlier is None or latest is None:
        return latest if earlier is None else earlier
    final = earlier.usage_final and latest.usage_final
    output = None
    if final and earlier.output_tokens is not None and latest.output_tokens is not None:
        output = earlier.output_tokens + latest.output_tokens
    duration = earlier.elapsed(earlier.started_at) + latest.elapsed(latest.started_at)
    inputs = [m.input_tokens for m in (earlier, latest) if m.input_tokens is not None]
    return StreamMetrics(
        model=latest.model,
        started_at=0.0,
        first_token_at=earlier.ttft_ms / 1000.0 if earlier.ttft_ms is not None else None,
        last_token_at=duration,
        ended_at=duration,
        output_chars=earlier.output_chars + latest.output_chars,
        input_tokens=sum(inputs) if inputs else None,
        output_tokens=output,
        cache_creation_tokens=earlier.cache_creation_tokens + latest.cache_creation_tokens,
        cache_read_tokens=earlier.cache_read_tokens + latest.cache_read_tokens,
        cache_creation_1h_tokens=earlier.cache_creation_1h_tokens + latest.cache_creation_1h_tokens,
        web_search_requests=earlier.web_search_requests + latest.web_search_requests,
        web_fetch_requests=earlier.web_fetch_requests + latest.web_fetch_requests,
        usage_final=output is not None,
        stop_reason=latest.stop_reason,
        context_tokens=context_tokens(latest),
    )


def reply_total(earlier: StreamMetrics | None, latest: StreamMetrics) -> StreamMetrics:
    """What a reply ends with, ``latest`` being its last request and ``earlier`` the ones
    before it (``None`` for a reply of one request): the turn's ``metrics`` on screen (cost,
    ``/stats``) and its row in the store hold the same figures, summed here only."""
    return combined(earlier, latest) or latest


class FollowUp(NamedTuple):
    """A continuation the app starts by itself when a reply ends."""

    pauses: int
    """How many pauses in a row it continues after."""
    ask: bool
    """Asked for with :data:`CONTINUE_PROMPT` (the model took no prefill)."""

    @property
    def note(self) -> str:
        """What the status line says while it streams."""
        if self.pauses:
            return f"Paused by the API · continuing ({self.pauses} of {MAX_AUTO_CONTINUES})"
        return "This model takes no cut reply back · asked it to go on" if self.ask else ""


ASKED_BY_PERSON = FollowUp(0, False)
"""Ctrl+R: a continuation the person asked for."""


def follow_up(turn: Turn, *, continued: bool, asked: bool, pauses: int) -> FollowUp | None:
    """What to do by itself once ``turn``'s reply ended: carry on after a ``pause_turn``, up to
    :data:`MAX_AUTO_CONTINUES` pauses in a row, or ask again once when a continuation
    (``continued``, not yet ``asked``) was refused as a prefill; ``None``: the turn ended.
    A model that refused a prefill once is asked again after a pause (``asked`` carries on),
    rather than refusing another prefill first."""
    if turn.status is TurnStatus.COMPLETE and turn.stop_reason == "pause_turn":
        return FollowUp(pauses + 1, asked) if pauses < MAX_AUTO_CONTINUES else None
    refused = turn.status is TurnStatus.ERROR and prefill_refused(turn.error)
    if continued and not asked and refused:
        return FollowUp(pauses, True)
    return None
