"""Reading a file to attach: once, safely, and knowing whether it changed meanwhile.

The file is opened before anything is asked of it, and every question after that is put to the
open file (``fstat``), so a name swapped for another file between the questions cannot slip
through. It is opened non-blocking: a FIFO or a terminal named by mistake is refused at once
instead of hanging the worker until something writes to it. The signature (size, mtime, inode)
taken from the open file is compared with the path's after the read: a file rewritten, grown
or replaced while it was read is refused rather than sent half old, half new.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple

from claude_tui.core.sanitize import sanitize_line

_SURROGATE = re.compile("[\ud800-\udfff]")


class AttachmentError(Exception):
    """A file that cannot be attached; ``str()`` is the message to show."""


class FileSignature(NamedTuple):
    """What tells a file's version apart without reading it again."""

    size: int
    mtime_ns: int
    inode: int


def file_signature(path: Path) -> FileSignature | None:
    """The file's signature now; None when it cannot be read (gone, not a file, or a name no
    file can have: a NUL byte, or a lone surrogate that does not encode)."""
    try:
        found = path.stat()
    except (OSError, ValueError):  # UnicodeEncodeError is a ValueError
        return None
    if not stat.S_ISREG(found.st_mode):
        return None
    return _signature(found)


def _signature(found: os.stat_result) -> FileSignature:
    return FileSignature(found.st_size, found.st_mtime_ns, found.st_ino)


def display_name(path: Path) -> str:
    """The file's name as a message shows it: a name can hold anything, even escapes, and a
    name Python read from bytes that are not UTF-8 holds lone surrogates, which no terminal
    encoding can write (each is shown as U+FFFD)."""
    return _printable(path.name or str(path))


def _printable(text: str) -> str:
    return _SURROGATE.sub("\ufffd", sanitize_line(text))


HEAD_BYTES = 4096
"""Enough of the start to tell every kind apart (a PDF may have 1 KB of junk before ``%PDF-``),
and to refuse a large binary file without reading the rest of it."""

SizeCheck = Callable[[bytes, int], None]
"""Called with the file's first bytes and its size before the rest is read; raises
AttachmentError to refuse the file without reading more."""


def read_file(path: Path, check: SizeCheck) -> tuple[bytes, FileSignature]:
    """The file's bytes and the signature of the version read. Raises AttachmentError."""
    with _opened(path) as (file, before):
        head = file.read(HEAD_BYTES)
        if head and before.size == 0:
            # /proc and /sys files say 0 bytes and have some: their size is not fixed, so a
            # read cannot be checked against it
            raise AttachmentError(
                f"{display_name(path)} has no fixed size (a special file): copy it to a "
                "regular file to attach it"
            )
        check(head, before.size)
        # Read whole again rather than join head and rest: joining 23 MB is one call that holds
        # the interpreter (keys typed meanwhile echo late); reading lets it go. One byte more
        # than the size said: enough to see the file grew, never unbounded.
        if len(head) == HEAD_BYTES:
            file.seek(0)
            data = file.read(before.size + 1)
        else:
            data = head
    after = file_signature(path)
    if after != before or len(data) != before.size:
        raise AttachmentError(
            f"{display_name(path)} changed while it was being read: attach it again"
        )
    return data, before


@contextlib.contextmanager
def _opened(path: Path) -> Iterator[tuple[BinaryIO, FileSignature]]:
    name = display_name(path)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        where = _printable(str(path))
        raise AttachmentError(f"{name} does not exist: there is no file at {where}") from None
    except PermissionError:
        raise AttachmentError(f"{name} cannot be read: permission denied") from None
    except OSError as error:
        raise AttachmentError(f"{name} cannot be read: {_reason(error)}") from None
    except ValueError:  # a NUL byte in the name, or a lone surrogate (UnicodeEncodeError)
        raise AttachmentError(f"{name} is not a valid file name") from None
    found = os.fstat(fd)
    if not stat.S_ISREG(found.st_mode):
        os.close(fd)
        if stat.S_ISDIR(found.st_mode):
            raise AttachmentError(f"{name} is a folder: attach the files in it")
        raise AttachmentError(f"{name} is not a regular file (a pipe or a device): attach a file")
    with os.fdopen(fd, "rb") as file:
        try:
            yield file, _signature(found)
        except OSError as error:
            raise AttachmentError(f"{name} cannot be read: {_reason(error)}") from None


def _reason(error: OSError) -> str:
    """The system's words for ``error``; its ``str`` may carry the path, which can hold
    anything (an escape sequence in a folder's name), so it is made safe to print."""
    return _printable(error.strerror or str(error))
