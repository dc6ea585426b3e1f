"""Images: scaled down to image_max_edge in their own format (the file untouched), turned
upright by EXIF, previewed, and refused when corrupt, too large for the API, or a bomb."""

from __future__ import annotations

import base64
import io
import os
import warnings
from pathlib import Path

import pytest
from PIL import Image

from claude_tui.core.attachments import image as image_module
from claude_tui.core.attachments.info import AttachmentInfo
from claude_tui.core.attachments.prepare import AttachmentError, prepare_attachment
from claude_tui.core.attachments.preview import BACKDROP, preview_pixels, preview_size
from claude_tui.core.attachments.sniff import image_size
from tests.core.attachment_files import decoded, image_file, png_claiming


def sent(path: Path, **options: int) -> tuple[AttachmentInfo, bytes]:
    block = prepare_attachment(path, **options).block
    assert block.info is not None
    return block.info, base64.b64decode(block.source["data"])


def refusal(path: Path, **options: int) -> str:
    with pytest.raises(AttachmentError) as caught:
        prepare_attachment(path, **options)
    return str(caught.value)


@pytest.mark.parametrize(
    ("name", "form", "media_type"),
    [("big.png", "PNG", "image/png"), ("big.jpg", "JPEG", "image/jpeg"),
     ("big.webp", "WEBP", "image/webp"), ("big.gif", "GIF", "image/gif")],
)  # fmt: skip
def test_a_large_image_is_scaled_in_its_own_format_and_the_file_untouched(
    tmp_path: Path, name: str, form: str, media_type: str
) -> None:
    path = image_file(tmp_path / name, (300, 200))
    before = path.read_bytes(), path.stat().st_mtime_ns
    info, data = sent(path, image_max_edge=157)
    image = decoded(data)
    assert (image.format, image.size) == (form, (157, 105))
    assert (info.media_type, info.width, info.height) == (media_type, 157, 105)
    assert (info.original_width, info.original_height) == (300, 200)
    assert (info.original_size, info.size) == (len(before[0]), len(data))
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_the_edge_setting_decides_and_zero_never_scales(tmp_path: Path) -> None:
    path = image_file(tmp_path / "tall.png", (300, 1000))
    info, _ = sent(path, image_max_edge=500)
    assert (info.width, info.height) == (150, 500)
    info, data = sent(path, image_max_edge=0)
    assert (info.width, info.height, data) == (300, 1000, path.read_bytes())


def test_a_twenty_megapixel_photo_at_the_default_edge(tmp_path: Path) -> None:
    path = image_file(tmp_path / "photo.jpg", (5472, 3648), (90, 120, 60), quality=80)
    info, data = sent(path)
    assert (info.width, info.height) == decoded(data).size == (1568, 1045)
    assert data[:3] == b"\xff\xd8\xff"


def test_exif_orientation_is_applied_before_measuring(tmp_path: Path) -> None:
    image = Image.new("RGB", (40, 20), (255, 0, 0))
    image.paste((0, 0, 255), (0, 0, 20, 20))  # left half blue
    exif = image.getexif()
    exif[0x0112] = 6  # stored sideways: shown turned a quarter clockwise
    path = tmp_path / "phone.jpg"
    image.save(path, exif=exif, quality=95)
    info, data = sent(path)
    upright = decoded(data).convert("RGB")
    assert (info.width, info.height) == upright.size == (20, 40)
    top, bottom = upright.getpixel((10, 5)), upright.getpixel((10, 35))
    assert isinstance(top, tuple) and isinstance(bottom, tuple)
    assert top[2] > 200 > top[0] and bottom[0] > 200 > bottom[2]  # blue went to the top
    assert info.original_size == path.stat().st_size and info.original_width is None


def test_an_animation_is_scaled_frame_by_frame(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (400, 200), (index * 60, 0, 0)) for index in range(3)]
    path = tmp_path / "spin.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=70, loop=0)
    info, data = sent(path, image_max_edge=100)
    animation = Image.open(io.BytesIO(data))
    count = getattr(animation, "n_frames", 1)
    assert (animation.format, animation.size, count) == ("GIF", (100, 50), 3)
    assert animation.info["duration"] == 70
    assert (info.width, info.height, info.original_width) == (100, 50, 400)


def test_an_animation_is_budgeted_on_its_scaled_frames(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scaling holds every scaled frame: frames × scaled size is what is budgeted, before any
    frame is scaled (the budget is made small here, so the file can be)."""
    frames = [Image.new("RGB", (400, 200), (index * 60, 0, 0)) for index in range(3)]
    path = tmp_path / "spin.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=70, loop=0)
    monkeypatch.setattr(image_module, "ANIMATION_MAX_PIXELS", 3 * 100 * 50)
    assert sent(path, image_max_edge=100)[0].width == 100  # 3 × 100×50: just fits
    scaled: list[object] = []
    monkeypatch.setattr(image_module, "_scaled_frames", lambda *args: scaled.append(args))
    assert refusal(path, image_max_edge=102).startswith(
        "spin.gif is an animation of 3 frames of 102×51 px once scaled"
    )
    assert scaled == []


def test_the_animation_budget_is_40_megapixels() -> None:
    with pytest.raises(AttachmentError) as caught:
        image_module._check_animation("spin.gif", 30, (1568, 882))
    assert str(caught.value) == (
        "spin.gif is an animation of 30 frames of 1568×882 px once scaled, 41 megapixels "
        "together, over the 40 this app scales at once: make it shorter, or set a smaller "
        "image_max_edge"
    )
    image_module._check_animation("spin.gif", 28, (1568, 882))  # 38.7 megapixels


def test_the_preview_keeps_the_shape_in_square_pixels(tmp_path: Path) -> None:
    assert [preview_size(*size) for size in ((3000, 2000), (100, 50), (10, 100), (4, 3))] == [
        (24, 16), (24, 12), (2, 16), (4, 3),
    ]  # fmt: skip
    info, _ = sent(image_file(tmp_path / "red.png", (300, 150), (200, 30, 30)))
    assert info.preview is not None and info.preview.startswith("24x12:")
    found = preview_pixels(info.preview)
    assert found is not None
    width, height, pixels = found
    assert (width, height, len(pixels)) == (24, 12, 288)
    assert set(pixels) == {(200, 30, 30)}


def test_transparency_is_shown_on_the_backdrop(tmp_path: Path) -> None:
    info, _ = sent(image_file(tmp_path / "clear.png", (8, 8), (255, 255, 255, 0), "RGBA"))
    found = preview_pixels(info.preview or "")
    assert found is not None and set(found[2]) == {BACKDROP}


def test_an_untrusted_preview_is_refused() -> None:
    assert preview_pixels("2x1:ff0000") is None  # one pixel short
    assert preview_pixels("99x1:" + "00" * 297) is None  # wider than a preview is
    assert preview_pixels("1x1:GG0000") is None


def test_a_corrupt_png(tmp_path: Path) -> None:
    path = tmp_path / "bad.png"
    path.write_bytes(png_claiming(8, 8, pixels=b"not zlib data"))
    assert refusal(path) == (
        "bad.png is not a readable PNG image (broken data stream when reading image file)"
    )


def test_a_truncated_jpeg(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.frombytes("RGB", (64, 64), os.urandom(64 * 64 * 3)).save(buffer, "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(buffer.getvalue()[:1000])
    assert refusal(path).startswith("cut.jpg is not a readable JPEG image (image file is truncated")


def test_an_image_over_5_mb_as_sent_after_scaling(tmp_path: Path) -> None:
    """The API measures the base64: 4.2 MB of PNG is 5.6 MB as sent, and refused."""
    noise = Image.frombytes("RGBA", (1030, 1030), os.urandom(1030 * 1030 * 4))
    path = tmp_path / "noise.png"
    noise.save(path, compress_level=0)
    assert refusal(path, image_max_edge=1024) == (
        "noise.png is 4.2 MB after scaling to 1024×1024, 5.6 MB as sent (base64); the API "
        "takes images up to 5 MB as sent: save it as JPEG, or set a smaller image_max_edge"
    )


def test_an_image_just_under_5_mb_as_sent_is_taken(tmp_path: Path) -> None:
    """3.6 MB of pixels, stored uncompressed: under 5 MiB once base64."""
    noise = Image.frombytes("RGBA", (1000, 900), os.urandom(1000 * 900 * 4))
    path = tmp_path / "noise.png"
    noise.save(path, compress_level=0)
    block = prepare_attachment(path, image_max_edge=0).block
    assert len(block.source["data"]) <= 5 * 1024 * 1024


def test_an_image_over_8000_px_a_side(tmp_path: Path) -> None:
    path = image_file(tmp_path / "strip.png", (8001, 2), (0,), "L")
    assert refusal(path, image_max_edge=0) == (
        "strip.png is 8001×2 px; the API takes images up to 8000 px a side: "
        "image_max_edge is 0 (no scaling): set it to 1568 to have it scaled"
    )
    assert refusal(path, image_max_edge=9000).endswith(
        "image_max_edge is 9000: set it to 8000 or less"
    )
    info, _ = sent(path)
    assert (info.width, info.height) == (1568, 1)


def test_a_decompression_bomb_is_refused_from_its_header(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(png_claiming(40_000, 25_000))
    assert image_size(path.read_bytes()) == (40_000, 25_000)
    assert refusal(path) == (
        "bomb.png is 40000×25000 px, over the 100 megapixels this app decodes: "
        "scale it down before attaching it"
    )


def test_pillows_own_bomb_check_stands_behind_and_says_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(image_module, "image_size", lambda data: None)  # a header we misread
    path = tmp_path / "bomb.png"
    path.write_bytes(png_claiming(40_000, 25_000))  # over Pillow's error limit
    assert refusal(path) == (
        "bomb.png claims more than 100 megapixels: it is refused without decoding"
    )
    path.write_bytes(png_claiming(12_000, 10_000))  # where Pillow only warns
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert refusal(path).startswith("bomb.png is 12000×10000 px, over the 100 megapixels")
    assert caught == []
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("name", "mode", "options"),
    [("a.png", "RGB", {}), ("a.gif", "RGB", {}), ("a.jpg", "RGB", {"progressive": True}),
     ("a.jpg", "RGB", {"exif": b"Exif\x00\x00" + b"\x00" * 300}),
     ("a.webp", "RGB", {}), ("a.webp", "RGB", {"lossless": True}), ("a.webp", "RGBA", {})],
)  # fmt: skip
def test_header_sizes_match_what_pillow_decodes(
    tmp_path: Path, name: str, mode: str, options: dict[str, object]
) -> None:
    colour = (1, 2, 3, 4) if mode == "RGBA" else (1, 2, 3)
    path = image_file(tmp_path / name, (321, 123), colour, mode, **options)
    assert image_size(path.read_bytes()) == (321, 123)
    assert image_size(path.read_bytes()[:8]) is None  # cut short: unknown, not wrong
