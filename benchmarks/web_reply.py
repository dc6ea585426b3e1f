"""Row 11 of ``benchmarks/run.py`` (issue 18): what a reply that searched costs to stream.

A reply with a web search is drawn differently from a plain one: its text runs between cards,
each text block that cites a result gets a marker once it ends, and a ``Sources`` list grows
under it, so each frame lays the reply out again from its blocks (``core.reply_parts``) and
appends what is new to each part. This row streams the same 800 tokens at 80 tokens a second
both ways, in one process, alternately: once as one plain text block, once after a search
(a call, its three results) as 24 text blocks, every other one citing a result. It reports the
share of a core each uses, the plain reply being the comparison.

    .venv/bin/python benchmarks/run.py --rows 11
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

TOKENS, PACE, REFRESH = 800, 80.0, 30
PARTS = 24
"""Text blocks the cited reply is cut into."""
ROUNDS = 2
"""Each reply streamed this many times, plain and web alternately."""
URLS = tuple(f"https://site{n}.example.com/page" for n in range(3))


def web_content(text: str) -> list[dict[str, Any]]:
    """The cited reply's blocks: a search, its results, then ``text`` in ``PARTS`` blocks."""
    call = {"type": "server_tool_use", "id": "srvtoolu_bench", "name": "web_search",
            "input": {"query": "how fast is a streaming terminal client"}}  # fmt: skip
    results = [
        {
            "type": "web_search_result",
            "url": url,
            "title": f"Example page {n}",
            "encrypted_content": f"EncBench{n}",
            "page_age": "2 weeks ago",
        }
        for n, url in enumerate(URLS)
    ]
    result = {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_bench",
              "content": results}  # fmt: skip
    step = len(text) // PARTS + 1
    blocks: list[dict[str, Any]] = [call, result]
    for n, start in enumerate(range(0, len(text), step)):
        block: dict[str, Any] = {"type": "text", "text": text[start : start + step]}
        if n % 2:
            url = URLS[n % len(URLS)]
            block["citations"] = [
                {
                    "type": "web_search_result_location",
                    "url": url,
                    "title": f"Page {n}",
                    "cited_text": "…",
                    "encrypted_index": f"EncIdx{n}",
                }
            ]
        blocks.append(block)
    return blocks


async def web_child(_child: Any, base_url: str, store_path: str) -> dict[str, Any]:
    """Stream the plain and the cited reply alternately (the parent queued them); the share of
    a core each used, and whether each turn ended with all its text."""
    app = _child.make_app(base_url, store_path, refresh_rate=REFRESH)
    out: dict[str, list[float]] = {"plain": [], "web": []}
    checks: list[bool] = []
    async with app.run_test(size=_child.SIZE, headless=True) as pilot:
        await _child.settle(app)
        for n in range(2 * ROUNDS):
            kind = "plain" if n % 2 == 0 else "web"
            cpu0, t0 = time.process_time(), time.monotonic()
            await _child.send(app, pilot, f"Reply {n}")
            await _child.until(lambda: app.chat.current.reply is not None, step=0.01)
            await _child.until(lambda: app.chat.current.reply is None, step=0.02)
            out[kind].append((time.process_time() - cpu0) / (time.monotonic() - t0))
            checks.append(bool(app.chat.current.conversation.turns[-1].text))
            await asyncio.sleep(0.5)
    return {**out, "ok": all(checks)}


def row_11(bench: Any, server: Any, child: Any) -> None:
    from claude_tui.localapi.server import Scenario, generate_text

    text = generate_text(TOKENS)
    for _ in range(ROUNDS):
        server.push(Scenario(text=text, rate=PACE), Scenario(content=web_content(text), rate=PACE))
    got, _ = child(bench.env, "web", bench.url, str(bench.empty_store))
    plain, web = min(got["plain"]), min(got["web"])
    bench.row("11", f"{TOKENS} tok at {PACE:.0f} tok/s after a search, cited, {PARTS} text blocks: "
              "CPU share", f"{web * 100:.1f} %", f"{plain * 100:.1f} %", f"{web / plain:.1f}x",
              "<= 1.5x plain", web <= 1.5 * plain)  # fmt: skip
    shares = ", ".join(
        f"{p * 100:.1f}/{w * 100:.1f}" for p, w in zip(got["plain"], got["web"], strict=True)
    )
    bench.notes.append(
        f"row 11: floor = the same text as one plain reply in the same process; plain/web per "
        f"round, % of a core (best kept): {shares}"
    )
    if not got["ok"]:
        bench.notes.append("row 11: a reply ended without its text!")
