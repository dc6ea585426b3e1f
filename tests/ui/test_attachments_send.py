"""The checks at send read the whole request, not the prompt alone: a file attached in an
earlier turn still goes with every prompt after it, so a model switched to since that cannot
read it is refused before anything is sent (the API would answer 400), for a typed prompt, a
queued one, and said at once by ``/model``.
"""

from __future__ import annotations

from pathlib import Path

from claude_tui.core.client import ApiSettings
from claude_tui.core.prompt import Prompt
from claude_tui.localapi.server import LocalAPIServer
from claude_tui.ui.widgets.prompt import PromptInput

from .helpers import command, make_app, notices, replies_ended, send, wait_until
from .test_attachments_input import files, ready_chips  # noqa: F401  (a fixture)

HAIKU = "claude-3-haiku-20240307"
"""Reads images, not PDFs."""


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
        await wait_until(pilot, lambda: "An earlier turn" in notices(app)[-1])
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
