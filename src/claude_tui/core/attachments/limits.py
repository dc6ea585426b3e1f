"""The Messages API's limits on what a prompt may carry, checked before anything is sent.

From the API's documentation (see ``shared/reference/blocks-capabilities-tools.md``): an image
is refused over 5 MB or 8,000 px a side, and is worked on at about 1,568 px on the long edge, so
anything larger only costs tokens; a PDF is refused over 32 MB or 100 pages; a whole request
over 32 MB is refused with a 413 before it is read.
"""

from __future__ import annotations

IMAGE_MAX_BYTES = 5 * 1024 * 1024
"""An image's largest size as sent: its base64 text, after any scaling. The API measures the
base64 (every size its 400 quotes is a multiple of 4, and a 12.7 MB file was reported as
17,699,328 bytes), so a file of more than 3.75 MB is already over."""
IMAGE_MAX_SIDE = 8000
"""An image's largest width or height, in pixels."""
IMAGE_USEFUL_EDGE = 1568
"""The long edge the API works at: the default of config ``image_max_edge``."""
IMAGE_USEFUL_AREA = 784 * 1568
"""The most pixels the API works at (about 1.15 megapixels, some 1,640 tokens): a larger image
is scaled down to it, its aspect kept. The area of the largest sizes the API's table says are
read as they are (1,092², 951×1,268, 896×1,344, 819×1,456 and 784×1,568 all fit)."""
MANY_IMAGES = 20
"""More images than this in one request, and each may be at most :data:`MANY_IMAGES_MAX_SIDE`
px a side (the API's 400: "max allowed size for many-image requests: 2000 pixels")."""
MANY_IMAGES_MAX_SIDE = 2000
PDF_MAX_BYTES = 32 * 1024 * 1024
PDF_MAX_PAGES = 100
REQUEST_MAX_BYTES = 32 * 1024 * 1024
"""The whole request body, JSON and base64 included."""
REQUEST_MARGIN = 64 * 1024
"""Room an attachment leaves in a request for the rest of it (the prompt, the settings, the
JSON around the block): a file that fills the request to the byte passes when attached but can
never be sent."""

IMAGE_MEDIA_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")
WORKING_KINDS = "images (PNG, JPEG, GIF, WebP), PDFs, and UTF-8 text files"
"""What a refusal of any other file names as working."""


def base64_size(size: int) -> int:
    """How many bytes ``size`` bytes take as base64."""
    return (size + 2) // 3 * 4


IMAGE_MAX_PIXELS = 100_000_000
"""The most pixels this app decodes (a 100-megapixel camera's photo): a larger image, or a
small file claiming to be one (a decompression bomb), is refused before it is decoded."""
ANIMATION_MAX_PIXELS = 40_000_000
"""The most pixels an animation's scaled frames may come to together (frames × scaled width ×
height): scaling holds them all, four bytes a pixel, until they are written out (160 MB)."""
IMAGE_READ_MAX_BYTES = 256 * 1024 * 1024
"""The largest image file read at all: anything bigger could not be scaled within the pixel
limit above without holding hundreds of megabytes."""
TEXT_MAX_BYTES = REQUEST_MAX_BYTES - REQUEST_MARGIN
"""A text file larger than a whole request (less :data:`REQUEST_MARGIN`) can never be sent."""


def megabytes(size: int) -> str:
    """A limit in the API's own words: ``5 MB`` for 5 MiB (the documentation's units)."""
    return f"{size / (1024 * 1024):g} MB"
