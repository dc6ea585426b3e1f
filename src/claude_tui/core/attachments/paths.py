"""What a person typed or pasted, turned into the paths of files to attach.

Three ways in, one spelling: the words of ``/attach PATH…`` (:func:`attach_args`), a paste that
is nothing but paths (:func:`pasted_paths`, what a terminal sends when files are dropped on
it), and ``@path`` in a prompt (:func:`at_references`). All take paths as a shell does: quoted
with ``"…"`` or ``'…'``, spaces escaped with ``\\ ``, ``~`` for the home folder, relative to the
current folder; a terminal's ``file://`` URI works too. Completion of a half-typed path
(:func:`path_completions`) writes its answers in the same spelling.

Pure but for asking the file system whether a path is a file; ``cwd`` and ``home`` are given, so
tests (and the UI) decide where "here" is.
"""

from __future__ import annotations

import glob
import os
import shlex
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from claude_tui.core.sanitize import sanitize_line

PASTE_MAX_CHARS = 16_384
"""A longer paste is text, not a drop of files: it is not split and looked up."""
PASTE_MAX_PATHS = 64
GLOB_MAX_FILES = 50
"""Files one wildcard of ``/attach`` brings at most: ``*`` in a big folder is a slip."""
LISTING_TTL = 3.0
"""Seconds a folder's listing is reused for completion (while its mtime stays the same):
each key typed asks again, and a big folder on a slow disk is not read again for each."""
DROPPED = ("/", "~", "file:")
"""How a dropped file's path starts: terminals write absolute paths (or URIs); a relative
word pasted is text, even when a file of that name happens to be here."""
TRAILING = ".,;:!?)]}'\""
"""Punctuation that ends a sentence after ``@path``: not part of the path unless the path
with it is a file."""


def to_path(word: str, cwd: Path, home: Path | None = None) -> Path | None:
    """The path a word names: a ``file://`` URI, ``~`` and ``~/…`` (``home``, or the user's),
    an absolute path, or one relative to ``cwd``. None for a URI of another machine or scheme
    than ``file``."""
    if word.startswith("file:"):
        return _from_uri(word)
    if word == "~" or word.startswith("~/"):
        base = home if home is not None else Path.home()
        return base / word[2:] if len(word) > 1 else base
    if word.startswith("~"):
        word = os.path.expanduser(word)  # ~user/…
    path = Path(word)
    return path if path.is_absolute() else cwd / path


def _from_uri(uri: str) -> Path | None:
    parts = urlsplit(uri)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = unquote(parts.path)
    return Path(path) if path.startswith("/") else None


def attach_args(text: str, cwd: Path, *, home: Path | None = None) -> list[Path]:
    """The paths ``/attach`` was given, in order. Raises ValueError with a message to show
    when a quote is left open or a URI is not of a local file."""
    try:
        words = shlex.split(text, posix=True)
    except ValueError:
        raise ValueError(
            "A quote is left open: close each \" or ' you open (or write a space in a name "
            "as \\ followed by a space)"
        ) from None
    paths: list[Path] = []
    for word in words:
        path = to_path(word, cwd, home)
        if path is None:
            raise ValueError(f"{word} is not a file on this computer")
        paths.append(path)
    return paths


def pasted_paths(text: str, cwd: Path, *, home: Path | None = None) -> list[Path] | None:
    """The files a paste names when it is exactly one or more existing files, each written
    as a terminal drops it (absolute, ``~/…`` or ``file://``; quoted, escaped, separated by
    spaces or lines); None for anything else, even one word more, so an ordinary paste stays
    text. A folder is not a file."""
    words = pasted_words(text, cwd, home=home)
    return None if words is None else [path for _, path in words]


def pasted_words(
    text: str, cwd: Path, *, home: Path | None = None
) -> list[tuple[str, Path]] | None:
    """:func:`pasted_paths` with each path's word as it was pasted (quotes and escapes kept),
    so one file's text can be given back on its own."""
    stripped = text.strip()
    if not stripped or len(stripped) > PASTE_MAX_CHARS:
        return None
    spans = _word_spans(stripped)
    if spans is None or not spans or len(spans) > PASTE_MAX_PATHS:
        return None
    found: list[tuple[str, Path]] = []
    for raw in spans:
        try:
            (word,) = shlex.split(raw, posix=True)
        except ValueError:
            return None
        path = to_path(word, cwd, home) if word.startswith(DROPPED) else None
        if path is None or not _is_file(path):
            return None
        found.append((raw, path))
    return found


def _word_spans(text: str) -> list[str] | None:
    """``text`` cut into shell words as written (quotes and escapes kept); None when a quote
    is left open."""
    words: list[str] = []
    start: int | None = None
    quote = ""
    index = 0
    while index < len(text):
        char = text[index]
        if quote:
            if char == quote:
                quote = ""
            elif char == "\\" and quote == '"':
                index += 1
        elif char.isspace():
            if start is not None:
                words.append(text[start:index])
                start = None
        else:
            if start is None:
                start = index
            if char == "\\":
                index += 1
            elif char in "\"'":
                quote = char
        index += 1
    if quote:
        return None
    if start is not None:
        words.append(text[start:])
    return words


def expand_globs(paths: list[Path], limit: int = GLOB_MAX_FILES) -> tuple[list[Path], list[str]]:
    """``paths`` with each one that does not exist but has a wildcard (``*``, ``?``, ``[``)
    replaced by the files it matches, sorted, at most ``limit`` in all; and what to tell the
    person (a pattern that matched nothing, a cap reached). Reads folders: call it in a
    worker."""
    out: list[Path] = []
    notes: list[str] = []
    for path in paths:
        text = str(path)
        if not glob.has_magic(text) or path.exists():
            out.append(path)
            continue
        matches = sorted(Path(found) for found in glob.glob(text) if _is_file(Path(found)))
        if not matches:
            notes.append(f"{path.name} matches no file")
        room = limit - len(out)
        if len(matches) > room:
            notes.append(
                f"{path.name} matches {len(matches)} files: only the first {max(room, 0)} "
                f"are attached (at most {limit} at once)"
            )
            matches = matches[: max(room, 0)]
        out.extend(matches)
    return out, notes


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long, a loop of links
        return False


def at_references(text: str, cwd: Path, *, home: Path | None = None) -> list[tuple[int, int, Path]]:
    """Each ``@path`` in a prompt that names an existing file: ``(start, end, path)``, the span
    covering the ``@`` and the path as written. An ``@`` counts at the start of a line or after
    whitespace (so ``a@b.com`` is not one); the path runs to whitespace (``\\ `` escapes a
    space) or is quoted (``@"my file.txt"``). Sentence punctuation right after a path is left
    out of it."""
    found: list[tuple[int, int, Path]] = []
    at = text.find("@")
    while at != -1:
        if at == 0 or text[at - 1].isspace():
            reference = _reference(text, at, cwd, home)
            if reference is not None:
                found.append(reference)
                at = reference[1]
        at = text.find("@", at + 1)
    return found


def _reference(text: str, at: int, cwd: Path, home: Path | None) -> tuple[int, int, Path] | None:
    start = at + 1
    if text[start : start + 1] in ('"', "'"):
        quoted = _quoted(text, start)
        if quoted is None:
            return None
        word, end = quoted
        path = to_path(word, cwd, home) if word else None
        return (at, end, path) if path is not None and _is_file(path) else None
    chars: list[tuple[str, bool, int]] = []  # character, escaped, end of it in text
    index = start
    while index < len(text) and not text[index].isspace():
        if text[index] == "\\" and index + 1 < len(text):
            chars.append((text[index + 1], True, index + 2))
            index += 2
        else:
            chars.append((text[index], False, index + 1))
            index += 1
    while chars:
        path = to_path("".join(char for char, _, _ in chars), cwd, home)
        if path is not None and _is_file(path):
            return at, chars[-1][2], path
        char, escaped, _ = chars[-1]
        if escaped or char not in TRAILING:
            return None
        chars.pop()
    return None


def _quoted(text: str, start: int) -> tuple[str, int] | None:
    """The word in the quotes opening at ``start`` and the index after the closing quote;
    inside ``"…"``, ``\\"`` and ``\\\\`` are escapes (as in a shell); ``'…'`` is literal."""
    quote = text[start]
    word: list[str] = []
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == quote:
            return "".join(word), index + 1
        if char == "\n":
            return None
        if quote == '"' and char == "\\" and text[index + 1 : index + 2] in ('"', "\\"):
            word.append(text[index + 1])
            index += 2
            continue
        word.append(char)
        index += 1
    return None


def path_completions(
    fragment: str, cwd: Path, limit: int = 50, *, home: Path | None = None
) -> list[str]:
    """What a half-typed path (``src/cl``, ``~/Doc``, ``"my fi``, ``@not``) can become: each a
    whole replacement for ``fragment``, in its spelling (``~/`` stays ``~/``; a name with a space
    is escaped, or quoted when the fragment opened a quote, and a quoted file's quote closed).
    Folders end in ``/``; hidden entries show only when the last part starts with ``.``. Sorted
    by name, at most ``limit``. Reads one folder, so the UI calls it in a worker."""
    lead = "@" if fragment.startswith("@") else ""
    body = fragment[len(lead) :]
    quote = body[:1] if body[:1] in ('"', "'") else ""
    raw = body[len(quote) :]
    if quote and raw.endswith(quote):
        raw = raw[:-1]
    typed = _unquoted(raw, quote)
    if typed == "~":
        return [f"{lead}{quote}~/"]
    cut = raw.rfind("/") + 1
    folder_raw = raw[:cut]
    folder_typed, prefix = _split(typed)
    folder = to_path(folder_typed or ".", cwd, home)
    if folder is None:
        return []
    listed = _listing(folder)
    if listed is None:
        return []
    found = [
        (name, is_dir)
        for name, is_dir in listed
        if name.startswith(prefix)
        and (prefix.startswith(".") or not name.startswith("."))
        and sanitize_line(name) == name  # a control character would reach the terminal
    ]
    found.sort(key=lambda item: (item[0].lower(), item[0]))
    answers: list[str] = []
    for name, is_dir in found[:limit]:
        spelled = _spelled(name, quote)
        end = "/" if is_dir else quote
        answers.append(f"{lead}{quote}{folder_raw}{spelled}{end}")
    return answers


_listings: dict[Path, tuple[float, int, list[tuple[str, bool]]]] = {}
_listings_lock = threading.Lock()


def _listing(folder: Path) -> list[tuple[str, bool]] | None:
    """The entries of ``folder`` (name, is a folder), read again only when the last reading
    is older than ``LISTING_TTL`` or the folder's mtime changed; None when it cannot be read."""
    try:
        mtime = folder.stat().st_mtime_ns
    except OSError:
        return None
    now = time.monotonic()
    with _listings_lock:
        cached = _listings.get(folder)
    if cached is not None and cached[1] == mtime and now - cached[0] < LISTING_TTL:
        return cached[2]
    try:
        with os.scandir(folder) as entries:
            listed = [(entry.name, _is_dir(entry)) for entry in entries]
    except OSError:
        return None
    with _listings_lock:
        if len(_listings) > 64:
            _listings.clear()
        _listings[folder] = (now, mtime, listed)
    return listed


def _split(typed: str) -> tuple[str, str]:
    cut = typed.rfind("/") + 1
    return typed[:cut], typed[cut:]


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


_ESCAPED = frozenset(" \t\\'\"")
"""What a name's unquoted spelling escapes with a backslash (what the parsers above split on
or read as quotes)."""


def _unquoted(raw: str, quote: str) -> str:
    """What the person means by ``raw`` (inside ``quote``, or bare)."""
    if quote == "'":
        return raw
    out: list[str] = []
    index = 0
    while index < len(raw):
        char = raw[index]
        escapes = char == "\\" and index + 1 < len(raw)
        if escapes and (not quote or raw[index + 1] in ('"', "\\")):
            out.append(raw[index + 1])
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _spelled(name: str, quote: str) -> str:
    if quote == "'":
        return name.replace("'", "'\\''")
    if quote == '"':
        return name.replace("\\", "\\\\").replace('"', '\\"')
    return "".join(f"\\{char}" if char in _ESCAPED else char for char in name)
