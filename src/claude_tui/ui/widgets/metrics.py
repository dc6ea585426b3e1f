"""The live metrics line: TTFT, tokens/s, tokens in and out, cache reads and writes, web searches
and fetches, how full the context window is, elapsed, stop reason and cost.

The gauge (``ctx 34%``, ``core.context_window``) turns the warning colour at 80 % and the error
colour at 95 %; a stop reason other than a finished answer is drawn as a warning too, so a cut
reply never reads like a normal end."""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping

from textual.content import Content
from textual.widgets import Static

from claude_tui.core.context_window import (
    GaugeLevel,
    context_tokens,
    fill_fraction,
    gauge_level,
    gauge_text,
)
from claude_tui.core.metrics import StreamMetrics
from claude_tui.core.pricing import WEB_SEARCH_PRICE, Price
from claude_tui.core.stop_reasons import ASKED_FOR_STOPS, is_normal_stop

WIDE_SEPARATOR = "  │  "
NARROW_SEPARATOR = " │ "
WIDE_FROM = 100
"""Columns from which the spacious layout is used (chosen by width alone, so the layout does
not change while numbers grow)."""
MIN_TICK = 0.1
"""Seconds between redraws of a streaming reply's metrics, at the least: the line shows tenths
of a second, so a redraw in every frame at 30 a second would show nothing new twice in three."""
ONE_LINE_FROM = 105
"""From this many columns the compact line shows every field, model included (104 columns at
its longest), but for the ``OPTIONAL`` ones, which need their budget more. Narrower, fields are
left out (``NARROW_FIELDS``) so that it stays one line."""
FIELD_ORDER = (
    "model", "ttft", "rate", "tokens", "cache", "web", "ctx", "elapsed", "stop", "cost",
)  # fmt: skip
"""The fields of ``metric_fields``, in the order shown."""
OPTIONAL = frozenset({"cache", "web"})
"""Fields shown only for a reply that has something to say in them: the cache's reads and
writes for a reply that used the cache (a short prompt, or caching off, has none), the web
searches and fetches for a reply that made any (most make none)."""
NARROW_BUDGET = {
    "ttft": 11, "rate": 10, "tokens": 19, "cache": 22, "web": 16, "ctx": 8, "elapsed": 6,
    "stop": 10, "cost": 9,
}  # fmt: skip
"""Columns each field of the compact line takes at most in a long reply ("TTFT 1,234ms" is
rare; "in 12,345 out ~1,234" is not). Fields are chosen by width against these, not by the
text of the moment, so a field does not come and go while the numbers of one reply grow."""
LEAVE_OUT = ("stop", "elapsed", "web", "cost", "cache", "ttft")
"""What a narrow line does without first: the model is in the title, and an unusual stop shows
under the reply anyway; the speed, the token counts and the gauge are what the line is for. The
web count goes before the cost and the cache: the searches are in the cost, so the cost says
what they came to when there is room for only one. The cache stays longer than
the cost: with caching, ``in`` counts only what was not cached (often 0), and the cache field
is what says where the prompt went."""


def _int(value: int | float | None, estimated: bool = False) -> str:
    if value is None:
        return "–"
    return f"~{round(value):,}" if estimated else f"{round(value):,}"


def _cache(metrics: StreamMetrics, narrow: bool) -> str:
    """``cache r 20,480 · w 1,200`` (``cache r20,480 w1,200`` narrow): the prompt tokens read
    from and written to the cache, which ``in`` leaves out; empty for a reply with neither."""
    read, written = metrics.cache_read_tokens, metrics.cache_creation_tokens
    if not (read or written):
        return ""
    if narrow:
        return f"cache r{read:,} w{written:,}"
    return f"cache r {read:,} · w {written:,}"


def _web(metrics: StreamMetrics) -> str:
    """``search 2 · fetch 1`` (either alone when the other is 0): the server tool calls the
    reply made, each search charged on top of the tokens; empty for a reply with none."""
    counts = (("search", metrics.web_search_requests), ("fetch", metrics.web_fetch_requests))
    return " · ".join(f"{name} {count:,}" for name, count in counts if count)


def _gauge(metrics: StreamMetrics | None, window: int | None, context: int | None) -> float | None:
    """How full the window is: by ``context`` when the screen knows the context better than
    the request ``metrics`` measured (right after a compaction, ``context_window.context_now``),
    else by that request's input."""
    return fill_fraction(context if context is not None else context_tokens(metrics), window)


def _stop(reason: str | None, narrow: bool) -> str | None:
    if narrow and reason == "stop_sequence":
        return "stop_seq"
    return reason


def metric_fields(
    metrics: StreamMetrics | None,
    now: float,
    outcome: str | None = None,
    *,
    narrow: bool = False,
    prices: Mapping[str, Price] | None = None,
    model: str | None = None,
    window: int | None = None,
    context: int | None = None,
    web_search_price: float = WEB_SEARCH_PRICE,
) -> list[str]:
    """The fields of the line, labels always present so the line never jumps about.
    ``window`` is the model's context window, for the gauge; ``context`` what it measures,
    when not the input of the request ``metrics`` measured (see ``_gauge``);
    ``web_search_price`` what 1,000 searches cost (``Settings.web_search_price``).

    Estimates are marked: the rate and the output count before the final usage arrives
    ("(est.)" after the rate, or "~" before numbers on a narrow terminal), and the cost always,
    since it comes from a price table rather than a bill.
    """
    unit = "" if narrow else " "
    if metrics is None:
        return [
            model or "–",
            "TTFT –",
            "tok/s –",
            "in – · out –",
            "",
            "",
            gauge_text(None),
            f"0.0{unit}s",
            "–",
            "$–",
        ]
    ttft = metrics.ttft_ms
    rate, estimated = metrics.tokens_per_second(now)
    if rate is None:
        rate_text = "tok/s –"
    elif narrow:
        rate_text = f"tok/s {'~' if estimated else ''}{rate:,.0f}"
    else:
        rate_text = f"tok/s {rate:,.1f}" + (" (est.)" if estimated else "")
    out_estimated = not metrics.usage_final
    out: float | int | None = (
        metrics.estimated_output_tokens if out_estimated else metrics.output_tokens
    )
    if out_estimated and not out:
        out = None  # nothing has arrived yet: no count rather than a made-up 0
    cost = metrics.cost(prices, web_search_price=web_search_price)
    estimate = "≈$" if narrow else "est. $"
    cost_text = "$–" if cost is None else f"{estimate}{cost:.4f}"
    return [
        model or metrics.model or "–",
        "TTFT –" if ttft is None else f"TTFT {ttft:,.0f}{unit}ms",
        rate_text,
        f"in {_int(metrics.input_tokens)}{' ' if narrow else ' · '}out {_int(out, out_estimated)}",
        _cache(metrics, narrow),
        _web(metrics),
        gauge_text(_gauge(metrics, window, context)),
        f"{metrics.elapsed(now):.1f}{unit}s",
        _stop(metrics.stop_reason, narrow) or ("…" if metrics.ended_at is None else outcome or "–"),
        cost_text,
    ]


def short_model(model: str) -> str:
    """A model id without its ``claude-`` prefix and date, for a narrow line."""
    name = model.removeprefix("claude-")
    head, _, tail = name.rpartition("-")
    return head if tail.isdigit() and len(tail) == 8 else name


def narrow_fields(width: int, present: Collection[str] = FIELD_ORDER) -> tuple[str, ...]:
    """The fields of ``present`` a compact line ``width`` columns wide shows (the model only
    from ``ONE_LINE_FROM``, plus the budget of the ``OPTIONAL`` fields present): as many as fit
    at their ``NARROW_BUDGET``, leaving out ``LEAVE_OUT`` in turn."""
    separator = len(NARROW_SEPARATOR)
    fields = [name for name in FIELD_ORDER if name in present]
    optional = sum(NARROW_BUDGET[name] + separator for name in fields if name in OPTIONAL)
    if width >= ONE_LINE_FROM + optional:
        return tuple(fields)
    shown = [name for name in fields if name != "model"]
    for name in LEAVE_OUT:
        if name not in shown:
            continue
        if sum(NARROW_BUDGET[f] for f in shown) + separator * (len(shown) - 1) <= width:
            break
        shown.remove(name)
    return tuple(shown)


def metric_line(
    metrics: StreamMetrics | None,
    now: float,
    outcome: str | None = None,
    width: int = 200,
    prices: Mapping[str, Price] | None = None,
    model: str | None = None,
    window: int | None = None,
    context: int | None = None,
    web_search_price: float = WEB_SEARCH_PRICE,
) -> tuple[str, list[tuple[str, str]]]:
    """The fields shown on one line of ``width`` columns, by name, and the separator between
    them: spacious, compact, or compact with fewer fields (see ``format_metrics``)."""
    if width >= WIDE_FROM:
        wide = metric_fields(
            metrics,
            now,
            outcome,
            prices=prices,
            model=model,
            window=window,
            context=context,
            web_search_price=web_search_price,
        )
        named = [(name, text) for name, text in zip(FIELD_ORDER, wide, strict=True) if text]
        if len(WIDE_SEPARATOR.join(text for _, text in named)) <= width:
            return WIDE_SEPARATOR, named  # else the compact line, not a second line
    values = dict(
        zip(
            FIELD_ORDER,
            metric_fields(
                metrics,
                now,
                outcome,
                narrow=True,
                prices=prices,
                model=model,
                window=window,
                context=context,
                web_search_price=web_search_price,
            ),
            strict=True,
        )
    )
    values["model"] = short_model(values["model"])
    present = [name for name, value in values.items() if value or name not in OPTIONAL]
    fields = [(name, values[name]) for name in narrow_fields(width, present)]
    while len(fields) > 1 and len(NARROW_SEPARATOR.join(t for _, t in fields)) > width:
        fields.pop()  # numbers beyond every budget: rare
    return NARROW_SEPARATOR, fields


def format_metrics(
    metrics: StreamMetrics | None,
    now: float,
    outcome: str | None = None,
    width: int = 200,
    prices: Mapping[str, Price] | None = None,
    model: str | None = None,
    window: int | None = None,
    web_search_price: float = WEB_SEARCH_PRICE,
) -> str:
    """The metrics laid out on one line of ``width`` columns: spacious, compact, or compact
    with fewer fields. ``model`` is the model in use, shown first (else the one the metrics
    name); ``window`` its context window. A field that would be cut off is left out whole,
    never cut mid-word."""
    separator, fields = metric_line(
        metrics, now, outcome, width, prices, model, window, web_search_price=web_search_price
    )
    return separator.join(text for _, text in fields)


GAUGE_STYLES = {GaugeLevel.WARNING: "$warning", GaugeLevel.ERROR: "bold $error"}


def field_style(
    name: str,
    metrics: StreamMetrics | None,
    window: int | None,
    outcome: str | None,
    context: int | None = None,
) -> str | None:
    """The colour a field is drawn in when it is a warning: the gauge from 80 %, a stop that
    was not a finished answer, a reply that was cancelled or failed."""
    if metrics is None:
        return None
    if name == "ctx":
        return GAUGE_STYLES.get(gauge_level(_gauge(metrics, window, context)))
    if name == "stop" and metrics.ended_at is not None:
        if not is_normal_stop(metrics.stop_reason) and metrics.stop_reason not in ASKED_FOR_STOPS:
            return "bold $warning"
        if metrics.stop_reason is None and outcome == "error":
            return "$error"
        if metrics.stop_reason is None and outcome == "cancelled":
            return "$warning"
    return None


class MetricsBar(Static):
    """Shows the latest snapshot the runner sent. While a reply streams, the chat screen's
    frame clock calls ``tick`` in each frame (the frames of the reply's text, and the clock's
    heartbeat during a stall), so elapsed time and the live rate keep moving without a timer
    of the bar's own, and never in a frame of their own."""

    DEFAULT_CSS = """
    MetricsBar {
        height: auto;
        padding: 0 1;
        color: $text-muted;
        background: $panel;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(format_metrics(None, 0.0), id=id, markup=False)
        self.metrics: StreamMetrics | None = None
        self._outcome: str | None = None
        self.context: int | None = None
        """What the gauge measures when not the shown request's input (see ``show``)."""
        self.prices: Mapping[str, Price] = {}
        """The user's price overrides from config."""
        self.web_search_price = WEB_SEARCH_PRICE
        """What 1,000 web searches cost, from config (``Settings.web_search_price``)."""
        self.model: str | None = None
        """The model in use, shown before a reply's metrics arrive (set by the chat screen)."""
        self.window: int | None = None
        """The model's context window, for the gauge (set by the chat screen)."""
        self._shown = format_metrics(None, 0.0)
        self._drawn_at = 0.0

    def show(
        self, metrics: StreamMetrics, outcome: str | None = None, context: int | None = None
    ) -> None:
        """Show a snapshot; ``outcome`` (cancelled, error) fills in for a missing stop reason;
        ``context`` is the context the next request starts from, where the screen knows it
        better than ``metrics`` (after a compaction alone: its summary), for the gauge.

        A snapshot of a reply still streaming is drawn at once only if the line showed no
        stream before (a reply starts, or comes on screen); after that, by ``tick``."""
        streaming_before = self.metrics is not None and self.metrics.ended_at is None
        self.metrics = metrics
        self._outcome = outcome
        self.context = context
        if metrics.ended_at is not None or not streaming_before:
            self._redraw()

    def tick(self, now: float) -> None:
        """A frame of the clock: redraw the line if its last redraw is ``MIN_TICK`` old."""
        if now - self._drawn_at >= MIN_TICK * 0.9:
            self._redraw()

    def reset(self) -> None:
        self.metrics = self.context = None
        self._redraw()

    def set_model(self, model: str | None) -> None:
        """The model the session uses now (after ``/model``, or on switching session)."""
        if model != self.model:
            self.model = model
            self._redraw()

    def set_window(self, window: int | None) -> None:
        """The context window of the model the session uses now."""
        if window != self.window:
            self.window = window
            self._redraw()

    def _redraw(self) -> None:
        self._drawn_at = time.monotonic()
        width = self.content_region.width or 200
        metrics, outcome, window, context = self.metrics, self._outcome, self.window, self.context
        separator, fields = metric_line(
            metrics,
            time.monotonic(),
            outcome,
            width,
            self.prices,
            self.model,
            window,
            context,
            self.web_search_price,
        )
        line = separator.join(text for _, text in fields)
        if line == self._shown:
            return  # most ticks change nothing visible (the styles follow the text)
        # A layout of the whole screen is only needed when the bar changes height (one line or
        # two); a redraw of its own line is enough otherwise, and is far cheaper.
        relayout = line.count("\n") != self._shown.count("\n")
        self._shown = line
        pieces = [
            Content.styled(text, style)
            if (style := field_style(name, metrics, window, outcome, context))
            else Content(text)
            for name, text in fields
        ]
        self.update(Content(separator).join(pieces), layout=relayout)

    def on_resize(self) -> None:
        self._redraw()
