"""The API blocks an attachment is sent as, each with the :class:`AttachmentInfo` the app keeps.

The info's ``size`` and ``sha256`` are of what is sent (a scaled image, not the file), since
that is what the store keeps once and what the API counts.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from claude_tui.core.attachments import codec
from claude_tui.core.attachments.info import AttachmentInfo
from claude_tui.core.blocks import DocumentBlock, ImageBlock


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def image_block(info: AttachmentInfo, data: bytes) -> ImageBlock:
    """``info`` gives the name, media type, pixels and preview; size and hash come from
    ``data``."""
    info = replace(info, kind="image", size=len(data), sha256=digest(data))
    source = {"type": "base64", "media_type": info.media_type, "data": _b64(data)}
    return ImageBlock({"type": "image", "source": source}, info=info)


def pdf_block(name: str, data: bytes, pages: int | None = None) -> DocumentBlock:
    source = {"type": "base64", "media_type": "application/pdf", "data": _b64(data)}
    raw = {"type": "document", "source": source, "title": name, "citations": {"enabled": True}}
    info = AttachmentInfo(name, "pdf", "application/pdf", len(data), digest(data), pages=pages)
    return DocumentBlock(raw, info=info)


def text_block(name: str, text: str) -> DocumentBlock:
    data = text.encode("utf-8")
    source = {"type": "text", "media_type": "text/plain", "data": text}
    raw = {"type": "document", "source": source, "title": name}
    info = AttachmentInfo(name, "text", "text/plain", len(data), digest(data))
    return DocumentBlock(raw, info=info)


def _b64(data: bytes) -> str:
    return codec.encode(data)
