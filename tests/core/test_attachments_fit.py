"""The checks before a send (the model's capabilities, the request's size, PDF pages) and the
token estimates of attachments."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from pathlib import Path

import pytest

from claude_tui.core.attachments import json_size
from claude_tui.core.attachments.build import image_block, pdf_block, text_block
from claude_tui.core.attachments.fit import (
    IMAGE_FALLBACK_TOKENS,
    PDF_PAGE_TOKENS,
    capability_problem,
    estimate_block_tokens,
    image_tokens,
    many_images_problem,
    pdf_pages_problem,
    request_bytes,
    request_size_problem,
)
from claude_tui.core.attachments.info import AttachmentInfo
from claude_tui.core.attachments.prepare import prepare_attachment
from claude_tui.core.blocks import AttachmentBlock, DocumentBlock, ImageBlock
from claude_tui.core.capabilities import ModelCapabilities
from claude_tui.localapi.attachments import image_tokens as server_image_tokens
from tests.core.attachment_files import image_file, pdf_bytes, png_claiming

HAIKU = ModelCapabilities("claude-3-haiku-20240307", image_input=True)
BLIND = ModelCapabilities("text-only")
SONNET = ModelCapabilities("claude-sonnet-5-5", image_input=True, pdf_input=True)


def image(name: str = "shot.png", width: int = 100, height: int = 50) -> ImageBlock:
    info = AttachmentInfo(name, "image", "image/png", 0, "", width=width, height=height)
    return image_block(info, b"\x89PNG\r\n\x1a\n")


PDF = pdf_block("report.pdf", b"%PDF-1.4", pages=12)
TEXT = text_block("notes.md", "x" * 4001)


def test_a_model_that_does_not_read_pdfs_names_one_that_does() -> None:
    others = [("text-only", BLIND), (HAIKU.model, HAIKU), ("claude-sonnet-5-5", SONNET)]
    assert capability_problem([PDF, image(), TEXT], HAIKU.model, HAIKU, others) == (
        "claude-3-haiku-20240307 does not read PDFs (report.pdf): claude-sonnet-5-5 does — "
        "/model claude-sonnet-5-5"
    )


def test_images_and_pdfs_both_missing_need_a_model_that_reads_both() -> None:
    shots = [image(f"s{index}.png") for index in range(5)]
    others = [("claude-3-haiku-20240307", HAIKU), ("claude-sonnet-5-5", SONNET)]
    assert capability_problem([*shots, PDF], "text-only", BLIND, others) == (
        "text-only does not read images (s0.png, s1.png, s2.png and 2 more) or PDFs "
        "(report.pdf): claude-sonnet-5-5 does — /model claude-sonnet-5-5"
    )
    assert capability_problem([PDF], "text-only", BLIND, [("claude-3-haiku", HAIKU)]) == (
        "text-only does not read PDFs (report.pdf), and no other model known here does: "
        "remove them to send"
    )


def test_what_a_model_reads_passes() -> None:
    assert capability_problem([TEXT], "text-only", BLIND, []) is None
    assert capability_problem([image()], HAIKU.model, HAIKU, []) is None
    assert capability_problem([PDF, image()], SONNET.model, SONNET, []) is None
    assert capability_problem([], "text-only", BLIND, []) is None


def _messages(*blocks: AttachmentBlock, text: str = "what is this? é") -> list[dict[str, object]]:
    content = [block.to_api() for block in blocks] + [{"type": "text", "text": text}]
    return [{"role": "user", "content": content}, {"role": "assistant", "content": '"ok"\n'}]


def test_the_request_size_is_what_the_sdk_writes() -> None:
    messages = _messages(PDF, image(), TEXT, text='quotes " and \\ and \x01 and 日本')
    written = json.dumps({"messages": messages}, ensure_ascii=False, separators=(",", ":"))
    assert request_bytes(messages) == len(written.encode("utf-8"))


def test_a_request_over_32_mb() -> None:
    source = {"type": "base64", "media_type": "application/pdf", "data": "A" * (33 * 1024 * 1024)}
    content = [{"type": "document", "source": source}, {"type": "text", "text": "and?"}]
    assert request_size_problem([{"role": "user", "content": content}]) == (
        "This request would be 35 MB with its attachments (images and PDFs are sent as "
        "base64); the API takes up to 32 MB: remove an attachment, or start a new session for it"
    )
    assert request_size_problem(_messages(PDF, image())) is None


def test_pdf_pages_are_counted_over_the_request() -> None:
    sixty = pdf_block("a.pdf", b"%PDF", pages=60)
    other = replace_name(pdf_block("b.pdf", b"%PDF-1.5", pages=60), "b.pdf")
    messages = _messages(sixty, other)
    assert pdf_pages_problem(messages, [sixty, other]) == (
        "The PDFs in this request have 120 pages together; the API takes up to 100 pages in "
        "one request: remove one, or start a new session for it"
    )
    assert pdf_pages_problem(_messages(sixty, PDF), [sixty, PDF]) is None


def test_pdf_pages_without_their_info_are_counted_from_the_data() -> None:
    first = pdf_block("a.pdf", pdf_bytes(60))
    second = pdf_block("b.pdf", pdf_bytes(45))
    assert pdf_pages_problem(_messages(first, second)) == (
        "The PDFs in this request have 105 pages together; the API takes up to 100 pages in "
        "one request: remove one, or start a new session for it"
    )
    assert pdf_pages_problem(_messages(first, pdf_block("c.pdf", pdf_bytes(40)))) is None


def test_many_images_may_each_be_at_most_2000_px() -> None:
    small = [image(f"s{index}.png", 2000, 1500) for index in range(20)]
    wide = image("wide.png", 2100, 900)
    assert many_images_problem(_messages(*small), small) is None
    assert many_images_problem(_messages(*small[:19], wide), [*small[:19], wide]) is None
    blocks = [*small, wide]
    assert many_images_problem(_messages(*blocks), blocks) == (
        "This request has 21 images, and the API takes more than 20 only when each is at most "
        "2000 px a side (wide.png is larger): set image_max_edge to 2000 or less and attach "
        "them again, or send fewer images"
    )
    # without the infos, the sizes come from the images' headers
    headers = [ImageBlock(_png_block(2000, 10)) for _ in range(20)]
    assert many_images_problem(_messages(*headers)) is None
    tall = [*headers, ImageBlock(_png_block(10, 2001)), ImageBlock(_png_block(10, 2001))]
    assert many_images_problem(_messages(*tall)) == (
        "This request has 22 images, and the API takes more than 20 only when each is at most "
        "2000 px a side (image 21, image 22 are larger): set image_max_edge to 2000 or less "
        "and attach them again, or send fewer images"
    )


def _png_block(width: int, height: int) -> dict[str, object]:
    data = base64.b64encode(png_claiming(width, height)).decode()
    return {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": data}}


def replace_name(block: DocumentBlock, name: str) -> DocumentBlock:
    assert block.info is not None
    return DocumentBlock(block.raw, info=replace(block.info, name=name))


def test_token_estimates() -> None:
    assert estimate_block_tokens(image(width=1000, height=750)) == 1000
    assert estimate_block_tokens(image(width=3136, height=3136)) == 1637  # the API's 1.15 MP
    assert estimate_block_tokens(image(width=1568, height=1568)) == 1637  # not 3,279
    assert estimate_block_tokens(PDF) == 12 * PDF_PAGE_TOKENS
    assert estimate_block_tokens(TEXT) == 1001  # 4,001 characters at 4 a token, rounded up


def test_estimates_without_info_read_the_data(tmp_path: Path) -> None:
    shot = prepare_attachment(image_file(tmp_path / "a.png", (300, 250))).block
    assert estimate_block_tokens(ImageBlock(shot.raw)) == 100  # 300 × 250 / 750
    paper = tmp_path / "p.pdf"
    paper.write_bytes(pdf_bytes(3))
    document = prepare_attachment(paper).block
    assert estimate_block_tokens(DocumentBlock(document.raw)) == 3 * PDF_PAGE_TOKENS
    junk = {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                        "data": base64.b64encode(b"junk").decode()}}  # fmt: skip
    assert estimate_block_tokens(ImageBlock(junk)) == IMAGE_FALLBACK_TOKENS


def test_image_tokens_are_the_local_servers() -> None:
    """Core cannot import the local server; the two copies of the API's scaling must agree."""
    sizes = [(1000, 750), (1092, 1092), (784, 1568), (1568, 1568), (3000, 3000), (8000, 10),
             (10, 8000), (4032, 3024), (1, 1)]  # fmt: skip
    for width, height in sizes:
        assert image_tokens(width, height) == server_image_tokens(width, height), (width, height)
    assert IMAGE_FALLBACK_TOKENS == 1640 >= max(image_tokens(w, h) for w, h in sizes)


def _written(messages: list[dict[str, object]]) -> int:
    text = json.dumps({"messages": messages}, ensure_ascii=False, separators=(",", ":"))
    return len(text.encode("utf-8"))


def test_large_strings_are_sized_exactly_and_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Non-ASCII, quotes, backslashes and controls in strings over the cache's threshold; the
    same string object is sized once however many sends ask, another of the same length anew."""
    plain = "A" * json_size.LARGE
    escapes = 'say "hi" \\ back\n\t\x01 \x7f ' * (json_size.LARGE // 10)
    accents = "é 日本 — 🎉\n" * (json_size.LARGE // 5)
    messages = [
        {"role": "user", "content": [
            text_block("a.txt", escapes).to_api(), text_block("b.txt", accents).to_api(),
            {"type": "text", "text": plain},
        ]},
    ]  # fmt: skip
    assert request_bytes(messages) == _written(messages)
    calls: list[int] = []
    real = json_size._written

    def counting(text: str) -> int:
        calls.append(len(text))
        return real(text)

    monkeypatch.setattr(json_size, "_written", counting)
    assert request_bytes(messages) == _written(messages)
    large = [size for size in calls if size >= json_size.LARGE]
    assert large == []  # all three were kept from the first count (text_block warmed two)
    twin = escapes.replace("h", '"')  # the same length, more to escape
    assert len(twin) == len(escapes)
    changed = [{"role": "user", "content": [{"type": "text", "text": twin}]}]
    assert request_bytes(changed) == _written(changed)


def test_a_string_longer_than_a_slice_is_sized_as_one_call_would() -> None:
    """Sizing goes a slice at a time (one call over 31 MB holds the interpreter); every kind
    of character, across slice boundaries, still adds up to what the SDK writes."""
    from claude_tui.core.attachments import json_size

    unit = 'é"\x02😀x\\\ud800\u2028'
    text = unit * (json_size.SLICE // len(unit) * 2 + 3)
    expected = len(json.dumps(text, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    assert json_size._written(text) == expected
    ascii_text = "QUJD" * (json_size.SLICE // 2 + 1)
    assert json_size._written(ascii_text) == len(ascii_text) + 2
