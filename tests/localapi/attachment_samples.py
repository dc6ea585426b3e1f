"""Images, PDFs and blocks for the local server's attachment tests, made in code and tiny.

Pillow and pypdf make the inputs (the server itself reads them with the standard library);
:func:`hand_pdf` writes a PDF object by object, for the structures pypdf does not write (object
streams, text content) and for broken ones.
"""

from __future__ import annotations

import base64
import zlib
from typing import Any

from tests.sample_files import image_bytes as image_bytes  # shared with core's tests
from tests.sample_files import pdf_bytes as pdf_bytes

MODEL = "claude-sonnet-5-5"


def hand_pdf(objects: dict[int, bytes], trailer: bytes) -> bytes:
    """A PDF of these objects (number: body) and trailer dictionary, with a right xref."""
    out = bytearray(b"%PDF-1.7\n")
    offsets: dict[int, int] = {}
    for number, body in sorted(objects.items()):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%b\nendobj\n" % (number, body)
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets.get(number, 0)
    out += b"trailer\n%b\nstartxref\n%d\n%%%%EOF\n" % (trailer, xref)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"", *, compress: bool = True) -> bytes:
    """An object body holding a stream, deflated unless ``compress`` is false."""
    raw = zlib.compress(data) if compress else data
    flate = b" /Filter /FlateDecode" if compress else b""
    return b"<< /Length %d%b %b >>\nstream\n%b\nendstream" % (len(raw), flate, extra, raw)


def text_pdf(lines: list[bytes]) -> bytes:
    """One page whose content stream shows ``lines`` (literal strings), deflated."""
    shows = b"\n".join(b"BT /F1 12 Tf 72 %d Td (%b) Tj ET" % (720 - 20 * i, line)
                       for i, line in enumerate(lines))  # fmt: skip
    return hand_pdf(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            3: b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
            4: stream(shows),
        },
        b"<< /Root 1 0 R /Size 5 >>",
    )


def object_stream_pdf(pages: int, *, with_count: bool = True) -> bytes:
    """A catalog, a page tree and ``pages`` pages, all packed in one deflated object stream
    (as PDF 1.5 writers pack them); without ``/Count`` when ``with_count`` is false."""
    count = b" /Count %d" % pages if with_count else b""
    kids = b" ".join(b"%d 0 R" % (10 + n) for n in range(pages))
    packed = {
        2: b"<< /Type /Catalog /Pages 3 0 R >>",
        3: b"<< /Type /Pages /Kids [%b]%b >>" % (kids, count),
        **{10 + n: b"<< /Type /Page /Parent 3 0 R >>" for n in range(pages)},
    }
    header = b" ".join(b"%d %d" % pair for pair in _offsets(packed)) + b"\n"
    body = header + b"\n".join(packed.values())
    extra = b"/Type /ObjStm /N %d /First %d" % (len(packed), len(header))
    return hand_pdf({1: stream(body, extra)}, b"<< /Root 2 0 R /Size 2 >>")


def _offsets(packed: dict[int, bytes]) -> list[tuple[int, int]]:
    pairs, at = [], 0
    for number, body in packed.items():
        pairs.append((number, at))
        at += len(body) + 1
    return pairs


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def image_block(data: bytes | str, media_type: str = "image/png") -> dict[str, Any]:
    encoded = data if isinstance(data, str) else b64(data)
    return {
        "type": "image",
        "source": {"type": "base64", "media_type": media_type, "data": encoded},
    }


def pdf_block(data: bytes | str, title: str | None = "report.pdf") -> dict[str, Any]:
    encoded = data if isinstance(data, str) else b64(data)
    block: dict[str, Any] = {
        "type": "document",
        "source": {"type": "base64", "media_type": "application/pdf", "data": encoded},
        "citations": {"enabled": True},
    }
    if title is not None:
        block["title"] = title
    return block


def text_block(text: str, title: str | None = "main.py") -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "document",
        "source": {"type": "text", "media_type": "text/plain", "data": text},
    }
    if title is not None:
        block["title"] = title
    return block


def user(*blocks: dict[str, Any], text: str | None = "What is in these?") -> list[dict[str, Any]]:
    content = [*blocks, *([{"type": "text", "text": text}] if text else [])]
    return [{"role": "user", "content": content}]
