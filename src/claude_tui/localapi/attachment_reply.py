"""The demo reply to a prompt with attachments: it says what arrived, so a person sees it did.

Someone trying ``--demo`` who attaches a screenshot, a PDF and a source file should see the
server got all three, intact: the reply starts by naming each (``I received 3 attachments: an
image (PNG, 800×600), a PDF “report.pdf” (12 pages) and a text document “main.py” (42
lines).``), then says a little about each (a text document's first lines, a PDF's page count
and first line of text, an image's size in tokens), then answers the prompt's text as any demo
reply does.

Titles and file contents are the user's files, not this server's words, so they are made plain
first: control characters dropped, whitespace collapsed, Markdown's punctuation escaped in
titles, and quoted lines put in a code fence longer than any run of backticks they hold, so
nothing in a file can become formatting, a link or a fence of its own.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from claude_tui.localapi.attachments import Attachment, received

TITLE_MAX = 60
LINE_MAX = 100
QUOTED_LINES = 2
_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|~!])")
_LANGUAGES = {
    ".py": "python",
    ".rs": "rust",
    ".ts": "typescript",
    ".js": "javascript",
    ".json": "json",
    ".md": "markdown",
    ".sh": "bash",
    ".toml": "toml",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".csv": "csv",
}
"""A code fence's language for a text document, from its title's extension (a fixed table:
the title itself never reaches the info string)."""


def plain(text: str, limit: int) -> str:
    """``text`` on one line without control characters, cut to ``limit`` with an ellipsis."""
    kept = "".join(
        " " if ch in "\t\n\r" else ch
        for ch in text
        if ch in "\t\n\r" or not unicodedata.category(ch).startswith("C")
    )
    kept = " ".join(kept.split())
    return kept if len(kept) <= limit else kept[: limit - 1].rstrip() + "…"


def code_line(text: str, limit: int) -> str:
    """A line of a file for a code fence: its indentation kept (tabs as four spaces), control
    characters dropped, trailing space trimmed, cut to ``limit`` with an ellipsis."""
    kept = "".join(
        ch for ch in text.replace("\t", "    ") if not unicodedata.category(ch).startswith("C")
    ).rstrip()
    return kept if len(kept) <= limit else kept[: limit - 1].rstrip() + "…"


def escape(text: str) -> str:
    """``text`` with Markdown's punctuation escaped, so it shows as it is."""
    return _MARKDOWN.sub(r"\\\1", text)


def _title(attachment: Attachment) -> str:
    title = plain(attachment.title or "", TITLE_MAX)
    return f" “{escape(title)}”" if title else ""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _format_name(media_type: str | None) -> str:
    sub = (media_type or "").rpartition("/")[2]
    return {"webp": "WebP", "jpeg": "JPEG"}.get(sub, sub.upper() or "unknown format")


def naming(attachment: Attachment) -> str:
    """How one attachment is named in the first sentence."""
    if attachment.kind == "image":
        size = f", {attachment.width}×{attachment.height}" if attachment.width else ""
        return f"an image ({_format_name(attachment.media_type)}{size})"
    if attachment.kind == "pdf":
        pages = f" ({_plural(attachment.pages, 'page')})" if attachment.pages else ""
        return f"a PDF{_title(attachment)}{pages}"
    if attachment.kind == "text":
        return f"a text document{_title(attachment)} ({_plural(attachment.lines or 0, 'line')})"
    return f"a document{_title(attachment)} (a {attachment.kind} source, not read here)"


def first_sentence(attachments: list[Attachment]) -> str:
    names = [naming(a) for a in attachments]
    if len(names) == 1:
        return f"I received {names[0]}."
    listed = ", ".join(names[:-1]) + " and " + names[-1]
    return f"I received {len(names)} attachments: {listed}."


def _fence(lines: list[str], language: str) -> str:
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return "\n".join([fence + language, *lines, fence])


def note(attachment: Attachment) -> str | None:
    """A line or two about one attachment, after the first sentence."""
    if attachment.kind == "image" and attachment.width:
        return (
            f"- The image is {attachment.width}×{attachment.height} pixels, about "
            f"{_plural(attachment.tokens, 'token')} to read."
        )
    if attachment.kind == "pdf" and attachment.pages:
        first = next((ln for ln in attachment.text.splitlines() if ln.strip()), "")
        text = f", and its first line reads “{escape(plain(first, LINE_MAX))}”"
        return f"- The PDF{_title(attachment)} has {_plural(attachment.pages, 'page')}" + (
            text + "." if first.strip() else "."
        )
    if attachment.kind == "text":
        lines = [code_line(ln, LINE_MAX) for ln in attachment.text.splitlines() if ln.strip()]
        if not lines:
            return None
        extension = (attachment.title or "").lower().rpartition(".")
        language = _LANGUAGES.get("." + extension[2], "") if extension[1] else ""
        quoted = _fence(lines[:QUOTED_LINES], language)
        return f"- The text document{_title(attachment)} begins:\n\n{quoted}"
    return None


def attachments_reply(body: Any) -> str | None:
    """The opening of the demo reply when the last user message carries attachments (the
    first sentence and a note on each), or ``None`` when it carries none."""
    messages = body.get("messages") if isinstance(body, dict) else None
    if not isinstance(messages, list):
        return None
    last = next(
        (
            i
            for i in range(len(messages) - 1, -1, -1)
            if isinstance(messages[i], dict) and messages[i].get("role") == "user"
        ),
        None,
    )
    attachments = [a for a in received(body) if a.message == last]
    if not attachments:
        return None
    notes = [n for n in (note(a) for a in attachments) if n is not None]
    return "\n\n".join([first_sentence(attachments), *notes])
