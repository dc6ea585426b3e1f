"""Why a reply stopped, said plainly: none of the ways a reply can be cut short looks like success.

The API ends every reply with a ``stop_reason``. ``end_turn`` and ``stop_sequence`` are the model
finishing; every other one means the reply on screen is not the whole answer, and the person is
told what happened and what to do. ``max_tokens`` and ``pause_turn`` can be continued: the cut
reply goes back as the final assistant message and the model carries on from there
(``core.continuation``). A pause after compaction is not: only ``/compact`` asks for one, and
what would be continued is its own request to compact; the next prompt goes on from the summary.
"""

from __future__ import annotations

from typing import NamedTuple

NORMAL_STOPS = frozenset({"end_turn", "stop_sequence"})
"""The model finished the reply."""

CONTINUABLE_STOPS = frozenset({"max_tokens", "pause_turn"})
"""The reply was cut where the model can go on from (Ctrl+R, or automatically for a pause)."""

ASKED_FOR_STOPS = frozenset({"compaction"})
"""Stops the app itself asked for (``/compact``'s pause after compacting): said, not warned of."""

MAX_AUTO_CONTINUES = 3
"""How many ``pause_turn`` pauses in a row are continued without asking."""


class StopNotice(NamedTuple):
    text: str
    continuable: bool


def is_normal_stop(stop_reason: str | None) -> bool:
    """Whether ``stop_reason`` is a reply that ended well (or none is known yet)."""
    return stop_reason is None or stop_reason in NORMAL_STOPS


def stop_notice(stop_reason: str | None, *, output_tokens: int | None = None) -> StopNotice | None:
    """What to say under a reply that stopped for ``stop_reason``; ``None`` for a normal end.

    ``output_tokens`` is the last request's output, which is its ``max_tokens`` when the reply
    was cut there. The text is plain: the caller sanitises it like all text on screen (an
    unknown reason is the API's word, shown as it came)."""
    if is_normal_stop(stop_reason):
        return None
    if stop_reason == "max_tokens":
        size = f" ({output_tokens:,} tokens)" if output_tokens else ""
        return StopNotice(
            f"⚠ Cut at max_tokens{size} · Ctrl+R continues · /retry asks again from the prompt",
            True,
        )
    if stop_reason == "pause_turn":
        return StopNotice(
            f"⚠ Paused by the API (pause_turn), after {MAX_AUTO_CONTINUES} automatic continues"
            " · Ctrl+R continues",
            True,
        )
    if stop_reason == "compaction":
        return StopNotice(
            "Compacted: the next prompt goes on from the summary · Ctrl+O shows it", False
        )
    if stop_reason == "refusal":
        return StopNotice(
            "⚠ Refused: the model declined to answer this (refusal) · /edit rephrases the prompt",
            False,
        )
    if stop_reason == "model_context_window_exceeded":
        return StopNotice(
            "⚠ The context window is full (model_context_window_exceeded): the reply stopped"
            " there · /compact makes room",
            False,
        )
    if stop_reason == "tool_use":
        return StopNotice("⚠ Stopped to call a tool (tool_use), which this app does not run", False)
    return StopNotice(f"⚠ Stopped for a reason the app does not know: {stop_reason}", False)
