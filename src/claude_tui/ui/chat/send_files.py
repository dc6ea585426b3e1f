"""What Enter needs to know of the files on disk before a prompt with attachments goes out,
gathered in a thread worker (every call here touches the file system, some read whole files):
which chips' files changed since they were read, the files the ``@path`` words name (read, or
taken from those read for an earlier Enter while their file is unchanged), and the ``@`` words
shaped like a path that name no file (a typo is otherwise sent silently as text).

The UI thread decides what to do with them (:mod:`attachments_send`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from claude_tui.core.attachments.reading import AttachmentError, FileSignature, file_signature

if TYPE_CHECKING:
    from claude_tui.core.attachments.prepare import Prepared

_AT_WORD = re.compile(r"(?:^|(?<=\s))@(\"[^\"]*\"|'[^']*'|\S+)")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}$")
_TRAILING = ".,;:!?)]}"


@dataclass
class SendFiles:
    """The files of one Enter, as the worker found them."""

    changed: list[int] = field(default_factory=list)
    """The keys of the chips whose file is not the version read (edited, replaced, gone)."""
    at_files: list[Prepared] = field(default_factory=list)
    """The ``@path`` files, each once, in the order written."""
    failed: list[str] = field(default_factory=list)
    """Why an ``@path`` file could not be read, one line each."""
    missing: list[str] = field(default_factory=list)
    """``@`` words shaped like a path (a ``/`` or an extension) that name no file."""


def gather(
    text: str,
    chips: Sequence[tuple[int, Path, FileSignature | None]],
    known: Mapping[Path, Prepared],
    *,
    cwd: Path,
    image_max_edge: int,
    reading: Callable[[list[Path]], None],
) -> SendFiles:
    """In the worker: the facts of ``text``'s Enter. ``chips``: (key, path, signature read)
    of the ready chips that came from a file; ``known``: the ``@path`` files read before;
    ``reading`` is told the files about to be read (slow ones are worth a notice)."""
    from claude_tui.core.attachments.paths import at_references

    found = SendFiles()
    found.changed = [key for key, path, seen in chips if file_signature(path) != seen]
    if "@" not in text:
        return found
    references = at_references(text, cwd)
    paths = list(dict.fromkeys(path for _, _, path in references))
    found.missing = missing_words(text, [(start, end) for start, end, _ in references])
    unread = [
        path for path in paths if path not in known or known[path].signature != file_signature(path)
    ]
    if unread:
        reading(unread)
    fresh: dict[Path, Prepared] = {}
    for path in unread:
        try:
            from claude_tui.core.attachments.prepare import prepare_attachment

            fresh[path] = prepare_attachment(path, image_max_edge=image_max_edge)
        except AttachmentError as error:
            found.failed.append(str(error))
        except Exception as error:  # never leave the send waiting on a bug
            found.failed.append(f"{path.name} could not be read: {error}")
    found.at_files = [
        fresh.get(path) or known[path] for path in paths if path in fresh or path not in unread
    ]
    return found


def missing_words(text: str, spans: Sequence[tuple[int, int]]) -> list[str]:
    """The ``@`` words of ``text`` outside ``spans`` (the ones that named a file) that look
    like a path: ``@no.py``, ``@src/x``; not ``@alice`` or ``@here``."""
    missing: list[str] = []
    for match in _AT_WORD.finditer(text):
        at = match.start()
        if any(start <= at < end for start, end in spans):
            continue
        word = match.group(1)
        word = word[1:-1] if word[:1] in ('"', "'") else word.rstrip(_TRAILING)
        if word and ("/" in word or _EXTENSION.search(word)) and word not in missing:
            missing.append(word)
    return missing
