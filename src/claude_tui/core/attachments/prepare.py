"""A file on disk turned into the block that attaches it to a prompt.

Runs in a worker thread: reading a 30 MB PDF, or scaling a 20-megapixel photo, must never hold
up the UI. Every way it can fail raises :class:`AttachmentError` with a sentence a person can
act on; nothing here touches the prompt or the other attachments.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import NamedTuple

from claude_tui.core.attachments.info import AttachmentInfo
from claude_tui.core.attachments.limits import IMAGE_USEFUL_EDGE, WORKING_KINDS
from claude_tui.core.attachments.sniff import image_media_type, is_pdf, utf8_text
from claude_tui.core.blocks import AttachmentBlock, DocumentBlock, ImageBlock


class AttachmentError(Exception):
    """A file that cannot be attached; ``str()`` is the message to show."""


class FileSignature(NamedTuple):
    """What tells a file's version apart without reading it again."""

    size: int
    mtime_ns: int
    inode: int


def file_signature(path: Path) -> FileSignature | None:
    """The file's signature now; None when it cannot be read (gone, not a file)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return FileSignature(stat.st_size, stat.st_mtime_ns, stat.st_ino)


class Prepared(NamedTuple):
    """An attachment ready to send, and the version of the file it was made from."""

    block: AttachmentBlock
    path: Path
    signature: FileSignature | None


def prepare_attachment(path: Path, *, image_max_edge: int = IMAGE_USEFUL_EDGE) -> Prepared:
    """The block for the file at ``path``: an image, a PDF or a text document.

    ``image_max_edge`` scales a larger image down (0: never). Raises AttachmentError."""
    signature = file_signature(path)
    return Prepared(_block(path, image_max_edge), path, signature)


def _block(path: Path, image_max_edge: int) -> AttachmentBlock:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise AttachmentError(f"{path.name}: no such file") from None
    except IsADirectoryError:
        raise AttachmentError(f"{path.name} is a folder: attach the files in it") from None
    except OSError as error:
        raise AttachmentError(f"{path.name} cannot be read: {error.strerror}") from None
    name = path.name
    media_type = image_media_type(data[:16])
    if media_type is not None:
        return image_block(name, media_type, data)
    if is_pdf(data):
        return pdf_block(name, data)
    text = utf8_text(data)
    if text is not None:
        return text_block(name, text)
    raise AttachmentError(f"{name} cannot be attached: Claude takes {WORKING_KINDS}")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def image_block(name: str, media_type: str, data: bytes) -> ImageBlock:
    source = {"type": "base64", "media_type": media_type, "data": _b64(data)}
    info = AttachmentInfo(name, "image", media_type, len(data), _digest(data))
    return ImageBlock({"type": "image", "source": source}, info=info)


def pdf_block(name: str, data: bytes, pages: int | None = None) -> DocumentBlock:
    source = {"type": "base64", "media_type": "application/pdf", "data": _b64(data)}
    raw = {"type": "document", "source": source, "title": name, "citations": {"enabled": True}}
    info = AttachmentInfo(name, "pdf", "application/pdf", len(data), _digest(data), pages=pages)
    return DocumentBlock(raw, info=info)


def text_block(name: str, text: str) -> DocumentBlock:
    data = text.encode("utf-8")
    source = {"type": "text", "media_type": "text/plain", "data": text}
    raw = {"type": "document", "source": source, "title": name}
    info = AttachmentInfo(name, "text", "text/plain", len(data), _digest(data))
    return DocumentBlock(raw, info=info)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
