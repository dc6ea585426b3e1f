"""The fault matrix (issue 5): one test per row, against the local server's fault knobs.

| fault                                   | the user sees                                     |
|-----------------------------------------|---------------------------------------------------|
| 401 / 403                               | authentication failed: check ANTHROPIC_API_KEY    |
|                                         | (no retries)                                      |
| 400 / 404 / 413                         | the API's own message                             |
| 429 with retry-after                    | a countdown, "rate limited, retrying in N s";     |
|                                         | Esc cancels it (the error once retries run out)   |
| 500 / 503 / 529                         | overloaded or server error; a visible backoff,    |
|                                         | then the error                                    |
| `error` event mid-stream                | overloaded, stream interrupted; partial text kept |
| connection dropped mid-stream           | connection lost; partial text kept                |
| stall: no event for stream_idle_timeout | no data for N s, stopped; partial text kept       |
| malformed event                         | invalid response from the API; partial text kept  |
| connection refused                      | cannot reach the API at URL                       |

The tests follow the table row by row and are named after it (``test_401_403_...``,
``test_429_countdown_then_esc``, ..., ``test_connection_refused_cannot_reach_the_api``).

Every failing row also checks the five promises, through ``fault_row``:

1. the error is shown inline, under the reply in the conversation (with "Ctrl+R retries");
2. what was streamed stays on screen;
3. the turn is marked error with the error text, and the reply is saved with status ``error``,
   the error text and the partial text;
4. Ctrl+R sends the last prompt again, with a history the API accepts (the local server answers
   400 to an invalid history, so a retry that completes proves it valid);
5. the app keeps chatting: a follow-up prompt completes.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.message import Message
from textual.pilot import Pilot

from claude_tui.core.client import ApiSettings
from claude_tui.core.conversation import TurnStatus
from claude_tui.core.events import Cancelled, Failed, Finished
from claude_tui.core.store import SessionStore, StoredMessage
from claude_tui.localapi.server import LocalAPIServer, Scenario, tokenize
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.messages import ReplyEvent
from claude_tui.ui.widgets.message import AssistantMessage
from claude_tui.ui.widgets.status import ReplyStatus

from .ui.helpers import make_app, replies_ended, send, send_and_finish, wait_until

SIZE = (100, 30)
PROMPT = "Explain the fault matrix"
REPLY = "Every fault ends with a clear error and keeps what was streamed."
PARTIAL = "".join(tokenize(REPLY)[:4])
"""What arrives before a mid-stream fault set to fire after four tokens."""
RETRIED = "The retry worked."
FOLLOW_UP, FOLLOW_UP_REPLY = "Still there?", "Still chatting."
ESC_BUDGET = 0.2

Hook = Callable[[Pilot[None], ClaudeTUI], Awaitable[None]]


# -- the table ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403])
async def test_401_403_authentication_failed_no_retries(
    server: LocalAPIServer, api: ApiSettings, status: int
) -> None:
    await fault_row(
        server, api, [Scenario(status=status)], sees=["Authentication failed", "ANTHROPIC_API_KEY"]
    )


@pytest.mark.parametrize(
    "status, message",
    [
        (400, "messages.0.content: Input should be a valid list"),
        (404, "model: claude-nonexistent-1"),
        (413, "Request exceeds the maximum allowed number of bytes (32 MB)."),
    ],
)
async def test_400_404_413_the_apis_own_message(
    server: LocalAPIServer, api: ApiSettings, status: int, message: str
) -> None:
    fault = Scenario(status=status, error_message=message)
    await fault_row(server, api, [fault], sees=[message, f"({status})"])


async def test_429_countdown_then_esc(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(status=429, retry_after=3600))
    app, watch = make_app(api), EndWatch()
    async with app.run_test(size=SIZE, message_hook=watch) as pilot:
        await send(pilot, PROMPT)
        status = app.query_one(ReplyStatus)
        await wait_until(pilot, lambda: "retrying in" in status_text(app))
        assert "Rate limited" in status_text(app)
        first = countdown(app)
        assert 55 <= first <= 60, "the wait is capped at 60 s whatever retry-after says"
        await wait_until(pilot, lambda: countdown(app) < first, timeout=3)  # it counts down

        pressed = time.monotonic()
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.chat.current.reply is None, timeout=2)
        assert watch.ended_at is not None and watch.ended_at - pressed < ESC_BUDGET
        assert len(server.message_requests) == 1, "the retry never went out"
        assert "retrying" not in str(status.render())

        turn = app.chat.current.conversation.turns[-1]
        assert turn.status is TurnStatus.CANCELLED and turn.text == ""
        assert "Cancelled" in notice_text(app)
        reply = saved(app)[-1]
        assert (reply.role, reply.status, reply.content) == ("assistant", "cancelled", "")
        await retry_and_keep_chatting(pilot, app, server, partial="", ended_as="cancelled")


async def test_429_retries_run_out_then_rate_limited(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    faults = [Scenario(status=429, retry_after=1.5), *[Scenario(status=429, retry_after=0.05)] * 2]
    await fault_row(
        server,
        api,
        faults,
        sees=["Rate limited (429)"],
        attempts=3,
        while_failing=backoff_shown("Rate limited"),
    )


@pytest.mark.parametrize(
    "status, sees, reason",
    [
        (500, "Server error (500)", "Server error"),
        (503, "Server error (503)", "Server error"),
        (529, "The API is overloaded (529)", "The API is overloaded"),
    ],
)
async def test_500_503_529_visible_backoff_then_the_error(
    server: LocalAPIServer, api: ApiSettings, status: int, sees: str, reason: str
) -> None:
    # the first wait is long enough to be seen even on a loaded machine; the others keep the
    # test quick
    faults = [
        Scenario(status=status, retry_after=1.5),
        *[Scenario(status=status, retry_after=0.05)] * 2,
    ]
    await fault_row(
        server, api, faults, sees=[sees], attempts=3, while_failing=backoff_shown(reason)
    )


async def test_error_event_mid_stream_interrupted_partial_kept(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    fault = Scenario(text=REPLY, error_after=4)
    await fault_row(server, api, [fault], sees=["interrupted", "overloaded"], partial=PARTIAL)


async def test_connection_dropped_lost_partial_kept(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    fault = Scenario(text=REPLY, drop_after=4)
    await fault_row(server, api, [fault], sees=["lost"], partial=PARTIAL)


async def test_stall_no_data_for_n_s_partial_kept(server: LocalAPIServer, api: ApiSettings) -> None:
    fault = Scenario(text=REPLY, stall_after=4)
    await fault_row(
        server,
        api,
        [fault],
        sees=["No data", "0.5 s"],
        partial=PARTIAL,
        settings={"stream_idle_timeout": 0.5},
    )


async def test_malformed_event_invalid_response_partial_kept(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    fault = Scenario(text=REPLY, malformed_after=4)
    await fault_row(server, api, [fault], sees=["Invalid response"], partial=PARTIAL)


async def test_connection_refused_cannot_reach_the_api() -> None:
    with LocalAPIServer() as gone:  # a port that was just free: nothing listens there now
        port, dead_url = gone.port, gone.base_url
    revived = LocalAPIServer(port=port)  # the server comes back before Ctrl+R
    try:
        await fault_row(
            revived,
            ApiSettings(api_key="k", base_url=dead_url, request_timeout=10.0),
            [],
            sees=[f"Cannot reach the API at {dead_url}"],
            attempts=0,
            settings={"max_retries": 0},
            before_retry=revived.start,
        )
    finally:
        revived.stop()


# -- the five promises, shared by every failing row --------------------------------------------


async def fault_row(
    server: LocalAPIServer,
    api: ApiSettings,
    faults: list[Scenario],
    *,
    sees: list[str],
    partial: str = "",
    attempts: int = 1,
    settings: dict[str, Any] | None = None,
    while_failing: Hook | None = None,
    before_retry: Callable[[], object] | None = None,
) -> None:
    """Send PROMPT into ``faults``; check what the user sees and what is kept; then retry with
    Ctrl+R and chat on. ``attempts``: the requests the failure takes (1 + retries)."""
    server.push(*faults)
    app = make_app(api, **(settings or {}))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, PROMPT)
        if while_failing is not None:
            await while_failing(pilot, app)
        await wait_until(pilot, replies_ended(app, 1), timeout=15)
        await pilot.pause()
        assert len(server.message_requests) == attempts

        # shown inline under the reply, with what had arrived above it
        notice = notice_text(app)
        for fragment in sees:
            assert fragment in notice, f"{fragment!r} not in the notice {notice!r}"
        assert "Ctrl+R" in notice
        assert app.query_one(AssistantMessage).text == partial
        assert not app.query_one(AssistantMessage).streaming

        # the turn, and the saved reply
        turn = app.chat.current.conversation.turns[-1]
        assert turn.status is TurnStatus.ERROR
        assert turn.text == partial
        assert turn.error is not None and all(fragment in turn.error for fragment in sees)
        await session_saved(pilot, app)
        user, reply = saved(app)
        assert (user.role, user.content, user.status) == ("user", PROMPT, "complete")
        assert (reply.role, reply.status, reply.error) == ("assistant", "error", turn.error)
        assert reply.content == partial

        if before_retry is not None:
            before_retry()
        await retry_and_keep_chatting(pilot, app, server, partial=partial, ended_as="error")


async def retry_and_keep_chatting(
    pilot: Pilot[None], app: ClaudeTUI, server: LocalAPIServer, *, partial: str, ended_as: str
) -> None:
    """Ctrl+R sends PROMPT again and completes; a follow-up completes; all of it is saved."""
    before = len(server.message_requests)
    server.push(Scenario(text=RETRIED))
    await pilot.press("ctrl+r")
    await wait_until(pilot, replies_ended(app, 2), timeout=10)
    assert len(server.message_requests) == before + 1
    history = server.message_requests[-1]["body"]["messages"]
    assert history[-1]["role"] == "user"
    assert history[-1]["content"][-1]["text"] == PROMPT
    if partial:  # the failed partial reply is part of the history the retry sends
        assert {"type": "text", "text": partial} in history[-2]["content"]
    else:  # nothing came back: the prompt is answered again, not sent twice
        assert history[-1]["content"] == [{"type": "text", "text": PROMPT}]
    turns = app.chat.current.conversation.turns
    assert (turns[-1].status, turns[-1].text) == (TurnStatus.COMPLETE, RETRIED)

    server.push(Scenario(text=FOLLOW_UP_REPLY))
    await send_and_finish(pilot, FOLLOW_UP)
    assert (turns[-1].status, turns[-1].text) == (TurnStatus.COMPLETE, FOLLOW_UP_REPLY)
    assert [w.text for w in app.query(AssistantMessage)] == [partial, RETRIED, FOLLOW_UP_REPLY]

    retried_prompt = [("user", PROMPT, "complete")] if partial else []
    assert [(m.role, m.content, m.status) for m in saved(app)] == [
        ("user", PROMPT, "complete"),
        ("assistant", partial, ended_as),
        *retried_prompt,
        ("assistant", RETRIED, "complete"),
        ("user", FOLLOW_UP, "complete"),
        ("assistant", FOLLOW_UP_REPLY, "complete"),
    ]


# -- small helpers -----------------------------------------------------------------------------


def backoff_shown(reason: str) -> Hook:
    """While the request fails: the status line shows the reason and a retry countdown."""

    async def check(pilot: Pilot[None], app: ClaudeTUI) -> None:
        await wait_until(pilot, lambda: "retrying in" in status_text(app), timeout=5)
        shown = status_text(app)
        assert reason in shown and "attempt 2 of 3" in shown, shown

    return check


def status_text(app: ClaudeTUI) -> str:
    return str(app.query_one(ReplyStatus).render())


def countdown(app: ClaudeTUI) -> int:
    found = re.search(r"retrying in (\d+) s", status_text(app))
    assert found is not None, status_text(app)
    return int(found.group(1))


def notice_text(app: ClaudeTUI) -> str:
    """The notice under the (first) reply."""
    return str(app.query(AssistantMessage).first().query_one(".notice").render())


async def session_saved(pilot: Pilot[None], app: ClaudeTUI) -> None:
    """The reply's worker has told the screen the session's id. One full run found no id
    here, and it has not been reproduced since (25 runs under load): if it happens again, the
    failure says what the app showed, a store problem or nothing."""
    try:
        await wait_until(pilot, lambda: app.chat.current.session_id is not None, timeout=5)
    except AssertionError:
        shown = [notification.message for notification in app._notifications]
        raise AssertionError(f"the session was never saved; notifications: {shown}") from None


def saved(app: ClaudeTUI) -> list[StoredMessage]:
    """The visible session's messages as the store has them."""
    session_id = app.chat.current.session_id
    assert session_id is not None
    with SessionStore.open() as store:
        return store.messages(session_id)


class EndWatch:
    """A message hook noting when the UI takes in the end of a reply."""

    def __init__(self) -> None:
        self.ended_at: float | None = None

    def __call__(self, message: Message) -> None:
        if isinstance(message, ReplyEvent) and isinstance(
            message.event, Cancelled | Failed | Finished
        ):
            self.ended_at = time.monotonic()
