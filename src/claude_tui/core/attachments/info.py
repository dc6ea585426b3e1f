"""What the app knows about an attachment, besides the bytes the API is sent.

Kept with the block in the store (under ``blocks.STORE_MARK``) and in the JSON export, never
sent to the API. The line a person sees for it (:func:`attachment_line`) is what the
conversation, the Markdown export and search show in place of the file's contents.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from claude_tui.core.sanitize import sanitize_line

AttachmentKind = Literal["image", "pdf", "text"]
KINDS: tuple[AttachmentKind, ...] = ("image", "pdf", "text")

MEDIA_TYPES = {
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "image/gif": "GIF image",
    "image/webp": "WEBP image",
    "application/pdf": "PDF",
    "text/plain": "text",
}
"""The media types an attachment can have (what the app makes), each with its kind's word: an
info read from a store or an export naming another is not read (it may say anything)."""

PAPERCLIP = "📎"
_ORIGINALS = ("original_size", "original_width", "original_height")


@dataclass(frozen=True)
class AttachmentInfo:
    """One attached file, as the app shows and stores it."""

    name: str
    """The file's name (no directory), as it was attached: the document's ``title`` too."""
    kind: AttachmentKind
    media_type: str
    """What the block's ``source`` says: ``image/png``, ``application/pdf``, ``text/plain``."""
    size: int
    """Bytes of what is sent (after scaling an image), before base64."""
    sha256: str
    """Hex SHA-256 of what is sent: the key the store keeps the bytes under, once."""
    width: int | None = None
    height: int | None = None
    pages: int | None = None
    original_size: int | None = None
    """The file's own size when what is sent differs from it (a scaled image)."""
    original_width: int | None = None
    original_height: int | None = None
    preview: str | None = None
    """A tiny picture of an image for the conversation to draw: ``"WxH:"`` then W×H pixels
    as six hex digits each (RGB), row by row, top to bottom. Made when the file is attached,
    so showing a session never decodes an image; None where there is none."""

    def to_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}

    @classmethod
    def from_json(cls, data: object) -> AttachmentInfo | None:
        """The info a store mark or an export holds; None when it is not readable (the block
        is still kept and sent: only what is shown about it is lost)."""
        if not isinstance(data, dict):
            return None
        texts = ("name", "kind", "media_type", "sha256")
        numbers = ("size", "width", "height", "pages", *_ORIGINALS)
        if not all(isinstance(data.get(key), str) for key in texts):
            return None
        if data["kind"] not in KINDS or data["media_type"] not in MEDIA_TYPES:
            return None
        if not isinstance(data.get("size"), int):
            return None
        fields: dict[str, Any] = {key: data[key] for key in texts}
        for key in numbers:
            value = data.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                fields[key] = value
        if "size" not in fields:
            return None
        if isinstance(data.get("preview"), str):
            fields["preview"] = data["preview"]
        return cls(**fields)


def human_size(size: int) -> str:
    """``1.2 MB``, ``340 KB``, ``12 B``: decimal units, as file managers show them."""
    if size < 1000:
        return f"{size} B"
    for unit in ("KB", "MB", "GB"):
        size_f = size / 1000
        if size_f < 1000 or unit == "GB":
            return f"{size_f:.1f} {unit}" if size_f < 10 else f"{size_f:.0f} {unit}"
        size = int(size_f)
    raise AssertionError("unreachable")


def kind_word(info: AttachmentInfo) -> str:
    """What the file is, in a word or two: ``PNG image``, ``PDF``, ``text``."""
    if info.kind == "image":
        word = MEDIA_TYPES.get(info.media_type, "image")
        return word if word.endswith("image") else "image"
    return "PDF" if info.kind == "pdf" else "text"


def details(info: AttachmentInfo) -> list[str]:
    """The facts after the name: pixels or pages, and the size."""
    parts: list[str] = []
    if info.width and info.height:
        parts.append(f"{info.width}×{info.height}")
    if info.pages is not None:
        parts.append(f"{info.pages} page" + ("" if info.pages == 1 else "s"))
    parts.append(human_size(info.size))
    return parts


def attachment_line(info: AttachmentInfo) -> str:
    """``📎 report.pdf · 12 pages · 1.2 MB``: the one line a turn shows per attachment. The name
    is untrusted (it may come from an imported file), so it is made safe to print."""
    return " · ".join([f"{PAPERCLIP} {sanitize_line(info.name)}", *details(info)])
