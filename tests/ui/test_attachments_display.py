"""How attachments show: a user turn's 📎 lines and an image's picture, live, queued and
reopened from the store; what a copy of the turn holds; ``/context``'s list with the API's
counts (the local server's, over real HTTP)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from textual.selection import SELECT_ALL

from claude_tui.core.attachments.fit import estimate_block_tokens
from claude_tui.core.attachments.info import attachment_line
from claude_tui.core.client import ApiSettings
from claude_tui.core.prompt import Prompt
from claude_tui.localapi.request import estimate_tokens
from claude_tui.localapi.server import LocalAPIServer, Scenario
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.screens.command_screens import ContextScreen
from claude_tui.ui.widgets.attachment_count_view import AttachmentCounts
from claude_tui.ui.widgets.attachment_preview import HALF_BLOCK, preview_rows
from claude_tui.ui.widgets.message import UserMessage

from .attachment_samples import PREVIEW, picture, three
from .helpers import command, make_app, replies_ended, wait_until

SIZE = (100, 40)
QUESTION = "What are these?"


@pytest.fixture(autouse=True)
def colour_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal that draws colour, whatever the one running the tests says."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLORTERM", "truecolor")


def drawn_lines(widget: UserMessage) -> list[str]:
    return str(widget.render()).split("\n")


async def submit(app: ClaudeTUI, text: str, *attachments: object) -> None:
    await app.chat.replies.submit(app.chat.current, Prompt(text, attachments))  # type: ignore[arg-type]


def test_a_preview_that_is_not_exactly_a_picture_draws_nothing() -> None:
    assert len(preview_rows(PREVIEW)) == 2
    for bad in (
        "",
        "4x3",
        "4x3:" + "d0" * 35,  # a byte short
        "4x3:" + "zz" * 36,  # not hex
        "0x3:",
        "4x3:" + "d0" * 36 + "\n",
        "4x3: " + "d0" * 36,
        "48x48:" + "102030" * 48 * 48,  # larger than the app makes them (24 × 16)
        "4x3:" + "D0" * 36,  # the app writes lower case
    ):
        assert preview_rows(bad) == (), bad
    largest = preview_rows("24x16:" + "102030" * 24 * 16)
    assert len(largest) == 8 and {row.cell_length for row in largest} == {3 + 24}


async def test_a_turn_with_attachments_live_queued_copied_and_reopened(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(text="A cat, a report and a helper.", ttft=0.3), Scenario(text="Yes."))
    png, pdf, py = three()
    broken = picture("4x3:nonsense", name="broken.png")
    lines = [attachment_line(b.info) for b in (png, broken, pdf, py) if b.info is not None]
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.chat.ready)
        await submit(app, QUESTION, png, broken, pdf, py)
        await submit(app, "", py)  # queued behind the reply: the file alone, no words
        queued = app.query(UserMessage).last()
        assert queued.has_class("queued") and drawn_lines(queued)[1:] == [lines[3]]
        await wait_until(pilot, replies_ended(app, 2))
        await pilot.pause()

        turn = app.query(UserMessage).first()
        drawn = drawn_lines(turn)
        # the label, each file's line (the picture under the PNG's, none under the broken
        # one), then the words
        assert drawn == ["You", lines[0], *[f"   {HALF_BLOCK * 4}"] * 2, *lines[1:], QUESTION]
        picture_row = turn.render().split()[2]
        colours = [(s.style.foreground, s.style.background) for s in picture_row.spans]
        assert [(f.hex, b.hex) for f, b in colours] == [
            ("#D03030", "#3050D0"),
            ("#30A050", "#3050D0"),
        ]  # type: ignore[union-attr]

        # a copy holds what is drawn, as text: the lines, never the picture's half blocks
        app.screen.selections = {turn: SELECT_ALL}
        assert app.screen.get_selected_text() == "\n".join(["You", *lines, QUESTION])
        # a triple click on the words' line selects that line, below the picture
        await pilot.click(turn, offset=(3, len(drawn) - 1), times=3)
        assert app.screen.get_selected_text() == QUESTION

        # with no colour (NO_COLOR), the lines alone
        app.no_color = True
        assert drawn_lines(turn) == ["You", *lines, QUESTION]
        app.no_color = False

        # reopened from the store: the same lines and picture
        session_id = app.chat.current.session_id
        assert session_id is not None
        await app.chat.run_action("new_conversation")
        await wait_until(pilot, lambda: not app.query(UserMessage))
        app.chat.open_session(session_id)
        await wait_until(pilot, lambda: len(app.query(UserMessage)) == 2)
        reopened = app.query(UserMessage)
        assert drawn_lines(reopened.first()) == drawn
        assert drawn_lines(reopened.last()) == ["You", lines[3]]


async def test_context_lists_each_attachment_with_its_count(
    server: LocalAPIServer, api: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Estimated at once, then counted by the API: one call for the word alone and one per
    file, and none again when ``/context`` opens a second time. A file sent twice is listed
    once, "× 2", and counted twice in the total."""
    from claude_tui.ui.chat.commands import session

    server.push(Scenario(text="Seen."), Scenario(text="Again."))
    png, pdf, py = three()
    app = make_app(api)
    release = threading.Event()
    real_count = session.ATTACHMENT_TOKENS.count

    def held(*args: Any) -> int:  # the API's counts wait until the estimates are seen
        release.wait(5)
        return real_count(*args)

    monkeypatch.setattr(session.ATTACHMENT_TOKENS, "count", held)
    threads: set[str] = set()

    def estimate(block: Any) -> int:  # may decode a whole source: never on the event loop
        threads.add(threading.current_thread().name)
        return estimate_block_tokens(block)

    from claude_tui.core.attachments import fit

    monkeypatch.setattr(fit, "estimate_block_tokens", estimate)  # /context imports it when used

    def counts() -> list[dict[str, object]]:
        return [r for r in server.requests if r["path"] == "/v1/messages/count_tokens"]

    def expected(block: object) -> int:
        word = {"type": "text", "text": "Hi"}
        whole = [{"role": "user", "content": [block, word]}]
        alone = [{"role": "user", "content": [word]}]
        return estimate_tokens({"messages": whole}) - estimate_tokens({"messages": alone})

    def rows(amounts: list[int], approx: str) -> list[str]:
        total = 2 * amounts[0] + amounts[1] + amounts[2]
        return [
            f"Attachments: 3 · {approx}{total:,} tokens",
            f"{attachment_line(png.info)} · {approx}{amounts[0]:,} tokens × 2",  # type: ignore[arg-type]
            f"{attachment_line(pdf.info)} · {approx}{amounts[1]:,} tokens",  # type: ignore[arg-type]
            f"{attachment_line(py.info)} · {approx}{amounts[2]:,} tokens",  # type: ignore[arg-type]
        ]

    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.chat.ready)
        await submit(app, QUESTION, png, pdf)
        await wait_until(pilot, replies_ended(app, 1))
        await submit(app, "and this?", py, png)  # the PNG again: listed once, "× 2"
        await wait_until(pilot, replies_ended(app, 2))
        await command(pilot, "/context")
        await wait_until(pilot, lambda: isinstance(app.screen, ContextScreen))
        listing = app.screen.query_one(AttachmentCounts)
        await wait_until(pilot, lambda: listing.text.count("\n") == 3)
        estimates = [estimate_block_tokens(b) for b in (png, pdf, py)]  # type: ignore[arg-type]
        assert listing.text.split("\n") == rows(estimates, "≈ ")
        assert threads and threading.main_thread().name not in threads
        release.set()
        await wait_until(pilot, lambda: "≈" not in listing.text)
        counted = [expected(b.to_api()) for b in (png, pdf, py)]  # type: ignore[attr-defined]
        assert counted != estimates
        assert listing.text.split("\n") == rows(counted, "")
        assert len(counts()) == 1 + 1 + 3  # the history, the word alone, each file
        await pilot.press("escape")
        await command(pilot, "/context")
        await wait_until(pilot, lambda: isinstance(app.screen, ContextScreen))
        again = app.screen.query_one(AttachmentCounts)
        assert "≈" not in again.text  # known from the first time: shown at once
        await wait_until(pilot, lambda: app.screen.query_one("#token-count").has_class("counted"))
        await pilot.pause()
        assert len(counts()) == 5 + 1  # the history alone
