"""What prompt caching saved, for ``/stats``: in dollars, and in tokens of plain input.

A read costs a tenth of the input price and a write more than the input price (1.25x for 5
minutes, 2x for an hour), so caching pays only once what was written is read back. The saving
is priced per model, like the cost (``pricing.cache_saving``), over the models with a known
price, and it is said as it is: a session that wrote a long prompt and never came back within
its TTL paid more than it would have without the cache, and is shown a negative saving.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from claude_tui.core.pricing import Price, cache_saving, price_for


class CachedUsage(Protocol):
    """One model's cache tokens (``stats.ModelUsage``)."""

    @property
    def model(self) -> str: ...
    @property
    def cache_creation_tokens(self) -> int: ...
    @property
    def cache_read_tokens(self) -> int: ...
    @property
    def cache_creation_1h_tokens(self) -> int: ...


@dataclass(frozen=True)
class CacheSaving:
    """What prompt caching saved, against sending every cached token as plain input."""

    dollars: float
    """Reads' discount less writes' premium; negative when the writes cost more."""
    input_tokens: int
    """The same amount as tokens at each model's input price: what the saving is worth in
    plain input (a read saves 0.9 of one, a 5-minute write costs 0.25 of one more)."""


def saving_of(
    usages: Iterable[CachedUsage], overrides: Mapping[str, Price] | None = None
) -> CacheSaving | None:
    """The saving over ``usages``; ``None`` when none read or wrote the cache, or none of
    those has a price."""
    dollars: list[float] = []
    tokens: list[float] = []
    for usage in usages:
        if not (usage.cache_creation_tokens or usage.cache_read_tokens):
            continue
        price = price_for(usage.model, overrides)
        saved = cache_saving(
            usage.model,
            cache_creation_tokens=usage.cache_creation_tokens,
            cache_read_tokens=usage.cache_read_tokens,
            cache_creation_1h_tokens=usage.cache_creation_1h_tokens,
            overrides=overrides,
        )
        if saved is None or price is None:
            continue
        dollars.append(saved)
        if price.input > 0:
            tokens.append(saved / price.input * 1_000_000)
    if not dollars:
        return None
    return CacheSaving(math.fsum(dollars), round(math.fsum(tokens)))


def format_saving(saving: CacheSaving) -> str:
    """``est. $0.0553 (18,432 input tokens' worth)``, or a cost said as one:
    ``est. −$0.0012 (−400 input tokens' worth: writes not yet read back)``."""
    if saving.dollars < 0:
        return (
            f"est. −${-saving.dollars:,.4f} (−{-saving.input_tokens:,} input tokens' worth:"
            " writes not yet read back)"
        )
    return f"est. ${saving.dollars:,.4f} ({saving.input_tokens:,} input tokens' worth)"
