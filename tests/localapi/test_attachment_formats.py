"""The local server's standard-library readers of image headers and PDFs, on the shapes real
files take that the end-to-end checks do not all reach: a JPEG whose frame comes after large
EXIF and ICC segments or is progressive, a PDF updated incrementally, a PDF whose text hides
behind a filter this reader does not decode."""

from __future__ import annotations

import io

from PIL import Image

from claude_tui.localapi.image_header import image_size, sniff_image
from claude_tui.localapi.pdf_facts import read_pdf

from .attachment_samples import hand_pdf, image_bytes, pdf_bytes, stream


def test_a_jpeg_frame_is_found_after_large_segments_and_when_progressive() -> None:
    exif = Image.Exif()
    exif[0x010E] = "x" * 60_000  # ImageDescription: a long APP1 segment first
    buffer = io.BytesIO()
    Image.new("RGB", (321, 123)).save(
        buffer, "JPEG", exif=exif.tobytes(), icc_profile=b"\0" * 100_000, progressive=True
    )
    data = buffer.getvalue()
    assert data.find(b"\xff\xc2") > 100_000  # SOF2, after the ICC profile's segments
    assert image_size(data) == (321, 123)


def test_each_format_reads_its_own_header_and_nothing_else() -> None:
    for fmt, media_type in (("PNG", "image/png"), ("GIF", "image/gif"), ("WEBP", "image/webp")):
        data = image_bytes(fmt, 17, 9)
        assert (sniff_image(data), image_size(data)) == (media_type, (17, 9))
        assert image_size(data[:9]) is None  # cut inside the header
    assert image_size(b"BM" + b"\0" * 40) is None  # a BMP: not a format the API takes
    assert image_size(image_bytes("PNG", 1, 1).replace(b"IHDR", b"IHDX")) is None


def test_an_incremental_update_that_adds_pages_is_read_last() -> None:
    base = pdf_bytes(2)
    update = (
        b"\n5 0 obj\n<< /Type /Pages /Count 7 /Kids [] >>\nendobj\n"
        b"9 0 obj\n<< /Type /Catalog /Pages 5 0 R >>\nendobj\n"
        b"trailer\n<< /Root 9 0 R /Prev 0 >>\nstartxref\n0\n%%EOF\n"
    )
    facts = read_pdf(base + update)
    assert facts is not None
    assert facts.pages == 7


def test_text_behind_a_filter_it_does_not_decode_is_not_seen_but_the_pages_are() -> None:
    hidden = stream(b"BT (secret) Tj ET", b"/Filter /ASCII85Decode", compress=False)
    pdf = hand_pdf(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            3: b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
            4: hidden,
        },
        b"<< /Root 1 0 R >>",
    )
    facts = read_pdf(pdf)
    assert facts is not None
    assert (facts.pages, facts.text) == (1, "")


def test_bytes_inside_a_stream_are_never_taken_for_objects() -> None:
    decoy = b"99 0 obj << /Type /Page >> endobj " * 3
    pdf = hand_pdf(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R] >>",  # no /Count: the pages are counted
            3: b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
            4: stream(decoy, compress=False),
        },
        b"<< /Root 1 0 R >>",
    )
    facts = read_pdf(pdf)
    assert facts is not None
    assert facts.pages == 1


def test_an_object_stream_of_nonsense_makes_an_invalid_pdf_not_a_crash() -> None:
    nonsense = stream(b"12 x 13 y\n<< >>", b"/Type /ObjStm /N 2 /First 10")
    assert read_pdf(hand_pdf({1: nonsense}, b"<< /Root 2 0 R >>")) is None


def test_a_move_to_a_new_line_inside_a_text_object_starts_a_new_line() -> None:
    shows = b"BT /F1 20 Tf 72 700 Td (Quarterly report) Tj 0 -30 Td (Page 1) Tj T* (end) Tj ET"
    pdf = hand_pdf(
        {
            1: b"<< /Type /Catalog /Pages 2 0 R >>",
            2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            3: b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
            4: stream(shows),
        },
        b"<< /Root 1 0 R >>",
    )
    facts = read_pdf(pdf)
    assert facts is not None
    assert facts.text == "Quarterly report\nPage 1\nend"
