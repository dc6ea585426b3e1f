"""The checks at send read the whole request, not the prompt alone: a file attached in an
earlier turn still goes with every prompt after it, so a model switched to since that cannot
read it is refused before anything is sent (the API would answer 400), for a typed prompt, a
queued one, and said at once by ``/model``.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from claude_tui.core.client import ApiSettings
from claude_tui.core.prompt import Prompt
from claude_tui.localapi.server import LocalAPIServer
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.chat.send_files import missing_words
from claude_tui.ui.widgets.prompt import PromptInput

from .helpers import command, last_body, make_app, notices, replies_ended, send, wait_until
from .test_attachments_input import files, ready_chips  # noqa: F401  (a fixture)

HAIKU = "claude-3-haiku-20240307"
"""Reads images, not PDFs."""


def last_notice(app: ClaudeTUI) -> str:
    said = notices(app)
    return said[-1] if said else ""


async def test_a_pdf_of_an_earlier_turn_stops_a_model_that_cannot_read_it(
    server: LocalAPIServer,
    api: ApiSettings,
    files: dict[str, Path],  # noqa: F811
) -> None:
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        app.chat.attachments.add([files["report"]])
        await wait_until(pilot, ready_chips(app, 1))
        await send(pilot, "read it")
        await wait_until(pilot, replies_ended(app, 1))
        assert len(server.message_requests) == 1
        # /model says at once what the new model cannot read of this session
        await command(pilot, f"/model {HAIKU}")
        said = notices(app)[-1]
        assert f"{HAIKU} does not read PDFs (my report.pdf)" in said
        assert "earlier turns hold them" in said
        # a plain prompt is refused, nothing sent; the notice names the turn and a model
        await send(pilot, "hi")
        await wait_until(pilot, lambda: "An earlier turn" in last_notice(app))
        said = notices(app)[-1]
        assert said.startswith(f"{HAIKU} does not read PDFs (my report.pdf): ")
        assert "/model claude-" in said and "nothing was sent" in said
        assert len(server.message_requests) == 1
        prompt = app.query_one(PromptInput)
        assert prompt.text == "hi"
        # a queued prompt leaving the queue is checked the same way: back to the input
        prompt.clear()
        state = app.chat.current
        state.queue.append(Prompt("queued"))
        before = len(notices(app))
        await app.chat.send_guard.send_queued(state)
        await pilot.pause()
        assert len(server.message_requests) == 1
        assert any("An earlier turn" in said for said in notices(app)[before:])
        assert prompt.text == "queued" and state.queue == []


async def test_an_enter_waits_for_its_chip_and_goes_on_by_itself(
    server: LocalAPIServer,
    api: ApiSettings,
    files: dict[str, Path],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Enter while a chip is read sends once it is ready, if the input is as it was; typed
    into meanwhile, it is not sent. The files are looked at off the event loop."""
    from claude_tui.core.attachments import paths, prepare
    from claude_tui.ui.chat import send_files

    release = threading.Event()
    real = prepare.prepare_attachment

    def slow(path: Path, **kwargs: Any) -> Any:
        release.wait(5)
        return real(path, **kwargs)

    threads: set[str] = set()

    def signature(path: Path) -> Any:
        threads.add(threading.current_thread().name)
        return prepare.file_signature(path)

    def is_file(path: Path) -> bool:
        threads.add(threading.current_thread().name)
        return path.is_file()

    monkeypatch.setattr(prepare, "prepare_attachment", slow)  # the UI imports it when used
    monkeypatch.setattr(send_files, "file_signature", signature)
    monkeypatch.setattr(paths, "_is_file", is_file)
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        app.chat.attachments.add([files["shot"]])
        await send(pilot, "what is it? see @util.py")
        await wait_until(pilot, lambda: "sent once its chip is ready" in last_notice(app))
        assert notices(app)[-1].startswith("Still reading shot.png")
        release.set()
        await wait_until(pilot, replies_ended(app, 1))
        sent = [block["type"] for block in last_body(server)["messages"][-1]["content"]]
        assert sent == ["image", "document", "text"]
        assert threads and threading.main_thread().name not in threads
        # typed into while it waited: not sent
        release.clear()
        app.chat.attachments.add([files["shot"]])
        await send(pilot, "again")
        await wait_until(pilot, lambda: "sent once its chip is ready" in last_notice(app))
        app.query_one(PromptInput).insert("!")
        release.set()
        await wait_until(pilot, lambda: not app.chat.attachments.reading)
        await wait_until(pilot, lambda: "Not sent" in last_notice(app))
        assert len(server.message_requests) == 1
        assert app.query_one(PromptInput).text == "again!"


async def test_an_at_word_naming_no_file_is_refused_once(
    server: LocalAPIServer,
    api: ApiSettings,
    files: dict[str, Path],  # noqa: F811
) -> None:
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "look @no.py")
        await wait_until(pilot, lambda: last_notice(app).startswith("No file"))
        assert notices(app)[-1] == "No file no.py: Enter again sends it as text."
        assert server.message_requests == []
        await pilot.press("enter")
        await wait_until(pilot, replies_ended(app, 1))
        assert last_body(server)["messages"][-1]["content"] == [
            {"type": "text", "text": "look @no.py"}
        ]


def test_which_at_words_look_like_paths() -> None:
    text = "ask @alice about @no.py, @src/x and a@b.com; @util.py @'my notes.txt' @here."
    assert missing_words(text, [(text.index("@util.py"), text.index("@util.py") + 8)]) == [
        "no.py",
        "src/x",
        "my notes.txt",
    ]
