"""Image and PDF bytes made in code, for the tests of both sides: core's preparing of a file
and the local server's reading of a request (one way to make each, so the two agree)."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image
from pypdf import PdfWriter


def image_bytes(
    fmt: str,
    width: int = 8,
    height: int = 6,
    colour: tuple[int, ...] = (200, 40, 40),
    mode: str = "RGB",
    **options: Any,
) -> bytes:
    """A one-colour image in Pillow's format ``fmt`` (``PNG``, ``JPEG``, ``GIF``, ``WEBP``)."""
    buffer = io.BytesIO()
    Image.new(mode, (width, height), colour).save(buffer, fmt, **options)
    return buffer.getvalue()


def pdf_bytes(
    pages: int, password: str | None = None, *, page_size: tuple[int, int] = (612, 792)
) -> bytes:
    """A PDF of ``pages`` blank pages (US Letter unless ``page_size``), encrypted with
    ``password`` when one is given (even an empty one)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(*page_size)
    if password is not None:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
