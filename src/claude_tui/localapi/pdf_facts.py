"""What the local server can tell about a PDF with the standard library: pages, encryption, text.

The real API refuses a PDF over 100 pages, an encrypted one, and one it cannot read, and counts
tokens by page and by text. The server may use only the standard library, so this is a small
reader of the PDF file structure, enough for those facts and no more:

* **Objects.** Every ``N G obj … endobj`` in the file, read in order (a stream skipped by its
  direct ``/Length``, so bytes inside it are never taken for objects), then the objects packed
  in object streams (``/Type /ObjStm``, ``/FlateDecode`` or unfiltered), decompressed with
  ``zlib``. A later definition of a number replaces an earlier one, as incremental updates do.
* **Pages.** The ``/Count`` of the ``/Pages`` the catalog names (the catalog from the last
  trailer's or cross-reference stream's ``/Root``, else the object of ``/Type /Catalog``); when
  that chain is broken, the number of ``/Type /Page`` objects.
* **Encryption.** An ``/Encrypt`` entry in a trailer or a cross-reference stream's dictionary.
* **Text.** The strings shown by ``Tj``, ``TJ``, ``'`` and ``"`` in the content streams the
  pages name (``/Contents``), unfiltered or ``/FlateDecode``, one line per text object
  (``BT … ET``), escapes undone.

Limits, on purpose: no other filter (LZW, ASCII85, …) is decoded, so text behind one is not
seen and an object stream behind one is skipped; the cross-reference table is never read (the
objects are found by scanning), so a file whose xref is broken but whose objects are intact
passes, where a strict reader might refuse it; font encodings are not applied, so text in
CID fonts comes out as raw bytes (counted, not meaningful); nothing is rendered. Decompression
is capped (:data:`MAX_INFLATE`) so a small bomb cannot take the memory.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

PDF_MAGIC = b"%PDF-"
MAX_INFLATE = 16 * 1024 * 1024
"""The most one stream may decompress to; the rest is ignored."""

_OBJ = re.compile(rb"(\d+)\s+(\d+)\s+obj\b")
_REF = rb"(\d+)\s+\d+\s+R"
_ROOT = re.compile(rb"/Root\s*" + _REF)
_PAGES = re.compile(rb"/Pages\s*" + _REF)
_COUNT = re.compile(rb"/Count\s+(\d+)")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")
_TYPE_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_TRAILER = re.compile(rb"trailer\s*(?=<<)")
_STRING = rb"\((?:\\.|[^\\()]|\((?:\\.|[^\\()])*\))*\)"
_SHOW = re.compile(rb"(" + _STRING + rb")\s*(?:Tj|'|\")|\[((?:[^\]\\]|\\.)*)\]\s*TJ", re.S)
_STRING_RE = re.compile(_STRING, re.S)
_CONTENTS = re.compile(rb"/Contents\s*(?:\[([^\]]*)\]|(\d+\s+\d+\s+R))")
_TEXT_OBJECT = re.compile(rb"\bBT\b(.*?)\bET\b", re.S)
_NEXT_LINE = re.compile(rb"(?<![A-Za-z])(?:Td|TD|T\*)(?![A-Za-z])")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


@dataclass(frozen=True)
class PdfFacts:
    pages: int
    encrypted: bool
    text: str
    """The text the content streams show, one line per text object (see the module's limits)."""


@dataclass(frozen=True)
class _Object:
    head: bytes
    """The object's dictionary (or whole body when it is not a stream)."""
    stream: bytes | None = None
    """A stream's raw (still filtered) bytes."""


def read_pdf(data: bytes) -> PdfFacts | None:
    """The facts of a PDF, or ``None`` when it is not one this reader can make sense of: no
    ``%PDF-`` in the first KB, no ``%%EOF`` (cut short), or no page found."""
    if PDF_MAGIC not in data[:1024] or b"%%EOF" not in data[-2048:]:
        return None
    try:
        return _read(data)
    except (ValueError, IndexError, OverflowError):  # numbers where they make no sense
        return None


def _read(data: bytes) -> PdfFacts | None:
    objects = _scan(data)
    encrypted = any(b"/Encrypt" in head for head in _trailers(data, objects))
    pages = _page_count(data, objects)
    if pages is None or pages <= 0:
        return None if not encrypted else PdfFacts(0, True, "")
    return PdfFacts(pages, encrypted, "" if encrypted else _text(objects))


def _scan(data: bytes) -> dict[int, _Object]:
    """Every object by number (object streams unpacked)."""
    objects: dict[int, _Object] = {}
    pos = 0
    while (match := _OBJ.search(data, pos)) is not None:
        start = match.end()
        end = data.find(b"endobj", start)
        end = len(data) if end < 0 else end
        stream_at = data.find(b"stream", start, end)
        obj = _Object(data[start:end])
        if stream_at >= 0:
            head = data[start:stream_at]
            body = stream_at + len(b"stream")
            body += 2 if data[body : body + 2] == b"\r\n" else 1
            length = _LENGTH.search(head)
            if length is not None and body + int(length[1]) <= len(data):
                stop = body + int(length[1])
            else:
                found = data.find(b"endstream", body)
                stop = len(data) if found < 0 else found
            obj = _Object(head, data[body:stop])
            after = data.find(b"endobj", stop)
            end = len(data) if after < 0 else after
        objects[int(match[1])] = obj
        pos = end + 1
    for obj in list(objects.values()):
        if obj.stream is not None and re.search(rb"/Type\s*/ObjStm\b", obj.head):
            objects.update(_unpack(obj))
    return objects


def _inflate(obj: _Object) -> bytes | None:
    """A stream's bytes unfiltered: as they are, or inflated; ``None`` for any other filter."""
    raw = obj.stream or b""
    after = obj.head.split(b"/Filter", 1)[1] if b"/Filter" in obj.head else b""
    filters = re.findall(rb"^\s*\[?\s*/(\w+)", after)
    if not filters or filters[0] != b"FlateDecode":
        return raw if not filters else None
    try:
        return zlib.decompressobj().decompress(raw, MAX_INFLATE)
    except zlib.error:
        return None


def _unpack(obj: _Object) -> dict[int, _Object]:
    """The objects an object stream holds: ``/N`` pairs of number and offset, from ``/First``."""
    content = _inflate(obj)
    first = re.search(rb"/First\s+(\d+)", obj.head)
    count = re.search(rb"/N\s+(\d+)", obj.head)
    if content is None or first is None or count is None:
        return {}
    numbers = [int(n) for n in content[: int(first[1])].split()]
    pairs = list(zip(numbers[0::2], numbers[1::2], strict=False))[: int(count[1])]
    base = int(first[1])
    found: dict[int, _Object] = {}
    for index, (number, offset) in enumerate(pairs):
        stop = base + pairs[index + 1][1] if index + 1 < len(pairs) else len(content)
        found[number] = _Object(content[base + offset : stop])
    return found


def _trailers(data: bytes, objects: dict[int, _Object]) -> list[bytes]:
    """The trailer dictionaries and cross-reference stream dictionaries, in file order."""
    found = [data[m.end() : m.end() + 4096] for m in _TRAILER.finditer(data)]
    found = [head[: _dict_end(head)] for head in found]
    found += [obj.head for obj in objects.values() if re.search(rb"/Type\s*/XRef\b", obj.head)]
    return found


def _dict_end(head: bytes) -> int:
    """Where the dictionary that starts ``head`` ends (nested ``<< >>`` counted)."""
    depth = 0
    for match in re.finditer(rb"<<|>>", head):
        depth += 1 if match[0] == b"<<" else -1
        if depth == 0:
            return match.end()
    return len(head)


def _page_count(data: bytes, objects: dict[int, _Object]) -> int | None:
    roots = [m for head in _trailers(data, objects) if (m := _ROOT.search(head))]
    catalog = objects.get(int(roots[-1][1])) if roots else None
    if catalog is None:
        catalog = next(
            (o for o in objects.values() if re.search(rb"/Type\s*/Catalog\b", o.head)), None
        )
    pages_ref = _PAGES.search(catalog.head) if catalog is not None else None
    tree = objects.get(int(pages_ref[1])) if pages_ref is not None else None
    count = _COUNT.search(tree.head) if tree is not None else None
    if count is not None:
        return int(count[1])
    leaves = sum(1 for o in objects.values() if _TYPE_PAGE.search(o.head))
    return leaves or None


def _text(objects: dict[int, _Object]) -> str:
    """The text shown by the pages' content streams (those a page's ``/Contents`` names), a
    line per text object or move to a new line (``Td``, ``TD``, ``T*``); no other stream is
    read, so fonts and images cost nothing."""
    lines: list[str] = []
    for number in _content_streams(objects):
        obj = objects.get(number)
        content = _inflate(obj) if obj is not None and obj.stream is not None else None
        if content is None or b"BT" not in content:
            continue
        for block in _TEXT_OBJECT.finditer(content):
            for part in _NEXT_LINE.split(block[1]):  # a move to a new line ends a line
                line = b"".join(_shown(show) for show in _SHOW.finditer(part))
                if line.strip():
                    lines.append(line.decode("latin-1").strip())
    return "\n".join(lines)


def _content_streams(objects: dict[int, _Object]) -> list[int]:
    """The object numbers of the pages' content streams, in page-object order."""
    numbers: list[int] = []
    for obj in objects.values():
        if obj.stream is not None or not _TYPE_PAGE.search(obj.head):
            continue
        found = _CONTENTS.search(obj.head)
        if found is not None:
            refs = found[1] if found[1] is not None else found[2]
            numbers += [int(n) for n in re.findall(rb"(\d+)\s+\d+\s+R", refs)]
    return numbers


def _shown(show: re.Match[bytes]) -> bytes:
    if show[1] is not None:
        return _unescape(show[1][1:-1])
    return b"".join(_unescape(s[0][1:-1]) for s in _STRING_RE.finditer(show[2]))


def _unescape(raw: bytes) -> bytes:
    """A literal string's escapes undone: ``\\n`` and the like, ``\\ddd`` octal, ``\\(``."""
    out = bytearray()
    i = 0
    while i < len(raw):
        char = raw[i : i + 1]
        if char != b"\\" or i + 1 >= len(raw):
            out += char
            i += 1
            continue
        nxt = raw[i + 1 : i + 2]
        octal = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
        if octal is not None:
            out.append(int(octal[0], 8) & 0xFF)
            i += 1 + len(octal[0])
        else:
            out += _ESCAPES.get(nxt, b"" if nxt in b"\r\n" else nxt)
            i += 2
    return bytes(out)
