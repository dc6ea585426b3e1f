"""Attachments for the display tests: a PNG with its tiny picture, a PDF and a ``.py`` file,
made in code, tiny. The blocks are built as ``prepare_attachment`` builds them, but with a
picture of known colours."""

from __future__ import annotations

import io

from claude_tui.core.attachments.build import image_block, pdf_block, text_block
from claude_tui.core.attachments.info import AttachmentInfo
from claude_tui.core.blocks import AttachmentBlock

RED, GREEN, BLUE, WHITE = "d03030", "30a050", "3050d0", "f0f0f0"
PREVIEW = "4x3:" + RED * 2 + GREEN * 2 + BLUE * 4 + WHITE * 4
"""Top half red and green, then a blue row, then a white one: two rows of half blocks, the
second with nothing under its white pixels."""

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
SOURCE = "def retry(fn):\n    return fn()\n"


def png(width: int = 8, height: int = 6) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(out, format="PNG")
    return out.getvalue()


def picture(preview: str | None = PREVIEW, name: str = "cat.png") -> AttachmentBlock:
    info = AttachmentInfo(name, "image", "image/png", 0, "", width=8, height=6, preview=preview)
    return image_block(info, png())


def three() -> tuple[AttachmentBlock, ...]:
    """A PNG (with its picture), a one-page PDF and a Python file."""
    return (picture(), pdf_block("report.pdf", PDF, pages=1), text_block("retry.py", SOURCE))
