"""How full the model's context window is, and whether the next request would still fit.

The gauge on the metrics line is the last request's input as the API counted it: the uncached
input, the cache reads and the cache writes (``input_tokens`` counts only the uncached part when
prompt caching is on), over the model's ``max_input_tokens``. It warns at 80 % and alarms at 95 %.

Before a prompt is sent, the next request is estimated cheaply: the last request's input, plus
the reply it produced (which goes back in the history), plus the new prompt at about four
characters a token. Over the window, the prompt is not sent (the API would answer with a 400);
near the edge (and just over it, where the estimate could be wrong either way), the exact figure
is worth a ``count_tokens`` call before deciding. All of it is arithmetic on numbers the app
already has, so it is free to run on every Enter.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from enum import StrEnum

from claude_tui.core.blocks import plain_text
from claude_tui.core.compaction import compacted_to
from claude_tui.core.conversation import Turn
from claude_tui.core.metrics import CHARS_PER_TOKEN, StreamMetrics

WARN_AT = 0.80
"""From this fill the gauge is drawn as a warning."""
ALERT_AT = 0.95
"""From this fill the gauge is drawn as an error: the next long paste will not fit."""
NEAR_EDGE = 0.90
"""From this estimated fill a send asks ``count_tokens`` for the exact figure first."""
CLEARLY_OVER = 1.5
"""From this estimated fill a prompt is refused without asking: no estimate is that far off."""


class GaugeLevel(StrEnum):
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"


def context_tokens(metrics: StreamMetrics | None) -> int | None:
    """``metrics.request_input``: the whole input of the request measured (for a reply of
    several requests, the last one's); ``None`` without metrics or before it was reported."""
    return None if metrics is None else metrics.request_input


def fill_fraction(tokens: int | None, window: int | None) -> float | None:
    """``tokens`` over ``window``; ``None`` when either is unknown (or the window is not a size)."""
    if tokens is None or window is None or window <= 0:
        return None
    return tokens / window


def gauge_level(fraction: float | None) -> GaugeLevel:
    if fraction is None or fraction < WARN_AT:
        return GaugeLevel.OK
    return GaugeLevel.WARNING if fraction < ALERT_AT else GaugeLevel.ERROR


def gauge_text(fraction: float | None) -> str:
    """``ctx 34%``: whole per cent, rounded down, so 79.9 % never reads as the 80 % it is not
    yet warned of; ``ctx <1%`` for a start in a large window (not an empty-looking 0 %);
    ``ctx –`` when unknown."""
    if fraction is None:
        return "ctx –"
    percent = math.floor(fraction * 100)
    return "ctx <1%" if percent == 0 and fraction > 0 else f"ctx {percent}%"


def text_tokens(chars: int) -> int:
    """About how many tokens ``chars`` characters of text are (rounded up)."""
    return math.ceil(max(0, chars) / CHARS_PER_TOKEN)


def estimate_next_request(
    last: StreamMetrics | None, *, prompt_chars: int, history_chars: int
) -> int:
    """The input tokens the next request is likely to have.

    With a measured last request: its whole input, plus its reply (output tokens, or the
    characters received when the final count is missing), plus the new prompt. Without one (a
    new session, or one saved without usage): the history and the prompt by their length."""
    known = context_tokens(last)
    if last is None or known is None:
        return text_tokens(history_chars + prompt_chars)
    if last.usage_final and last.output_tokens is not None:
        reply = last.output_tokens
    else:
        reply = math.ceil(last.estimated_output_tokens)
    return known + reply + text_tokens(prompt_chars)


def _last_metrics(turns: Sequence[Turn]) -> StreamMetrics | None:
    return next((turn.metrics for turn in reversed(turns) if turn.metrics is not None), None)


def context_now(turns: Sequence[Turn]) -> int | None:
    """The context the next request starts from, for the gauge, of a conversation with no
    reply in flight: right after a compaction alone (``/compact`` on the server), its
    summary's size (``core.compaction.compacted_to``); else the last request's whole input.
    ``None`` when neither is known."""
    compacted = compacted_to(turns)
    return compacted if compacted is not None else context_tokens(_last_metrics(turns))


def estimate_next(turns: Sequence[Turn], *, prompt_chars: int) -> int:
    """:func:`estimate_next_request` for a conversation with no reply in flight, sending a
    prompt of ``prompt_chars``: right after a compaction alone, the summary and the prompt
    (the compacting reply's usage and output are what the summary replaced)."""
    compacted = compacted_to(turns)
    if compacted is not None:
        return compacted + text_tokens(prompt_chars)
    last = _last_metrics(turns)
    # the history's length is only needed without a measured request: not on every Enter
    history = (
        0
        if context_tokens(last) is not None
        else sum(len(plain_text(turn.blocks)) for turn in turns)
    )
    return estimate_next_request(last, prompt_chars=prompt_chars, history_chars=history)


class SendVerdict(StrEnum):
    SEND = "send"
    COUNT = "count"
    """Near the edge: ask ``count_tokens`` for the exact figure, then decide."""
    REFUSE = "refuse"


def verdict(estimate: int, window: int | None, *, near: float = NEAR_EDGE) -> SendVerdict:
    """What to do with a prompt whose request is estimated at ``estimate`` input tokens.

    Far over the window (``CLEARLY_OVER``) the estimate is trusted. Between the edge and that,
    the API counts: four characters a token is rough (code and non-Latin text have more
    tokens, repeated text fewer), and a reply saved after a continuation has the input of all
    its requests summed, so the last request's size is not known exactly after a reload."""
    if window is None or window <= 0:
        return SendVerdict.SEND
    if estimate > CLEARLY_OVER * window:
        return SendVerdict.REFUSE
    return SendVerdict.COUNT if estimate >= near * window else SendVerdict.SEND


def exact_verdict(counted: int, window: int | None) -> SendVerdict:
    """What to do once ``count_tokens`` has given the request's exact input."""
    if window is not None and window > 0 and counted > window:
        return SendVerdict.REFUSE
    return SendVerdict.SEND


def over_window_message(tokens: int, window: int, model: str, *, exact: bool) -> str:
    """Why a prompt was not sent, with the numbers, and what to do instead."""
    about = "" if exact else "about "
    how = "counted by the API" if exact else "estimated"
    return (
        f"Not sent: the request would be {about}{tokens:,} input tokens ({how}), over "
        f"{model}'s {window:,}-token window. /compact summarises the conversation to make room; "
        "your prompt is still in the input."
    )
