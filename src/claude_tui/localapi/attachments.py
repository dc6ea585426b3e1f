"""The image and document blocks of a request: what each holds, and what it costs in tokens.

Checking (:mod:`attachment_checks`), counting (:func:`attachment_chars`, used by
:func:`~claude_tui.localapi.request.estimate_tokens`) and describing (:func:`received`, the
server's ``received_attachments`` and the demo reply) all start from :func:`inspect`, which
decodes a base64 source once and keeps only what it learned (size, SHA-256, pixel size, pages,
text), in a small cache (:func:`decode`), so a request that is validated, counted and answered
decodes each attachment once, and a conversation re-sending it does not decode it again.

Token costs, as the API documents them, with the server's estimates where it does not:

* an image costs ``ceil(width × height / 750)`` for the size the API works at: one whose long
  edge is over 1,568 px or whose area is over :data:`IMAGE_USEFUL_AREA` is scaled down first
  (keeping its aspect), so no image costs more than about 1,640 tokens;
* a PDF costs :data:`PDF_PAGE_TOKENS` per page (each page is also seen as an image: about a
  1,568 px page, 3:4) plus its text (what :mod:`pdf_facts` reads) and title at a quarter of the
  characters, like any text here;
* a text document costs its text and title at a quarter of the characters.
"""

from __future__ import annotations

import binascii
import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from claude_tui.localapi.image_header import image_size, sniff_image
from claude_tui.localapi.pdf_facts import PDF_MAGIC, PdfFacts, read_pdf

IMAGE_USEFUL_EDGE = 1568
IMAGE_USEFUL_AREA = 784 * 1568
"""The API scales an image down to this long edge and area before it reads it (the area of
the largest size in the API's table of sizes read as they are: 1,092², 951×1,268, 896×1,344,
819×1,456 and 784×1,568 all fit)."""
PDF_PAGE_TOKENS = 1600
"""The server's estimate of one PDF page seen as an image (the API's docs give a range)."""
CHARS_PER_TOKEN = 4


@dataclass(frozen=True)
class Decoded:
    """What one base64 source holds (the bytes themselves are not kept)."""

    encoded_size: int
    """Characters of base64: what the API's size limits measure."""
    problem: str | None = None
    """``"empty"`` or ``"base64"`` when it could not be decoded."""
    size: int = 0
    sha256: str = ""
    sniffed: str | None = None
    """The image media type the magic number says, if any."""
    pixels: tuple[int, int] | None = None
    is_pdf: bool = False
    pdf: PdfFacts | None = None


_CACHE_SIZE = 64
_cache: OrderedDict[tuple[int, int], Decoded] = OrderedDict()
_cache_lock = threading.Lock()


def decode(data: str) -> Decoded:
    """A base64 source's facts; strict base64 (the alphabet, padding, nothing after it).

    Kept for the last :data:`_CACHE_SIZE` sources, keyed by the text's length and hash (which
    Python keeps with the string), so the cache holds no base64 text: a conversation re-sending
    a 30 MB PDF costs one decode, not 30 MB a turn. Two sources of the same length and 64-bit
    hash would be taken for one another; for a test server that is a fair trade.
    """
    key = (len(data), hash(data))
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    facts = _decode(data)
    with _cache_lock:
        _cache[key] = facts
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return facts


def _decode(data: str) -> Decoded:
    if not data:
        return Decoded(0, "empty")
    try:
        raw = binascii.a2b_base64(data, strict_mode=True)
    except (binascii.Error, ValueError):
        return Decoded(len(data), "base64")
    is_pdf = PDF_MAGIC in raw[:1024]
    return Decoded(
        len(data),
        size=len(raw),
        sha256=hashlib.sha256(raw).hexdigest(),
        sniffed=sniff_image(raw),
        pixels=image_size(raw),
        is_pdf=is_pdf,
        pdf=read_pdf(raw) if is_pdf else None,
    )


def image_tokens(width: int, height: int) -> int:
    """What an image of this size costs, scaled first as the API scales it."""
    scale = min(1.0, IMAGE_USEFUL_EDGE / max(width, height))
    scale = min(scale, math.sqrt(IMAGE_USEFUL_AREA / (width * height)))
    w, h = max(1, int(width * scale)), max(1, int(height * scale))
    return math.ceil(w * h / 750)


@dataclass(frozen=True)
class Attachment:
    """What the server received in one ``image`` or ``document`` block."""

    message: int
    """The index of the message it came in."""
    block: int
    """Its index in that message's content."""
    kind: str
    """``image``, ``pdf`` or ``text``; for a source the server does not read, its type
    (``url``, ``file``, ``content``)."""
    media_type: str | None = None
    size: int = 0
    """Bytes: decoded for base64, UTF-8 for text."""
    sha256: str | None = None
    width: int | None = None
    height: int | None = None
    pages: int | None = None
    lines: int | None = None
    """A text document's lines."""
    title: str | None = None
    text: str = ""
    """A text document's text, or the text read from a PDF."""
    tokens: int = 0


def attachment_blocks(messages: Any) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """``(message, block, block)`` for every image and document block of a messages list."""
    if not isinstance(messages, list):
        return
    for i, message in enumerate(messages):
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, list):
            continue
        for j, block in enumerate(content):
            if isinstance(block, dict) and block.get("type") in ("image", "document"):
                yield i, j, block


def describe(i: int, j: int, block: dict[str, Any]) -> Attachment:
    """What one block holds; fields the block does not have (or that are malformed) stay empty."""
    source = block.get("source")
    source = source if isinstance(source, dict) else {}
    kind = source.get("type")
    title = block.get("title") if isinstance(block.get("title"), str) else None
    media_type = source.get("media_type") if isinstance(source.get("media_type"), str) else None
    data = source.get("data")
    if kind == "text" and isinstance(data, str):
        encoded = data.encode("utf-8", "surrogatepass")
        chars = len(data) + len(title or "")
        return Attachment(
            i, j, "text", media_type, len(encoded), hashlib.sha256(encoded).hexdigest(),
            lines=len(data.splitlines()), title=title, text=data,
            tokens=(chars + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN,
        )  # fmt: skip
    if kind != "base64" or not isinstance(data, str):
        return Attachment(i, j, str(kind or "unknown"), media_type, title=title)
    facts = decode(data)
    if block.get("type") == "image":
        width, height = facts.pixels or (None, None)
        tokens = image_tokens(width, height) if width and height else 0
        return Attachment(
            i, j, "image", media_type, facts.size, facts.sha256 or None, width, height,
            title=title, tokens=tokens,
        )  # fmt: skip
    pdf = facts.pdf
    pages = pdf.pages if pdf is not None else None
    text = pdf.text if pdf is not None else ""
    chars = len(text) + len(title or "")
    tokens = (pages or 0) * PDF_PAGE_TOKENS + (chars + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN
    return Attachment(
        i, j, "pdf", media_type, facts.size, facts.sha256 or None, pages=pages, title=title,
        text=text, tokens=tokens,
    )  # fmt: skip


def received(body: Any) -> list[Attachment]:
    """Every attachment of a request body, in order."""
    messages = body.get("messages") if isinstance(body, dict) else None
    return [describe(i, j, block) for i, j, block in attachment_blocks(messages)]


def attachment_chars(block: dict[str, Any]) -> int:
    """An image or document block's cost in the unit the server's token estimate counts
    (characters, four to a token), so that it adds exactly its tokens to a prompt's count."""
    source = block.get("source")
    if not isinstance(source, dict):
        return 0
    if source.get("type") == "text" and isinstance(source.get("data"), str):
        title = block.get("title")
        return len(source["data"]) + (len(title) if isinstance(title, str) else 0)
    if source.get("type") != "base64" or not isinstance(source.get("data"), str):
        return 0
    attachment = describe(0, 0, block)
    if attachment.kind == "pdf":  # its text is counted with the prompt's, rounded once
        title = len(attachment.title or "")
        return (
            (attachment.pages or 0) * PDF_PAGE_TOKENS * CHARS_PER_TOKEN
            + len(attachment.text)
            + title
        )
    return attachment.tokens * CHARS_PER_TOKEN
