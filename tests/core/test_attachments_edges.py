"""Files at the edges of what attaching reads: text that mentions ``%PDF-``, names no file can
have, hostile folder names in a message, special files, and a PDF that fills a request."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import claude_tui.core.attachments.sniff as sniff_module
from claude_tui.core.attachments import reading
from claude_tui.core.attachments.info import AttachmentInfo, kind_word
from claude_tui.core.attachments.limits import REQUEST_MARGIN, REQUEST_MAX_BYTES
from claude_tui.core.attachments.prepare import AttachmentError, file_signature, prepare_attachment
from claude_tui.core.attachments.sniff import is_pdf
from tests.core.attachment_files import pdf_bytes


def refusal(path: Path) -> str:
    with pytest.raises(AttachmentError) as raised:
        prepare_attachment(path)
    return str(raised.value)


def test_source_that_mentions_the_pdf_magic_is_text(tmp_path: Path) -> None:
    path = tmp_path / "check.py"
    path.write_text('"""Checks files."""\n\nMAGIC = b"%PDF-"\n')
    block = prepare_attachment(path).block
    assert block.info is not None and block.info.kind == "text"
    assert block.source["data"] == path.read_text()
    assert sniff_module.__file__ is not None
    module = prepare_attachment(Path(sniff_module.__file__)).block
    assert module.info is not None and module.info.kind == "text"


def test_binary_junk_before_the_magic_is_still_a_pdf(tmp_path: Path) -> None:
    assert is_pdf(b"%PDF-1.7\n")
    assert is_pdf(b"\xff\xfe\x00junk\n%PDF-1.7\n")
    assert not is_pdf(b"# notes on %PDF-1.7 headers\n")
    assert not is_pdf(b"\xff" * 1024 + b"%PDF-")  # past the first kilobyte
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"\x00\x01\xfe" * 10 + pdf_bytes(2))
    info = prepare_attachment(path).block.info
    assert info is not None and (info.kind, info.pages) == ("pdf", 2)


def test_a_name_no_file_can_have(tmp_path: Path) -> None:
    nul = tmp_path / "a\x00b.txt"
    lone = tmp_path / "\ud800.txt"
    assert file_signature(nul) is None
    assert file_signature(lone) is None
    assert refusal(nul) == "a␀b.txt is not a valid file name"
    assert refusal(lone) == "\ufffd.txt is not a valid file name"


def test_a_missing_file_in_a_hostile_folder(tmp_path: Path) -> None:
    folder = tmp_path / "x\x1b]52;c;aGk=\x07y"
    folder.mkdir()
    message = refusal(folder / "notes.txt")
    assert message.startswith("notes.txt does not exist: there is no file at ")
    assert "\x1b" not in message and "\x07" not in message
    assert message.endswith("x␛]52;c;aGk=␇y/notes.txt")


def test_the_systems_words_are_made_safe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("x")

    def failing(*args: object) -> int:
        raise OSError(5, "I/O error at \x1b[2J")

    monkeypatch.setattr(os, "open", failing)
    assert refusal(path) == "notes.txt cannot be read: I/O error at ␛[2J"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_a_file_without_a_fixed_size() -> None:
    path = Path("/proc/self/status")
    assert path.stat().st_size == 0 and path.read_bytes()
    assert refusal(path) == (
        "status has no fixed size (a special file): copy it to a regular file to attach it"
    )


def test_a_pdf_that_would_fill_a_request_alone(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(pdf_bytes(1))
    size = (REQUEST_MAX_BYTES - 1024) // 4 * 3  # its base64 is 1 KB under the limit
    os.truncate(path, size)
    assert refusal(path) == (
        "scan.pdf is 25 MB, 34 MB once encoded for sending; a whole request, prompt included, "
        "may be at most 32 MB: split it and attach the part you need"
    )
    os.truncate(path, (REQUEST_MAX_BYTES - REQUEST_MARGIN) // 4 * 3)  # room left: it passes
    assert prepare_attachment(path).block.info.kind == "pdf"  # type: ignore[union-attr]


def test_an_info_with_a_media_type_the_app_never_makes() -> None:
    good = AttachmentInfo("a.png", "image", "image/png", 3, "00").to_json()
    assert AttachmentInfo.from_json(good) is not None
    for media_type in ("image/\x1b[2J", "image/svg+xml", "text/html"):
        assert AttachmentInfo.from_json({**good, "media_type": media_type}) is None
    odd = AttachmentInfo("a.png", "image", "image/\x1b[2J", 3, "00")
    assert kind_word(odd) == "image"
    assert kind_word(AttachmentInfo("a.webp", "image", "image/webp", 3, "00")) == "WEBP image"


def test_reading_names_a_file_for_display() -> None:
    assert reading.display_name(Path("/tmp/a\x1b[2Jb.png")) == "a␛[2Jb.png"
