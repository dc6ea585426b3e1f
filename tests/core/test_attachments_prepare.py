"""prepare_attachment: every kind a file can be, the API's limits, and every bad input, each
refused with the sentence a person sees."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import pytest

from claude_tui.core.attachments import prepare
from claude_tui.core.attachments.prepare import AttachmentError, file_signature, prepare_attachment
from claude_tui.core.blocks import DocumentBlock, ImageBlock
from tests.core.attachment_files import image_file, pdf_bytes

KINDS = "Claude takes images (PNG, JPEG, GIF, WebP), PDFs, and UTF-8 text files"


def refusal(path: Path, **options: int) -> str:
    with pytest.raises(AttachmentError) as caught:
        prepare_attachment(path, **options)
    return str(caught.value)


@pytest.mark.parametrize(
    ("name", "media_type", "options"),
    [
        ("a.png", "image/png", {}),
        ("a.jpg", "image/jpeg", {"quality": 90}),
        ("a.gif", "image/gif", {}),
        ("a.webp", "image/webp", {}),
    ],
)
def test_each_image_format_is_sent_as_itself(
    tmp_path: Path, name: str, media_type: str, options: dict[str, int]
) -> None:
    path = image_file(tmp_path / name, (40, 30), **options)
    prepared = prepare_attachment(path)
    block = prepared.block
    assert isinstance(block, ImageBlock) and block.info is not None
    data = path.read_bytes()
    encoded = base64.b64encode(data).decode()
    assert block.raw == {
        "type": "image",
        "source": {"type": "base64", "media_type": media_type, "data": encoded},
    }
    info = block.info
    assert (info.name, info.kind, info.media_type) == (name, "image", media_type)
    assert (info.width, info.height, info.size) == (40, 30, len(data))
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.original_size is None and info.original_width is None
    assert prepared.signature == file_signature(path) is not None


def test_the_kind_comes_from_the_bytes_not_the_name(tmp_path: Path) -> None:
    path = image_file(tmp_path / "photo.png", (10, 10), format="JPEG")
    info = prepare_attachment(path).block.info
    assert info is not None and info.media_type == "image/jpeg"


def test_a_pdf_is_a_document_with_its_pages_and_citations(tmp_path: Path) -> None:
    data = pdf_bytes(3)
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    block = prepare_attachment(path).block
    assert isinstance(block, DocumentBlock) and block.info is not None
    encoded = base64.b64encode(data).decode()
    assert block.raw == {
        "type": "document",
        "source": {"type": "base64", "media_type": "application/pdf", "data": encoded},
        "title": "report.pdf",
        "citations": {"enabled": True},
    }
    assert (block.info.kind, block.info.pages, block.info.size) == ("pdf", 3, len(data))


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("app.py", "def main() -> None:\n    print('hé')\n"),
        ("notes.md", "# Notes\n\n- one\n"),
        ("table.csv", "a,b\n1,2\n"),
        ("data.json", '{"x": [1, 2]}\n'),
        ("server.log", "2026-12-07 INFO started\n"),
        ("README", "no suffix at all\n"),
    ],
)
def test_text_files_are_plain_text_documents_titled_by_name(
    tmp_path: Path, name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    block = prepare_attachment(path).block
    assert isinstance(block, DocumentBlock) and block.info is not None
    assert block.raw == {
        "type": "document",
        "source": {"type": "text", "media_type": "text/plain", "data": text},
        "title": name,
    }
    assert (block.info.kind, block.info.size) == ("text", len(text.encode()))


def test_a_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfhello")
    assert prepare_attachment(path).block.source["data"] == "hello"


# bad input: each refused with a sentence naming the file


def test_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "reprot.pdf"
    assert refusal(path) == f"reprot.pdf does not exist: there is no file at {path}"


def test_a_folder(tmp_path: Path) -> None:
    (tmp_path / "photos").mkdir()
    assert refusal(tmp_path / "photos") == "photos is a folder: attach the files in it"


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    assert refusal(path) == "pipe is not a regular file (a pipe or a device): attach a file"


def test_a_device() -> None:
    message = refusal(Path("/dev/null"))
    assert message == "null is not a regular file (a pipe or a device): attach a file"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_an_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("x")
    path.chmod(0)
    assert refusal(path) == "secret.txt cannot be read: permission denied"


def test_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert refusal(path) == "empty.txt is empty: there is nothing to attach"
    path.write_bytes(b"\xef\xbb\xbf")
    assert refusal(path) == "empty.txt is empty: there is nothing to attach"


def test_binary_junk(tmp_path: Path) -> None:
    path = tmp_path / "core.bin"
    path.write_bytes(bytes(range(256)) * 40)
    assert refusal(path) == f"core.bin cannot be attached, it is binary: {KINDS}"


def test_text_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("café".encode("latin-1"))
    assert refusal(path) == (
        "latin.txt cannot be attached, it is not UTF-8 text (save it as UTF-8 to attach it): "
        + KINDS
    )


def test_a_png_that_is_really_text(tmp_path: Path) -> None:
    path = tmp_path / "shot.png"
    path.write_text("not a picture\n")
    assert refusal(path) == (
        "shot.png is named like a PNG image but holds text: rename it (to .txt, say) to "
        "attach it as text"
    )


def test_a_jpeg_or_pdf_name_on_other_bytes(tmp_path: Path) -> None:
    path = tmp_path / "photo.JPG"
    path.write_bytes(b"\x00\x01junk")
    assert refusal(path) == "photo.JPG is named like a JPEG image but is not one"
    path = tmp_path / "paper.pdf"
    path.write_text("just words")
    assert refusal(path).startswith("paper.pdf is named like a PDF but holds text")


def test_a_file_changed_while_it_was_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "growing.log"
    path.write_text("a" * 10_000)
    check = prepare._check

    def append_meanwhile(*args: object) -> None:
        check(*args)  # type: ignore[arg-type]
        with path.open("a") as file:  # another program writes after the first bytes are read
            file.write("more\n")

    monkeypatch.setattr(prepare, "_check", append_meanwhile)
    assert refusal(path) == "growing.log changed while it was being read: attach it again"


def test_a_file_replaced_while_it_was_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("old")
    other = tmp_path / "new.txt"
    other.write_text("new")
    check = prepare._check

    def replace_meanwhile(*args: object) -> None:
        check(*args)  # type: ignore[arg-type]
        os.replace(other, path)  # an editor saving: a new file under the old name

    monkeypatch.setattr(prepare, "_check", replace_meanwhile)
    assert refusal(path) == "notes.txt changed while it was being read: attach it again"


def test_a_hostile_name_is_shown_safely(tmp_path: Path) -> None:
    path = tmp_path / "a\x1b[2Jb.png"
    path.write_text("text")
    assert "\x1b" not in refusal(path)


# the API's limits


def test_a_pdf_over_100_pages(tmp_path: Path) -> None:
    path = tmp_path / "book.pdf"
    path.write_bytes(pdf_bytes(101))
    assert refusal(path) == (
        "book.pdf has 101 pages; the API takes PDFs of up to 100 pages: split it and attach "
        "the part you need"
    )
    path.write_bytes(pdf_bytes(100))
    assert prepare_attachment(path).block.info.pages == 100  # type: ignore[union-attr]


def _padded(path: Path, size: int) -> Path:
    """A valid PDF followed by zeros up to ``size`` (sparse: made at once)."""
    path.write_bytes(pdf_bytes(1))
    os.truncate(path, size)
    return path


def test_a_pdf_over_32_mb_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = _padded(tmp_path / "scan.pdf", 33 * 1024 * 1024)
    assert refusal(path) == (
        "scan.pdf is 35 MB; the API takes PDFs up to 32 MB: split it and attach the part you need"
    )


def test_a_pdf_too_large_for_a_request_once_encoded(tmp_path: Path) -> None:
    path = _padded(tmp_path / "scan.pdf", 25 * 1024 * 1024)
    assert refusal(path) == (
        "scan.pdf is 26 MB, 35 MB once encoded for sending; a whole request, prompt included, "
        "may be at most 32 MB: split it and attach the part you need"
    )


def test_a_text_file_larger_than_a_request(tmp_path: Path) -> None:
    path = tmp_path / "huge.log"
    path.write_text("x" * 5000)
    os.truncate(path, 33 * 1024 * 1024)
    assert refusal(path) == (
        "huge.log is 35 MB of text; a whole request may be at most 32 MB: attach a part of it"
    )


def test_an_encrypted_pdf_even_with_an_empty_password(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(pdf_bytes(1, password=""))
    assert refusal(path) == (
        "locked.pdf is encrypted: the API takes only PDFs without a password or protection; "
        "save a copy without it and attach that"
    )


def test_a_broken_pdf_and_nothing_on_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj garbage\n")
    assert refusal(path) == (
        "broken.pdf is not a readable PDF (Stream has ended unexpectedly; EOF marker not found)"
    )
    half = pdf_bytes(2)
    path.write_bytes(half[: len(half) // 2])
    assert refusal(path).startswith("broken.pdf is not a readable PDF (")
    captured = capsys.readouterr()
    assert captured.out == captured.err == ""
    # pypdf did log (its "EOF marker not found" is in the refusal), and none of it reached the
    # root logger, where caplog listens: this fails if the pypdf logger propagates (checked by
    # setting ``propagate = True`` in pdf._pypdf_logger), which with no root handler of the
    # app's would let Python's last-resort handler print over the TUI
    assert caplog.records == []


def test_an_unreadable_file_as_root_sees_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The test above is skipped as root (root reads any file): the refusal still speaks."""
    path = tmp_path / "secret.txt"
    path.write_text("x")

    def denied(*args: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", denied)
    assert refusal(path) == "secret.txt cannot be read: permission denied"
