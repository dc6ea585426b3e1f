"""One measurement in a process of its own, for ``benchmarks/run.py`` (not run directly).

    python benchmarks/_child.py MODE BASE_URL STORE_PATH [EXTRA...]

Prints one JSON object on its last line of stdout. Every timestamp is ``time.monotonic()``,
which on Linux is one clock for every process, so the parent can compare them with the times
its local server recorded when it sent each event.
"""

from __future__ import annotations

import time

T_PROCESS = time.monotonic()  # before any import but ``time``

import asyncio  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

SIZE = (120, 40)
WORD = re.compile(r"\w+")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def last_words(text: str, k: int = 3) -> list[str]:
    return WORD.findall(text)[-k:]


def shows(rendered: str, words: list[str]) -> bool:
    """Whether ``words`` appear in order, adjacent, among the rendered words."""
    got = WORD.findall(rendered)
    k = len(words)
    return any(got[i : i + k] == words for i in range(len(got) - k, -1, -1))


async def until(condition: Callable[[], bool], timeout: float = 60.0, step: float = 0.002) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("the app did not get there in time")
        await asyncio.sleep(step)


async def echo(app: Any, prompt: Any, typed: str) -> float:
    """Press x as the terminal driver would, and time it until the prompt reads ``typed``."""
    from textual import events

    key = events.Key("x", "x")
    key.set_sender(app)
    started = time.monotonic()
    app._driver.send_message(key)
    await until(lambda: prompt.text == typed, timeout=5, step=0.001)
    return time.monotonic() - started


class Probe:
    """Hooks on MarkdownView that timestamp text reaching its lines and the screen, without
    polling: the first line of a streaming view, and the final text once the reply ended."""

    def __init__(self) -> None:
        from claude_tui.ui.widgets.markdown.view import MarkdownView

        self.expect: list[str] | None = None  # last words of the reply being waited for
        self.first_lines: float | None = None  # a streaming view first has a line
        self.first_paint: float | None = None  # ... and it is first drawn
        self.final_lines: float | None = None  # ended, and the lines hold the last words
        self.final_paint: float | None = None  # ... and they are first drawn after that
        self.done = asyncio.Event()
        probe = self
        rerender, apply_final, render_line = (
            MarkdownView._rerender,
            MarkdownView._apply_final,
            MarkdownView.render_line,
        )

        def check(view: MarkdownView) -> None:
            now = time.monotonic()
            if (
                probe.first_lines is None
                and view.streaming
                and (view._live_lines or view._frozen_lines)
            ):
                probe.first_lines = now
            if (
                probe.final_lines is None
                and probe.expect is not None
                and not view.streaming
                and shows(view.rendered_text(), probe.expect)
            ):
                probe.final_lines = now

        def _rerender(view: MarkdownView) -> None:
            rerender(view)
            check(view)

        def _apply_final(view: MarkdownView, *args: Any) -> None:
            apply_final(view, *args)
            check(view)

        def _render_line(view: MarkdownView, y: int) -> Any:
            strip = render_line(view, y)
            if probe.first_lines is not None and probe.first_paint is None and strip.text.strip():
                probe.first_paint = time.monotonic()
            if probe.final_lines is not None and probe.final_paint is None:
                probe.final_paint = time.monotonic()
                probe.done.set()
            return strip

        MarkdownView._rerender = _rerender  # type: ignore[method-assign]
        MarkdownView._apply_final = _apply_final  # type: ignore[method-assign]
        MarkdownView.render_line = _render_line  # type: ignore[method-assign]

    def reset(self, expect: str) -> None:
        self.expect = last_words(expect)
        self.first_lines = self.first_paint = self.final_lines = self.final_paint = None
        self.done = asyncio.Event()


def make_app(base_url: str, store_path: str, **settings: Any) -> Any:
    from claude_tui.core.client import ApiSettings
    from claude_tui.core.config import Settings
    from claude_tui.core.themes import load_themes, shipped_themes_dir
    from claude_tui.ui.app import ClaudeTUI
    from claude_tui.ui.options import AppOptions

    api = ApiSettings(api_key="benchmark-key", base_url=base_url, request_timeout=60)
    themes = tuple(load_themes(shipped_themes_dir())[0])
    options = AppOptions(
        api=api, settings=Settings(**settings), themes=themes, store_path=Path(store_path)
    )
    return ClaudeTUI(options)


async def settle(app: Any) -> None:
    await until(lambda: app.chat.ready)
    await until(lambda: all(worker.is_finished for worker in app.workers))  # warm-ups


async def send(app: Any, pilot: Any, text: str) -> None:
    from claude_tui.ui.widgets.prompt import PromptInput

    app.query_one(PromptInput).insert(text)
    await pilot.press("enter")


# -- modes ----------------------------------------------------------------------------------


def floor(base_url: str, expect_tokens: int) -> dict[str, Any]:
    """The SDK alone: a plain loop over ``text_stream``."""
    import anthropic

    client = anthropic.Anthropic(api_key="benchmark-key", base_url=base_url, max_retries=0)
    cpu0, t0 = time.process_time(), time.monotonic()
    pieces: list[str] = []
    with client.messages.stream(
        model="claude-sonnet-4-5",
        max_tokens=8192,
        messages=[{"role": "user", "content": "Benchmark"}],
    ) as stream:
        for text in stream.text_stream:
            pieces.append(text)
    t1, cpu1 = time.monotonic(), time.process_time()
    return {"t_request": t0, "t_done": t1, "cpu": cpu1 - cpu0, "chars": len("".join(pieces))}


async def markdown_reply(base_url: str, store_path: str, text: str) -> dict[str, Any]:
    """Row 1: one long reply at full speed; request to final text rendered, and its CPU."""
    app = make_app(base_url, store_path)
    probe = Probe()
    async with app.run_test(size=SIZE, headless=True) as pilot:
        await settle(app)
        probe.reset(text)
        cpu0, t0 = time.process_time(), time.monotonic()
        await send(app, pilot, "Benchmark")
        await asyncio.wait_for(probe.done.wait(), 120)
        cpu1 = time.process_time()
        await until(lambda: app.chat.current.reply is None)
        turn = app.chat.current.conversation.turns[-1]
        result = {
            "t_request": t0,
            "t_first_lines": probe.first_lines,
            "t_final_lines": probe.final_lines,
            "t_final_paint": probe.final_paint,
            "cpu": cpu1 - cpu0,
            "text_ok": turn.text == text,
        }
    result["peak_rss_mb"] = peak_rss_mb()
    return result


async def live(base_url: str, store_path: str, text: str, ttft_runs: int) -> dict[str, Any]:
    """Rows 2 and 3: a paced reply (lag, CPU share), a second one with keypresses while it
    streams, then short replies after a pause (first byte to first character on screen)."""
    from claude_tui.ui.widgets.prompt import PromptInput

    app = make_app(base_url, store_path)
    probe = Probe()
    out: dict[str, Any] = {}
    async with app.run_test(size=SIZE, headless=True) as pilot:
        await settle(app)
        # the idle app, for comparison with the share while streaming
        cpu0, t0 = time.process_time(), time.monotonic()
        await asyncio.sleep(2.0)
        out["idle_share"] = (time.process_time() - cpu0) / (time.monotonic() - t0)
        # A: lag and CPU share, nothing else going on
        probe.reset(text)
        cpu0, t0 = time.process_time(), time.monotonic()
        await send(app, pilot, "Paced")
        await asyncio.wait_for(probe.done.wait(), 60)
        cpu1, t1 = time.process_time(), time.monotonic()
        out["paced"] = {
            "t_request": t0,
            "t_final_lines": probe.final_lines,
            "t_final_paint": probe.final_paint,
            "cpu": cpu1 - cpu0,
            "wall": t1 - t0,
        }
        await until(lambda: app.chat.current.reply is None)
        # B: keypress to echo while the same kind of reply streams
        probe.reset(text)
        await send(app, pilot, "Paced again")
        prompt = app.query_one(PromptInput)
        await until(lambda: probe.first_lines is not None)
        echoes: list[float] = []
        typed = ""
        while app.chat.current.reply is not None and len(echoes) < 30:
            await asyncio.sleep(0.25)
            if app.chat.current.reply is None:
                break
            typed += "x"
            echoes.append(await echo(app, prompt, typed))
        out["echoes"] = echoes
        await until(lambda: app.chat.current.reply is None)
        prompt.clear()
        # C: time to first token
        firsts = []
        for n in range(ttft_runs):
            probe.reset("ignored")
            await send(app, pilot, f"TTFT {n}")
            await until(lambda: probe.first_paint is not None, timeout=30, step=0.001)
            firsts.append({"t_first_lines": probe.first_lines, "t_first_paint": probe.first_paint})
            await until(lambda: app.chat.current.reply is None)
        out["firsts"] = firsts
    return out


async def textual_floor(text: str, rate: float, refresh_rate: float) -> dict[str, Any]:
    """Row 2's floor: the least Textual can do to show the same stream. The text arrives at
    ``rate`` tokens a second (a token being what ``tokenize`` makes of it, as the server does)
    and is shown as plain lines in a ``Log`` (Textual's line widget for appended text, which
    follows its end), redrawn at the refresh rate: no Markdown, no metrics, no SDK. Its CPU
    share is what any Textual app pays for a pane that scrolls as text arrives."""
    from textual.app import App, ComposeResult
    from textual.widgets import Log

    from claude_tui.localapi.server import tokenize

    tokens = tokenize(text)

    class Floor(App[None]):
        def compose(self) -> ComposeResult:
            yield Log(auto_scroll=True)

    app = Floor()
    async with app.run_test(size=SIZE, headless=True) as pilot:
        await pilot.pause()
        log = app.query_one(Log)
        cpu0, t0 = time.process_time(), time.monotonic()
        shown, pending = 0, ""
        interval = 1.0 / refresh_rate
        while shown < len(tokens):
            await asyncio.sleep(interval)
            due = min(len(tokens), int((time.monotonic() - t0) * rate) + 1)
            pending = "".join(tokens[shown:due])
            shown = due
            if pending:
                log.write(pending)
        await pilot.pause()
        cpu1, t1 = time.process_time(), time.monotonic()
    return {"cpu": cpu1 - cpu0, "wall": t1 - t0}


async def startup(base_url: str, store_path: str, listed: bool) -> dict[str, Any]:
    """Row 4: process start (interpreter included) to the chat ready with the prompt focused."""
    from claude_tui.ui.widgets.prompt import PromptInput

    t_imported = None
    app = make_app(base_url, store_path)
    t_imported = time.monotonic()
    async with app.run_test(size=SIZE, headless=True):

        def interactive() -> bool:
            return app.chat.ready and isinstance(app.focused, PromptInput)

        await until(interactive, step=0.001)
        t_ready = time.monotonic()
        cpu_ready = time.process_time()
        t_listed = None
        if listed:
            from claude_tui.ui.widgets.sidebar import SessionSidebar

            sidebar = app.query_one(SessionSidebar)
            await until(lambda: bool(sidebar.sessions), step=0.001)
            t_listed = time.monotonic()
    return {
        "t_process": T_PROCESS,
        "t_app_built": t_imported,
        "t_ready": t_ready,
        "t_listed": t_listed,
        "cpu_ready": cpu_ready,
        # issue 17: the image and PDF libraries load when a file is first attached, never
        # at start-up
        "heavy": sorted(name for name in ("PIL", "pypdf") if name in sys.modules),
    }


def full_collections(into: list[float]) -> Callable[[str, dict[str, int]], None]:
    """A ``gc.callbacks`` hook that adds the duration of each full collection to ``into``."""
    started = [0.0]

    def hook(phase: str, info: dict[str, int]) -> None:
        if info["generation"] == 2:
            if phase == "start":
                started[0] = time.perf_counter()
            else:
                into.append(time.perf_counter() - started[0])

    return hook


class Frames:
    """Times the frame that first draws something: ``drawn(condition)`` returns when the
    screen's compositor has refreshed with ``condition`` holding, checked as each frame ends
    (the widgets held the text when that frame wrote the screen). Polling between frames
    instead would wait for the frame after the one that drew it, which can be whatever long
    work the app does next (the rest of a page filling in), and time that instead."""

    def __init__(self) -> None:
        from textual.screen import Screen

        self._waiting: tuple[Callable[[], bool], asyncio.Future[float]] | None = None
        refresh = Screen._compositor_refresh
        frames = self

        def _compositor_refresh(screen: Any) -> None:
            refresh(screen)
            waiting = frames._waiting
            if waiting is not None and not waiting[1].done() and waiting[0]():
                waiting[1].set_result(time.monotonic())

        Screen._compositor_refresh = _compositor_refresh  # type: ignore[method-assign]

    async def drawn(self, condition: Callable[[], bool], timeout: float = 60.0) -> float:
        """The time of the first frame drawn with ``condition`` holding."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting = (condition, future)
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self._waiting = None


async def long_session(base_url: str, store_path: str, session_id: str, last: str) -> dict:
    """Row 5: open a 1,000-message session until its last turn is drawn; Ctrl+Home until its
    first message is drawn; then back at the end, scroll up a page at a time to the top."""
    from claude_tui.ui.widgets.conversation import ConversationView, LoadEarlier
    from claude_tui.ui.widgets.markdown.view import MarkdownView
    from claude_tui.ui.widgets.message import AssistantMessage, UserMessage
    from claude_tui.ui.widgets.prompt import PromptInput

    app = make_app(base_url, store_path)
    frames = Frames()
    out: dict[str, Any] = {}
    expect = last_words(last)
    async with app.run_test(size=SIZE, headless=True) as pilot:
        await settle(app)

        def last_on_screen() -> bool:
            messages = app.chat.query(AssistantMessage)
            if not messages:
                return False
            views = messages.last().query(MarkdownView)
            return bool(views) and shows(views.last().rendered_text(), expect)

        def mounted() -> int:
            return len(app.chat.query("UserMessage, AssistantMessage"))

        t0 = time.monotonic()
        app.chat.open_session(session_id)
        out["open"] = await frames.drawn(last_on_screen) - t0
        # The rest of the first page fills in a few turns a frame: keys typed meanwhile
        prompt, typed, echoes = app.query_one(PromptInput), "", []
        while app.chat.turn_pane.filling and len(echoes) < 50:
            typed += "x"
            echoes.append(await echo(app, prompt, typed))
            await asyncio.sleep(0.005)
        out["fill_echoes"] = echoes
        await until(lambda: not app.chat.turn_pane.filling)
        prompt.clear()
        out["turns"] = len(app.chat.current.conversation.turns)
        await pilot.pause()  # the rest of the page fills in
        first_text = app.chat.current.conversation.turns[0].text

        def first_on_screen() -> bool:
            users = app.chat.query(UserMessage)
            view = app.query_one(ConversationView)
            return bool(users) and users.first().text == first_text and view.scroll_y == 0

        t0 = time.monotonic()
        await app.chat.run_action("jump_to_start")
        out["to_top"] = await frames.drawn(first_on_screen) - t0
        await pilot.pause()
        await app.chat.run_action("follow")
        await pilot.pause()
        view = app.query_one(ConversationView)
        pages: list[float] = []
        most = mounted()
        full: list[float] = []  # full collections during the pages, as they are waited for
        gc.callbacks.append(collections := full_collections(full))
        while view.query(LoadEarlier) and len(pages) < 200:
            before = app.chat.current.shown_from
            t0 = time.monotonic()
            view.scroll_home(animate=False)
            pages.append(await frames.drawn(lambda b=before: app.chat.current.shown_from < b) - t0)
            await pilot.pause()
            most = max(most, mounted())
        gc.callbacks.remove(collections)
        out["paging_full_collections"] = full
        out["pages"] = len(pages)
        out["paging_worst"] = max(pages) if pages else 0.0
        out["paging_median"] = statistics.median(pages) if pages else 0.0
        out["paging_total"] = sum(pages)
        out["paging_slowest"] = sorted(pages)[-3:]
        out["most_mounted"] = most
        # What a full collection costs now, 80 turns mounted (the app's objects from start-up
        # are frozen, out of its sight): the pause a long session can see at any moment.
        gc.collect()
        started = time.perf_counter()
        gc.collect()
        out["full_collection"] = time.perf_counter() - started
        out["tracked_objects"] = len(gc.get_objects())
        out["reached_top"] = first_on_screen() or bool(
            app.chat.query(UserMessage) and app.chat.query(UserMessage).first().text == first_text
        )
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def main() -> None:
    mode, base_url, store_path, *extra = sys.argv[1:]
    if mode == "floor":
        result = floor(base_url, int(extra[0]))
    elif mode == "markdown":
        result = asyncio.run(markdown_reply(base_url, store_path, Path(extra[0]).read_text()))
    elif mode == "live":
        result = asyncio.run(live(base_url, store_path, Path(extra[0]).read_text(), int(extra[1])))
    elif mode == "textual_floor":
        text = Path(extra[0]).read_text()
        result = asyncio.run(textual_floor(text, float(extra[1]), float(extra[2])))
    elif mode == "rate":
        from rates import rate_child

        text = Path(extra[0]).read_text()
        here = sys.modules[__name__]
        result = asyncio.run(rate_child(here, base_url, store_path, text, int(extra[1])))
    elif mode == "attach":
        from attaching import attach_child

        here = sys.modules[__name__]
        result = asyncio.run(attach_child(here, base_url, store_path, extra))
    elif mode == "web":
        from web_reply import web_child

        here = sys.modules[__name__]
        result = asyncio.run(web_child(here, base_url, store_path))
    elif mode == "startup":
        result = asyncio.run(startup(base_url, store_path, bool(extra and extra[0] == "listed")))
    elif mode == "session":
        result = asyncio.run(
            long_session(base_url, store_path, extra[0], Path(extra[1]).read_text())
        )
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
