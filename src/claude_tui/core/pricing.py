"""Per-model prices, kept as data, and the cost of a reply.

Prices are US dollars per million tokens. A model that is not listed is priced by its family
(opus, sonnet, haiku), so a new dated snapshot still gets an estimate; an unknown family gets none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Price:
    """Dollars per million tokens, by kind of token."""

    input: float
    output: float
    cache_write: float
    cache_read: float


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
    overrides: Mapping[str, Price] | None = None,
) -> float | None:
    """Estimated dollars for one reply, or ``None`` when the model has no known price."""
    price = price_for(model, overrides)
    if price is None:
        return None
    return (
        input_tokens * price.input
        + output_tokens * price.output
        + cache_creation_tokens * price.cache_write
        + cache_read_tokens * price.cache_read
    ) / 1_000_000
