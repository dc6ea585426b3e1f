"""The API blocks an attachment is sent as, each with the :class:`AttachmentInfo` the app keeps.

The info's ``size`` and ``sha256`` are of what is sent (a scaled image, not the file), since
that is what the store keeps once and what the API counts. Each block's large string (base64
or text) has its JSON size worked out here, in the worker, so that the check of a request's size
before a send finds it ready (:mod:`json_size`).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from claude_tui.core.attachments import codec, json_size
from claude_tui.core.attachments.info import AttachmentInfo
from claude_tui.core.blocks import DocumentBlock, ImageBlock


def digest(data: bytes) -> str:
    """The hex SHA-256 of ``data``: the info's ``sha256``, the key the store keeps it by."""
    return hashlib.sha256(data).hexdigest()


def image_block(info: AttachmentInfo, data: bytes) -> ImageBlock:
    """``info`` gives the name, media type, pixels and preview; size and hash come from
    ``data``."""
    info = replace(info, kind="image", size=len(data), sha256=digest(data))
    source = {"type": "base64", "media_type": info.media_type, "data": _b64(data)}
    return ImageBlock({"type": "image", "source": source}, info=info)


def pdf_block(name: str, data: bytes, pages: int | None = None) -> DocumentBlock:
    """A PDF document block for the file's ``data``, titled ``name``, with citations on (the
    API then cites the pages a reply draws on); ``pages`` as counted when it was read."""
    source = {"type": "base64", "media_type": "application/pdf", "data": _b64(data)}
    raw = {"type": "document", "source": source, "title": name, "citations": {"enabled": True}}
    info = AttachmentInfo(name, "pdf", "application/pdf", len(data), digest(data), pages=pages)
    return DocumentBlock(raw, info=info)


def text_block(name: str, text: str) -> DocumentBlock:
    """A plain-text document block of ``text``, titled ``name``: sent as text, not base64, so
    it costs its characters; the info's size and hash are of its UTF-8."""
    data = text.encode("utf-8")
    json_size.remember(text)
    source = {"type": "text", "media_type": "text/plain", "data": text}
    raw = {"type": "document", "source": source, "title": name}
    info = AttachmentInfo(name, "text", "text/plain", len(data), digest(data))
    return DocumentBlock(raw, info=info)


def _b64(data: bytes) -> str:
    encoded = codec.encode(data)
    json_size.remember(encoded)
    return encoded
