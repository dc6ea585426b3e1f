"""Checks before a send that the API would refuse what the prompt's attachments make: a model
that does not read images or PDFs, a request body over the API's size, too many PDF pages,
more than 20 images with one over 2,000 px. Each returns the message to show, or None; nothing
is sent when one speaks. The request checks read the API messages that will be sent
(``request.next_messages``), so they see what the API will.

Also the tokens an attachment is likely to cost (:func:`estimate_block_tokens`), for the send
guard and ``/context`` before ``count_tokens`` answers. Pure: no file is read, nothing decoded
beyond an image header, except a PDF whose pages no info gives (a block from an old import).
"""

from __future__ import annotations

import binascii
import math
import re
from collections.abc import Iterator, Sequence
from typing import Any

from claude_tui.core.attachments import codec, json_size
from claude_tui.core.attachments.info import AttachmentInfo, human_size
from claude_tui.core.attachments.limits import (
    IMAGE_USEFUL_AREA,
    IMAGE_USEFUL_EDGE,
    MANY_IMAGES,
    MANY_IMAGES_MAX_SIDE,
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
edge to 1,568 px and the area to about 1.15 megapixels (Claude's vision documentation)."""
PDF_PAGE_TOKENS = 3_000
"""A PDF page costs its text (1,500 to 3,000 tokens a page, by the PDF documentation) plus the
page as an image: the top of that range stands for both. Measured pages of plain text come to
about 2,300 on current models, so this errs high, which is the safe side for a send guard."""
IMAGE_FALLBACK_TOKENS = math.ceil(IMAGE_USEFUL_AREA / PIXELS_PER_TOKEN)
"""An image whose size cannot be read: the most the API's scaling lets one cost (1,640)."""
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def is_pdf_block(block: AttachmentBlock) -> bool:
    """Whether ``block`` is a PDF (not an image or a text document): by its info, or for a
    block without one (an old import) by its source's media type."""
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

    Counted, not written out, and a large string's size is kept between sends (see
    :mod:`json_size`): writing 36 MB of JSON would take a tenth of a second on every send."""
    return json_size.value_size({"messages": messages})


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


def pdf_pages_problem(
    messages: list[dict[str, Any]], attachments: Sequence[AttachmentBlock] = ()
) -> str | None:
    """The API counts PDF pages over a whole request: a message when the PDFs of ``messages``
    (the API messages to be sent, ``request.next_messages``) are over
    :data:`~limits.PDF_MAX_PAGES` together.

    A PDF's pages come from the info of the block in ``attachments`` whose source is that
    block's (the conversation's and the prompt's attachments: the messages share their
    strings); a PDF not among them is decoded and its pages counted."""
    known = _known(attachments)
    counted = 0
    total = 0
    for block in _attachment_blocks(messages):
        source = block.get("source")
        if block.get("type") != "document" or not isinstance(source, dict):
            continue
        if source.get("type") != "base64" or source.get("media_type") != "application/pdf":
            continue
        info = _info(known, source)
        pages = info.pages if info is not None else None
        if not pages:
            pages = _counted_pages(source)
        counted += 1
        total += pages
    if counted < 2 or total <= PDF_MAX_PAGES:
        return None
    return (
        f"The PDFs in this request have {total} pages together; the API takes up to "
        f"{PDF_MAX_PAGES} pages in one request: remove one, or start a new session for it"
    )


def many_images_problem(
    messages: list[dict[str, Any]], attachments: Sequence[AttachmentBlock] = ()
) -> str | None:
    """The API refuses a request of more than :data:`~limits.MANY_IMAGES` images when any of
    them is over :data:`~limits.MANY_IMAGES_MAX_SIDE` px a side: a message naming those, or
    None. ``messages`` and ``attachments`` as for :func:`pdf_pages_problem`; an image's size
    is its info's, else read from the head of its base64."""
    known = _known(attachments)
    images = 0
    large: list[str] = []
    for block in _attachment_blocks(messages):
        source = block.get("source")
        if block.get("type") != "image" or not isinstance(source, dict):
            continue
        images += 1
        info = _info(known, source)
        size = (info.width, info.height) if info is not None else None
        if size is None or not size[0] or not size[1]:
            size = _header_size(source)
        if size is not None and max(size[0] or 0, size[1] or 0) > MANY_IMAGES_MAX_SIDE:
            large.append(info.name if info is not None else f"image {images}")
    if images <= MANY_IMAGES or not large:
        return None
    return (
        f"This request has {images} images, and the API takes more than {MANY_IMAGES} only "
        f"when each is at most {MANY_IMAGES_MAX_SIDE} px a side ({_names(large)} "
        f"{'is' if len(large) == 1 else 'are'} larger): set image_max_edge to "
        f"{MANY_IMAGES_MAX_SIDE} or less and attach them again, or send fewer images"
    )


def _attachment_blocks(messages: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for message in messages:
        content = message.get("content")
        if not isinstance(content, list):
            continue
        for block in content:
            if isinstance(block, dict) and block.get("type") in ("image", "document"):
                yield block


def _known(attachments: Sequence[AttachmentBlock]) -> dict[int, tuple[object, AttachmentInfo]]:
    """The attachments' infos by their source's data (the very string, kept to compare)."""
    known: dict[int, tuple[object, AttachmentInfo]] = {}
    for block in attachments:
        data = block.source.get("data")
        if block.info is not None and data is not None:
            known[id(data)] = (data, block.info)
    return known


def _info(
    known: dict[int, tuple[object, AttachmentInfo]], source: dict[str, Any]
) -> AttachmentInfo | None:
    data = source.get("data")
    found = known.get(id(data))
    return found[1] if found is not None and found[0] is data else None


def _header_size(source: dict[str, Any]) -> tuple[int, int] | None:
    data = source.get("data")
    if not isinstance(data, str):
        return None
    return image_size(codec.decode_head(data, 256 * 1024))


def _counted_pages(source: dict[str, Any]) -> int:
    """A PDF's pages by its page objects (no parser here): at least one."""
    return max(1, len(_PAGE.findall(_decoded(source))))


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
            pages = _counted_pages(block.source)
        return pages * PDF_PAGE_TOKENS
    data = block.source.get("data")
    return text_tokens(len(data) if isinstance(data, str) else 0)


def image_tokens(width: int, height: int) -> int:
    """The API's formula, after its scaling of an image whose long edge is over 1,568 px or
    whose area is over :data:`~limits.IMAGE_USEFUL_AREA` (the local server's is the same)."""
    scale = min(1.0, IMAGE_USEFUL_EDGE / max(width, height))
    scale = min(scale, math.sqrt(IMAGE_USEFUL_AREA / (width * height)))
    scaled_width, scaled_height = max(1, int(width * scale)), max(1, int(height * scale))
    return math.ceil(scaled_width * scaled_height / PIXELS_PER_TOKEN)


def _decoded(source: Any) -> bytes:
    data = source.get("data") if isinstance(source, dict) else None
    if not isinstance(data, str):
        return b""
    try:
        return codec.decode(data, validate=False)
    except (binascii.Error, ValueError):
        return b""
