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
    """A PDF starts with ``%PDF-``. Readers also accept up to 1 KB of junk before it, so this
    does too, but only when that junk is not text: a source file or a note that mentions
    ``%PDF-`` near its top is text, and must not be refused as a broken PDF."""
    if head.startswith(PDF_MAGIC):
        return True
    at = head.find(PDF_MAGIC, 0, 1024)
    if at < 0:
        return False
    before = head[:at]
    try:
        before.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return b"\x00" in before


def utf8_text(data: bytes) -> str | None:
    """``data`` as text when it is UTF-8 (a leading byte-order mark dropped) with no NUL byte;
    else None."""
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def image_size(data: bytes) -> tuple[int, int] | None:
    """An image's width and height from its header, without decoding it (and without Pillow):
    what a file *claims*, checked before anything is decoded, and what a block from an old
    import is estimated by. None when the header cannot be read."""
    media_type = image_media_type(data[:16])
    try:
        if media_type == "image/png" and data[12:16] == b"IHDR":
            return _be(data, 16, 4), _be(data, 20, 4)
        if media_type == "image/gif":
            return _le(data, 6, 2), _le(data, 8, 2)
        if media_type == "image/webp":
            return _webp_size(data)
        if media_type == "image/jpeg":
            return _jpeg_size(data)
    except IndexError:
        return None
    return None


def _be(data: bytes, at: int, length: int) -> int:
    if at + length > len(data):
        raise IndexError(at)
    return int.from_bytes(data[at : at + length], "big")


def _le(data: bytes, at: int, length: int) -> int:
    if at + length > len(data):
        raise IndexError(at)
    return int.from_bytes(data[at : at + length], "little")


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X":
        return _le(data, 24, 3) + 1, _le(data, 27, 3) + 1
    if chunk == b"VP8 ":
        return _le(data, 26, 2) & 0x3FFF, _le(data, 28, 2) & 0x3FFF
    if chunk == b"VP8L":
        bits = _le(data, 21, 4)
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
"""The start-of-frame markers, which carry the size (C4, C8 and CC are other tables)."""
_STANDALONE = frozenset(range(0xD0, 0xDA)) | {0x01}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte before a marker
            at += 1
            continue
        if marker in _STANDALONE:
            at += 2
            continue
        if marker in _SOF:
            return _be(data, at + 7, 2), _be(data, at + 5, 2)
        at += 2 + _be(data, at + 2, 2)
    return None
