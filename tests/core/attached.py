"""Attachment blocks for the store's tests, made by hand as ``core.attachments`` makes them, so
the store is tested on the shapes the API takes whatever the preparing code does to files."""

from __future__ import annotations

import base64
import hashlib
import sqlite3

from claude_tui.core.attachments.info import AttachmentInfo
from claude_tui.core.blocks import DocumentBlock, ImageBlock


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def image(name: str, data: bytes, media_type: str = "image/png") -> ImageBlock:
    source = {"type": "base64", "media_type": media_type, "data": base64.b64encode(data).decode()}
    info = AttachmentInfo(name, "image", media_type, len(data), sha(data), width=3, height=2)
    return ImageBlock({"type": "image", "source": source}, info=info)


def pdf(name: str, data: bytes, pages: int = 1) -> DocumentBlock:
    source = {
        "type": "base64",
        "media_type": "application/pdf",
        "data": base64.b64encode(data).decode(),
    }
    raw = {"type": "document", "source": source, "title": name, "citations": {"enabled": True}}
    info = AttachmentInfo(name, "pdf", "application/pdf", len(data), sha(data), pages=pages)
    return DocumentBlock(raw, info=info)


def text_document(name: str, text: str) -> DocumentBlock:
    source = {"type": "text", "media_type": "text/plain", "data": text}
    data = text.encode()
    info = AttachmentInfo(name, "text", "text/plain", len(data), sha(data))
    return DocumentBlock({"type": "document", "source": source, "title": name}, info=info)


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
"""Bytes that start as a PNG does: the store never decodes what it keeps."""
PDF = b"%PDF-1.7\n" + bytes(reversed(range(256))) * 8 + b"\n%%EOF\n"


def attachment_rows(conn: sqlite3.Connection) -> dict[str, bytes]:
    """SHA-256 to bytes of every stored attachment."""
    return {
        sha256: bytes(data) for sha256, data in conn.execute("SELECT sha256, data FROM attachments")
    }


def link_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM message_attachments").fetchone()[0])
