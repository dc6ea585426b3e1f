"""Content blocks through the whole app: a block whose kind the app does not know is shown as one
neutral line where it stands, saved, and sent back unchanged in the next request's history."""

from __future__ import annotations

from textual.geometry import Region
from textual.widget import Widget

from claude_tui.core.blocks import TextBlock, UnknownBlock
from claude_tui.core.client import ApiSettings
from claude_tui.core.store import SessionStore
from claude_tui.localapi.server import LocalAPIServer, Scenario
from claude_tui.ui.widgets.message import AssistantMessage

from .helpers import make_app, send_and_finish, wait_until

FUTURE = {"type": "future_block", "data": {"nested": [1, "two", None], "note": "kept ✓"}}
CONTENT = [
    {"type": "text", "text": "Before the block."},
    FUTURE,
    {"type": "text", "text": "After it."},
]
SHOWN = "Before the block.\n\n[unsupported block: future_block]\n\nAfter it."


def drawn(widget: Widget) -> list[str]:
    """The rows a widget draws, as text, trailing spaces trimmed."""
    width, height = widget.size
    strips = widget.render_lines(Region(0, 0, width, height))
    return [
        line for strip in strips if (line := "".join(segment.text for segment in strip).rstrip())
    ]


def reply_rows(app: Widget) -> list[str]:
    return drawn(app.query(AssistantMessage).last().markdown)


async def test_an_unknown_block_between_two_texts_is_shown_saved_and_kept(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(content=CONTENT, rate=200))
    server.push(Scenario(text="Second answer."))
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await send_and_finish(pilot, "first")
        # Shown: one neutral line of its own between the two texts, on screen as it streamed.
        reply = app.query(AssistantMessage).last()
        assert reply.text == SHOWN
        assert reply_rows(app) == [
            "Before the block.",
            "[unsupported block: future_block]",
            "After it.",
        ]
        turn = app.chat.current.conversation.turns[-1]
        assert turn.blocks == [
            TextBlock("Before the block."),
            UnknownBlock(FUTURE),
            TextBlock("After it."),
        ]
        session_id = app.chat.current.session_id
        assert session_id is not None

        # Kept: the next request carries it back exactly as it came.
        await send_and_finish(pilot, "second")
        history = server.message_requests[-1]["body"]["messages"]
        assert history[1] == {"role": "assistant", "content": CONTENT}
        assert history[2]["content"] == [{"type": "text", "text": "second"}]

    # Saved: the store has the block whole, and the session reopens showing it.
    with SessionStore.open() as store:
        saved = [message.blocks for message in store.messages(session_id)]
    assert saved[1] == [
        TextBlock("Before the block."),
        UnknownBlock(FUTURE),
        TextBlock("After it."),
    ]

    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.chat.ready)
        app.chat.open_session(session_id)
        await wait_until(pilot, lambda: len(app.query(AssistantMessage)) == 2)
        await pilot.pause()
        first = app.query(AssistantMessage).first()
        assert first.text == SHOWN
        assert drawn(first.markdown) == [
            "Before the block.",
            "[unsupported block: future_block]",
            "After it.",
        ]
