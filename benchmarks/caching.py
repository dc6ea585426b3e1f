"""Row 9 of ``benchmarks/run.py`` (issue 16): what prompt caching does to a long session's bill.

A session of 30 turns whose first message is a 20,000-token paste, sent three times through the
real SDK to the local server, which caches as the real API does (``localapi/prompt_cache.py``):
without ``cache_control``, with the 5-minute TTL, and with the hour. Each request sends the whole
conversation so far, as the app does; the replies are the demo server's. What is counted is what
the API would bill, the server's own usage of each request (plain input, cache writes by TTL,
cache reads), priced with the default model's prices by the app's own ``pricing.cost_usd``.
Output is the same in all three sessions and left out: the row is about input.

Nothing here is a timing: the numbers follow from the token counts, on any machine.

    .venv/bin/python benchmarks/run.py --rows 9
    .venv/bin/python benchmarks/caching.py      # the same row on its own
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

TURNS = 30
FIRST_TOKENS = 20_000
QUESTION = "Question {n}: what does the part about {topic} mean for the rest of it?"
TOPICS = ("ownership", "lifetimes", "borrowing", "traits", "errors", "iterators")


@dataclass
class Tally:
    """The billed input tokens of one session, summed over its requests."""

    input_tokens: int = 0
    writes_5m: int = 0
    writes_1h: int = 0
    reads: int = 0
    per_turn: list[float] = field(default_factory=list)
    """Each request's input cost in dollars."""

    @property
    def prompt_tokens(self) -> int:
        return self.input_tokens + self.writes_5m + self.writes_1h + self.reads


def first_message() -> str:
    """A paste of ``FIRST_TOKENS`` tokens by the server's estimate (four characters each)."""
    from claude_tui.localapi.server import generate_text

    text = generate_text(FIRST_TOKENS * 2)[: FIRST_TOKENS * 4]
    return text.rstrip() + "." * (FIRST_TOKENS * 4 - len(text.rstrip()))


def run_session(base_url: str, cache_control: dict[str, str] | None, model: str) -> Tally:
    """One session of ``TURNS`` requests; what the server billed for their prompts."""
    import anthropic

    from claude_tui.core.pricing import cost_usd

    client = anthropic.Anthropic(api_key="benchmark-key", base_url=base_url, max_retries=0)
    extra: dict[str, Any] = {} if cache_control is None else {"cache_control": cache_control}
    messages: list[dict[str, Any]] = []
    tally = Tally()
    for n in range(TURNS):
        question = QUESTION.format(n=n, topic=TOPICS[n % len(TOPICS)])
        messages.append({"role": "user", "content": first_message() if n == 0 else question})
        with client.messages.stream(
            model=model, max_tokens=1024, messages=messages, **extra
        ) as stream:
            final = stream.get_final_message()
        usage = final.usage
        hour = usage.cache_creation.ephemeral_1h_input_tokens if usage.cache_creation else 0
        writes = usage.cache_creation_input_tokens or 0
        reads = usage.cache_read_input_tokens or 0
        tally.input_tokens += usage.input_tokens
        tally.writes_1h += hour
        tally.writes_5m += writes - hour
        tally.reads += reads
        cost = cost_usd(
            model,
            input_tokens=usage.input_tokens,
            output_tokens=0,
            cache_creation_tokens=writes,
            cache_creation_1h_tokens=hour,
            cache_read_tokens=reads,
        )
        tally.per_turn.append(cost or 0.0)
        text = "".join(block.text for block in final.content if block.type == "text")
        messages.append({"role": "assistant", "content": text})
    return tally


def row_9(bench: Any, server: Any) -> None:
    """The three sessions against ``server``, as rows of ``bench``'s table."""
    from claude_tui.core.defaults import DEFAULT_MODEL
    from claude_tui.core.pricing import price_for
    from claude_tui.localapi.server import Scenario

    before, server.default = server.default, Scenario()  # the demo replies, at full speed
    server.prompt_cache.clear()
    price = price_for(DEFAULT_MODEL)
    assert price is not None
    plain = run_session(bench.url, None, DEFAULT_MODEL)
    five = run_session(bench.url, {"type": "ephemeral"}, DEFAULT_MODEL)
    server.prompt_cache.clear()  # the hour's session writes its own entries
    hour = run_session(bench.url, {"type": "ephemeral", "ttl": "1h"}, DEFAULT_MODEL)
    server.default = before
    base = sum(plain.per_turn)
    row = bench.row
    label = f"{TURNS} turns, {FIRST_TOKENS:,}-token first message: input cost"
    row("9", f"{label}, no caching", f"${base:.4f}", "-", "1.0x", "-", None)  # fmt: skip
    for name, tally in (("5 m", five), ("1 h", hour)):
        total = sum(tally.per_turn)
        row("9", f"  with caching ({name})", f"${total:.4f}", f"${base:.4f}",
            f"{total / base:.2f}x", "-", None)  # fmt: skip
    if not plain.prompt_tokens == five.prompt_tokens == hour.prompt_tokens:
        bench.notes.append("row 9: the three sessions did not send the same prompts!")
    bench.notes.append(
        f"row 9: {DEFAULT_MODEL} at ${price.input:g} input, ${price.cache_write:g} 5 m write, "
        f"${price.cache_write_1h:g} 1 h write, ${price.cache_read:g} read per million tokens; "
        f"{plain.prompt_tokens:,} prompt tokens in all in each session (the replies are the "
        "demo server's, the same each time)"
    )
    for name, tally in (("no caching", plain), ("5 m", five), ("1 h", hour)):
        bench.notes.append(
            f"row 9, {name}: input {tally.input_tokens:,}, written {tally.writes_5m:,} (5 m) + "
            f"{tally.writes_1h:,} (1 h), read {tally.reads:,}; first turn "
            f"${tally.per_turn[0]:.4f}, second ${tally.per_turn[1]:.4f}, last "
            f"${tally.per_turn[-1]:.4f}"
        )


def main() -> None:
    """The row on its own, printed as ``run.py`` prints its table."""
    from claude_tui.localapi.server import LocalAPIServer

    class Table:
        def __init__(self, url: str) -> None:
            self.url = url
            self.rows: list[tuple[str, ...]] = []
            self.notes: list[str] = []

        def row(self, *cells: object) -> None:
            *text, met = cells
            verdict = "n/a" if met is None else ("yes" if met else "no")
            self.rows.append((*map(str, text), verdict))

    with LocalAPIServer() as server:
        table = Table(server.base_url)
        row_9(table, server)
    for cells in table.rows:
        print("  ".join(cells))
    for note in table.notes:
        print(f"- {note}")


if __name__ == "__main__":
    main()
