"""Per-turn cost over a long session: 100 turns in one session, timed in the real app.

The app runs headless (Textual's ``run_test``) against the local Messages-API server at full
speed, with short replies, so what is timed is the app's own overhead per turn: sending the
prompt, mounting and rendering the exchange, the request, saving, and ending the reply. A turn
is timed from the prompt being typed and sent to the reply having ended. The issue asks that
this does not grow with the length of the session; the last column says whether it does.

Not part of the test suite (timings depend on the machine); run it directly:

    .venv/bin/python benchmarks/turns.py [--turns N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Callable

WINDOW = 10
"""Turns averaged at the start, the middle and the end."""


def isolate(root: str) -> None:
    """Keep the run away from the user's own config, sessions, cache and key."""
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL"):
        os.environ.pop(name, None)
    os.environ["XDG_CONFIG_HOME"] = os.path.join(root, "config")
    os.environ["XDG_DATA_HOME"] = os.path.join(root, "data")
    os.environ["XDG_CACHE_HOME"] = os.path.join(root, "cache")


async def run(turns: int) -> list[float]:
    from claude_tui.core.client import ApiSettings
    from claude_tui.core.config import Settings
    from claude_tui.core.themes import load_themes, shipped_themes_dir
    from claude_tui.localapi.server import LocalAPIServer, Scenario, generate_text
    from claude_tui.ui.app import ClaudeTUI
    from claude_tui.ui.options import AppOptions
    from claude_tui.ui.widgets.prompt import PromptInput

    async def until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise RuntimeError("the app did not get there in time")
            await asyncio.sleep(0.002)

    times: list[float] = []
    with LocalAPIServer() as server:
        api = ApiSettings(api_key="benchmark-key", base_url=server.base_url, request_timeout=30)
        themes = tuple(load_themes(shipped_themes_dir())[0])
        app = ClaudeTUI(AppOptions(api=api, settings=Settings(), themes=themes))
        async with app.run_test(size=(100, 30)) as pilot:
            await until(lambda: app.chat.ready)
            await until(lambda: all(worker.is_finished for worker in app.workers))  # warm-ups
            prompt = app.query_one(PromptInput)
            turns_list = app.chat.current.conversation.turns
            for n in range(1, turns + 1):
                server.push(Scenario(text=f"Reply {n}: {generate_text(12 + n % 7)}"))
                started = time.perf_counter()
                prompt.insert(f"Question {n}")
                await pilot.press("enter")
                await until(
                    lambda n=n: (
                        sum(t.role == "assistant" for t in turns_list) == n
                        and app.chat.current.reply is None
                    )
                )
                times.append(time.perf_counter() - started)
    return times


def table(times: list[float]) -> list[str]:
    """Every window of ``WINDOW`` turns. A live session keeps at most 80 turns (40 exchanges)
    mounted and then lets the oldest 40 go, so the cost is a sawtooth with a ceiling: compare
    windows at the same point of it (41-50 with 81-90), and the last with the worst."""
    lines = [f"{'turns':>10}  {'mean ms':>8}  {'median ms':>9}"]
    means = []
    for start in range(0, len(times) - WINDOW + 1, WINDOW):
        chunk = times[start : start + WINDOW]
        means.append(statistics.fmean(chunk))
        label = f"{start + 1}-{start + WINDOW}"
        lines.append(
            f"{label:>10}  {means[-1] * 1000:8.1f}  {statistics.median(chunk) * 1000:9.1f}"
        )
    lines.append(f"{'last/first':>10}  {means[-1] / means[0]:7.2f}x")
    if len(means) >= 9:
        lines.append(
            f"{'81-90/41-50':>10}  {means[8] / means[4]:7.2f}x  (same point of the sawtooth)"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=100, help="turns in the session (100)")
    args = parser.parse_args()
    if args.turns < 3 * WINDOW:
        parser.error(f"--turns must be at least {3 * WINDOW}")
    with tempfile.TemporaryDirectory(prefix="claude-tui-bench-") as root:
        isolate(root)
        began = time.perf_counter()
        times = asyncio.run(run(args.turns))
        total = time.perf_counter() - began
    print(f"{args.turns} turns in one session, send -> reply ended (total {total:.1f} s)")
    for line in table(times):
        print(line)


if __name__ == "__main__":
    main()
