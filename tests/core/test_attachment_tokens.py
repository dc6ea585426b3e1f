"""Each attachment's tokens for ``/context``: which files are listed, the estimate that stands
in, and the counts asked of the API once per file (the local server, over real HTTP)."""

from __future__ import annotations

from dataclasses import replace

from claude_tui.core.attachment_tokens import (
    AttachmentTokens,
    attachment_key,
    conversation_attachments,
)
from claude_tui.core.attachments.build import image_block, pdf_block, text_block
from claude_tui.core.attachments.info import AttachmentInfo
from claude_tui.core.blocks import TextBlock
from claude_tui.core.client import ApiSettings
from claude_tui.core.conversation import Turn, TurnStatus
from claude_tui.core.request import render_request
from claude_tui.localapi.attachments import describe
from claude_tui.localapi.server import LocalAPIServer

PNG = b"\x89PNG\r\n\x1a\n" + bytes(40)


def image(width: int = 1500, height: int = 1000) -> object:
    info = AttachmentInfo("shot.png", "image", "image/png", 0, "", width=width, height=height)
    return image_block(info, PNG)


def test_each_file_of_the_prompts_once_in_the_order_sent_and_how_often() -> None:
    shot, notes = image(), text_block("notes.md", "# Notes\n" * 100)
    no_info = replace(pdf_block("old.pdf", b"%PDF-1.4 old"), info=None)
    turns = [
        Turn("user", [shot, TextBlock("look")]),  # type: ignore[list-item]
        Turn("assistant", [TextBlock("ok")]),
        Turn("user", [notes, shot, no_info, TextBlock("and these")]),  # type: ignore[list-item]
        Turn("user", [text_block("draft.txt", "x")], status=TurnStatus.STREAMING),
    ]
    assert conversation_attachments(turns) == [(shot, 2), (notes, 1), (no_info, 1)]
    assert attachment_key(shot) == shot.info.sha256  # type: ignore[attr-defined]
    assert len(attachment_key(no_info)) == 64  # hashed from its source


def test_counted_once_per_file_and_model() -> None:
    block = text_block("a.py", "print('hello')\n" * 40)
    with LocalAPIServer() as server:
        api = ApiSettings(api_key="test-key", base_url=server.base_url, request_timeout=10.0)
        tokens = AttachmentTokens()
        assert tokens.known(api, "claude-sonnet-5-5", block) is None
        first = tokens.count(api, "claude-sonnet-5-5", block)
        # the local server counts a text document as its text and title, four characters a
        # token: (600 + 4) / 4; the word alone is subtracted
        assert first == 151 == describe(0, 0, block.to_api()).tokens
        assert tokens.count(api, "claude-sonnet-5-5", block) == first
        assert tokens.known(api, "claude-sonnet-5-5", block) == first
        calls = [r for r in server.requests if r["path"] == "/v1/messages/count_tokens"]
        assert len(calls) == 2  # the word alone, then with the file
        assert calls[1]["body"]["messages"][0]["content"][0] == block.to_api()
        tokens.count(api, "claude-opus-4-5", block)  # another model counts again
        assert len([r for r in server.requests if r["path"].endswith("count_tokens")]) == 4


def test_the_request_text_names_an_attachment_without_its_data() -> None:
    body = {
        "messages": [
            {
                "role": "user",
                "content": [
                    pdf_block("report.pdf", b"%PDF-1.4 x").to_api(),
                    text_block("a.py", "pass\n").to_api(),
                    TextBlock("what?").to_api(),
                ],
            }
        ]
    }
    text = render_request(body)
    assert '[document block, "report.pdf", application/pdf, 16 characters of base64]' in text
    assert '[document block, "a.py", text/plain, 5 characters of text]' in text
    assert "JVBER" not in text  # the PDF's base64 is not shown


def test_an_attachment_goes_out_as_a_copy_that_shares_its_data() -> None:
    """Sent and counted without copying its base64 (40 MB for a 30 MB PDF): the containers are
    new, so nothing done to what is sent reaches the block; the strings are shared."""
    block = pdf_block("report.pdf", b"%PDF-1.4 " + bytes(3000))
    sent = block.to_api()
    assert sent == block.raw
    assert sent is not block.raw and sent["source"] is not block.raw["source"]
    assert sent["citations"] is not block.raw["citations"]
    assert sent["source"]["data"] is block.raw["source"]["data"]
    sent["source"]["data"] = "changed"
    assert block.raw["source"]["data"] != "changed"
