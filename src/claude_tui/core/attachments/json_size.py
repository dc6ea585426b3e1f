"""How many bytes a value takes in a request body, without writing the body out.

The SDK writes compact JSON, UTF-8, non-ASCII kept as is (``json.dumps(ensure_ascii=False,
separators=(",", ":"))``). A request is checked against the API's 32 MB before every send, on
the UI thread, and most of a large one is an attachment's base64 or a text document's text:
``json.dumps`` of a 36 MB text takes over 0.1 s, and scanning it for characters to escape
costs nearly as much. So a large string's size is worked out once and kept, keyed by the string
itself: the API messages of every send share the attachment's string (``blocks._copy`` copies
containers, never strings), so each later send finds it in microseconds. The cache holds the
strings it keys (an ``id`` alone could be reused by a new string after the old one is freed),
and only a few: :func:`remember` warms it in the worker that prepared the attachment.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict

LARGE = 64 * 1024
"""Strings at least this long are cached; shorter ones cost little to write out."""
KEPT = 8
"""How many large strings the cache keeps (the most recently used): the attachments of a
prompt or two. A string it keeps stays in memory until it is pushed out."""

_lock = threading.Lock()
_sizes: OrderedDict[int, tuple[str, int]] = OrderedDict()


def value_size(value: object) -> int:
    """The byte length of ``value`` as compact JSON, UTF-8, non-ASCII kept as is."""
    if isinstance(value, str):
        return string_size(value)
    if isinstance(value, dict):
        items = [string_size(str(key)) + 1 + value_size(item) for key, item in value.items()]
        return 2 + sum(items) + max(0, len(items) - 1)
    if isinstance(value, list | tuple):
        sizes = [value_size(item) for item in value]
        return 2 + sum(sizes) + max(0, len(sizes) - 1)
    return len(json.dumps(value))


def string_size(text: str) -> int:
    """The byte length of ``text`` as a JSON string (its quotes included)."""
    if len(text) < LARGE:
        return _written(text)
    key = id(text)
    with _lock:
        found = _sizes.get(key)
        if found is not None and found[0] is text:
            _sizes.move_to_end(key)
            return found[1]
    return remember(text)


def remember(text: str) -> int:
    """Works out ``text``'s size and keeps it (for a large string), for the sends to come."""
    size = _written(text)
    if len(text) >= LARGE:
        with _lock:
            _sizes[id(text)] = (text, size)
            _sizes.move_to_end(id(text))
            while len(_sizes) > KEPT:
                _sizes.popitem(last=False)
    return size


SLICE = 1 << 20
"""Characters written out per call: ``json.dumps`` of a 31 MB base64 is one call that holds the
interpreter for tens of milliseconds (keys typed meanwhile echo late); a character's escape
does not depend on its neighbours, so slices add up to the whole."""


def _written(text: str) -> int:
    if len(text) <= SLICE:
        return _slice_size(text)
    parts = (_slice_size(text[start : start + SLICE]) - 2 for start in range(0, len(text), SLICE))
    return sum(parts) + 2


def _slice_size(text: str) -> int:
    written = json.dumps(text, ensure_ascii=False)
    if text.isascii():  # one byte a character, no encoding needed (isascii is free in CPython)
        return len(written)
    return len(written.encode("utf-8", "surrogatepass"))
