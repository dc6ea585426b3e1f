"""Base64 for attachments, a slice at a time.

An attachment is read, hashed, encoded and stored in worker threads, but CPython runs one
thread's Python at a time, and ``base64.b64encode`` of 23 MB is one call that holds the
interpreter for tens of milliseconds (over 150 ms on a loaded machine): keys typed meanwhile
echo late. Working in slices of under a megabyte lets the UI thread in between them, for the
same result (benchmark row 10 measures the echo).
"""

from __future__ import annotations

import base64

SLICE = 3 * 256 * 1024
"""Bytes encoded per call: a multiple of 3, so slices join without padding in between."""
TEXT_SLICE = SLICE // 3 * 4
"""Base64 characters decoded per call: the same slice, encoded."""


def encode(data: bytes) -> str:
    """``data`` as standard base64 text (what ``base64.b64encode`` gives, as ``str``)."""
    view = memoryview(data)
    return "".join(
        base64.b64encode(view[start : start + SLICE]).decode("ascii")
        for start in range(0, len(view), SLICE)
    )


def encodes(data: bytes, text: str) -> bool:
    """Whether ``text`` is exactly :func:`encode` of ``data``, compared a slice at a time
    (without writing the whole encoding out first: joining it is itself one long call)."""
    if len(text) != (len(data) + 2) // 3 * 4:
        return False
    view = memoryview(data)
    return all(
        base64.b64encode(view[start : start + SLICE]).decode("ascii")
        == text[start // 3 * 4 : (start + SLICE) // 3 * 4]
        for start in range(0, len(view), SLICE)
    )


def decode(text: str, *, validate: bool = True) -> bytes:
    """The bytes of standard base64 ``text``; ``binascii.Error`` (a ``ValueError``) when it is
    not base64 (with ``validate``, also when it holds anything outside the alphabet, such as
    line breaks). Padding can only end the text, so slices on a multiple of four decode
    alike."""
    if not validate:
        return base64.b64decode(text)
    return b"".join(
        base64.b64decode(text[start : start + TEXT_SLICE], validate=True)
        for start in range(0, len(text), TEXT_SLICE)
    )


def decode_head(text: str, size: int) -> bytes:
    """The first ``size`` bytes or so of base64 ``text``, decoding no more than needed (an
    image's header is at its start); empty when that part is not base64."""
    head = text[: (size + 2) // 3 * 4]
    try:
        return base64.b64decode(head[: len(head) // 4 * 4], validate=False)
    except ValueError:
        return b""
