"""Statistics for ``/stats``: one session from its turns, all sessions from the store.

Both come out as the same :class:`Stats`, by the same definitions, so the two columns of the
table mean the same thing. Turns carry no timestamps, so a session's time is the sum of its
replies' durations (time spent waiting for and reading answers), not the wall time it was open.

Cost is kept as tokens per model and priced on demand, like ``StreamMetrics.cost``: the user's
price overrides live in the config, which the store knows nothing about. What prompt caching
saved is priced the same way, per model, and may be negative (``cache_saving``). Web searches
are priced per search at the user's ``web_search_price`` (``pricing.cost_usd``), so they are
counted per model too; web fetches cost only their tokens and are counted for the table alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from claude_tui.core.cache_saving import CacheSaving, format_saving, saving_of
from claude_tui.core.conversation import Turn
from claude_tui.core.metrics import CHARS_PER_TOKEN
from claude_tui.core.pricing import WEB_SEARCH_PRICE, Price, cost_usd

UNKNOWN = "–"
"""Shown for a number nobody measured (distinct from a measured zero)."""

SPARK_LEVELS = "▁▂▃▄▅▆▇█"

MIN_RATE_SPAN_MS = 50.0
"""A reply whose tokens all came within this long has no meaningful rate (as in
``StreamMetrics.tokens_per_second``)."""


@dataclass(frozen=True)
class ModelUsage:
    """Tokens of the replies of one model that reported usage, as they are priced."""

    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    """Reported, or estimated from characters for a reply stopped before the final count (as
    ``StreamMetrics.cost`` does), so a cancelled reply still costs something."""
    cache_creation_tokens: int = 0
    cache_read_tokens: int = 0
    cache_creation_1h_tokens: int = 0
    """The hour-long part of ``cache_creation_tokens``."""
    web_search_requests: int = 0
    """Priced per search, whatever the tokens."""

    def cost(
        self,
        overrides: Mapping[str, Price] | None = None,
        web_search_price: float = WEB_SEARCH_PRICE,
    ) -> float | None:
        return cost_usd(
            self.model,
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            cache_creation_tokens=self.cache_creation_tokens,
            cache_read_tokens=self.cache_read_tokens,
            cache_creation_1h_tokens=self.cache_creation_1h_tokens,
            overrides=overrides,
            web_search_requests=self.web_search_requests,
            web_search_price=web_search_price,
        )


@dataclass(frozen=True)
class Stats:
    """Counts, times and usage of one session or of all of them. ``None`` means not measured."""

    user_messages: int = 0
    assistant_replies: int = 0
    """Every reply, including cancelled and failed ones."""
    characters: int = 0
    """Of the text of every turn; thinking is not counted."""
    average_reply_chars: float | None = None
    """Over the replies that have any text (a reply that failed before its first word is not a
    short reply)."""
    reply_seconds: float | None = None
    """The sum of the replies' durations, request to end."""
    mean_ttft_ms: float | None = None
    mean_tokens_per_second: float | None = None
    """The mean of each reply's rate (``rates``), over replies with a reported output count and a
    meaningful span; the first token's wait is not part of a rate."""
    input_tokens: int | None = None
    output_tokens: int | None = None
    """Reported counts only; ``None`` when no reply reported one."""
    cache_creation_tokens: int | None = None
    cache_read_tokens: int | None = None
    cache_creation_1h_tokens: int | None = None
    web_search_requests: int = 0
    web_fetch_requests: int = 0
    """Of the replies that reported usage; shown only when some were made."""
    by_model: tuple[ModelUsage, ...] = ()
    rates: tuple[float, ...] = ()
    """Tokens a second of each reply in order, for the chart; empty for all sessions."""
    sessions: int | None = None
    """How many sessions these are; ``None`` for one session's own statistics."""

    def cost(
        self,
        overrides: Mapping[str, Price] | None = None,
        web_search_price: float = WEB_SEARCH_PRICE,
    ) -> float | None:
        """Estimated dollars for the models with a known price, searches at
        ``web_search_price`` per 1,000; ``None`` when no model has a price."""
        costs = [
            cost
            for usage in self.by_model
            if (cost := usage.cost(overrides, web_search_price)) is not None
        ]
        return math.fsum(costs) if costs else None

    def unpriced_models(self, overrides: Mapping[str, Price] | None = None) -> list[str]:
        """Models whose replies the cost leaves out, for lack of a price."""
        return [usage.model for usage in self.by_model if usage.cost(overrides) is None]

    def cache_saving(self, overrides: Mapping[str, Price] | None = None) -> CacheSaving | None:
        """What prompt caching saved over the models with a known price; ``None`` when no
        reply read or wrote the cache, or none of those models has a price."""
        return saving_of(self.by_model, overrides)


def _mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def _sum_or_none(values: Sequence[int]) -> int | None:
    return sum(values) if values else None


def session_stats(turns: Iterable[Turn]) -> Stats:
    """The statistics of one conversation, from its turns and the metrics of its replies."""
    users = replies = characters = 0
    reply_lengths: list[int] = []
    durations: list[float] = []
    ttfts: list[float] = []
    rates: list[float] = []
    inputs: list[int] = []
    outputs: list[int] = []
    cache_writes: list[int] = []
    cache_reads: list[int] = []
    hour_writes: list[int] = []
    searches = fetches = 0
    priced: dict[str, list[int]] = {}
    for turn in turns:
        characters += len(turn.text)
        if turn.role == "user":
            users += 1
            continue
        replies += 1
        if turn.text:
            reply_lengths.append(len(turn.text))
        m = turn.metrics
        if m is None:
            continue
        if m.ended_at is not None:
            durations.append(m.ended_at - m.started_at)
        if m.ttft_ms is not None:
            ttfts.append(m.ttft_ms)
        final_output = m.output_tokens if m.usage_final else None
        if final_output is not None:
            outputs.append(final_output)
        if final_output and m.ended_at is not None:
            rate, estimated = m.tokens_per_second(m.ended_at)
            if rate is not None and not estimated:
                rates.append(rate)
        if m.input_tokens is not None:
            inputs.append(m.input_tokens)
            cache_writes.append(m.cache_creation_tokens)
            cache_reads.append(m.cache_read_tokens)
            hour_writes.append(m.cache_creation_1h_tokens)
            searches += m.web_search_requests
            fetches += m.web_fetch_requests
            billed = final_output if final_output is not None else round(m.estimated_output_tokens)
            totals = priced.setdefault(m.model, [0, 0, 0, 0, 0, 0])
            for index, count in enumerate(
                (
                    m.input_tokens,
                    billed,
                    m.cache_creation_tokens,
                    m.cache_read_tokens,
                    m.cache_creation_1h_tokens,
                    m.web_search_requests,
                )
            ):
                totals[index] += count
    return Stats(
        user_messages=users,
        assistant_replies=replies,
        characters=characters,
        average_reply_chars=_mean(reply_lengths),
        reply_seconds=math.fsum(durations) if durations else None,
        mean_ttft_ms=_mean(ttfts),
        mean_tokens_per_second=_mean(rates),
        input_tokens=_sum_or_none(inputs),
        output_tokens=_sum_or_none(outputs),
        cache_creation_tokens=_sum_or_none(cache_writes),
        cache_read_tokens=_sum_or_none(cache_reads),
        cache_creation_1h_tokens=_sum_or_none(hour_writes),
        web_search_requests=searches,
        web_fetch_requests=fetches,
        by_model=tuple(ModelUsage(model, *counts) for model, counts in sorted(priced.items())),
        rates=tuple(rates),
    )


# --- all sessions, from the store ------------------------------------------------------------

_REPLY = "role = 'assistant'"
_USAGE = f"{_REPLY} AND input_tokens IS NOT NULL"
_RATE = (
    f"CASE WHEN {_REPLY} AND output_tokens > 0 AND duration_ms - ttft_ms > {MIN_RATE_SPAN_MS}"
    " THEN output_tokens * 1000.0 / (duration_ms - ttft_ms) END"
)
_TEXT = f"{_REPLY} AND content != ''"

_TOTALS: tuple[tuple[str, str], ...] = (
    ("model", "coalesce(model, '')"),
    ("users", "sum(role = 'user')"),
    ("replies", f"sum({_REPLY})"),
    ("chars", "sum(length(content))"),
    ("reply_chars", f"sum(CASE WHEN {_TEXT} THEN length(content) END)"),
    ("texts", f"sum({_TEXT})"),
    ("duration_ms", f"sum(CASE WHEN {_REPLY} THEN duration_ms END)"),
    ("ttft_sum", f"sum(CASE WHEN {_REPLY} THEN ttft_ms END)"),
    ("ttft_count", f"count(CASE WHEN {_REPLY} THEN ttft_ms END)"),
    ("rate_sum", f"sum({_RATE})"),
    ("rate_count", f"count({_RATE})"),
    ("input", f"sum(CASE WHEN {_USAGE} THEN input_tokens END)"),
    ("output", f"sum(CASE WHEN {_REPLY} THEN output_tokens END)"),
    ("cache_write", f"sum(CASE WHEN {_USAGE} THEN coalesce(cache_creation_tokens, 0) END)"),
    ("cache_read", f"sum(CASE WHEN {_USAGE} THEN coalesce(cache_read_tokens, 0) END)"),
    ("cache_write_1h", f"sum(CASE WHEN {_USAGE} THEN coalesce(cache_creation_1h_tokens, 0) END)"),
    ("searches", f"sum(CASE WHEN {_USAGE} THEN coalesce(web_search_requests, 0) END)"),
    ("fetches", f"sum(CASE WHEN {_USAGE} THEN coalesce(web_fetch_requests, 0) END)"),
    (
        "billed_output",
        f"sum(CASE WHEN {_USAGE} THEN coalesce(output_tokens,"
        f" round((length(content) + length(thinking)) / {CHARS_PER_TOKEN})) END)",
    ),
)
"""Each value a row of the totals holds, by name, and the SQL that computes it."""

TOTALS_COLUMNS = ", ".join(sql for _, sql in _TOTALS)
"""What ``SessionStore.usage_totals`` selects from ``messages ... GROUP BY coalesce(model, '')``,
for :func:`totals_from_rows`. Each row holds sums and counts rather than means, so the groups add
up to the whole exactly; the rate is a session's (output tokens over first token to end), and
billed output is estimated from characters where no count was reported, as for a session."""


def totals_from_rows(sessions: int, rows: Iterable[Sequence[Any]]) -> Stats:
    """The per-model rows of ``TOTALS_COLUMNS`` added up into one :class:`Stats`.

    SQL's sum of no values is NULL: a sum stays ``None`` until some row has a value for it.
    """
    names = [name for name, _ in _TOTALS]
    total: dict[str, Any] = dict.fromkeys(names)
    by_model: list[ModelUsage] = []
    for row in rows:
        group = dict(zip(names, row, strict=True))
        for name in names[1:]:
            if group[name] is not None:
                total[name] = (total[name] or 0) + group[name]
        if group["input"] is not None:
            cache_write, cache_read = group["cache_write"] or 0, group["cache_read"] or 0
            billed = int(group["billed_output"] or 0)
            hour, searches = group["cache_write_1h"] or 0, group["searches"] or 0
            by_model.append(
                ModelUsage(
                    group["model"], group["input"], billed, cache_write, cache_read, hour, searches
                )
            )

    def ratio(numerator: str, denominator: str) -> float | None:
        return total[numerator] / total[denominator] if total[denominator] else None

    duration_ms = total["duration_ms"]
    return Stats(
        user_messages=total["users"] or 0,
        assistant_replies=total["replies"] or 0,
        characters=total["chars"] or 0,
        average_reply_chars=ratio("reply_chars", "texts"),
        reply_seconds=None if duration_ms is None else duration_ms / 1000.0,
        mean_ttft_ms=ratio("ttft_sum", "ttft_count"),
        mean_tokens_per_second=ratio("rate_sum", "rate_count"),
        input_tokens=total["input"],
        output_tokens=total["output"],
        cache_creation_tokens=total["cache_write"],
        cache_read_tokens=total["cache_read"],
        cache_creation_1h_tokens=total["cache_write_1h"],
        web_search_requests=total["searches"] or 0,
        web_fetch_requests=total["fetches"] or 0,
        by_model=tuple(sorted(by_model, key=lambda usage: usage.model)),
        sessions=sessions,
    )


# --- showing them ----------------------------------------------------------------------------


def sparkline(values: Sequence[float], width: int) -> str:
    """``values`` as a row of block characters, lowest to highest of them, at most ``width``.

    More values than ``width`` are averaged in consecutive buckets; fewer are drawn one a
    character, not stretched. Values that are all equal give a flat line at mid height, since
    there is no spread to show; non-finite values are left out.
    """
    values = [value for value in values if math.isfinite(value)]
    if not values or width <= 0:
        return ""
    count = len(values)
    if count > width:
        values = [
            math.fsum(values[i * count // width : (i + 1) * count // width])
            / ((i + 1) * count // width - i * count // width)
            for i in range(width)
        ]
    low, high = min(values), max(values)
    if high - low <= 1e-12 * max(1.0, abs(high)):
        return SPARK_LEVELS[3] * len(values)
    top = len(SPARK_LEVELS) - 1
    return "".join(SPARK_LEVELS[round((value - low) / (high - low) * top)] for value in values)


def format_count(value: float | None) -> str:
    """``12,345``, or ``–`` when not measured."""
    return UNKNOWN if value is None else f"{round(value):,}"


def format_duration(seconds: float | None) -> str:
    """``8.2 s``, ``4 min 05 s``, ``2 h 03 min``; ``–`` when not measured."""
    if seconds is None:
        return UNKNOWN
    if seconds < 59.95:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    minutes = whole // 60
    return f"{minutes // 60:,} h {minutes % 60:02d} min"


def format_cost(
    stats: Stats,
    overrides: Mapping[str, Price] | None = None,
    web_search_price: float = WEB_SEARCH_PRICE,
) -> str:
    """``est. $0.0123`` (an estimate from a price table, never a bill), naming any model it
    leaves out for lack of a price; ``–`` when no model has one."""
    cost = stats.cost(overrides, web_search_price)
    if cost is None:
        return UNKNOWN
    text = f"est. ${cost:,.4f}"
    missing = stats.unpriced_models(overrides)
    if missing:
        text += f" (no price for {', '.join(model or '?' for model in missing)})"
    return text


def format_stats(
    stats: Stats,
    *,
    overrides: Mapping[str, Price] | None = None,
    chart_width: int = 30,
    web_search_price: float = WEB_SEARCH_PRICE,
) -> list[tuple[str, str]]:
    """Label and value rows for a two-column table; the sessions row only for all sessions,
    the chart only when some reply has a rate, the web rows only when a search or a fetch
    was made (most sessions make none)."""
    rows: list[tuple[str, str]] = []
    if stats.sessions is not None:
        rows.append(("Sessions", format_count(stats.sessions)))
    avg = stats.average_reply_chars
    ttft = stats.mean_ttft_ms
    rate = stats.mean_tokens_per_second
    rows += [
        ("Your messages", format_count(stats.user_messages)),
        ("Replies", format_count(stats.assistant_replies)),
        ("Characters", format_count(stats.characters)),
        ("Average reply", UNKNOWN if avg is None else f"{round(avg):,} characters"),
        ("Time in replies", format_duration(stats.reply_seconds)),
        ("Time to first token", UNKNOWN if ttft is None else f"{ttft:,.0f} ms (mean)"),
        ("Speed", UNKNOWN if rate is None else f"{rate:,.1f} tok/s (mean)"),
    ]
    if stats.rates:
        rows.append(("Speed per reply", sparkline(list(stats.rates), chart_width)))
    saving = stats.cache_saving(overrides)
    rows += [
        ("Input tokens", format_count(stats.input_tokens)),
        ("Output tokens", format_count(stats.output_tokens)),
        ("Cache write tokens", format_writes(stats)),
        ("Cache read tokens", format_count(stats.cache_read_tokens)),
        ("Saved by caching", UNKNOWN if saving is None else format_saving(saving)),
    ]
    if stats.web_search_requests or stats.web_fetch_requests:
        rows += [
            ("Web searches", format_count(stats.web_search_requests)),
            ("Web fetches", format_count(stats.web_fetch_requests)),
        ]
    rows.append(("Cost", format_cost(stats, overrides, web_search_price)))
    return rows


def format_writes(stats: Stats) -> str:
    """``12,345``, with the hour-long part when there is one: ``12,345 (1 h: 2,000)``."""
    text = format_count(stats.cache_creation_tokens)
    if stats.cache_creation_1h_tokens:
        text += f" (1 h: {stats.cache_creation_1h_tokens:,})"
    return text
