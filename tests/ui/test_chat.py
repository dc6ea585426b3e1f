"""The chat screen driven as a person would, against the local server over real HTTP."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.message import Message

from claude_tui.core.client import ApiSettings
from claude_tui.core.conversation import TurnStatus
from claude_tui.core.events import BlockDelta, Finished, Started, Usage
from claude_tui.core.metrics import StreamMetrics
from claude_tui.core.store import SessionStore
from claude_tui.localapi.server import LocalAPIServer, Scenario, tokenize
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.messages import ReplyEvent
from claude_tui.ui.widgets import metrics as metrics_module
from claude_tui.ui.widgets import status as status_module
from claude_tui.ui.widgets.conversation import ConversationView, JumpToEnd, Welcome
from claude_tui.ui.widgets.markdown.view import MarkdownView
from claude_tui.ui.widgets.message import AssistantMessage, UserMessage
from claude_tui.ui.widgets.metrics import MetricsBar
from claude_tui.ui.widgets.prompt import PromptInput
from claude_tui.ui.widgets.status import ReplyStatus

from .helpers import make_app, options, ready, replies_ended, send, send_and_finish, wait_until

REPLY = (
    "## Plan\n\n1. First\n2. Second\n\n```python\nprint('hi')\n```\n\n"
    "| a | b |\n|---|---|\n| 1 | 2 |"
)


def metrics_line(app: ClaudeTUI) -> str:
    return str(app.query_one(MetricsBar).render())


async def test_send_stream_finish(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(text=REPLY, rate=60))
    seen: list[object] = []

    def hook(message: Message) -> None:
        if isinstance(message, ReplyEvent):
            seen.append(type(message.event))

    app = make_app(api)
    # wide enough for the whole metrics line beside the sidebar (stop reason included)
    async with app.run_test(size=(140, 30), message_hook=hook) as pilot:
        await send(pilot, "make a plan")
        await wait_until(pilot, replies_ended(app, 1))
        await pilot.pause()
        user = app.query_one(UserMessage)
        assert user.text == "make a plan"
        reply = app.query_one(AssistantMessage)
        assert reply.text == REPLY
        assert not app.query(Welcome)
        assert not app.query_one(ReplyStatus).has_class("active")
        assert app.query_one(PromptInput).text == ""
        turns = app.chat.current.conversation.turns
        assert [(t.role, t.status) for t in turns] == [
            ("user", TurnStatus.COMPLETE),
            ("assistant", TurnStatus.COMPLETE),
        ]
        line = metrics_line(app)
        assert "TTFT" in line and "ms" in line and "tok/s" in line
        assert "(est.)" not in line  # final usage arrived
        assert "end_turn" in line and "$0.0" in line
    assert seen[0] is Started and seen[1] is Usage and seen[-1] is Finished
    assert BlockDelta in seen


async def test_markdown_is_rendered_while_streaming(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    # all of REPLY arrives, then the stream holds still so the test can look mid-stream
    server.push(Scenario(text=REPLY + "\n\nmore", stall_after=len(tokenize(REPLY))))
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "go")
        reply_widget = None
        await wait_until(pilot, lambda: bool(app.query(AssistantMessage)))
        reply_widget = app.query_one(AssistantMessage)
        await wait_until(pilot, lambda: reply_widget.text == REPLY)
        await pilot.pause(0.1)
        assert app.chat.current.reply is not None  # still streaming
        view = reply_widget.query_one(MarkdownView)
        shown = view.rendered_text()
        assert "Plan" in shown and "## Plan" not in shown  # a heading, not its source
        assert "print('hi')" in shown and "```" not in shown  # a code fence, rendered
        assert shown.rstrip().endswith("▊")  # the streaming cursor
        assert app.query_one(ReplyStatus).has_class("active")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.chat.current.reply is None)


async def test_escape_mid_stream_keeps_partial_text_and_sends_it_next(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(tokens=4000, rate=200), Scenario(text="Continuing."))
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "write a lot")
        await wait_until(pilot, lambda: len(app.query(AssistantMessage)) == 1)
        widget = app.query_one(AssistantMessage)
        await wait_until(pilot, lambda: len(widget.text) > 50)
        await pilot.press("escape")  # how fast: tests/ui/test_cancel_and_queue.py
        await wait_until(pilot, lambda: app.chat.current.reply is None, timeout=2)
        assert server.wait_for_disconnect(1.0)  # the server saw the connection go
        await pilot.pause()
        turn = app.chat.current.conversation.turns[-1]
        assert turn.status is TurnStatus.CANCELLED
        assert turn.text and widget.text == turn.text
        notice = widget.query_one(".notice")
        assert "Cancelled" in str(notice.render())
        assert "▊" not in widget.query_one(MarkdownView).rendered_text()

        await send_and_finish(pilot, "go on")
        history = server.requests[-1]["body"]["messages"]
        assert [m["role"] for m in history] == ["user", "assistant", "user"]
        assert history[1]["content"][0]["text"] == turn.text
        assert app.query(AssistantMessage)[-1].text == "Continuing."


async def test_empty_prompt_sends_nothing(server: LocalAPIServer, api: ApiSettings) -> None:
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("enter")
        await pilot.press("space", "space", "enter")
        await pilot.pause(0.1)
        assert not app.query(UserMessage)
        assert server.requests == []


async def test_ctrl_j_inserts_a_newline(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(text="ok"))
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("a", "ctrl+j", "b")
        assert app.query_one(PromptInput).text == "a\nb"
        await pilot.press("enter")
        await wait_until(pilot, lambda: server.wait_for_requests(1, 0))
        sent = server.requests[0]["body"]["messages"][0]["content"][0]["text"]
        assert sent == "a\nb"


async def test_up_recalls_earlier_prompts(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(text="one"), Scenario(text="two"))
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await send_and_finish(pilot, "first prompt")
        await send_and_finish(pilot, "second prompt")
        prompt = app.query_one(PromptInput)
        await pilot.press("up")
        assert prompt.text == "second prompt"
        await pilot.press("up")
        assert prompt.text == "first prompt"
        await pilot.press("down")
        assert prompt.text == "second prompt"
        await pilot.press("down")
        assert prompt.text == ""


async def test_prompt_sent_while_streaming_is_queued_not_lost(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    # the first reply holds still for a second in the middle, so the second prompt meets it
    first = Scenario(text="alpha beta gamma delta", stall_after=2, stall_seconds=3.0)
    server.push(first, Scenario(text="second answer"))
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "first")
        await wait_until(pilot, lambda: app.chat.current.reply is not None)
        await send(pilot, "second")
        await pilot.pause()
        queued = app.query(UserMessage)[-1]
        assert queued.has_class("queued")
        assert str(queued.render()).split("\n") == [
            "You · queued, sends when the reply ends",
            "second",
        ]
        assert len(server.requests) == 1
        await wait_until(pilot, replies_ended(app, 2))
        await pilot.pause()
        assert not queued.has_class("queued")
        assert str(queued.render()).split("\n") == ["You", "second"]
        assert server.requests[1]["body"]["messages"][-1]["content"][0]["text"] == "second"
        assert app.query(AssistantMessage)[-1].text == "second answer"


async def test_metrics_update_live(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(tokens=1500, rate=150))
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "go")
        await wait_until(
            pilot, lambda: "(est.)" in metrics_line(app) or "tok/s ~" in metrics_line(app)
        )
        first = metrics_line(app)
        await pilot.pause(0.3)
        assert metrics_line(app) != first  # elapsed and counts move while streaming
        assert "TTFT" in first and "ms" in first
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.chat.current.reply is None)


class FakeClock:
    """``time`` for the status and metrics widgets, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


class LinesApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ReplyStatus()
        yield MetricsBar()


async def test_status_and_metrics_move_only_in_the_frames_of_the_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The spinner and the metrics line have no timer of their own: they move when the frame
    clock calls ``tick`` (issue 15), the spinner a step a frame at most ten times a second,
    the metrics at most ten redraws a second (they show tenths). Run on a clock of the test's
    own: real time passing alone redraws nothing."""
    clock = FakeClock()
    monkeypatch.setattr(status_module, "time", clock)
    monkeypatch.setattr(metrics_module, "time", clock)
    async with LinesApp().run_test() as pilot:
        await pilot.pause()  # laid out (a resize redraws the metrics)
        status, bar = pilot.app.query_one(ReplyStatus), pilot.app.query_one(MetricsBar)
        redraws: list[str] = []

        def spy_on(widget: MetricsBar | ReplyStatus) -> None:
            update = widget.update

            def spy(*args: object, **kwargs: object) -> None:
                redraws.append(type(widget).__name__)
                update(*args, **kwargs)  # type: ignore[arg-type]

            widget.update = spy  # type: ignore[method-assign]

        spy_on(status)
        spy_on(bar)
        start = clock.now
        metrics = StreamMetrics(model="m", started_at=start, first_token_at=start)
        status.waiting()
        bar.show(metrics)
        assert redraws == ["ReplyStatus", "MetricsBar"]  # a reply starts: drawn at once
        redraws.clear()
        clock.now += 1.0
        bar.show(metrics.with_(last_token_at=clock.now, output_chars=400))  # stored only
        await pilot.pause(0.5)
        assert redraws == []  # nothing moves by itself

        for _ in range(30):  # a second of frames at 30 a second
            clock.now += 1 / 30
            status.tick(clock.now)
            bar.tick(clock.now)
        assert 9 <= redraws.count("ReplyStatus") <= 11
        assert 5 <= redraws.count("MetricsBar") <= 11
        redraws.clear()
        for _ in range(4):  # two seconds at 2 a second: each frame moves both
            clock.now += 0.5
            status.tick(clock.now)
            bar.tick(clock.now)
        assert redraws.count("ReplyStatus") == 4 and redraws.count("MetricsBar") == 4


async def test_scrolling_up_stops_following_until_asked(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(text="line\n\n" * 2000, rate=100))
    app = make_app(api)
    async with app.run_test(size=(80, 24)) as pilot:
        await send(pilot, "long")
        view = app.query_one(ConversationView)
        await wait_until(pilot, lambda: view.max_scroll_y > 30)
        await pilot.press("pageup")
        await pilot.pause(0.1)
        held = view.scroll_y
        await pilot.pause(0.4)
        assert app.chat.current.reply is not None
        assert view.scroll_y == held  # stays put while text grows below
        assert app.query_one(JumpToEnd).has_class("visible")
        await pilot.press("ctrl+end")
        await pilot.pause(0.2)
        assert not app.query_one(JumpToEnd).has_class("visible")
        assert view.scroll_y >= view.max_scroll_y - 1
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.chat.current.reply is None)


async def test_ctrl_n_starts_a_new_conversation(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(text="one"), Scenario(text="fresh"))
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await send_and_finish(pilot, "hello")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert not app.query(UserMessage) and app.query(Welcome)
        await send_and_finish(pilot, "again")
        assert len(server.requests[-1]["body"]["messages"]) == 1


async def test_ctrl_q_while_streaming_exits_cleanly(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(tokens=5000, rate=100))
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "go")
        await wait_until(pilot, lambda: bool(app.query(AssistantMessage)))
        await wait_until(pilot, lambda: bool(app.query_one(AssistantMessage).text))
        await pilot.press("ctrl+q")
        await pilot.pause(0.2)
    assert app.return_code == 0
    assert server.wait_for_disconnect(0.5)
    with SessionStore.open() as store:
        (session,) = store.list_sessions()
        reply = store.messages(session.id)[-1]
    assert reply.status == "cancelled" and reply.content  # the partial text, saved


async def test_without_a_key_it_says_what_to_do(server: LocalAPIServer) -> None:
    app = ClaudeTUI(options(ApiSettings(api_key=None, base_url=server.base_url)))
    async with app.run_test(size=(100, 30)) as pilot:
        welcome = str(app.query_one(Welcome).render())
        assert "ANTHROPIC_API_KEY" in welcome and "claude-tui --demo" in welcome
        await send(pilot, "hello?")
        await pilot.pause(0.1)
        assert app.query_one(PromptInput).text == "hello?"  # kept, not lost
        assert server.requests == []
        assert app.is_running


def test_metrics_line_never_cut_off() -> None:
    from claude_tui.core.metrics import StreamMetrics
    from claude_tui.ui.widgets.metrics import format_metrics

    worst = StreamMetrics(
        model="claude-sonnet-5-5",
        started_at=0.0,
        first_token_at=3.492,
        last_token_at=62.0,
        ended_at=62.0,
        output_chars=99_999,
        input_tokens=123_456,
        output_tokens=12_345,
        usage_final=True,
        stop_reason="stop_sequence",
    )
    line = format_metrics(worst, 62.0, width=105)
    assert len(line) <= 105 and "\n" not in line
    assert line.startswith("sonnet-5-5 │")  # the model in use comes first
    # narrower: one line still, fields left out whole rather than cut or wrapped
    at_80 = format_metrics(worst, 62.0, width=78)
    assert at_80 == "TTFT 3,492ms │ tok/s 211 │ in 123,456 out 12,345 │ ctx – │ 62.0s │ ≈$0.5555"
    at_60 = format_metrics(worst, 62.0, width=58)
    assert at_60 == "TTFT 3,492ms │ tok/s 211 │ in 123,456 out 12,345 │ ctx –"
    for width in range(20, 105):
        line = format_metrics(worst, 62.0, width=width)
        assert "\n" not in line and (len(line) <= width or " │ " not in line)
    assert "TTFT" in line and "tok/s" in line
    live = worst.with_(ended_at=None, usage_final=False, stop_reason=None)
    narrow = format_metrics(live, 30.0, width=78)
    assert "tok/s ~" in narrow and "out ~" in narrow and "≈$" in narrow  # estimates marked
    assert "(est.)" in format_metrics(live, 30.0, width=200)


async def test_a_crash_in_the_worker_is_shown_and_the_app_keeps_chatting(
    server: LocalAPIServer, api: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claude_tui.core.runner import StreamRunner

    real_run = StreamRunner.run
    calls = 0

    def crash_once(self: StreamRunner) -> object:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("runner bug")
        return real_run(self)

    monkeypatch.setattr(StreamRunner, "run", crash_once)
    server.push(Scenario(text="fine now"))
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "first")
        await wait_until(pilot, replies_ended(app, 1))
        await pilot.pause()
        turn = app.chat.current.conversation.turns[-1]
        assert turn.status is TurnStatus.ERROR and "runner bug" in (turn.error or "")
        notice = app.query_one(AssistantMessage).query_one(".notice")
        assert "runner bug" in str(notice.render())
        await send_and_finish(pilot, "second")
        assert app.query(AssistantMessage)[-1].text == "fine now"
