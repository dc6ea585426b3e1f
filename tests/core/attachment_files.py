"""Files to attach, made in a test's tmp_path: images with Pillow, PDFs with pypdf (through
``tests.sample_files``, shared with the local server's tests), and a PNG header claiming any
size (a decompression bomb) written by hand."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from PIL import Image

from tests.sample_files import pdf_bytes as pdf_bytes  # shared with the server's tests


def image_file(
    path: Path,
    size: tuple[int, int],
    colour: tuple[int, ...] = (200, 30, 30),
    mode: str = "RGB",
    /,
    **options: object,
) -> Path:
    """A one-colour image of ``size``; the format follows the suffix."""
    Image.new(mode, size, colour).save(path, **options)  # type: ignore[arg-type]
    return path


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width: int, height: int, pixels: bytes | None = None) -> bytes:
    """A tiny PNG whose header says ``width`` × ``height`` (1-bit grey): what a decompression
    bomb looks like before it is decoded; ``pixels`` replaces its compressed data."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00") if pixels is None else pixels)
        + _chunk(b"IEND", b"")
    )


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
