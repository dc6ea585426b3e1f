"""Per-model prices, kept as data, and the cost of a reply.

Prices are US dollars per million tokens. A model that is not listed is priced by its family
(opus, sonnet, haiku), so a new dated snapshot still gets an estimate; an unknown family gets none.

Prompt caching has three prices of its own: a write that lives 5 minutes (``cache_write``,
1.25x the input price), a write that lives an hour (``cache_write_1h``, 2x the input price),
and a read (``cache_read``, 0.1x). A write costs more than plain input, so
caching only pays once what was written is read back: :func:`cache_saving` says by how much,
and may rightly be negative.

Web searches are priced per search, whatever the model (US dollars per 1,000, the user's
``web_search_price`` setting); a web fetch has no price of its own, only the tokens of what it
fetched, which the reply's input count already holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

WEB_SEARCH_PRICE = 10.0
"""US dollars per 1,000 web searches (``Settings.web_search_price`` overrides it)."""

CACHE_WRITE_1H_RATIO = 2.0
"""An hour-long cache write, as a multiple of the input price."""


@dataclass(frozen=True)
class Price:
    """Dollars per million tokens, by kind of token."""

    input: float
    output: float
    cache_write: float
    """A cache write that lives 5 minutes (the API's default)."""
    cache_read: float

    @property
    def cache_write_1h(self) -> float:
        """A cache write that lives an hour. Anthropic prices it at twice the base input price
        for every model, so it follows from ``input`` (a user's price override included, whose
        ``cache_write`` is the 5-minute price) rather than being one more number to keep."""
        return self.input * CACHE_WRITE_1H_RATIO


_SONNET = Price(input=3.0, output=15.0, cache_write=3.75, cache_read=0.30)
_OPUS = Price(input=5.0, output=25.0, cache_write=6.25, cache_read=0.50)
_OPUS_LEGACY = Price(input=15.0, output=75.0, cache_write=18.75, cache_read=1.50)
_HAIKU = Price(input=1.0, output=5.0, cache_write=1.25, cache_read=0.10)
_HAIKU_LEGACY = Price(input=0.80, output=4.0, cache_write=1.0, cache_read=0.08)

PRICES: dict[str, Price] = {
    "claude-opus-4-0": _OPUS_LEGACY,
    "claude-opus-4-1": _OPUS_LEGACY,
    "claude-3-5-haiku": _HAIKU_LEGACY,
    "claude-3-haiku": Price(input=0.25, output=1.25, cache_write=0.30, cache_read=0.03),
}
"""Exceptions to the family prices, matched by prefix of the model id."""

FAMILY_PRICES: dict[str, Price] = {"opus": _OPUS, "sonnet": _SONNET, "haiku": _HAIKU}


def price_for(model: str, overrides: Mapping[str, Price] | None = None) -> Price | None:
    """The price of ``model``: the user's ``overrides`` (from config, matched by prefix like
    ``PRICES``) first, so they can correct a price that changed, then an exact prefix entry,
    then its family, else ``None``."""
    for table in (overrides or {}, PRICES):
        for prefix in sorted(table, key=len, reverse=True):
            if model.startswith(prefix):
                return table[prefix]
    for family, price in FAMILY_PRICES.items():
        if family in model:
            return price
    return None


def cost_usd(
    model: str,
    *,
    input_tokens: int,
    output_tokens: int,
    cache_creation_tokens: int = 0,
    cache_read_tokens: int = 0,
    cache_creation_1h_tokens: int = 0,
    overrides: Mapping[str, Price] | None = None,
    web_search_requests: int = 0,
    web_search_price: float = WEB_SEARCH_PRICE,
) -> float | None:
    """Estimated dollars for one reply, or ``None`` when the model has no known price.

    ``cache_creation_tokens`` counts every cache write; ``cache_creation_1h_tokens`` is the
    part of them that lives an hour (the rest live 5 minutes), as the API's
    ``cache_creation`` breakdown says. ``web_search_requests`` are added at
    ``web_search_price`` dollars per 1,000."""
    price = price_for(model, overrides)
    if price is None:
        return None
    hour, five = split_writes(cache_creation_tokens, cache_creation_1h_tokens)
    return (
        input_tokens * price.input
        + output_tokens * price.output
        + five * price.cache_write
        + hour * price.cache_write_1h
        + cache_read_tokens * price.cache_read
    ) / 1_000_000 + web_search_requests * web_search_price / 1_000


def split_writes(cache_creation_tokens: int, cache_creation_1h_tokens: int) -> tuple[int, int]:
    """Cache writes as (hour-long, 5-minute): the hour-long part is at most the whole, so a
    breakdown that disagrees with the total never prices more tokens than were written."""
    hour = max(0, min(cache_creation_1h_tokens, cache_creation_tokens))
    return hour, max(0, cache_creation_tokens - hour)


def cache_saving(
    model: str,
    *,
    cache_creation_tokens: int = 0,
    cache_read_tokens: int = 0,
    cache_creation_1h_tokens: int = 0,
    overrides: Mapping[str, Price] | None = None,
) -> float | None:
    """Dollars caching saved against sending the same tokens as plain input, or ``None``
    without a price.

    Reads saved the input price less the read price on each token; writes cost their premium
    over the input price. Negative when the writes cost more than the reads saved (a prompt
    written and never read back within its TTL)."""
    price = price_for(model, overrides)
    if price is None:
        return None
    hour, five = split_writes(cache_creation_tokens, cache_creation_1h_tokens)
    return (
        cache_read_tokens * (price.input - price.cache_read)
        - five * (price.cache_write - price.input)
        - hour * (price.cache_write_1h - price.input)
    ) / 1_000_000
