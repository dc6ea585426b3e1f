"""The performance table of issue 6: the real app and the real SDK against the local server.

Each row runs in a fresh child process (``benchmarks/_child.py``), so CPU seconds and peak RSS
are that process's own, and start-up includes the interpreter and every import. The local
Messages-API server runs here, in the parent, and timestamps every content delta it sends
(``time.monotonic()``, one clock for all processes on Linux), so "last byte sent" and "first
byte sent" are the server's, not the client's. The floor is the SDK alone: a plain loop over
``client.messages.stream(...).text_stream`` against the same server, in a child of its own.

    .venv/bin/python benchmarks/run.py

Not part of the test suite; timings depend on the machine (see benchmarks/RESULTS.md).
"""

from __future__ import annotations

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
STARTUP_RUNS = 5
SESSIONS = 10_000
SESSION_MESSAGES = 1000


def isolate(root: str) -> dict[str, str]:
    """Keep the run away from the user's own config, sessions and key."""
    env = dict(os.environ)
    for name in list(env):
        if name.startswith("ANTHROPIC_"):
            del env[name]
    env["XDG_CONFIG_HOME"] = os.path.join(root, "config")
    env["XDG_DATA_HOME"] = os.path.join(root, "data")
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    return env


# -- the server's own timestamps -------------------------------------------------------------


class Stamps:
    """Per ``/v1/messages`` stream: when its first and last text delta went on the socket."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.streams: list[dict[str, float | None]] = []

    def install(self) -> None:
        from claude_tui.core import localapi_reply

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
    from claude_tui.core.localapi import generate_text
    from claude_tui.core.store import SessionStore

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


def main() -> None:
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="claude-tui-perf-") as root:
        env = isolate(root)
        os.environ.update({k: env[k] for k in ("XDG_CONFIG_HOME", "XDG_DATA_HOME")})
        for name in [n for n in os.environ if n.startswith("ANTHROPIC_")]:
            del os.environ[name]
        from claude_tui.core.config import Settings
        from claude_tui.core.localapi import LocalAPIServer, Scenario, generate_text

        refresh = 1 / Settings().refresh_rate
        stamps = Stamps()
        stamps.install()
        rows: list[tuple[str, str, str, str, str, str, str]] = []
        notes: list[str] = []

        def row(n: str, scenario: str, measured: str, floor: str, ratio: str, target: str,
                met: bool | None) -> None:  # fmt: skip
            verdict = "n/a" if met is None else ("yes" if met else "no")
            rows.append((n, scenario, measured, floor, ratio, target, verdict))

        empty_store = Path(root) / "empty.db"
        many_store = Path(root) / "many.db"
        long_store = Path(root) / "long.db"
        t = time.monotonic()
        fill_many(many_store, SESSIONS)
        sid, last_message, size = fill_long(long_store, SESSION_MESSAGES)
        notes.append(
            f"stores filled in {time.monotonic() - t:.1f} s; long session {size / 1e6:.2f} MB "
            f"of text in {SESSION_MESSAGES} messages"
        )

        long_text = generate_text(LONG_TOKENS)
        paced_text = generate_text(PACED_TOKENS)
        text_file = Path(root) / "long.md"
        text_file.write_text(long_text)
        paced_file = Path(root) / "paced.md"
        paced_file.write_text(paced_text)
        last_file = Path(root) / "last.md"
        last_file.write_text(last_message)

        with LocalAPIServer() as server:
            url = server.base_url

            # -- row 1 and its floor (floor first and last, best of the two) -----------------
            server.default = Scenario(text=long_text)
            floors = []
            for _ in range(2):
                stamps.take()
                result, _ = child(env, "floor", url, str(empty_store), str(LONG_TOKENS))
                (stream,) = stamps.take()
                result["after_last"] = result["t_done"] - stream["last"]
                floors.append(result)
            floor_wall = min(f["t_done"] - f["t_request"] for f in floors)
            floor_cpu = min(f["cpu"] for f in floors)
            md, _ = child(env, "markdown", url, str(empty_store), str(text_file))
            (stream,) = stamps.take()
            wall = md["t_final_paint"] - md["t_request"]
            after_last = md["t_final_paint"] - stream["last"]
            row("1", "5k-token Markdown, rate 0: wall to final text", f"{wall:.2f} s",
                f"{floor_wall:.2f} s", f"{wall / floor_wall:.1f}x", "-", None)  # fmt: skip
            row("1", "  last byte sent -> final text on screen", ms(after_last), "-", "-",
                "<= 500 ms", after_last <= 0.5)  # fmt: skip
            row("1", "  CPU seconds (app process)", f"{md['cpu']:.2f} s", f"{floor_cpu:.2f} s",
                f"{md['cpu'] / floor_cpu:.1f}x", "<= 3x floor",
                md["cpu"] <= 3 * floor_cpu)  # fmt: skip
            if not md["text_ok"]:
                notes.append("row 1: the saved turn's text differs from what was streamed!")

            # -- rows 2 and 3 ----------------------------------------------------------------
            server.default = Scenario(text=paced_text, rate=PACED_RATE)
            server.push(Scenario(text=paced_text, rate=PACED_RATE))
            server.push(Scenario(text=paced_text, rate=PACED_RATE))
            for _ in range(TTFT_RUNS):
                server.push(Scenario(tokens=40, ttft=TTFT))
            stamps.take()
            lv, _ = child(env, "live", url, str(empty_store), str(paced_file), str(TTFT_RUNS))
            streams = stamps.take()
            paced = lv["paced"]
            lag = paced["t_final_paint"] - streams[0]["last"]
            lag_target = refresh + 0.050
            row("2", f"{PACED_TOKENS} tok at {PACED_RATE:.0f} tok/s: last token -> rendered",
                ms(lag), "-", "-", f"<= {ms(lag_target)}", lag <= lag_target)  # fmt: skip
            share = paced["cpu"] / paced["wall"]
            row("2", "  CPU share of one core while streaming", f"{share * 100:.1f} %", "-", "-",
                "<= 15 %", share <= 0.15)  # fmt: skip
            echoes = lv["echoes"]
            if echoes:
                p50 = statistics.median(echoes)
                worst = max(echoes)
                row("2", f"  keypress -> echo while streaming (median of {len(echoes)})",
                    ms(p50), "-", "-", "<= 50 ms", p50 <= 0.050)  # fmt: skip
                row("2", "  keypress -> echo, worst", ms(worst), "-", "-", "<= 50 ms",
                    worst <= 0.050)  # fmt: skip
            else:
                notes.append("row 2: no keypress was measured (the reply ended first)")
            added = [
                f["t_first_paint"] - s["first"]
                for f, s in zip(lv["firsts"], streams[2:], strict=True)
            ]
            ttft_target = refresh + 0.020
            p50 = statistics.median(added)
            row("3", f"TTFT: first delta sent -> first char drawn (median of {len(added)})",
                ms(p50), "-", "-", f"<= {ms(ttft_target)}", p50 <= ttft_target)  # fmt: skip
            row("3", "  worst of them", ms(max(added)), "-", "-", f"<= {ms(ttft_target)}",
                max(added) <= ttft_target)  # fmt: skip

            # -- row 4 -----------------------------------------------------------------------
            for label, store, target in (
                ("0 sessions", empty_store, 0.6),
                (f"{SESSIONS:,} sessions", many_store, 0.8),
            ):
                times = []
                for _ in range(STARTUP_RUNS):
                    su, launched = child(env, "startup", url, str(store))
                    times.append(su["t_ready"] - launched)
                best, med = min(times), statistics.median(times)
                row("4", f"start-up, {label}: launch -> prompt focused (median of "
                    f"{STARTUP_RUNS}, best {best:.2f} s)", f"{med:.2f} s", "-", "-",
                    f"<= {target} s", med <= target)  # fmt: skip

            # -- row 5 -----------------------------------------------------------------------
            ss, _ = child(env, "session", url, str(long_store), sid, str(last_file))
            row("5", f"open {ss['turns']}-message session until last turn drawn",
                ms(ss["open"]), "-", "-", "<= 300 ms", ss["open"] <= 0.3)  # fmt: skip
            row("5", f"  scroll to the top ({ss['scroll_rounds']} loads)", ms(ss["scroll_top"]),
                "-", "-", "<= 300 ms", ss["scroll_top"] <= 0.3)  # fmt: skip
            if not ss["loaded_all"]:
                notes.append("row 5: scrolling stopped before every turn was loaded")

            # -- row 6 -----------------------------------------------------------------------
            row("6", "peak RSS, row 1 process", f"{md['peak_rss_mb']:.0f} MB", "-", "-",
                "<= 150 MB", md["peak_rss_mb"] <= 150)  # fmt: skip
            row("6", "peak RSS, row 5 process", f"{ss['peak_rss_mb']:.0f} MB", "-", "-",
                "<= 150 MB", ss["peak_rss_mb"] <= 150)  # fmt: skip

        notes.append(
            f"floor: 5k tokens over text_stream, {floor_wall:.2f} s wall, {floor_cpu:.2f} s CPU "
            f"(best of 2); last byte -> loop done {ms(min(f['after_last'] for f in floors))}"
        )
        notes.append(
            f"row 1 detail: first lines {md['t_first_lines'] - md['t_request']:.2f} s after the "
            f"request; final lines {ms(md['t_final_lines'] - stream['last'])} and final draw "
            f"{ms(after_last)} after the last byte"
        )
        notes.append(
            f"row 2 detail: paced reply wall {paced['wall']:.1f} s, CPU {paced['cpu']:.2f} s; "
            f"echo samples ms: {', '.join(f'{e * 1000:.0f}' for e in echoes)}"
        )
        idle = lv["idle_share"] * 100
        notes.append(f"row 2: the idle app (no stream) uses {idle:.1f} % of a core")
        notes.append(f"row 3 samples ms: {', '.join(f'{a * 1000:.0f}' for a in added)}")
        notes.append(f"row 5: {ss['mounted_messages']} message widgets mounted at the top")

    headers = ("#", "scenario", "measured", "floor", "ratio", "target", "met?")
    widths = [max(len(str(r[i])) for r in (headers, *rows)) for i in range(len(headers))]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*headers))
    print(line.format(*("-" * w for w in widths)))
    for r in rows:
        print(line.format(*r))
    print()
    print(f"refresh interval {ms(refresh)} (refresh_rate {Settings().refresh_rate}); "
          f"total run {time.monotonic() - began:.0f} s")  # fmt: skip
    for note in notes:
        print(f"- {note}")


if __name__ == "__main__":
    main()
