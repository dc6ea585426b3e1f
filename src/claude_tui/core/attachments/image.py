"""An image file made ready to send: checked, turned upright, scaled, and kept in its format.

Pillow is imported here, inside the functions, when the first image is attached: start-up never
pays for it. Every image is decoded in full (each frame of an animation), so a corrupt or
truncated file is refused here rather than by the API. An image is sent as the file's own
bytes when nothing needs changing; it is re-encoded, in its own format, only when it is scaled
down (long edge over ``image_max_edge``) or turned upright (an EXIF orientation), so that the
pixels sent are the ones the person sees and the width and height shown are the ones sent.
The original file is never written.

A file claiming more than :data:`~limits.IMAGE_MAX_PIXELS` is refused from its header, before
Pillow decodes anything (a decompression bomb costs nothing); Pillow's own bomb check stays on
behind that, and its warnings are kept off the terminal, which the TUI owns.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

from claude_tui.core.attachments.build import image_block
from claude_tui.core.attachments.info import AttachmentInfo, human_size
from claude_tui.core.attachments.limits import (
    ANIMATION_MAX_PIXELS,
    IMAGE_MAX_BYTES,
    IMAGE_MAX_PIXELS,
    IMAGE_MAX_SIDE,
    IMAGE_USEFUL_EDGE,
    base64_size,
    megabytes,
)
from claude_tui.core.attachments.preview import make_preview
from claude_tui.core.attachments.reading import AttachmentError
from claude_tui.core.attachments.sniff import image_size
from claude_tui.core.blocks import ImageBlock

if TYPE_CHECKING:
    from PIL.Image import Image

FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}
"""Pillow's name for each format the API takes."""
WORDS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WebP"}
"""The format's name in a message."""

JPEG_QUALITY = 90
"""For a re-encoded JPEG or WebP: no visible loss at the size the API reads it."""
_ORIENTATION = 0x0112
_SWAPS = (5, 6, 7, 8)
"""EXIF orientations that turn the image a quarter: width and height trade places."""


def pillow() -> ModuleType:
    """``PIL.Image``, imported on first use. Pillow's warnings (a bomb-sized header, corrupt
    EXIF) would be printed over the TUI: they are ignored, the errors are what count. The filter
    is (re)installed on every call, as a test or a ``catch_warnings`` may have reset it."""
    from PIL import Image

    warnings.filterwarnings("ignore", module=r"PIL(\.|$)")
    return Image


def prepare_image(name: str, media_type: str, data: bytes, max_edge: int) -> ImageBlock:
    """The block for an image file's ``data`` (sniffed as ``media_type``). Raises
    AttachmentError."""
    claimed = image_size(data)
    if claimed is not None:
        _check_pixels(name, *claimed)
    image_module = pillow()
    try:
        image = image_module.open(io.BytesIO(data), formats=[FORMATS[media_type]])
    except image_module.DecompressionBombError:
        raise _too_many_pixels(name, None) from None
    except Exception as error:
        raise _unreadable(name, media_type, error) from None
    with image:
        _check_pixels(name, *image.size)
        try:
            return _prepared(name, media_type, data, image, max_edge)
        except AttachmentError:
            raise
        except MemoryError:
            raise AttachmentError(f"{name} is too large to decode in memory") from None
        except Exception as error:
            raise _unreadable(name, media_type, error) from None


def fit_edge(size: tuple[int, int], max_edge: int) -> tuple[int, int]:
    """``size`` scaled so its long edge is at most ``max_edge`` (0: unchanged), the aspect
    ratio kept, no side under 1 px."""
    width, height = size
    long_edge = max(width, height)
    if max_edge <= 0 or long_edge <= max_edge:
        return size
    scale = max_edge / long_edge
    return max(1, round(width * scale)), max(1, round(height * scale))


def _prepared(name: str, media_type: str, data: bytes, image: Image, max_edge: int) -> ImageBlock:
    frames = getattr(image, "n_frames", 1)
    if image.format != "JPEG":
        # PNG keeps EXIF after the pixels, so reading it decodes them; a failure there must
        # refuse the file, not pass as "no orientation" (a JPEG waits: it may decode smaller)
        image.load()
    orientation = _orientation(image) if frames == 1 else 1
    width, height = image.size
    if orientation in _SWAPS:
        width, height = height, width
    target = fit_edge((width, height), max_edge)
    scaled = target != (width, height)
    _check_sides(name, target, max_edge)
    if not scaled and orientation == 1:
        first = _verified(image, frames)
        _check_bytes(name, media_type, len(data), None, max_edge)
        info = AttachmentInfo(
            name, "image", media_type, len(data), "", width=width, height=height,
            preview=make_preview(first),
        )  # fmt: skip
        return image_block(info, data)
    if frames > 1:
        _check_animation(name, frames, target)
        sent, first = _scaled_frames(image, frames, target, FORMATS[media_type])
    else:
        sent, first = _upright_scaled(image, media_type, orientation, target)
    _check_bytes(name, media_type, len(sent), target if scaled else None, max_edge)
    info = AttachmentInfo(
        name, "image", media_type, len(sent), "", width=target[0], height=target[1],
        original_size=len(data),
        original_width=width if scaled else None,
        original_height=height if scaled else None,
        preview=make_preview(first),
    )  # fmt: skip
    return image_block(info, sent)


def _orientation(image: Image) -> int:
    try:
        value = image.getexif().get(_ORIENTATION, 1)
    except Exception:  # a corrupt EXIF block: the pixels are still good
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _verified(image: Image, frames: int) -> Image:
    """Decodes every frame (a truncated animation fails on its last frame, not its first);
    the first frame, for the preview."""
    for index in range(1, frames):
        image.seek(index)
        image.load()
    image.seek(0)
    image.load()
    return image


def _upright_scaled(
    image: Image, media_type: str, orientation: int, target: tuple[int, int]
) -> tuple[bytes, Image]:
    from PIL import ImageOps

    image_module = pillow()
    if media_type == "image/jpeg":
        # decode at 1/2, 1/4 or 1/8 scale when that is still at least the target: a
        # 20-megapixel photo then costs a fraction of its full decode
        stored = target[::-1] if orientation in _SWAPS else target
        image.draft(None, stored)
    image.load()
    upright = ImageOps.exif_transpose(image) if orientation != 1 else image
    work = _resizable(upright)
    if work.size != target:
        work = work.resize(target, image_module.Resampling.LANCZOS, reducing_gap=3.0)
    return _encoded(work, FORMATS[media_type], image.info), work


def _scaled_frames(
    image: Image, frames: int, target: tuple[int, int], form: str
) -> tuple[bytes, Image]:
    """Every frame of an animation scaled (Pillow composes each into a full frame first), with
    its timing and looping kept."""
    image_module = pillow()
    scaled: list[Image] = []
    durations: list[int] = []
    for index in range(frames):
        image.seek(index)
        frame = image.convert("RGBA")
        scaled.append(frame.resize(target, image_module.Resampling.LANCZOS, reducing_gap=3.0))
        durations.append(int(image.info.get("duration", 100)))
    options: dict[str, Any] = {
        "save_all": True,
        "append_images": scaled[1:],
        "duration": durations,
        "loop": int(image.info.get("loop", 0)),
    }
    if form == "GIF":
        options["disposal"] = 2  # each frame is whole: clear before drawing the next
    return _encoded(scaled[0], form, image.info, **options), scaled[0]


def _resizable(image: Image) -> Image:
    """Palette and 1-bit images resize only by nearest neighbour: they are widened first."""
    if image.mode == "P":
        return image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode == "PA":
        return image.convert("RGBA")
    if image.mode == "1":
        return image.convert("L")
    return image


def _encoded(image: Image, form: str, info: Mapping[Any, Any], **options: Any) -> bytes:
    if info.get("icc_profile"):
        options["icc_profile"] = info["icc_profile"]
    if form in ("JPEG", "WEBP"):
        options["quality"] = JPEG_QUALITY
    if form == "JPEG" and image.mode not in ("L", "RGB", "CMYK"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format=form, **options)
    return buffer.getvalue()


def _check_pixels(name: str, width: int, height: int) -> None:
    if width * height > IMAGE_MAX_PIXELS:
        raise _too_many_pixels(name, (width, height))


def _too_many_pixels(name: str, size: tuple[int, int] | None) -> AttachmentError:
    limit = f"{IMAGE_MAX_PIXELS // 1_000_000} megapixels"
    if size is None:
        return AttachmentError(f"{name} claims more than {limit}: it is refused without decoding")
    width, height = size
    return AttachmentError(
        f"{name} is {width}×{height} px, over the {limit} this app decodes: "
        "scale it down before attaching it"
    )


def _check_sides(name: str, size: tuple[int, int], max_edge: int) -> None:
    if max(size) <= IMAGE_MAX_SIDE:
        return
    way = (
        f"image_max_edge is 0 (no scaling): set it to {IMAGE_USEFUL_EDGE} to have it scaled"
        if max_edge <= 0
        else f"image_max_edge is {max_edge}: set it to {IMAGE_MAX_SIDE} or less"
    )
    raise AttachmentError(
        f"{name} is {size[0]}×{size[1]} px; the API takes images up to "
        f"{IMAGE_MAX_SIDE} px a side: {way}"
    )


def _check_animation(name: str, frames: int, size: tuple[int, int]) -> None:
    """Scaling keeps every scaled frame until they are written out together: the frames times
    the scaled size is what that holds (four bytes a pixel), so it is budgeted before any
    frame is scaled."""
    total = frames * size[0] * size[1]
    if total > ANIMATION_MAX_PIXELS:
        raise AttachmentError(
            f"{name} is an animation of {frames} frames of {size[0]}×{size[1]} px once scaled, "
            f"{total / 1_000_000:.0f} megapixels together, over the "
            f"{ANIMATION_MAX_PIXELS // 1_000_000} this app scales at once: make it shorter, or "
            "set a smaller image_max_edge"
        )


def _check_bytes(
    name: str, media_type: str, size: int, scaled_to: tuple[int, int] | None, max_edge: int
) -> None:
    encoded = base64_size(size)
    if encoded <= IMAGE_MAX_BYTES:
        return
    after = f" after scaling to {scaled_to[0]}×{scaled_to[1]}" if scaled_to else ""
    after += f", {human_size(encoded)} as sent (base64)"
    way = "save it at a lower quality" if media_type == "image/jpeg" else "save it as JPEG"
    if scaled_to or max_edge <= 0:
        way += ", or set a smaller image_max_edge"
    else:
        way += " or at a smaller size"
    raise AttachmentError(
        f"{name} is {human_size(size)}{after}; the API takes images up to "
        f"{megabytes(IMAGE_MAX_BYTES)} as sent: {way}"
    )


def _unreadable(name: str, media_type: str, error: BaseException) -> AttachmentError:
    reason = str(error).strip() or type(error).__name__
    return AttachmentError(f"{name} is not a readable {WORDS[media_type]} image ({reason})")
