"""The live metrics line: TTFT, tokens/s, tokens in and out, elapsed, stop reason and cost."""

from __future__ import annotations

import time

from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from claude_tui.core.metrics import StreamMetrics

WIDE_SEPARATOR = "  │  "
NARROW_SEPARATOR = " │ "


def _int(value: int | float | None, estimated: bool = False) -> str:
    if value is None:
        return "–"
    return f"~{round(value):,}" if estimated else f"{round(value):,}"


def _stop(reason: str | None, narrow: bool) -> str | None:
    if narrow and reason == "stop_sequence":
        return "stop_seq"
    return reason


def metric_fields(
    metrics: StreamMetrics | None, now: float, outcome: str | None = None, *, narrow: bool = False
) -> list[str]:
    """The fields of the line, labels always present so the line never jumps about.

    Estimates (before the final usage arrives) are marked: "(est.)" after the rate, or a "~"
    before it on a narrow terminal, and "~" before the estimated output count.
    """
    if metrics is None:
        return ["TTFT –", "tok/s –", "in – · out –", "0.0 s", "–", "$–"]
    ttft = metrics.ttft_ms
    rate, estimated = metrics.tokens_per_second(now)
    if rate is None:
        rate_text = "tok/s –"
    elif narrow:
        rate_text = f"tok/s {'~' if estimated else ''}{rate:,.0f}"
    else:
        rate_text = f"tok/s {rate:,.1f}" + (" (est.)" if estimated else "")
    out_estimated = not metrics.usage_final
    out = metrics.estimated_output_tokens if out_estimated else metrics.output_tokens
    cost = metrics.cost_usd
    unit = "" if narrow else " "
    return [
        "TTFT –" if ttft is None else f"TTFT {ttft:,.0f}{unit}ms",
        rate_text,
        f"in {_int(metrics.input_tokens)}{' ' if narrow else ' · '}"
        f"out {_int(out, out_estimated and out != 0)}",
        f"{metrics.elapsed(now):.1f}{unit}s",
        _stop(metrics.stop_reason, narrow) or ("…" if metrics.ended_at is None else outcome or "–"),
        "$–" if cost is None else f"${cost:.4f}",
    ]


def format_metrics(
    metrics: StreamMetrics | None, now: float, outcome: str | None = None, width: int = 200
) -> str:
    """The line that fits ``width``: spacious where there is room, compact where not."""
    wide = WIDE_SEPARATOR.join(metric_fields(metrics, now, outcome))
    if len(wide) <= width:
        return wide
    return NARROW_SEPARATOR.join(metric_fields(metrics, now, outcome, narrow=True))


class MetricsBar(Static):
    """Shows the latest snapshot the runner sent. While a reply streams, a timer redraws it
    (at the refresh rate) so elapsed time and the live rate keep moving between batches."""

    DEFAULT_CSS = """
    MetricsBar {
        height: 1;
        padding: 0 1;
        color: $text-muted;
        background: $panel;
    }
    """

    def __init__(self, *, refresh_rate: float, id: str | None = None) -> None:
        super().__init__(format_metrics(None, 0.0), id=id, markup=False)
        self.metrics: StreamMetrics | None = None
        self._outcome: str | None = None
        self._interval = 1.0 / max(1.0, refresh_rate)
        self._ticker: Timer | None = None

    def show(self, metrics: StreamMetrics, outcome: str | None = None) -> None:
        """Show a snapshot; ``outcome`` (cancelled, error) fills in for a missing stop reason."""
        self.metrics = metrics
        self._outcome = outcome
        self._redraw()
        if metrics.ended_at is None and self._ticker is None:
            self._ticker = self.set_interval(self._interval, self._redraw)
        elif metrics.ended_at is not None and self._ticker is not None:
            self._ticker.stop()
            self._ticker = None

    def reset(self) -> None:
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        self.metrics = None
        self._redraw()

    def _redraw(self) -> None:
        width = self.content_region.width or 200
        line = format_metrics(self.metrics, time.monotonic(), self._outcome, width)
        self.update(Content(line))

    def on_resize(self) -> None:
        self._redraw()
