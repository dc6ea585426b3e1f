"""What a file is, from its first bytes: the magic numbers of the formats the API takes.

A file's name is a hint at best (a ``.png`` that is really text is refused as not an image), so
the kind is read from the content. Text is UTF-8 without NUL bytes: code, Markdown, CSV, JSON
and logs all pass; a binary file does not.
"""

from __future__ import annotations

PDF_MAGIC = b"%PDF-"


def image_media_type(head: bytes) -> str | None:
    """``image/png`` and so on for the four image formats the API takes, else None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def is_pdf(head: bytes) -> bool:
    """A PDF starts with ``%PDF-`` (the specification lets 1 KB of junk come first, which
    readers accept; so does this)."""
    return PDF_MAGIC in head[:1024]


def utf8_text(data: bytes) -> str | None:
    """``data`` as text when it is UTF-8 (a leading byte-order mark dropped) with no NUL byte;
    else None."""
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
