"""The refresh rate rules every redraw while a reply streams (issue 15).

Frames are counted where Textual writes them: ``App._display`` with something to write, called
once per compositor refresh that changed anything on screen. Every count is an upper bound
(``refresh_rate`` a second, plus a little slack for the window's edges) and a lower one (frames
do happen), measured over windows timed by the clock itself, so a slow, loaded machine only
makes the counts smaller, never the test fail.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from textual.app import App
from textual.message import Message
from textual.pilot import Pilot

from claude_tui.core.client import ApiSettings
from claude_tui.core.events import BlockDelta
from claude_tui.localapi.server import LocalAPIServer, Scenario, generate_text, tokenize
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.chat.frame_clock import HEARTBEAT
from claude_tui.ui.messages import ReplyEvent
from claude_tui.ui.widgets.status import ReplyStatus

from .helpers import make_app, replies_ended, send, wait_until

SLACK = 2
"""Frames a window may hold beyond its rate: one at each edge."""


class Frames:
    """The times of the frames Textual writes (``App._display`` with something to write)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.times: list[float] = []
        display = App._display

        def counted(app: App[object], screen: object, renderable: object) -> None:
            if renderable is not None:
                self.times.append(time.monotonic())
            display(app, screen, renderable)  # type: ignore[arg-type]

        monkeypatch.setattr(App, "_display", counted)

    async def count(self, pilot: Pilot[None], seconds: float) -> tuple[int, float]:
        """Frames written during the next ``seconds`` (as long as they really last)."""
        start = time.monotonic()
        await pilot.pause(seconds)
        end = time.monotonic()
        return sum(start <= t <= end for t in self.times), end - start


def streamed(app: ClaudeTUI) -> str:
    reply = app.chat.current.reply
    return reply.turn.text if reply is not None else ""


def assert_paced(frames: int, seconds: float, per_second: float, label: str) -> None:
    most = per_second * seconds + SLACK
    assert frames <= most, f"{label}: {frames} frames in {seconds:.2f} s, at most {most:.0f}"
    least = max(1, int(min(per_second, 10) * seconds / 4))
    assert frames >= least, f"{label}: {frames} frames in {seconds:.2f} s, at least {least}"


@pytest.mark.parametrize("rate", [2, 10, 30])
async def test_frames_follow_the_refresh_rate_while_text_flows_and_during_a_stall(
    server: LocalAPIServer, api: ApiSettings, monkeypatch: pytest.MonkeyPatch, rate: int
) -> None:
    """Text at 100 tokens a second, then a stall of 4 s, then the rest: at most ``rate``
    frames a second while text flows (the reply, the spinner and the metrics share them), and
    at most ``min(rate, 10)`` during the stall (the spinner and the elapsed time still move,
    ``HEARTBEAT`` apart). The final text is the whole reply."""
    text = generate_text(400)
    tokens = tokenize(text)
    stall_at = 250
    server.push(Scenario(text=text, rate=100, stall_after=stall_at, stall_seconds=4.0))
    frames = Frames(monkeypatch)
    spinner: list[str] = []  # what the status line showed, each time it changed
    show = ReplyStatus._show

    def shown(status: ReplyStatus, text: str) -> None:
        spinner.append(text)
        show(status, text)

    monkeypatch.setattr(ReplyStatus, "_show", shown)
    app = make_app(api, refresh_rate=rate)
    async with app.run_test(size=(110, 30)) as pilot:
        await send(pilot, "go")
        await wait_until(pilot, lambda: len(streamed(app)) > 0)
        await pilot.pause(0.2)
        flowing, seconds = await frames.count(pilot, 1.2)
        assert len(streamed(app)) < len("".join(tokens[:stall_at])), "the window was not all flow"
        assert_paced(flowing, seconds, rate, "text flowing")

        before_stall = "".join(tokens[:stall_at])
        await wait_until(pilot, lambda: streamed(app) == before_stall)
        metrics_before = str(app.chat.metrics_bar.render())
        await pilot.pause(0.1)
        spinner.clear()
        stalled, seconds = await frames.count(pilot, 1.5)
        assert streamed(app) == before_stall, "the window was not all stall"
        assert_paced(stalled, seconds, min(rate, 1 / HEARTBEAT), "stalled")
        assert len(set(spinner)) >= 2  # the spinner moved
        assert str(app.chat.metrics_bar.render()) != metrics_before  # and the elapsed time

        await wait_until(pilot, replies_ended(app, 1), timeout=20)
        assert app.chat.current.conversation.turns[-1].text == text  # no word lost


async def test_a_new_rate_applies_at_once_to_the_reply_in_flight(
    server: LocalAPIServer, api: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``/rate 2`` while a reply streams at 30: from then on its batches (the runner's) and
    the frames (the screen's) come at most twice a second; ``/rate 20`` brings them back."""
    text = generate_text(700)
    server.push(Scenario(text=text, rate=100))
    frames = Frames(monkeypatch)
    batches: list[float] = []

    def hook(message: Message) -> None:
        if isinstance(message, ReplyEvent) and isinstance(message.event, BlockDelta):
            batches.append(time.monotonic())

    def count_batches(since: float) -> Callable[[], int]:
        return lambda: sum(t >= since for t in batches)

    app = make_app(api, refresh_rate=30)
    async with app.run_test(size=(110, 30), message_hook=hook) as pilot:
        await send(pilot, "go")
        await wait_until(pilot, lambda: len(streamed(app)) > 0)
        await pilot.pause(0.2)
        app.update_settings(refresh_rate=2)
        await pilot.pause(0.1)  # a batch the runner sent before it heard may still arrive
        since = time.monotonic()
        slow, seconds = await frames.count(pilot, 1.5)
        slow_batches = count_batches(since)()
        assert app.chat.current.reply is not None, "the reply ended too soon"
        assert_paced(slow, seconds, 2, "after /rate 2")
        assert slow_batches <= 2 * seconds + SLACK, slow_batches

        app.update_settings(refresh_rate=20)
        await pilot.pause(0.1)
        since = time.monotonic()
        fast, seconds = await frames.count(pilot, 1.0)
        assert app.chat.current.reply is not None, "the reply ended too soon"
        assert fast <= 20 * seconds + SLACK
        assert count_batches(since)() > 2 * seconds + SLACK  # more than rate 2 would allow
        await wait_until(pilot, replies_ended(app, 1), timeout=20)
        assert app.chat.current.conversation.turns[-1].text == text


async def test_the_prompt_cursor_does_not_blink_while_a_reply_streams(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    """Its blink would be two frames a second of its own, outside the rate."""
    server.push(Scenario(text="alpha beta gamma", stall_after=1, stall_seconds=1.0))
    app = make_app(api)
    async with app.run_test(size=(110, 30)) as pilot:
        prompt = app.chat.prompt_input
        await wait_until(pilot, lambda: app.chat.ready)
        assert prompt.cursor_blink
        await send(pilot, "go")
        await wait_until(pilot, lambda: app.chat.current.reply is not None)
        await wait_until(pilot, lambda: not prompt.cursor_blink)
        await wait_until(pilot, replies_ended(app, 1))
        assert prompt.cursor_blink


async def test_a_change_beside_the_reply_waits_for_the_clocks_next_frame(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    """The title and the sidebar's marker change when a reply starts and is first saved:
    while a reply streams, such a change is made in the clock's next frame, not in a frame of
    its own; with nothing streaming, at once."""
    server.push(Scenario(text=generate_text(300), rate=100))
    app = make_app(api, refresh_rate=2)
    async with app.run_test(size=(110, 30)) as pilot:
        replies = app.chat.replies
        made: list[int] = []
        await send(pilot, "go")
        await wait_until(pilot, lambda: len(streamed(app)) > 0)
        before = replies.frames
        replies.in_next_frame(lambda: made.append(replies.frames))
        assert made == []  # not now: a frame at rate 2 is half a second away at the most
        await wait_until(pilot, lambda: bool(made))
        assert made == [before + 1]  # made as the next frame began
        await wait_until(pilot, replies_ended(app, 1), timeout=20)
        replies.in_next_frame(lambda: made.append(-1))
        assert made[-1] == -1  # nothing streams: at once
