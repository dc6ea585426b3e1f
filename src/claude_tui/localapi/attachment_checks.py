"""What the real API refuses in image and document blocks, with the message of its 400.

The wording is the API's where it was seen in the wild (public bug reports quoting the API's
400 bodies; the report of the branch that wrote this lists them), and written in the same style
where it was not: those are marked *(plausible)* below. Paths follow the API's: an image's is
``messages.N.content.M.image.source.base64``, a PDF's ``messages.N.content.M.pdf.source.base64``
(the API names a base64 document ``pdf``), a text document's ``….document.source.text``.

The API measures an image's 5 MB on the **base64 text** (every size its 400s quote is a
multiple of four, and a 12.7 MB file is quoted at 17,699,328 bytes), so that is what is
measured here too, and likewise a PDF's 32 MB. Sources the server does not fetch (``url``,
``file``, ``content``) are checked for shape only.
"""

from __future__ import annotations

from typing import Any

from claude_tui.localapi.attachments import Decoded, attachment_blocks, decode
from claude_tui.localapi.image_header import IMAGE_MEDIA_TYPES
from claude_tui.localapi.models import ModelSpec

IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_MAX_SIDE = 8000
MANY_IMAGES = 20
"""More images than this in one request and each may be at most :data:`MANY_IMAGES_MAX_SIDE`."""
MANY_IMAGES_MAX_SIDE = 2000
PDF_MAX_BYTES = 32 * 1024 * 1024
PDF_MAX_PAGES = 100

COULD_NOT_PROCESS_IMAGE = "Could not process image"
_IMAGE_SOURCES = ("base64", "file", "url")
_DOCUMENT_SOURCES = ("base64", "content", "file", "text", "url")


def _tags(names: tuple[str, ...]) -> str:
    return ", ".join(f"'{name}'" for name in names)


def attachments_problem(messages: Any) -> str | None:
    """The 400 message for the first bad image or document block of ``messages``, or None."""
    blocks = list(attachment_blocks(messages))
    images = sum(1 for _, _, block in blocks if block.get("type") == "image")
    for i, j, block in blocks:
        where = f"messages.{i}.content.{j}"
        if block["type"] == "image":
            problem = _image_problem(where, block, images > MANY_IMAGES)
        else:
            problem = _document_problem(where, block)
        if problem is not None:
            return problem
    return None


def capability_problem(spec: ModelSpec, messages: Any) -> str | None:
    """The 400 for an image sent to a model without ``image_input``, or a PDF to one without
    ``pdf_input`` *(plausible)*."""
    for i, j, block in attachment_blocks(messages):
        source = block.get("source")
        kind = source.get("type") if isinstance(source, dict) else None
        if block.get("type") == "image" and not spec.image_input:
            return f"messages.{i}.content.{j}: {spec.id} does not support image input."
        is_pdf = block.get("type") == "document" and kind in ("base64", "url", "file")
        if is_pdf and not spec.pdf_input:
            return f"messages.{i}.content.{j}: {spec.id} does not support PDF input."
    return None


def _source_problem(where: str, block: dict[str, Any], tags: tuple[str, ...]) -> str | None:
    source = block.get("source")
    if source is None:
        return f"{where}.source: Field required"
    if not isinstance(source, dict):
        return f"{where}.source: Input should be a valid dictionary or object"
    kind = source.get("type")
    if kind not in tags:
        return (
            f"{where}.source: Input tag '{kind}' found using 'type' does not match any of the "
            f"expected tags: {_tags(tags)}"
        )
    field = {"url": "url", "file": "file_id"}.get(str(kind))
    if field is not None and not isinstance(source.get(field), str):
        return f"{where}.source.{kind}.{field}: Field required"
    if kind == "content" and not isinstance(source.get("content"), (str, list)):
        return f"{where}.source.content.content: Field required"
    return None


def _decoded_problem(where: str, source: dict[str, Any], what: str) -> Decoded | str:
    """The decoded source, or the 400 for data that is missing, empty or not base64."""
    data = source.get("data")
    if not isinstance(data, str):
        return f"{where}.data: Input should be a valid string"  # (plausible)
    facts = decode(data)
    if facts.problem == "empty":
        return f"{where}: {what} cannot be empty"
    if facts.problem == "base64":
        return f"{where}: invalid base64 data"
    return facts


def _image_problem(where: str, block: dict[str, Any], many: bool) -> str | None:
    problem = _source_problem(f"{where}.image", block, _IMAGE_SOURCES)
    source = block["source"] if problem is None else None
    if source is None or source.get("type") != "base64":
        return problem
    where = f"{where}.image.source.base64"
    declared = source.get("media_type")
    if declared not in IMAGE_MEDIA_TYPES:
        expected = ", ".join(f"'{t}'" for t in IMAGE_MEDIA_TYPES[:-1])
        return f"{where}.media_type: Input should be {expected} or '{IMAGE_MEDIA_TYPES[-1]}'"
    facts = _decoded_problem(where, source, "image")
    if isinstance(facts, str):
        return facts
    if facts.encoded_size > IMAGE_MAX_BYTES:
        return (
            f"{where}: image exceeds 5 MB maximum: {facts.encoded_size} bytes > "
            f"{IMAGE_MAX_BYTES} bytes"
        )
    if facts.sniffed is None:
        return f"{where}.data: Image does not match the provided media type {declared}"
    if facts.sniffed != declared:
        return (
            f"{where}: The image was specified using the {declared} media type, but the image "
            f"appears to be a {facts.sniffed} image"
        )
    if facts.pixels is None:
        return COULD_NOT_PROCESS_IMAGE
    if max(facts.pixels) > IMAGE_MAX_SIDE:
        return (
            f"{where}.data: At least one of the image dimensions exceed max allowed size: "
            f"{IMAGE_MAX_SIDE} pixels"
        )
    if many and max(facts.pixels) > MANY_IMAGES_MAX_SIDE:
        return (
            f"{where}.data: At least one of the image dimensions exceed max allowed size for "
            f"many-image requests: {MANY_IMAGES_MAX_SIDE} pixels"
        )
    return None


def _document_problem(where: str, block: dict[str, Any]) -> str | None:
    problem = _source_problem(f"{where}.document", block, _DOCUMENT_SOURCES)
    if problem is None:
        problem = _document_fields_problem(f"{where}.document", block)
    if problem is not None:
        return problem
    source = block["source"]
    if source.get("type") == "text":
        return _text_problem(f"{where}.document.source.text", source)
    if source.get("type") == "base64":
        return _pdf_problem(where, source)
    return None


def _document_fields_problem(where: str, block: dict[str, Any]) -> str | None:
    """``title`` and ``context`` strings, ``citations`` ``{"enabled": bool}`` *(plausible)*."""
    for name in ("title", "context"):
        if block.get(name) is not None and not isinstance(block[name], str):
            return f"{where}.{name}: Input should be a valid string"
    citations = block.get("citations")
    if citations is not None:
        if not isinstance(citations, dict):
            return f"{where}.citations: Input should be a valid dictionary or object"
        enabled = citations.get("enabled")
        if enabled is not None and not isinstance(enabled, bool):
            return f"{where}.citations.enabled: Input should be a valid boolean"
    return None


def _text_problem(where: str, source: dict[str, Any]) -> str | None:
    """A text source: ``text/plain`` and a non-empty string *(plausible, in the style of the
    API's field validation)*."""
    if source.get("media_type") != "text/plain":
        return f"{where}.media_type: Input should be 'text/plain'"
    data = source.get("data")
    if not isinstance(data, str):
        return f"{where}.data: Input should be a valid string"
    if not data:
        return f"{where}.data: String should have at least 1 character"
    return None


def _pdf_problem(where: str, source: dict[str, Any]) -> str | None:
    if source.get("media_type") != "application/pdf":
        return f"{where}.document.source.base64.media_type: Input should be 'application/pdf'"
    where = f"{where}.pdf.source.base64"
    facts = _decoded_problem(where, source, "PDF")  # "PDF cannot be empty" (plausible)
    if isinstance(facts, str):
        return facts
    if facts.encoded_size > PDF_MAX_BYTES:  # (plausible: the image's wording)
        return (
            f"{where}: PDF exceeds 32 MB maximum: {facts.encoded_size} bytes > "
            f"{PDF_MAX_BYTES} bytes"
        )
    pdf = facts.pdf
    if pdf is None:
        return f"{where}.data: The PDF specified was not valid."
    if pdf.encrypted:
        return f"{where}.data: The PDF specified is password protected."
    if pdf.pages > PDF_MAX_PAGES:
        return f"{where}.data: A maximum of {PDF_MAX_PAGES} PDF pages may be provided."
    return None
