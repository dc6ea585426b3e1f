"""The performance table of issue 6: the real app and the real SDK against the local server.

Each row runs in a fresh child process (``benchmarks/_child.py``), so CPU seconds and peak RSS
are that process's own, and start-up includes the interpreter and every import. The local
Messages-API server runs here, in the parent, and timestamps every content delta it sends
(``time.monotonic()``, one clock for all processes on Linux), so "last byte sent" and "first
byte sent" are the server's, not the client's. The floor is the SDK alone: a plain loop over
``client.messages.stream(...).text_stream`` against the same server, in a child of its own.

    .venv/bin/python benchmarks/run.py            # every row, about two minutes
    .venv/bin/python benchmarks/run.py --rows 1,2  # the streaming rows only
    .venv/bin/python benchmarks/run.py --rows 7,8  # the refresh rates (benchmarks/rates.py)
    .venv/bin/python benchmarks/run.py --rows 9    # prompt caching's cost (benchmarks/caching.py)
    .venv/bin/python benchmarks/run.py --rows 10   # keys while big files attach (attaching.py)
    .venv/bin/python benchmarks/run.py --rows 11   # a reply that searched (web_reply.py)

Not part of the test suite; timings depend on the machine (see benchmarks/RESULTS.md).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CHILD = HERE / "_child.py"

LONG_TOKENS = 5000
PACED_TOKENS, PACED_RATE = 800, 80.0
TTFT_RUNS, TTFT = 5, 0.3
FLOOR_RUNS = 3
STARTUP_RUNS = 5
SESSIONS = 10_000
SESSION_MESSAGES = 1000


def isolate(root: str) -> dict[str, str]:
    """Keep the run away from the user's own config, sessions, cache and key."""
    env = dict(os.environ)
    for name in list(env):
        if name.startswith("ANTHROPIC_"):
            del env[name]
    env["XDG_CONFIG_HOME"] = os.path.join(root, "config")
    env["XDG_DATA_HOME"] = os.path.join(root, "data")
    env["XDG_CACHE_HOME"] = os.path.join(root, "cache")
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    # An installed app has compiled bytecode; an editable install run with
    # PYTHONDONTWRITEBYTECODE (as on the development machine) would compile every module at
    # each launch. Bytecode goes to the run's own directory, never into the source tree.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = os.path.join(root, "pycache")
    return env


# -- the server's own timestamps -------------------------------------------------------------


class Stamps:
    """Per ``/v1/messages`` stream: when its first and last text delta went on the socket."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.streams: list[dict[str, float | None]] = []

    def install(self) -> None:
        from claude_tui.localapi import reply as localapi_reply

        handler = localapi_reply.MessagesHandler
        stream, delta = handler._stream, handler._delta
        stamps = self

        def _stream(self: Any, scenario: Any, reply: Any) -> None:
            record: dict[str, float | None] = {"first": None, "last": None}
            self._bench_record = record
            with stamps.lock:
                stamps.streams.append(record)
            stream(self, scenario, reply)
            record["end"] = time.monotonic()

        def _delta(self: Any, index: int, body: Any) -> None:
            delta(self, index, body)
            if body.get("type") == "text_delta":
                now = time.monotonic()
                record = self._bench_record
                if record["first"] is None:
                    record["first"] = now
                record["last"] = now

        handler._stream = _stream
        handler._delta = _delta

    def take(self) -> list[dict[str, float | None]]:
        with self.lock:
            taken, self.streams = self.streams, []
        return taken


# -- stores ----------------------------------------------------------------------------------

_VOCABULARY = (
    "sqlite wal journal index query page sidebar stream reply token model cache python async "
    "thread worker widget render markdown table list search title prompt error retry cancel"
)
_WORDS = _VOCABULARY.split()


def _session(sid: str, title: str, messages: list[str], start: datetime) -> dict[str, Any]:
    stamp = start.isoformat(timespec="microseconds")
    usage = dict.fromkeys(
        ("input_tokens", "output_tokens", "cache_creation_tokens", "cache_read_tokens")
    )
    turns = [
        {
            "role": "user" if n % 2 == 0 else "assistant",
            "content": text,
            "thinking": "",
            "status": "complete",
            "stop_reason": None,
            "error": None,
            "model": None,
            "usage": usage,
            "ttft_ms": None,
            "duration_ms": None,
            "created_at": stamp,
        }
        for n, text in enumerate(messages)
    ]
    return {
        "id": sid,
        "title": title,
        "model": "claude-sonnet-4-5",
        "system": "",
        "created_at": stamp,
        "updated_at": stamp,
        "messages": turns,
    }


def fill_many(path: Path, count: int) -> None:
    """``count`` small sessions (4 messages each), through the store's import path."""
    from claude_tui.core.store import SessionStore

    rng = random.Random(42)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with SessionStore.open(path) as store:
        for index in range(count):
            messages = [" ".join(rng.choices(_WORDS, k=rng.randint(8, 40))) for _ in range(4)]
            title = " ".join(rng.choices(_WORDS, k=4)).capitalize()
            store.import_session(
                _session(f"{index:012x}", title, messages, start + timedelta(minutes=index))
            )


def fill_long(path: Path, count: int) -> tuple[str, str, int]:
    """One session of ``count`` messages, about 1 MB: short prompts, Markdown replies (code,
    lists, tables) cut from the demo replies. Returns its id, last message and size."""
    from claude_tui.core.store import SessionStore
    from claude_tui.localapi.server import generate_text

    source = generate_text(60_000)
    rng = random.Random(7)
    messages = []
    for n in range(count):
        if n % 2 == 0:
            messages.append(f"Question {n // 2}: " + " ".join(rng.choices(_WORDS, k=30)))
        else:
            at = rng.randrange(0, len(source) - 2000)
            at = source.index("\n\n", at) + 2  # start at a block boundary
            messages.append(source[at : at + 1700].rstrip())
    size = sum(len(m.encode()) for m in messages)
    with SessionStore.open(path) as store:
        sid = store.import_session(
            _session("long-session", "A long session", messages, datetime(2025, 1, 1, tzinfo=UTC))
        )
    return sid, messages[-1], size


# -- running children ------------------------------------------------------------------------


def child(env: dict[str, str], *args: str, timeout: float = 180) -> tuple[dict[str, Any], float]:
    """Run one child; its JSON result and the parent's monotonic time just before launch."""
    launched = time.monotonic()
    done = subprocess.run(
        [sys.executable, str(CHILD), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"child {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]), launched


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


class Bench:
    """What every row needs: the environment, the server, the stores, and the table so far."""

    def __init__(self, root: str, env: dict[str, str], stamps: Stamps) -> None:
        self.root = Path(root)
        self.env = env
        self.stamps = stamps
        self.url = ""
        self.rows: list[tuple[str, str, str, str, str, str, str]] = []
        self.notes: list[str] = []
        self.empty_store = self.root / "empty.db"

    def row(self, n: str, scenario: str, measured: str, floor: str, ratio: str, target: str,
            met: bool | None) -> None:  # fmt: skip
        verdict = "n/a" if met is None else ("yes" if met else "no")
        self.rows.append((n, scenario, measured, floor, ratio, target, verdict))

    def text_file(self, name: str, text: str) -> Path:
        path = self.root / name
        path.write_text(text)
        return path


def row_1(bench: Bench, server: Any) -> dict[str, Any]:
    """A 5,000-token reply at full speed, against the floor (run before and after, best kept)."""
    from claude_tui.localapi.server import Scenario, generate_text

    long_text = generate_text(LONG_TOKENS)
    text_file = bench.text_file("long.md", long_text)
    server.default = Scenario(text=long_text)
    floors = []
    for _ in range(FLOOR_RUNS):
        bench.stamps.take()
        result, _ = child(bench.env, "floor", bench.url, str(bench.empty_store), str(LONG_TOKENS))
        (stream,) = bench.stamps.take()
        result["after_last"] = result["t_done"] - stream["last"]
        floors.append(result)
    floor_wall = min(f["t_done"] - f["t_request"] for f in floors)
    floor_cpu = min(f["cpu"] for f in floors)
    md, _ = child(bench.env, "markdown", bench.url, str(bench.empty_store), str(text_file))
    (stream,) = bench.stamps.take()
    wall = md["t_final_paint"] - md["t_request"]
    after_last = md["t_final_paint"] - stream["last"]
    row = bench.row
    row("1", "5k-token Markdown, rate 0: wall to final text", f"{wall:.2f} s",
        f"{floor_wall:.2f} s", f"{wall / floor_wall:.1f}x", "-", None)  # fmt: skip
    row("1", "  last byte sent -> final text on screen", ms(after_last), "-", "-",
        "<= 500 ms", after_last <= 0.5)  # fmt: skip
    row("1", "  CPU seconds (app process)", f"{md['cpu']:.2f} s", f"{floor_cpu:.2f} s",
        f"{md['cpu'] / floor_cpu:.1f}x", "<= 3x floor", md["cpu"] <= 3 * floor_cpu)  # fmt: skip
    if not md["text_ok"]:
        bench.notes.append("row 1: the saved turn's text differs from what was streamed!")
    cpus = ", ".join(f"{f['cpu']:.2f}" for f in floors)
    bench.notes.append(
        f"floor: 5k tokens over text_stream, {floor_wall:.2f} s wall, {floor_cpu:.2f} s CPU "
        f"(best of {FLOOR_RUNS}: {cpus}); last byte -> loop done "
        f"{ms(min(f['after_last'] for f in floors))}"
    )
    bench.notes.append(
        f"row 1 detail: first lines {md['t_first_lines'] - md['t_request']:.2f} s after the "
        f"request; final lines {ms(md['t_final_lines'] - stream['last'])} and final draw "
        f"{ms(after_last)} after the last byte"
    )
    return md


def rows_2_3(bench: Bench, server: Any, refresh: float) -> None:
    """A paced reply (lag, CPU share, keypress echo), then short replies (TTFT)."""
    from claude_tui.localapi.server import Scenario, generate_text

    paced_text = generate_text(PACED_TOKENS)
    paced_file = bench.text_file("paced.md", paced_text)
    server.default = Scenario(text=paced_text, rate=PACED_RATE)
    server.push(Scenario(text=paced_text, rate=PACED_RATE))
    server.push(Scenario(text=paced_text, rate=PACED_RATE))
    for _ in range(TTFT_RUNS):
        server.push(Scenario(tokens=40, ttft=TTFT))
    bench.stamps.take()
    lv, _ = child(
        bench.env, "live", bench.url, str(bench.empty_store), str(paced_file), str(TTFT_RUNS)
    )
    streams = bench.stamps.take()
    paced = lv["paced"]
    row = bench.row
    lag = paced["t_final_paint"] - streams[0]["last"]
    lag_target = refresh + 0.050
    row("2", f"{PACED_TOKENS} tok at {PACED_RATE:.0f} tok/s: last token -> rendered",
        ms(lag), "-", "-", f"<= {ms(lag_target)}", lag <= lag_target)  # fmt: skip
    share = paced["cpu"] / paced["wall"]
    fl, _ = child(bench.env, "textual_floor", bench.url, str(bench.empty_store), str(paced_file),
                  str(PACED_RATE), str(1 / refresh))  # fmt: skip
    log_share = fl["cpu"] / fl["wall"]
    # The SDK's share at the same pace: the floor (a plain loop over text_stream), fed
    # by the same server at 80 tokens a second.
    server.push(Scenario(text=paced_text, rate=PACED_RATE))
    sdk, _ = child(bench.env, "floor", bench.url, str(bench.empty_store), str(PACED_TOKENS))
    bench.stamps.take()
    sdk_share = sdk["cpu"] / (sdk["t_done"] - sdk["t_request"])
    floor_share = log_share + sdk_share
    row("2", "  CPU share of one core while streaming", f"{share * 100:.1f} %",
        f"{floor_share * 100:.1f} %", f"{share / floor_share:.1f}x", "<= 15 %",
        share <= 0.15)  # fmt: skip
    echoes = lv["echoes"]
    if echoes:
        p50 = statistics.median(echoes)
        worst = max(echoes)
        row("2", f"  keypress -> echo while streaming (median of {len(echoes)})",
            ms(p50), "-", "-", "<= 50 ms", p50 <= 0.050)  # fmt: skip
        row("2", "  keypress -> echo, worst", ms(worst), "-", "-", "<= 50 ms",
            worst <= 0.050)  # fmt: skip
    else:
        bench.notes.append("row 2: no keypress was measured (the reply ended first)")
    added = [
        f["t_first_paint"] - s["first"] for f, s in zip(lv["firsts"], streams[2:], strict=True)
    ]
    ttft_target = refresh + 0.020
    p50 = statistics.median(added)
    row("3", f"TTFT: first delta sent -> first char drawn (median of {len(added)})",
        ms(p50), "-", "-", f"<= {ms(ttft_target)}", p50 <= ttft_target)  # fmt: skip
    row("3", "  worst of them", ms(max(added)), "-", "-", f"<= {ms(ttft_target)}",
        max(added) <= ttft_target)  # fmt: skip
    bench.notes.append(
        f"row 2 detail: paced reply wall {paced['wall']:.1f} s, CPU {paced['cpu']:.2f} s; "
        f"echo samples ms: {', '.join(f'{e * 1000:.0f}' for e in echoes)}"
    )
    bench.notes.append(f"row 2: the idle app (no stream) uses {lv['idle_share'] * 100:.1f} % "
                       "of a core")  # fmt: skip
    bench.notes.append(
        f"row 2 floor: {floor_share * 100:.1f} % = the SDK alone, a plain loop over text_stream "
        f"fed at the same pace: {sdk_share * 100:.1f} % of a core, + the same text at the same "
        f"pace as plain lines in a Textual Log, redrawn {1 / refresh:.0f} times a second (no "
        f"Markdown, no SDK): {log_share * 100:.1f} % over {fl['wall']:.1f} s"
    )
    bench.notes.append(f"row 3 samples ms: {', '.join(f'{a * 1000:.0f}' for a in added)}")


def row_4(bench: Bench) -> None:
    """Start-up, with no sessions and with 10,000."""
    many_store = bench.root / "many.db"
    t = time.monotonic()
    fill_many(many_store, SESSIONS)
    bench.notes.append(f"row 4: {SESSIONS:,} sessions filled in {time.monotonic() - t:.1f} s")
    for label, store, target in (
        ("0 sessions", bench.empty_store, 0.6),
        (f"{SESSIONS:,} sessions", many_store, 0.8),
    ):
        listed = [] if store == bench.empty_store else ["listed"]
        child(bench.env, "startup", bench.url, str(store), *listed)  # compiles; not timed
        times, lists, cpus, heavy = [], [], [], set()
        for _ in range(STARTUP_RUNS):
            su, launched = child(bench.env, "startup", bench.url, str(store), *listed)
            times.append(su["t_ready"] - launched)
            heavy.update(su.get("heavy", ()))
            cpus.append(su["cpu_ready"])
            if su["t_listed"] is not None:
                lists.append(su["t_listed"] - launched)
        best, med = min(times), statistics.median(times)
        bench.row("4", f"start-up, {label}: launch -> prompt focused (median of "
                  f"{STARTUP_RUNS}, best {best:.2f} s)", f"{med:.2f} s", "-", "-",
                  f"<= {target} s", med <= target)  # fmt: skip
        if lists:
            bench.row("4", "  ... and the sidebar lists the newest sessions (median)",
                      f"{statistics.median(lists):.2f} s", "-", "-", "-", None)  # fmt: skip
        loaded = ", ".join(sorted(heavy)) or "neither"
        bench.notes.append(
            f"row 4, {label}: CPU seconds to the prompt focused, median "
            f"{statistics.median(cpus):.2f} s (steadier than the wall time on a busy machine); "
            f"PIL or pypdf imported by start-up: {loaded}"
        )


def row_5(bench: Bench) -> dict[str, Any]:
    """A session of 1,000 messages: open it, then go to its top."""
    long_store = bench.root / "long.db"
    t = time.monotonic()
    sid, last_message, size = fill_long(long_store, SESSION_MESSAGES)
    bench.notes.append(
        f"row 5: long session filled in {time.monotonic() - t:.1f} s, {size / 1e6:.2f} MB "
        f"of text in {SESSION_MESSAGES} messages"
    )
    last_file = bench.text_file("last.md", last_message)
    ss, _ = child(bench.env, "session", bench.url, str(long_store), sid, str(last_file))
    row = bench.row
    row("5", f"open {ss['turns']}-message session until last turn drawn",
        ms(ss["open"]), "-", "-", "<= 300 ms", ss["open"] <= 0.3)  # fmt: skip
    row("5", "  scroll to the top: Ctrl+Home until the first message is drawn",
        ms(ss["to_top"]), "-", "-", "<= 300 ms", ss["to_top"] <= 0.3)  # fmt: skip
    row("5", f"  scroll up a page at a time to the top ({ss['pages']} pages)",
        ms(ss["paging_worst"]) + " worst", "-", "-", "<= 300 ms",
        ss["paging_worst"] <= 0.3)  # fmt: skip
    fill = ss["fill_echoes"]
    if fill:
        row("5", f"  keypress -> echo while its first page fills in (median of {len(fill)})",
            ms(statistics.median(fill)), "-", "-", "<= 50 ms",
            statistics.median(fill) <= 0.05)  # fmt: skip
        row("5", "  keypress -> echo while it fills, worst", ms(max(fill)), "-", "-",
            "<= 50 ms", max(fill) <= 0.05)  # fmt: skip
    if not ss["reached_top"]:
        bench.notes.append("row 5: paging up stopped before the first message!")
    slowest = ", ".join(ms(t) for t in ss["paging_slowest"])
    bench.notes.append(
        f"row 5: paging up took {ss['paging_total']:.1f} s in all, median page "
        f"{ms(ss['paging_median'])}, slowest {slowest}; at most {ss['most_mounted']} message "
        f"widgets were mounted at once (of {ss['turns']})"
    )
    full = ss["paging_full_collections"]
    bench.notes.append(
        f"row 5: {len(full)} full garbage collections while paging up, "
        f"{ms(sum(full))} in all, the longest {ms(max(full, default=0))}"
    )
    bench.notes.append(
        f"row 5: a full garbage collection after paging took {ms(ss['full_collection'])} "
        f"({ss['tracked_objects']:,} objects in its sight)"
    )
    return ss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows",
        default="1,2,3,4,5,6,7,8,9,10,11",
        help="which rows to run, e.g. 1,2 for a quick check after a rendering change",
    )
    wanted = set(parser.parse_args().rows.split(","))
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="claude-tui-perf-") as root:
        env = isolate(root)
        os.environ.update(
            {k: env[k] for k in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME")}
        )
        for name in [n for n in os.environ if n.startswith("ANTHROPIC_")]:
            del os.environ[name]
        from claude_tui.core.config import Settings
        from claude_tui.localapi.server import LocalAPIServer

        refresh = 1 / Settings().refresh_rate
        stamps = Stamps()
        stamps.install()
        bench = Bench(root, env, stamps)
        md = ss = None
        with LocalAPIServer() as server:
            bench.url = server.base_url
            if wanted & {"1", "6"}:
                md = row_1(bench, server)
            if wanted & {"2", "3"}:
                rows_2_3(bench, server, refresh)
            if wanted & {"7", "8"}:
                from rates import rows_7_8

                rows_7_8(bench, server, child, PACED_TOKENS, PACED_RATE)
            if "9" in wanted:
                from caching import row_9

                row_9(bench, server)
            if "10" in wanted:
                from attaching import row_10

                row_10(bench, child, ms)
            if "11" in wanted:
                from web_reply import row_11

                row_11(bench, server, child)
            if "4" in wanted:
                row_4(bench)
            if wanted & {"5", "6"}:
                ss = row_5(bench)
        for label, result in (("row 1", md), ("row 5", ss)):
            if "6" in wanted and result is not None:
                bench.row("6", f"peak RSS, {label} process", f"{result['peak_rss_mb']:.0f} MB",
                          "-", "-", "<= 150 MB", result["peak_rss_mb"] <= 150)  # fmt: skip

    headers = ("#", "scenario", "measured", "floor", "ratio", "target", "met?")
    # stable: keeps each row's sub-rows in order; by number, so 10 comes after 9
    rows = sorted(bench.rows, key=lambda r: int(r[0]))
    widths = [max(len(str(r[i])) for r in (headers, *rows)) for i in range(len(headers))]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*headers))
    print(line.format(*("-" * w for w in widths)))
    for r in rows:
        print(line.format(*r))
    print()
    print(f"refresh interval {ms(refresh)} (refresh_rate {Settings().refresh_rate}); "
          f"total run {time.monotonic() - began:.0f} s")  # fmt: skip
    for note in bench.notes:
        print(f"- {note}")


if __name__ == "__main__":
    main()
