"""Attachment blocks: what the app knows of a file travels with its block through the store's
JSON, never to the API; a prompt's attachments come before its text."""

from __future__ import annotations

from pathlib import Path

from claude_tui.core.attachments.info import AttachmentInfo, attachment_line, human_size
from claude_tui.core.attachments.prepare import prepare_attachment
from claude_tui.core.blocks import (
    STORE_MARK,
    DocumentBlock,
    ImageBlock,
    TextBlock,
    attachments_of,
    block_from_store,
    block_to_store,
    blocks_from_json,
    blocks_to_json,
    plain_text,
)
from claude_tui.core.conversation import Conversation
from claude_tui.core.prompt import Prompt

PDF_INFO = AttachmentInfo("report.pdf", "pdf", "application/pdf", 1_234_567, "ab" * 32, pages=12)


def test_the_line_says_name_pages_and_size() -> None:
    assert attachment_line(PDF_INFO) == "📎 report.pdf · 12 pages · 1.2 MB"
    image = AttachmentInfo("a.png", "image", "image/png", 340_000, "cd" * 32, width=800, height=600)
    assert attachment_line(image) == "📎 a.png · 800×600 · 340 KB"


def test_a_hostile_name_is_shown_not_obeyed() -> None:
    info = AttachmentInfo("x\x1b]52;c;aGk=\x07\n.txt", "text", "text/plain", 5, "ef" * 32)
    line = attachment_line(info)
    assert "\x1b" not in line and "\x07" not in line and "\n" not in line


def test_sizes_read_as_file_managers_show_them() -> None:
    assert [human_size(n) for n in (12, 1000, 12_345, 999_999, 32 * 1024 * 1024)] == [
        "12 B", "1.0 KB", "12 KB", "1000 KB", "34 MB",
    ]  # fmt: skip


def test_info_goes_to_the_store_and_back_but_never_to_the_api() -> None:
    block = DocumentBlock({"type": "document", "source": {"type": "text"}}, info=PDF_INFO)
    stored = block_to_store(block)
    assert stored[STORE_MARK]["attachment"]["pages"] == 12
    assert STORE_MARK not in block.to_api()
    assert block_from_store(stored) == block
    assert blocks_from_json(blocks_to_json([block])) == [block]


def test_an_unreadable_info_loses_only_the_info() -> None:
    stored = {"type": "image", "source": {"x": 1}, STORE_MARK: {"attachment": {"name": 3}}}
    block = block_from_store(stored)
    assert isinstance(block, ImageBlock) and block.info is None
    assert block.to_api() == {"type": "image", "source": {"x": 1}}


def test_a_prompt_sends_its_attachments_before_its_text(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Notes\n")
    doc = prepare_attachment(path).block
    prompt = Prompt("summarise this", (doc,))
    conversation = Conversation()
    turn = conversation.add_user(prompt)
    assert turn.blocks == [doc, TextBlock("summarise this")]
    assert attachments_of(turn.blocks) == [doc]
    assert conversation.api_messages()[0]["content"][0] == {
        "type": "document",
        "source": {"type": "text", "media_type": "text/plain", "data": "# Notes\n"},
        "title": "notes.md",
    }
    assert "📎 notes.md · 8 B" in plain_text(turn.blocks)
    assert turn.text == "summarise this"


def test_attachments_alone_send_no_empty_text(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("hello")
    doc = prepare_attachment(path).block
    assert Prompt("", (doc,)).blocks() == [doc]
    assert Prompt("").blocks() == [TextBlock("")]
