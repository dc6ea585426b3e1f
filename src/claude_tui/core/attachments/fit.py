"""Checks before a send that the API would refuse what the prompt's attachments make: a model
that does not read images or PDFs, a request body over the API's size, too many PDF pages.
Each returns the message to show, or None; nothing is sent when one speaks.

Also the tokens an attachment is likely to cost (:func:`estimate_block_tokens`), for the send
guard and ``/context`` before ``count_tokens`` answers. Pure: no file is read, nothing decoded
beyond an image header.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Sequence
from typing import Any

from claude_tui.core.attachments import codec
from claude_tui.core.attachments.info import human_size
from claude_tui.core.attachments.limits import (
    IMAGE_USEFUL_EDGE,
    PDF_MAX_PAGES,
    REQUEST_MAX_BYTES,
    megabytes,
)
from claude_tui.core.attachments.sniff import image_size
from claude_tui.core.blocks import AttachmentBlock, DocumentBlock, ImageBlock
from claude_tui.core.capabilities import ModelCapabilities
from claude_tui.core.context_window import text_tokens

PIXELS_PER_TOKEN = 750
"""The API's image cost: about width × height / 750 tokens, after its own scaling of the long
edge to 1,568 px (Claude's vision documentation)."""
PDF_PAGE_TOKENS = 3_000
"""A PDF page costs its text (1,500 to 3,000 tokens a page, by the PDF documentation) plus the
page as an image: the top of that range stands for both. Measured pages of plain text come to
about 2,300 on current models, so this errs high, which is the safe side for a send guard."""
IMAGE_FALLBACK_TOKENS = math.ceil(IMAGE_USEFUL_EDGE * IMAGE_USEFUL_EDGE / PIXELS_PER_TOKEN)
"""An image whose size cannot be read: the most the API's scaling lets one cost."""
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def is_pdf_block(block: AttachmentBlock) -> bool:
    if block.info is not None:
        return block.info.kind == "pdf"
    return isinstance(block, DocumentBlock) and block.source.get("media_type") == "application/pdf"


def _name(block: AttachmentBlock) -> str:
    if block.info is not None:
        return block.info.name
    return "an image" if isinstance(block, ImageBlock) else "a PDF"


def capability_problem(
    attachments: Sequence[AttachmentBlock],
    model: str,
    caps: ModelCapabilities,
    others: Sequence[tuple[str, ModelCapabilities]],
) -> str | None:
    """Why ``model`` cannot be sent these attachments, naming the first of ``others`` (model
    id, capabilities; in the order the person would pick them) that can; None when it can.
    Text documents need nothing."""
    missing: list[str] = []
    images = [_name(block) for block in attachments if isinstance(block, ImageBlock)]
    pdfs = [_name(block) for block in attachments if is_pdf_block(block)]
    need_images = bool(images) and not caps.image_input
    need_pdfs = bool(pdfs) and not caps.pdf_input
    if need_images:
        missing.append(f"images ({_names(images)})")
    if need_pdfs:
        missing.append(f"PDFs ({_names(pdfs)})")
    if not missing:
        return None
    problem = f"{model} does not read {' or '.join(missing)}"
    for other, other_caps in others:
        if other == model:
            continue
        if (other_caps.image_input or not need_images) and (other_caps.pdf_input or not need_pdfs):
            return f"{problem}: {other} does — /model {other}"
    return f"{problem}, and no other model known here does: remove them to send"


def _names(names: list[str], shown: int = 3) -> str:
    if len(names) <= shown:
        return ", ".join(names)
    return ", ".join(names[:shown]) + f" and {len(names) - shown} more"


def request_bytes(messages: list[dict[str, Any]]) -> int:
    """The size of ``{"messages": messages}`` as the SDK writes a body (compact JSON, UTF-8,
    non-ASCII kept as is), byte for byte. The model, system prompt and settings add a few KB,
    well inside the rounding of a limit in megabytes.

    Counted, not written out: the base64 of an image or PDF (most of a large body) is ASCII
    with nothing to escape, so its size is its length. Writing 30 MB of JSON would take a
    second on every send; this takes microseconds for them."""
    return _json_size({"messages": messages})


def _json_size(value: object) -> int:
    if isinstance(value, dict):
        data = value.get("data")
        if value.get("type") == "base64" and isinstance(data, str) and data.isascii():
            rest = {key: item for key, item in value.items() if key != "data"}
            return _json_size(rest) + (1 if rest else 0) + len('"data":""') + len(data)
        items = [_json_size(str(key)) + 1 + _json_size(item) for key, item in value.items()]
        return 2 + sum(items) + max(0, len(items) - 1)
    if isinstance(value, list | tuple):
        sizes = [_json_size(item) for item in value]
        return 2 + sum(sizes) + max(0, len(sizes) - 1)
    return len(json.dumps(value, ensure_ascii=False).encode("utf-8"))


def request_size_problem(messages: list[dict[str, Any]]) -> str | None:
    """A message when the request these messages make is over the API's
    :data:`~limits.REQUEST_MAX_BYTES` (it answers 413 without reading it); else None."""
    size = request_bytes(messages)
    if size <= REQUEST_MAX_BYTES:
        return None
    return (
        f"This request would be {human_size(size)} with its attachments (images and PDFs "
        f"are sent as base64); the API takes up to {megabytes(REQUEST_MAX_BYTES)}: remove an "
        "attachment, or start a new session for it"
    )


def pdf_pages_problem(attachments: Sequence[AttachmentBlock]) -> str | None:
    """The API counts PDF pages over a whole request: a message when the PDFs given (those of
    the conversation and of the prompt) are over :data:`~limits.PDF_MAX_PAGES` together."""
    pages = [
        (block.info.name, block.info.pages)
        for block in attachments
        if block.info is not None and block.info.kind == "pdf" and block.info.pages
    ]
    total = sum(count for _, count in pages)
    if len(pages) < 2 or total <= PDF_MAX_PAGES:
        return None
    return (
        f"The PDFs in this request have {total} pages together; the API takes up to "
        f"{PDF_MAX_PAGES} pages in one request: remove one, or start a new session for it"
    )


def estimate_block_tokens(block: AttachmentBlock) -> int:
    """About how many input tokens an attachment costs (see :data:`PIXELS_PER_TOKEN`,
    :data:`PDF_PAGE_TOKENS`; text by ``context_window.text_tokens``)."""
    info = block.info
    if isinstance(block, ImageBlock):
        size = (info.width, info.height) if info is not None else None
        if size is None or not size[0] or not size[1]:
            data = block.source.get("data")
            size = image_size(codec.decode_head(data, 256 * 1024) if isinstance(data, str) else b"")
        if size is None or not size[0] or not size[1]:
            return IMAGE_FALLBACK_TOKENS
        return image_tokens(size[0], size[1])
    if is_pdf_block(block):
        pages = info.pages if info is not None else None
        if not pages:
            pages = max(1, len(_PAGE.findall(_decoded(block))))
        return pages * PDF_PAGE_TOKENS
    data = block.source.get("data")
    return text_tokens(len(data) if isinstance(data, str) else 0)


def image_tokens(width: int, height: int) -> int:
    """The API's formula, after its scaling of a long edge over 1,568 px."""
    long_edge = max(width, height)
    if long_edge > IMAGE_USEFUL_EDGE:
        scale = IMAGE_USEFUL_EDGE / long_edge
        width, height = round(width * scale), round(height * scale)
    return max(1, math.ceil(width * height / PIXELS_PER_TOKEN))


def _decoded(block: AttachmentBlock) -> bytes:
    data = block.source.get("data")
    if not isinstance(data, str):
        return b""
    try:
        return base64.b64decode(data, validate=False)
    except (binascii.Error, ValueError):
        return b""
