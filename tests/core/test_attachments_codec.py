"""Base64 a slice at a time gives exactly what the standard library gives at once."""

from __future__ import annotations

import base64
import binascii
import os

import pytest

from claude_tui.core.attachments import codec


@pytest.mark.parametrize(
    "size", [0, 1, 2, 3, codec.SLICE - 1, codec.SLICE, codec.SLICE + 1, 2 * codec.SLICE + 2]
)
def test_slices_encode_and_decode_as_one_call_would(size: int) -> None:
    data = os.urandom(size)
    text = codec.encode(data)
    assert text == base64.b64encode(data).decode("ascii")
    assert codec.decode(text) == data


def test_anything_but_base64_is_refused_wherever_it_is() -> None:
    text = codec.encode(os.urandom(codec.SLICE * 2))
    for bad in (text[:10] + "\n" + text[10:], text[: codec.TEXT_SLICE + 5] + "*" + text[5:]):
        with pytest.raises(binascii.Error):
            codec.decode(bad)
    with pytest.raises(binascii.Error):
        codec.decode("QUJD=QUJD")  # padding in the middle


def test_the_head_is_the_start_of_the_bytes() -> None:
    data = os.urandom(10_000)
    assert codec.decode_head(codec.encode(data), 100)[:100] == data[:100]
    assert codec.decode_head("not base64 at all!", 10) == b""


def test_an_encoding_is_recognised_only_when_exact() -> None:
    data = os.urandom(codec.SLICE * 2 + 5)
    text = codec.encode(data)
    assert codec.encodes(data, text)
    assert not codec.encodes(data, text[:-4])
    changed = text[: codec.TEXT_SLICE + 7] + ("A" if text[codec.TEXT_SLICE + 7] != "A" else "B")
    assert not codec.encodes(data, changed + text[codec.TEXT_SLICE + 8 :])
    assert codec.encodes(b"", "") and not codec.encodes(b"a", "YQ")
