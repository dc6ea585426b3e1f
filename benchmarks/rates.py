"""Rows 7 and 8 of ``benchmarks/run.py``: what a refresh rate costs, and the frames it writes.

Row 7: the paced reply of row 2 (800 tokens at 80 tokens a second) at refresh rates 10, 20
and 30, as the share of a core the app process uses, against its floor at the same rate: the
SDK alone fed at the same pace (a plain loop over ``text_stream``) plus a bare Textual ``Log``
showing the same text at the same rate. Row 8: the frames Textual writes a second at rates 2,
10 and 30, while that reply's text flows and while a reply stalls waiting for tokens.

Both come from one child per rate (``rate_child``, run as ``_child.py rate``): the paced reply
first (CPU, frames), then a reply that stalls after a few tokens (frames during the stall).
A frame is a call of ``App._display`` with something to write: one per compositor refresh
that changed the screen, which is what a terminal would be sent.

    .venv/bin/python benchmarks/run.py --rows 7,8
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

RATES = (2, 10, 20, 30)
"""Rates run: row 7 reports 10, 20 and 30 (2 as well, without a target), row 8 2, 10, 30."""
CPU_TARGETS = {10: 0.10, 30: 0.15}
"""The issue's targets for the share of a core, by rate."""
EDGES = 2
"""Frames a window may hold beyond its rate: one at each of its edges (a frame a second at
rate 2 over 10 s is 20 frames, or 21 when the window starts and ends on one)."""
STALL_AFTER, STALL_SECONDS, STALL_WINDOW = 20, 3.0, 2.0
"""The stalled reply: this many tokens, then nothing for this long; frames are counted over
the window, which starts once the tokens before the stall are on screen."""


# -- the child -------------------------------------------------------------------------------


def _thread_cpu() -> float:
    """CPU seconds of every thread of this process but the calling one (the UI's)."""
    tick = os.sysconf("SC_CLK_TCK")
    me = str(__import__("threading").get_native_id())
    total = 0.0
    for tid in os.listdir("/proc/self/task"):
        if tid == me:
            continue
        try:
            with open(f"/proc/self/task/{tid}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
        except OSError:
            continue  # the thread ended meanwhile
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


async def rate_child(
    _child: Any, base_url: str, store_path: str, text: str, refresh_rate: int
) -> dict[str, Any]:
    """The paced reply (share of a core, frames a second while text flows, the final text),
    then the stalled one (frames a second during the stall), at ``refresh_rate``. ``_child``
    is the child's own module (its helpers: ``make_app``, ``Probe``, ``send``...)."""
    from textual.app import App

    from claude_tui.localapi.server import tokenize

    frames: list[float] = []
    display = App._display

    def counted(app: Any, screen: Any, renderable: Any) -> None:
        if renderable is not None:
            frames.append(time.monotonic())
        display(app, screen, renderable)

    App._display = counted  # type: ignore[method-assign]
    app = _child.make_app(base_url, store_path, refresh_rate=refresh_rate)
    probe = _child.Probe()
    out: dict[str, Any] = {}
    async with app.run_test(size=_child.SIZE, headless=True) as pilot:
        await _child.settle(app)
        probe.reset(text)
        cpu0, ui0, others0 = time.process_time(), time.thread_time(), _thread_cpu()
        t0 = time.monotonic()
        await _child.send(app, pilot, "Paced")
        await asyncio.wait_for(probe.done.wait(), 60)
        t1 = time.monotonic()
        cpu1, ui1, others1 = time.process_time(), time.thread_time(), _thread_cpu()
        first = probe.first_paint or t0
        flowing = [t for t in frames if first < t < probe.final_lines] if probe.final_lines else []
        out["paced"] = {
            "wall": t1 - t0,
            "cpu": cpu1 - cpu0,
            "ui_cpu": ui1 - ui0,
            "other_cpu": others1 - others0,
            "frames": len(flowing),
            "flow_seconds": (probe.final_lines or t1) - first,
        }
        await _child.until(lambda: app.chat.current.reply is None, step=0.05)
        out["text_ok"] = app.chat.current.conversation.turns[-1].text == text
        # the stalled reply
        before = "".join(tokenize(text)[:STALL_AFTER])

        def shown() -> str:
            reply = app.chat.current.reply
            return reply.turn.text if reply is not None else ""

        await _child.send(app, pilot, "Stalled")
        await _child.until(lambda: shown() == before, step=0.01)
        await asyncio.sleep(0.2)  # the batch that brought the last words is drawn
        s0 = time.monotonic()
        await asyncio.sleep(STALL_WINDOW)
        s1 = time.monotonic()
        out["stall"] = {
            "frames": sum(s0 <= t <= s1 for t in frames),
            "seconds": s1 - s0,
            "still_stalled": shown() == before,
        }
        await app.chat.run_action("escape")
        await _child.until(lambda: app.chat.current.reply is None, step=0.05)
    return out


# -- the rows --------------------------------------------------------------------------------


def rows_7_8(bench: Any, server: Any, child: Any, tokens: int, pace: float) -> None:
    """Row 7 (CPU share by rate, against its floor) and row 8 (frames a second by rate), for a
    reply of ``tokens`` tokens at ``pace`` tokens a second (row 2's)."""
    from claude_tui.localapi.server import Scenario, generate_text

    text = generate_text(tokens)
    text_file = bench.text_file("rates.md", text)
    server.push(Scenario(text=text, rate=pace))
    sdk, _ = child(bench.env, "floor", bench.url, str(bench.empty_store), str(tokens))
    bench.stamps.take()
    sdk_share = sdk["cpu"] / (sdk["t_done"] - sdk["t_request"])
    bench.notes.append(
        f"rows 7-8 floor: the SDK alone at the same pace uses {sdk_share * 100:.1f} % of a core"
    )
    for rate in RATES:
        server.push(
            Scenario(text=text, rate=pace),
            Scenario(text=text, rate=pace, stall_after=STALL_AFTER,
                     stall_seconds=STALL_SECONDS),
        )  # fmt: skip
        got, _ = child(
            bench.env, "rate", bench.url, str(bench.empty_store), str(text_file), str(rate)
        )
        bench.stamps.take()
        log, _ = child(bench.env, "textual_floor", bench.url, str(bench.empty_store),
                       str(text_file), str(pace), str(rate))  # fmt: skip
        paced, stall = got["paced"], got["stall"]
        share = paced["cpu"] / paced["wall"]
        floor = sdk_share + log["cpu"] / log["wall"]
        target = CPU_TARGETS.get(rate)
        bench.row("7", f"{tokens} tok at {pace:.0f} tok/s, refresh_rate {rate}: CPU "
                  "share", f"{share * 100:.1f} %", f"{floor * 100:.1f} %",
                  f"{share / floor:.1f}x", "-" if target is None else f"<= {target * 100:.0f} %",
                  None if target is None else share <= target)  # fmt: skip
        per_second = paced["frames"] / paced["flow_seconds"]
        stalled = stall["frames"] / stall["seconds"]
        if rate != 20:
            flow_most = rate * paced["flow_seconds"] + EDGES
            bench.row("8", f"frames a second at refresh_rate {rate}, text flowing "
                      f"({paced['frames']} in {paced['flow_seconds']:.1f} s)",
                      f"{per_second:.1f}", "-", "-", f"<= {rate}",
                      paced["frames"] <= flow_most)  # fmt: skip
            most = min(rate, 10)
            stall_most = most * stall["seconds"] + EDGES
            bench.row("8", f"  ... during a stall ({stall['frames']} in {stall['seconds']:.1f} s)",
                      f"{stalled:.1f}", "-", "-", f"<= {most}",
                      stall["frames"] <= stall_most)  # fmt: skip
        bench.notes.append(
            f"row 7 at {rate}: wall {paced['wall']:.1f} s, CPU {paced['cpu']:.2f} s (UI thread "
            f"{paced['ui_cpu']:.2f} s, other threads {paced['other_cpu']:.2f} s), "
            f"{paced['frames']} frames while text flowed ({per_second:.1f} a second); floor: Log "
            f"at {rate} a second {log['cpu'] / log['wall'] * 100:.1f} % + SDK "
            f"{sdk_share * 100:.1f} %"
        )
        if not got["text_ok"]:
            bench.notes.append(f"row 7 at {rate}: the saved text differs from what was streamed!")
        if not stall["still_stalled"]:
            bench.notes.append(f"row 8 at {rate}: the stall ended inside its window")
