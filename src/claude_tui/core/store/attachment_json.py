"""How an attachment's bytes leave a stored block's JSON for the ``attachments`` table, and how
they come back.

An image or document block carries its file inline: base64 ``data`` (images, PDFs) or a text
source's ``data`` (text files). Kept in the ``blocks`` column, every turn that sends the same
file would hold another copy, and listing or searching would wade through them. So on every
write the data is taken out (:func:`detach`) and the block keeps, under the app's own mark
(``blocks.STORE_MARK``), a reference ``"stored": {"sha256": ..., "encoding": ...}``: the hex
SHA-256 of the bytes (for a text source, its UTF-8 bytes) and how they were written in the
block. Reading puts the same text back (:func:`restore`), so a block comes out equal to the one
that went in.

Only what can come back exactly is taken out: base64 that re-encodes to the same text (not one
with line breaks or stray padding bits), text that is valid Unicode. Anything else stays inline,
as before. A reference whose bytes are gone (a damaged file) comes back as a text block that
says so (:func:`missing_placeholder`): the message and the session still open, and what is sent
is valid text, not an image the API would refuse.

Pure functions on the JSON of ``blocks.block_to_store``; the table itself is ``attachments``.
"""

from __future__ import annotations

import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from claude_tui.core.attachments import codec
from claude_tui.core.attachments.info import PAPERCLIP, AttachmentInfo, attachment_line
from claude_tui.core.blocks import STORE_MARK
from claude_tui.core.sanitize import sanitize_line

JSON = dict[str, Any]

STORED = "stored"
"""The key, inside ``blocks.STORE_MARK``, of a block's reference to its stored bytes."""

MISSING = "missing from the session database"
"""What the placeholder of an attachment whose bytes are gone says."""

_KINDS = ("image", "document")


@dataclass(frozen=True)
class Attachment:
    """The bytes of one attached file, as the ``attachments`` table keeps them."""

    sha256: str
    media_type: str
    data: bytes


def _bytes_of(source: Mapping[str, Any]) -> tuple[bytes, str] | None:
    """The source's bytes and their encoding, if they can be written back exactly."""
    data = source.get("data")
    if not isinstance(data, str):
        return None
    if source.get("type") == "base64":
        try:
            raw = codec.decode(data)
        except (binascii.Error, ValueError):
            return None
        if not codec.encodes(raw, data):
            return None  # not canonical: re-encoding would not give back the same text
        return raw, "base64"
    if source.get("type") == "text":
        try:
            return data.encode("utf-8"), "text"
        except UnicodeEncodeError:  # a lone surrogate: cannot be bytes, stays inline
            return None
    return None


def detach(item: JSON) -> Attachment | None:
    """Take the inline data out of one stored block (changed in place) and return it; None,
    and ``item`` untouched, for any other block or data that could not come back exactly.

    Part of migration 6's contract (``migrations._keep_attachments_once`` calls it on version 5
    files): changing what it writes changes what that migration does, pinned by
    ``tests/core/test_migration_v6.py``."""
    if item.get("type") not in _KINDS:
        return None
    source = item.get("source")
    if not isinstance(source, dict):
        return None
    found = _bytes_of(source)
    if found is None:
        return None
    raw, encoding = found
    sha256 = hashlib.sha256(raw).hexdigest()
    media_type = source.get("media_type")
    item["source"] = {key: value for key, value in source.items() if key != "data"}
    marks = item.get(STORE_MARK)
    marks = dict(marks) if isinstance(marks, dict) else {}
    marks[STORED] = {"sha256": sha256, "encoding": encoding}
    item[STORE_MARK] = marks
    return Attachment(sha256, media_type if isinstance(media_type, str) else "", raw)


def reference(item: Mapping[str, Any]) -> str | None:
    """The SHA-256 a stored block refers to; None when it holds its data itself. A reference
    that cannot be read is ``""``, which no row has: the block comes back as missing."""
    marks = item.get(STORE_MARK)
    if not isinstance(marks, dict) or STORED not in marks:
        return None
    stored = marks[STORED]
    sha256 = stored.get("sha256") if isinstance(stored, dict) else None
    return sha256 if isinstance(sha256, str) else ""


def references(text: str) -> set[str]:
    """Every SHA-256 the blocks column ``text`` refers to (none if it cannot be read: the
    message then comes back from its text columns anyway)."""
    try:
        items = json.loads(text)
    except (ValueError, RecursionError):
        return set()
    if not isinstance(items, list):
        return set()
    found = {reference(item) for item in items if isinstance(item, dict)}
    return {sha256 for sha256 in found if sha256}


def _encoded(data: bytes, encoding: object) -> str | None:
    if encoding == "base64":
        return codec.encode(data)
    if encoding == "text":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return None
    return None


def restore(item: JSON, stored: Mapping[str, bytes]) -> JSON:
    """The block as it was written, its data put back from ``stored`` (SHA-256 to bytes); a
    block without a reference is returned as it is; one whose bytes are not there, as
    :func:`missing_placeholder`."""
    sha256 = reference(item)
    if sha256 is None:
        return item
    marks: JSON = item[STORE_MARK]
    source = item.get("source")
    data = stored.get(sha256)
    text = None if data is None else _encoded(data, marks[STORED].get("encoding"))
    if text is None or not isinstance(source, dict):
        return missing_placeholder(item)
    restored = {key: value for key, value in item.items() if key != STORE_MARK}
    restored["source"] = {**source, "data": text}
    rest = {key: value for key, value in marks.items() if key != STORED}
    if rest:
        restored[STORE_MARK] = rest
    return restored


def missing_placeholder(item: Mapping[str, Any]) -> JSON:
    """A text block standing for an attachment whose bytes are gone, naming it as well as the
    block can: ``[📎 report.pdf · 12 pages · 1.2 MB — missing from the session database]``.

    Text, so the turn shows it as any prompt text, and the history sent later stays valid:
    the model reads that something was attached here rather than an image the API refuses."""
    marks = item.get(STORE_MARK)
    info = AttachmentInfo.from_json(marks.get("attachment")) if isinstance(marks, dict) else None
    if info is not None:
        what = attachment_line(info)
    else:
        title = item.get("title")
        if isinstance(title, str) and title.strip():
            what = f"{PAPERCLIP} {sanitize_line(title)}"
        else:
            what = f"{PAPERCLIP} {'an image' if item.get('type') == 'image' else 'a document'}"
    return {"type": "text", "text": f"[{what} — {MISSING}]"}
