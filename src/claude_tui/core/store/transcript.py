"""A session as a Markdown transcript: to read and share, not to import.

The transcript is the active path only, as the session reads when it is opened; a turn that has
other versions says so. Each message is shown block by block: thinking folded away, text as it
is, the other kinds the app knows as one short line each, and a kind it does not know as its
neutral line (``blocks.unsupported_line``), so nothing is silently left out.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from claude_tui.core.attachments.info import attachment_line
from claude_tui.core.blocks import (
    Block,
    CompactionBlock,
    DocumentBlock,
    ImageBlock,
    RedactedThinkingBlock,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
    block_from_store,
    blocks_from_text,
    unsupported_line,
)
from claude_tui.core.reply_parts import is_web_call
from claude_tui.core.store.transcript_web import (
    Footnotes,
    call_line,
    is_web_result,
    markdown_safe,
    result_line,
)

_NOTES = {
    "cancelled": "Stopped before the end; the text above is what had arrived.",
    "incomplete": "Cut off: the app closed while this reply was streaming.",
    "streaming": "Still streaming when this was exported.",
}


def to_markdown(data: Mapping[str, Any]) -> str:
    """A readable transcript for sharing: title, model and dates, then each turn of the active
    path in order; a turn that has other versions says so (only the JSON export has them)."""
    title = " ".join(str(data.get("title") or "").split()) or "Untitled conversation"
    lines = [f"# {title}", ""]
    lines.append(f"- Model: {data.get('model') or 'unknown'}")
    lines.append(f"- Started: {_when(data.get('created_at'))}")
    lines.append(f"- Updated: {_when(data.get('updated_at'))}")
    if data.get("id"):
        lines.append(f"- Session: {data['id']}")
    if data.get("system"):
        lines += ["", "**System prompt**", "", _quote(str(data["system"]))]
    messages = data.get("messages", [])
    parents = parent_indexes(messages)
    versions = Counter(parents)
    first_footnote = 1
    for index in active_path(messages, data.get("leaf")):
        message = messages[index]
        lines += ["", "## You" if message.get("role") == "user" else "## Claude", ""]
        footnotes = Footnotes(first_footnote)
        lines += message_lines(exported_blocks(message), footnotes)
        first_footnote = footnotes.next
        note = _note(message)
        if note:
            lines += ["", f"> *{note}*"]
        siblings = versions[parents[index]]
        if siblings > 1:
            which = parents[: index + 1].count(parents[index])
            lines += ["", f"> *Version {which} of {siblings}; the JSON export keeps all of them.*"]
    return "\n".join(lines).rstrip() + "\n"


def exported_blocks(message: Mapping[str, Any]) -> list[Block]:
    """An exported message's blocks; made from its text when it has none (an older export)."""
    stored = message.get("blocks")
    if isinstance(stored, list):
        return [block_from_store(item) for item in stored if isinstance(item, Mapping)]
    content = message.get("content")
    thinking = message.get("thinking")
    return blocks_from_text(
        content if isinstance(content, str) else "", thinking if isinstance(thinking, str) else ""
    )


def message_lines(blocks: Sequence[Block], footnotes: Footnotes | None = None) -> list[str]:
    """A message's blocks as Markdown lines, one paragraph a block (text blocks that follow
    each other are one text, as they stream and read); "*(no text)*" when nothing but thinking
    is there to read. Cited text is marked with its sources' numbers, and the sources end the
    message as footnotes (numbered from ``footnotes``, which the caller keeps going)."""
    footnotes = footnotes if footnotes is not None else Footnotes()
    paragraphs: list[str] = []
    run: list[str] = []
    shown = False
    for block in blocks:
        if isinstance(block, TextBlock):
            run.append(footnotes.marked(block.text, block.citations))
            continue
        shown = _add_text(paragraphs, run) or shown
        run = []
        if isinstance(block, ThinkingBlock):
            if block.thinking.strip():
                paragraphs.append(folded("Thinking", block.thinking))
        else:
            paragraphs.append(block_line(block))
            shown = True
    shown = _add_text(paragraphs, run) or shown
    if not shown:
        paragraphs.append("*(no text)*")
    if footnotes.lines():
        paragraphs.append("\n".join(footnotes.lines()))
    return "\n\n".join(paragraphs).split("\n")


def folded(title: str, text: str) -> str:
    """``text`` in a ``<details>`` block headed ``title``. The text is the model's: a closing
    tag inside it would end the block early and spill the rest into the transcript, so its
    ``<`` there is written as an entity (Markdown viewers show it as ``<``)."""
    body = re.sub(r"</(details|summary)", r"&lt;/\1", text.strip(), flags=re.IGNORECASE)
    return f"<details><summary>{title}</summary>\n\n{body}\n\n</details>"


def _add_text(paragraphs: list[str], run: list[str]) -> bool:
    text = "".join(run).rstrip()
    if text:
        paragraphs.append(text)
    return bool(text)


def block_line(block: Block) -> str:
    """A block that is neither text nor thinking, as a short paragraph that says what it is."""
    if isinstance(block, RedactedThinkingBlock):
        return "*(thinking, redacted)*"
    if isinstance(block, ServerToolUseBlock) and is_web_call(block):
        return call_line(block)
    if isinstance(block, ToolResultBlock) and is_web_result(block):
        return result_line(block)
    if isinstance(block, ServerToolUseBlock):
        call = json.dumps(block.input, ensure_ascii=False, indent=2) if block.input else ""
        heading = f"*Tool call: {_one_line(block.name)}*"
        return f"{heading}\n\n{_fenced(call, 'json')}" if call else heading
    if isinstance(block, ToolResultBlock):
        return f"*Tool result: {_one_line(block.type)}*"
    if isinstance(block, CompactionBlock):
        if not block.summary.strip():
            return "*(the earlier conversation, summarised)*"
        return folded("Earlier conversation summarised", block.summary)
    if isinstance(block, ImageBlock | DocumentBlock):
        return attachment_paragraph(block)
    return _one_line(unsupported_line(block))


def attachment_paragraph(block: ImageBlock | DocumentBlock) -> str:
    """An attachment named, never its contents: ``📎 report.pdf · 12 pages · 1.2 MB`` as the
    turn shows it. No base64 in a file meant to be read, and not a text file's text either: it
    was the user's file, not the conversation, and the JSON export keeps it whole. A block with
    no file info (an old import) says what it is, with the title a document has."""
    if block.info is not None:
        return markdown_safe(attachment_line(block.info))
    if isinstance(block, ImageBlock):
        return "*(an image)*"
    title = block.raw.get("title")
    if isinstance(title, str) and title.strip():
        return f"*(a document: {markdown_safe(_one_line(title))})*"
    return "*(a document)*"


def _one_line(text: str) -> str:
    """Text from a file or a model kept to one line, so it cannot start a heading or a list."""
    return " ".join(text.split())


def _fenced(text: str, info: str) -> str:
    """A fenced code block that no run of backticks inside ``text`` can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def parent_indexes(messages: Sequence[Mapping[str, Any]]) -> list[int | None]:
    """Each message's ``parent``, the default filled in (the message before it; the first has
    none). Anything but an index counts as none."""
    parents: list[int | None] = []
    for index, message in enumerate(messages):
        parent = message.get("parent", index - 1 if index else None)
        usable = isinstance(parent, int) and not isinstance(parent, bool)
        parents.append(parent if usable else None)
    return parents


def active_path(messages: Sequence[Mapping[str, Any]], leaf: object = None) -> list[int]:
    """Indexes of the messages on the path ending at ``leaf`` (None: the last), root first.

    A parent always comes before its child, so a walk that meets anything else stops there
    rather than loop: a hand-edited file still gives a transcript.
    """
    parents = parent_indexes(messages)
    at = leaf if isinstance(leaf, int) and 0 <= leaf < len(messages) else len(messages) - 1
    path: list[int] = []
    while at >= 0:
        path.append(at)
        parent = parents[at]
        if not isinstance(parent, int) or not 0 <= parent < at:
            break
        at = parent
    return path[::-1]


def _when(stamp: object) -> str:
    """A timestamp as "YYYY-MM-DD HH:MM UTC": stable whoever renders it, wherever they are."""
    if not isinstance(stamp, str):
        return "unknown"
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M") + " UTC"


def _quote(text: str) -> str:
    return "\n".join(f"> {line}".rstrip() for line in text.strip().splitlines())


def _note(message: Mapping[str, Any]) -> str | None:
    status = message.get("status")
    if status == "error":
        error = " ".join(str(message.get("error") or "").split())
        return f"The reply failed: {error}" if error else "The reply failed."
    if status in _NOTES:
        return _NOTES[status]
    if message.get("stop_reason") == "max_tokens":
        return "Cut off at the output token limit."
    return None
