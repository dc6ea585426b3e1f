"""The local server checks image and document blocks as the real API does, with its words.

Each check is made through the real SDK over real HTTP: a good block is answered, a bad one gets
a 400 ``invalid_request_error`` whose message is compared whole. The messages are the API's as
users have quoted them (see ``attachment_checks``); the ones marked plausible there are pinned
too, so a change to them is a decision.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic
import pytest

from claude_tui.localapi.models import MODELS, ModelSpec
from claude_tui.localapi.server import LocalAPIServer

from .attachment_samples import (
    MODEL,
    b64,
    hand_pdf,
    image_block,
    image_bytes,
    object_stream_pdf,
    pdf_block,
    pdf_bytes,
    text_block,
    text_pdf,
    user,
)

WHERE = "messages.0.content.0"
IMAGE = f"{WHERE}.image.source.base64"
PDF = f"{WHERE}.pdf.source.base64"
NO_VISION = ModelSpec("claude-blind-1", "Claude Blind", "2026-01-01T00:00:00Z", image_input=False)


@pytest.fixture(scope="module")
def server() -> Iterator[LocalAPIServer]:
    with LocalAPIServer(models=(*MODELS, NO_VISION)) as running:
        yield running


def send(server: LocalAPIServer, block: dict[str, Any], model: str = MODEL) -> str | None:
    """The 400's message for a request carrying ``block``, or None when it was answered."""
    client = anthropic.Anthropic(api_key="test", base_url=server.base_url, max_retries=0)
    try:
        client.messages.create(model=model, max_tokens=64, messages=user(block))  # type: ignore[arg-type]
    except anthropic.BadRequestError as error:
        assert isinstance(error.body, dict)
        assert error.body["error"]["type"] == "invalid_request_error"
        return str(error.body["error"]["message"])
    return None


def png_of_base64_size(size: int) -> str:
    """A valid PNG padded with zeros to exactly ``size`` base64 characters (a multiple of 4)."""
    head = image_bytes("PNG")
    return b64(head + b"\0" * (size // 4 * 3 - len(head)))


GOOD = {
    "png": image_block(image_bytes("PNG")),
    "jpeg": image_block(image_bytes("JPEG"), "image/jpeg"),
    "gif": image_block(image_bytes("GIF"), "image/gif"),
    "webp lossy": image_block(image_bytes("WEBP"), "image/webp"),
    "webp lossless": image_block(image_bytes("WEBP", lossless=True), "image/webp"),
    "webp extended": image_block(image_bytes("WEBP", exif=b"Exif\0\0"), "image/webp"),
    "8000 px wide": image_block(image_bytes("PNG", 8000, 1)),
    "5 MB of base64 exactly": image_block(png_of_base64_size(5 * 1024 * 1024)),
    "image url": {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
    "pdf": pdf_block(pdf_bytes(3)),
    "pdf of 100 pages": pdf_block(pdf_bytes(100)),
    "pdf with an object stream": pdf_block(object_stream_pdf(4)),
    "pdf url": {"type": "document", "source": {"type": "url", "url": "https://example.com/a.pdf"}},
    "text": text_block("print('hi')\n"),
    "text untitled": text_block("a", title=None),
}


@pytest.mark.parametrize("block", GOOD.values(), ids=GOOD.keys())
def test_a_good_block_is_answered(server: LocalAPIServer, block: dict[str, Any]) -> None:
    assert send(server, block) is None


PNG = image_bytes("PNG")
TOO_BIG = png_of_base64_size(5 * 1024 * 1024 + 4)
BAD = {
    "media type not taken": (
        image_block(PNG, "image/bmp"),
        f"{IMAGE}.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or "
        "'image/webp'",
    ),
    "empty": (image_block(""), f"{IMAGE}: image cannot be empty"),
    "not base64": (image_block("iVBO$$=="), f"{IMAGE}: invalid base64 data"),
    "base64 unpadded": (image_block(b64(PNG).rstrip("=")[:-1]), f"{IMAGE}: invalid base64 data"),
    "over 5 MB": (
        image_block(TOO_BIG),
        f"{IMAGE}: image exceeds 5 MB maximum: {5 * 1024 * 1024 + 4} bytes > 5242880 bytes",
    ),
    "a jpeg called png": (
        image_block(image_bytes("JPEG")),
        f"{IMAGE}: The image was specified using the image/png media type, but the image "
        "appears to be a image/jpeg image",
    ),
    "text called png": (
        image_block(b"just some text, not a picture"),
        f"{IMAGE}.data: Image does not match the provided media type image/png",
    ),
    "header cut short": (image_block(PNG[:14]), "Could not process image"),
    "jpeg without a frame": (
        image_block(b"\xff\xd8\xff\xd9", "image/jpeg"),
        "Could not process image",
    ),
    "8001 px": (
        image_block(image_bytes("PNG", 1, 8001)),
        f"{IMAGE}.data: At least one of the image dimensions exceed max allowed size: 8000 pixels",
    ),
    "pdf media type": (
        {
            **pdf_block(pdf_bytes(1)),
            "source": {
                "type": "base64",
                "media_type": "application/x-pdf",
                "data": b64(pdf_bytes(1)),
            },
        },
        f"{WHERE}.document.source.base64.media_type: Input should be 'application/pdf'",
    ),
    "pdf empty": (pdf_block(""), f"{PDF}: PDF cannot be empty"),
    "pdf not base64": (pdf_block("JVBE%"), f"{PDF}: invalid base64 data"),
    "text called pdf": (pdf_block(b"hello"), f"{PDF}.data: The PDF specified was not valid."),
    "pdf cut short": (
        pdf_block(pdf_bytes(2)[:-40]),
        f"{PDF}.data: The PDF specified was not valid.",
    ),
    "pdf with no pages": (
        pdf_block(hand_pdf({1: b"<< /Type /Catalog >>"}, b"<< /Root 1 0 R >>")),
        f"{PDF}.data: The PDF specified was not valid.",
    ),
    "pdf encrypted": (
        pdf_block(pdf_bytes(1, password="secret")),
        f"{PDF}.data: The PDF specified is password protected.",
    ),
    "pdf of 101 pages": (
        pdf_block(pdf_bytes(101)),
        f"{PDF}.data: A maximum of 100 PDF pages may be provided.",
    ),
    "pdf of 101 pages in an object stream": (
        pdf_block(object_stream_pdf(101, with_count=False)),
        f"{PDF}.data: A maximum of 100 PDF pages may be provided.",
    ),
    "text media type": (
        {**text_block("x"), "source": {"type": "text", "media_type": "text/html", "data": "x"}},
        f"{WHERE}.document.source.text.media_type: Input should be 'text/plain'",
    ),
    "text empty": (
        text_block(""),
        f"{WHERE}.document.source.text.data: String should have at least 1 character",
    ),
    "title not a string": (
        {**text_block("x"), "title": 5},
        f"{WHERE}.document.title: Input should be a valid string",
    ),
    "citations not a bool": (
        {**pdf_block(pdf_bytes(1)), "citations": {"enabled": "yes"}},
        f"{WHERE}.document.citations.enabled: Input should be a valid boolean",
    ),
    "source of no known type": (
        {"type": "document", "source": {"type": "path", "path": "/etc/passwd"}},
        f"{WHERE}.document.source: Input tag 'path' found using 'type' does not match any of "
        "the expected tags: 'base64', 'content', 'file', 'text', 'url'",
    ),
    "image without a source": (
        {"type": "image"},
        f"{WHERE}.image.source: Field required",
    ),
}


@pytest.mark.parametrize(("block", "message"), BAD.values(), ids=BAD.keys())
def test_a_bad_block_gets_the_apis_400(
    server: LocalAPIServer, block: dict[str, Any], message: str
) -> None:
    assert send(server, block) == message


def test_over_20_images_each_may_be_at_most_2000_px(server: LocalAPIServer) -> None:
    small = image_block(image_bytes("PNG"))
    wide = image_block(image_bytes("PNG", 2001, 1))
    client = anthropic.Anthropic(api_key="test", base_url=server.base_url, max_retries=0)
    client.messages.create(model=MODEL, max_tokens=8, messages=user(*[small] * 19, wide))  # type: ignore[arg-type]
    with pytest.raises(anthropic.BadRequestError) as info:
        client.messages.create(model=MODEL, max_tokens=8, messages=user(*[small] * 20, wide))  # type: ignore[arg-type]
    assert info.value.body["error"]["message"] == (  # type: ignore[index]
        "messages.0.content.20.image.source.base64.data: At least one of the image dimensions "
        "exceed max allowed size for many-image requests: 2000 pixels"
    )


@pytest.mark.parametrize(
    ("model", "block", "message"),
    [
        (
            "claude-3-haiku-20240307",
            pdf_block(pdf_bytes(1)),
            f"{WHERE}: claude-3-haiku-20240307 does not support PDF input.",
        ),
        (NO_VISION.id, image_block(PNG), f"{WHERE}: claude-blind-1 does not support image input."),
    ],
    ids=["pdf", "image"],
)
def test_a_model_without_the_capability_refuses_the_attachment(
    server: LocalAPIServer, model: str, block: dict[str, Any], message: str
) -> None:
    assert send(server, block, model) == message
    client = anthropic.Anthropic(api_key="test", base_url=server.base_url, max_retries=0)
    with pytest.raises(anthropic.BadRequestError) as info:
        client.messages.count_tokens(model=model, messages=user(block))  # type: ignore[arg-type]
    assert info.value.body["error"]["message"] == message  # type: ignore[index]
    # A text document is only text: every model takes it.
    assert send(server, text_block("notes"), model) is None


def test_the_server_reads_text_and_pages_of_a_pdf_it_wrote_by_hand(server: LocalAPIServer) -> None:
    assert send(server, pdf_block(text_pdf([b"Quarterly report", b"Revenue \\(up\\)"]))) is None
    [received] = server.received_attachments(-1)
    assert (received.kind, received.pages) == ("pdf", 1)
    assert received.text == "Quarterly report\nRevenue (up)"
