"""Timing and token arithmetic for one reply.

The runner stamps times with ``time.monotonic()``; everything else here is derived, so the UI can
show the same numbers the runner measured without doing any measuring of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from claude_tui.core.pricing import WEB_SEARCH_PRICE, Price, cost_usd

CHARS_PER_TOKEN = 4.0
"""Rough size of a token in English text, for the live estimate before usage arrives."""


@dataclass(frozen=True)
class StreamMetrics:
    """An immutable snapshot of one reply's measurements."""

    model: str
    started_at: float
    """When the request was sent (monotonic seconds)."""
    first_token_at: float | None = None
    """When the first content delta (thinking or text) arrived."""
    last_token_at: float | None = None
    ended_at: float | None = None
    output_chars: int = 0
    input_tokens: int | None = None
    output_tokens: int | None = None
    """From ``usage``; only final once ``usage_final`` is set."""
    cache_creation_tokens: int = 0
    """Prompt tokens written to the cache, both TTLs (``input_tokens`` leaves them out)."""
    cache_read_tokens: int = 0
    """Prompt tokens read from the cache (``input_tokens`` leaves them out too)."""
    cache_creation_1h_tokens: int = 0
    """The part of ``cache_creation_tokens`` written to live an hour (priced higher)."""
    web_search_requests: int = 0
    """Web searches the server made for this reply (``usage.server_tool_use``), each priced
    apart from the tokens (``pricing.cost_usd``'s ``web_search_price``)."""
    web_fetch_requests: int = 0
    """Web fetches the server made; a fetch costs only the tokens of what it fetched."""
    usage_final: bool = False
    stop_reason: str | None = None
    attempts: int = 1
    context_tokens: int | None = None
    """The last request's whole input (uncached, cache reads, cache writes) when the counts
    above are the sums over a reply's several requests (a continued reply: its cost counts
    them all, but the context is only the last one's); ``None``: they are one request's, and
    :attr:`request_input` adds them up."""

    @property
    def request_input(self) -> int | None:
        """The whole input of the request measured (uncached, cache reads, cache writes): what
        the context window holds. For a reply of several requests, the last one's
        (``context_tokens``); ``None`` before ``message_start`` reported it."""
        if self.context_tokens is not None:
            return self.context_tokens
        if self.input_tokens is None:
            return None
        return self.input_tokens + self.cache_read_tokens + self.cache_creation_tokens

    def with_(self, **changes: object) -> StreamMetrics:
        """A copy with some fields changed (the snapshot itself never changes)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def ttft_ms(self) -> float | None:
        """Time to first token, in milliseconds."""
        if self.first_token_at is None:
            return None
        return (self.first_token_at - self.started_at) * 1000.0

    def elapsed(self, now: float) -> float:
        """Seconds since the request was sent, frozen once the reply ended."""
        end = self.ended_at if self.ended_at is not None else now
        return max(0.0, end - self.started_at)

    @property
    def estimated_output_tokens(self) -> float:
        """Output tokens guessed from the characters received so far."""
        return self.output_chars / CHARS_PER_TOKEN

    def tokens_per_second(self, now: float) -> tuple[float | None, bool]:
        """Generation speed and whether it is only an estimate.

        Measured from the first token, so time to first token does not drag the rate down. Final
        usage gives the true count; until then the count is estimated from characters.
        """
        if self.first_token_at is None:
            return None, True
        end = self.last_token_at if self.ended_at is not None else now
        if end is None:
            return None, True
        span = end - self.first_token_at
        if self.usage_final and self.output_tokens is not None:
            count, estimated = float(self.output_tokens), False
        else:
            count, estimated = self.estimated_output_tokens, True
        if span <= 0.05:  # one burst: no meaningful rate yet
            return None, estimated
        return count / span, estimated

    @property
    def cost_usd(self) -> float | None:
        """Estimated cost from the built-in price table (see ``cost``)."""
        return self.cost()

    def cost(
        self,
        overrides: Mapping[str, Price] | None = None,
        web_search_price: float = WEB_SEARCH_PRICE,
    ) -> float | None:
        """Estimated cost, with the user's price ``overrides`` first and its searches at
        ``web_search_price`` dollars per 1,000 (``Settings.web_search_price``); ``None``
        without usage or a known price."""
        if self.input_tokens is None:
            return None
        output = self.output_tokens
        if not self.usage_final or output is None:
            output = round(self.estimated_output_tokens)
        return cost_usd(
            self.model,
            input_tokens=self.input_tokens,
            output_tokens=output,
            cache_creation_tokens=self.cache_creation_tokens,
            cache_read_tokens=self.cache_read_tokens,
            cache_creation_1h_tokens=self.cache_creation_1h_tokens,
            overrides=overrides,
            web_search_requests=self.web_search_requests,
            web_search_price=web_search_price,
        )
