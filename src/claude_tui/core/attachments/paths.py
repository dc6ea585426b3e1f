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

import os
import shlex
from pathlib import Path
from urllib.parse import unquote, urlsplit

PASTE_MAX_CHARS = 16_384
"""A longer paste is text, not a drop of files: it is not split and looked up."""
PASTE_MAX_PATHS = 64
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
    """The files a paste names when it is exactly one or more existing files (quoted,
    escaped, ``file://``, separated by spaces or lines); None for anything else, even one word
    more, so an ordinary paste stays text. A folder is not a file."""
    stripped = text.strip()
    if not stripped or len(stripped) > PASTE_MAX_CHARS:
        return None
    try:
        words = shlex.split(stripped, posix=True)
    except ValueError:
        return None
    if not words or len(words) > PASTE_MAX_PATHS:
        return None
    paths: list[Path] = []
    for word in words:
        path = to_path(word, cwd, home)
        if path is None or not _is_file(path):
            return None
        paths.append(path)
    return paths


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
    try:
        with os.scandir(folder) as entries:
            found = [
                (entry.name, _is_dir(entry))
                for entry in entries
                if entry.name.startswith(prefix)
                and (prefix.startswith(".") or not entry.name.startswith("."))
            ]
    except OSError:
        return []
    found.sort(key=lambda item: (item[0].lower(), item[0]))
    answers: list[str] = []
    for name, is_dir in found[:limit]:
        spelled = _spelled(name, quote)
        end = "/" if is_dir else quote
        answers.append(f"{lead}{quote}{folder_raw}{spelled}{end}")
    return answers


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
