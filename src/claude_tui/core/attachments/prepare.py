"""A file on disk turned into the block that attaches it to a prompt.

Runs in a worker thread: reading a 30 MB PDF, or scaling a 20-megapixel photo, must never hold
up the UI. Every way it can fail raises :class:`AttachmentError` with a sentence a person can
act on; nothing here touches the prompt or the other attachments.

What a file is comes from its bytes (``sniff``), never its name: a ``photo.png`` that is really
a JPEG is sent as the JPEG it is. The name counts once, to refuse: a file named like an image
or a PDF that holds something else (text, most often) is refused with that said, instead of
being sent as a text document its owner did not mean. The steps for each kind live in
``image``, ``pdf`` and ``build``; reading the file safely, in ``reading``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, NamedTuple

from claude_tui.core.attachments.build import text_block
from claude_tui.core.attachments.image import prepare_image
from claude_tui.core.attachments.info import human_size
from claude_tui.core.attachments.limits import (
    IMAGE_READ_MAX_BYTES,
    IMAGE_USEFUL_EDGE,
    PDF_MAX_BYTES,
    REQUEST_MARGIN,
    REQUEST_MAX_BYTES,
    TEXT_MAX_BYTES,
    WORKING_KINDS,
    base64_size,
    megabytes,
)
from claude_tui.core.attachments.pdf import prepare_pdf
from claude_tui.core.attachments.reading import (
    AttachmentError,
    FileSignature,
    display_name,
    file_signature,
    read_file,
)
from claude_tui.core.attachments.sniff import image_media_type, is_pdf, utf8_text
from claude_tui.core.blocks import AttachmentBlock

__all__ = ["AttachmentError", "FileSignature", "Prepared", "file_signature", "prepare_attachment"]

Sniffed = Literal["image", "pdf", "other"]

CLAIMED = {
    ".png": "a PNG image",
    ".jpg": "a JPEG image",
    ".jpeg": "a JPEG image",
    ".gif": "a GIF image",
    ".webp": "a WebP image",
    ".pdf": "a PDF",
}
"""Names that promise a kind: a file so named that is not that kind is refused, not guessed."""


class Prepared(NamedTuple):
    """An attachment ready to send, and the version of the file it was made from."""

    block: AttachmentBlock
    path: Path
    signature: FileSignature | None


def prepare_attachment(path: Path, *, image_max_edge: int = IMAGE_USEFUL_EDGE) -> Prepared:
    """The block for the file at ``path``: an image, a PDF or a text document.

    ``image_max_edge`` scales a larger image down (0: never). The file is read once; the
    signature returned is of the version read. Raises AttachmentError."""
    name = display_name(path)
    claimed = CLAIMED.get(path.suffix.lower())
    data, signature = read_file(path, lambda head, size: _check(name, claimed, head, size))
    return Prepared(_block(name, data, image_max_edge), path, signature)


def _sniff(head: bytes) -> Sniffed:
    if image_media_type(head[:16]) is not None:
        return "image"
    return "pdf" if is_pdf(head) else "other"


def _check(name: str, claimed: str | None, head: bytes, size: int) -> None:
    """Refuses, before the rest of it is read, a file too large for its kind, one that is not
    what its name says, and one whose start is already neither text nor a kind that works."""
    kind = _sniff(head)
    if kind == "other" and claimed is not None and size > 0:
        if b"\x00" in head or _not_utf8(head):
            raise AttachmentError(f"{name} is named like {claimed} but is not one")
        raise AttachmentError(
            f"{name} is named like {claimed} but holds text: rename it (to .txt, say) to "
            "attach it as text"
        )
    if kind == "pdf" and size > PDF_MAX_BYTES:
        raise AttachmentError(
            f"{name} is {human_size(size)}; the API takes PDFs up to "
            f"{megabytes(PDF_MAX_BYTES)}: split it and attach the part you need"
        )
    if kind == "pdf" and base64_size(size) > REQUEST_MAX_BYTES - REQUEST_MARGIN:
        raise AttachmentError(
            f"{name} is {human_size(size)}, {human_size(base64_size(size))} once encoded "
            f"for sending; a whole request, prompt included, may be at most "
            f"{megabytes(REQUEST_MAX_BYTES)}: split it and attach the part you need"
        )
    if kind == "image" and size > IMAGE_READ_MAX_BYTES:
        raise AttachmentError(
            f"{name} is {human_size(size)}: too large an image to read "
            f"(at most {megabytes(IMAGE_READ_MAX_BYTES)}); scale it down first"
        )
    if kind == "other" and (b"\x00" in head or _not_utf8(head)):
        raise _not_attachable(name, head)
    if kind == "other" and size > TEXT_MAX_BYTES:
        raise AttachmentError(
            f"{name} is {human_size(size)} of text; a whole request may be at most "
            f"{megabytes(REQUEST_MAX_BYTES)}: attach a part of it"
        )


def _not_utf8(head: bytes) -> bool:
    """Whether the start is already not UTF-8 (a character cut off by the head's end does not
    count)."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.reason != "unexpected end of data"
    return False


def _block(name: str, data: bytes, image_max_edge: int) -> AttachmentBlock:
    media_type = image_media_type(data[:16])
    if media_type is not None:
        return prepare_image(name, media_type, data, image_max_edge)
    if is_pdf(data[:1024]):
        return prepare_pdf(name, data)
    if not data:
        raise AttachmentError(f"{name} is empty: there is nothing to attach")
    text = utf8_text(data)
    if text is None:
        raise _not_attachable(name, data)
    if not text:
        raise AttachmentError(f"{name} is empty: there is nothing to attach")
    return text_block(name, text)


def _not_attachable(name: str, data: bytes) -> AttachmentError:
    what = "binary" if b"\x00" in data else "not UTF-8 text (save it as UTF-8 to attach it)"
    return AttachmentError(f"{name} cannot be attached, it is {what}: Claude takes {WORKING_KINDS}")
