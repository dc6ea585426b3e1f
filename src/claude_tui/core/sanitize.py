"""Make untrusted text safe to put on a terminal.

Model output, titles and error texts can carry escape sequences (clear screen, set title, OSC 52
clipboard writes, hyperlinks, cursor moves). Every C0 and C1 control character except newline and
tab is replaced by a visible placeholder, so a sequence is shown, never obeyed.
"""

from __future__ import annotations

import re

_C0_PLACEHOLDERS = {code: chr(0x2400 + code) for code in range(0x20)}
_C0_PLACEHOLDERS[0x7F] = "\u2421"  # ␡
_C0_PLACEHOLDERS[0x1B] = "\u241b"  # ␛
del _C0_PLACEHOLDERS[0x09]  # tab
del _C0_PLACEHOLDERS[0x0A]  # newline

_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _placeholder(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code in _C0_PLACEHOLDERS:
        return _C0_PLACEHOLDERS[code]
    # C1 controls (0x80-0x9f, including the 8-bit CSI 0x9b), and bidi overrides and isolates,
    # which can make text read as something else
    return "\ufffd"


def sanitize(text: str) -> str:
    """Return ``text`` with every control character but newline and tab made visible.

    Carriage returns are dropped rather than shown: they mostly arrive as half of a ``\\r\\n``
    line ending (possibly split across two stream batches), and dropping one cannot move the cursor.
    """
    if "\r" in text:
        text = text.replace("\r", "")
    return _CONTROL_RE.sub(_placeholder, text)


def one_line(text: str) -> str:
    """``text`` made safe (:func:`sanitize`) as one line with its whitespace folded: a title, a
    query or a URL in a card, a list or a table cell."""
    return " ".join(sanitize(text).split())


def sanitize_line(text: str) -> str:
    """``text`` made safe (:func:`sanitize`) and kept to one line: a file name, a title. A
    newline or tab in it shows as a space."""
    return sanitize(text).replace("\n", " ").replace("\t", " ")
