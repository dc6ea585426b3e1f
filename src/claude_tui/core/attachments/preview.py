"""The tiny picture of an image a turn shows (``AttachmentInfo.preview``).

Made once, when the file is attached (in the worker, from the image already decoded), so that
showing a session never decodes an image. The conversation draws two pixel rows per text row
with ``▀`` (foreground the upper pixel, background the lower), so a text cell, about twice as
tall as it is wide, holds two square pixels: the preview keeps the image's aspect ratio in
plain pixels, at most :data:`PREVIEW_WIDTH` wide and :data:`PREVIEW_HEIGHT` tall.

The string is ``"WxH:"`` then W×H pixels as six hex digits (RGB), row by row. Transparent parts
are laid on :data:`BACKDROP`, a neutral dark grey that reads on dark and light themes alike.
Pillow is imported by the caller; nothing here imports it at module level.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.Image import Image

PREVIEW_WIDTH = 24
"""Columns: one pixel each."""
PREVIEW_HEIGHT = 16
"""Pixel rows: two per text row, so 8 text rows."""
BACKDROP = (48, 48, 48)

_PREVIEW = re.compile(r"(\d{1,3})x(\d{1,3}):([0-9a-f]*)")


def preview_size(width: int, height: int) -> tuple[int, int]:
    """The preview's pixels for an image of ``width`` × ``height``: as large as fits, never
    larger than the image, the aspect ratio kept (each side at least 1)."""
    scale = min(PREVIEW_WIDTH / width, PREVIEW_HEIGHT / height, 1.0)
    return max(1, round(width * scale)), max(1, round(height * scale))


def make_preview(image: Image) -> str | None:
    """The preview of a decoded image (its current frame); None when Pillow cannot make one
    of this mode (a preview is never a reason to refuse a file)."""
    from PIL import Image as PILImage

    try:
        size = preview_size(*image.size)
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert("RGBA")
        small = image.resize(size, PILImage.Resampling.LANCZOS, reducing_gap=2.0)
        backdrop = PILImage.new("RGBA", size, (*BACKDROP, 255))
        flat = PILImage.alpha_composite(backdrop, small.convert("RGBA")).convert("RGB")
    except (OSError, ValueError):
        return None
    return f"{size[0]}x{size[1]}:{flat.tobytes().hex()}"


def preview_pixels(preview: str) -> tuple[int, int, list[tuple[int, int, int]]] | None:
    """Width, height and the RGB pixels (row by row) of a preview string; None when it is not
    one (a preview read from an imported file is untrusted: wrong lengths are refused)."""
    found = _PREVIEW.fullmatch(preview)
    if found is None:
        return None
    width, height, hexes = int(found[1]), int(found[2]), found[3]
    if not (0 < width <= PREVIEW_WIDTH and 0 < height <= PREVIEW_HEIGHT):
        return None
    if len(hexes) != width * height * 6:
        return None
    raw = bytes.fromhex(hexes)
    return width, height, [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)]
