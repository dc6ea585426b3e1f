"""Content blocks: the unit a message is made of, as the Messages API defines them.

A message is a list of blocks. A reply can hold text (with citations), thinking (with its
signature), redacted thinking, server tool calls and their results, and compaction; a prompt can
hold text, images and documents. Each kind the app knows is a frozen dataclass here. A kind it
does not know (one the API starts sending tomorrow) is an :class:`UnknownBlock` that keeps the
block's JSON whole, so it can be shown as one neutral line, saved, and sent back unchanged.

Blocks are built from and turned back into the API's JSON (:func:`block_from_api`,
:meth:`to_api`). The kinds whose fields the app never reads (server-tool results, compaction)
keep their JSON as received, so ``encrypted_content`` and the like go back byte for byte.

A reply streams block by block: ``block_assembler.BlockAssembler`` applies each start, delta
and stop and says at any moment what the reply is. A block that never saw its stop (the reply
was cancelled or failed in the middle of it) is ``partial``: it is shown and saved, but only the
parts the API would accept go back in the history (see ``api_history.py``).

Flattening to text (:func:`plain_text`) is for display and search only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from claude_tui.core.attachments.info import AttachmentInfo, attachment_line
from claude_tui.core.web_lines import call_line, result_line

JSON = dict[str, Any]

STORE_MARK = "_claude_tui"
"""The key under which :func:`block_to_store` keeps what the app adds to a block (``partial``).
Never sent to the API."""


@dataclass(frozen=True, kw_only=True)
class _BlockBase:
    partial: bool = False
    """The block never saw its ``content_block_stop``: the reply ended in the middle of it."""


@dataclass(frozen=True)
class TextBlock(_BlockBase):
    text: str
    citations: tuple[JSON, ...] = ()
    """Each citation as the API sent it (``citations_delta``), in order."""
    type: ClassVar[str] = "text"

    def to_api(self) -> JSON:
        block: JSON = {"type": "text", "text": self.text}
        if self.citations:
            block["citations"] = [dict(citation) for citation in self.citations]
        return block


@dataclass(frozen=True)
class ThinkingBlock(_BlockBase):
    thinking: str
    signature: str = ""
    """Empty until the ``signature_delta`` that ends the block; the API rejects a thinking block
    sent back without its signature."""
    type: ClassVar[str] = "thinking"

    def to_api(self) -> JSON:
        return {"type": "thinking", "thinking": self.thinking, "signature": self.signature}


@dataclass(frozen=True)
class RedactedThinkingBlock(_BlockBase):
    data: str
    type: ClassVar[str] = "redacted_thinking"

    def to_api(self) -> JSON:
        return {"type": "redacted_thinking", "data": self.data}


@dataclass(frozen=True)
class ServerToolUseBlock(_BlockBase):
    """A call of a tool the API runs itself (``web_search``, ``web_fetch``)."""

    id: str
    name: str
    input: JSON = field(default_factory=dict)
    partial_json: str = ""
    """The input's JSON as it streamed (``input_json_delta``); parsed into ``input`` at the
    block's stop."""
    extra: JSON = field(default_factory=dict)
    """Any other field the API sent (``caller``, or one added later): a server block must go
    back as it came."""
    type: ClassVar[str] = "server_tool_use"

    def to_api(self) -> JSON:
        block: JSON = {"type": "server_tool_use", "id": self.id, "name": self.name}
        block["input"] = _copy(self.input)
        block.update(_copy(self.extra))
        return block


@dataclass(frozen=True)
class RawBlock(_BlockBase):
    """A block kept exactly as the API sent it. Base of the kinds whose fields the app reads
    only to show them, never to change them."""

    raw: JSON

    @property
    def type(self) -> str:
        return str(self.raw.get("type", ""))

    def to_api(self) -> JSON:
        return _copy(self.raw)  # the block itself never changes


@dataclass(frozen=True)
class ToolResultBlock(RawBlock):
    """The result of a server tool (``web_search_tool_result``, ``web_fetch_tool_result``, …),
    with its ``tool_use_id``; its ``encrypted_*`` fields must go back unchanged."""

    @property
    def tool_use_id(self) -> str:
        return str(self.raw.get("tool_use_id", ""))


@dataclass(frozen=True)
class CompactionBlock(RawBlock):
    """A summary of the earlier conversation made by server-side compaction (beta). Sent back
    unchanged, it stands in for everything before it: the API reads on from there."""

    @property
    def summary(self) -> str:
        """The summary's text; empty while it streams, or when the compaction failed (the API
        then sends ``content: null``, and the block goes back as a no-op)."""
        content = self.raw.get("content")
        return content if isinstance(content, str) else ""


@dataclass(frozen=True)
class _AttachedBlock(RawBlock):
    info: AttachmentInfo | None = None
    """What the app knows of the file it was made from (``core.attachments``): kept in the store
    and the export, never sent. None for a block the app did not make (an old import)."""

    @property
    def source(self) -> JSON:
        source = self.raw.get("source")
        return source if isinstance(source, dict) else {}


@dataclass(frozen=True)
class ImageBlock(_AttachedBlock):
    """An image in a prompt: ``{"type": "image", "source": {...}}``."""


@dataclass(frozen=True)
class DocumentBlock(_AttachedBlock):
    """A document in a prompt (PDF or plain text): ``{"type": "document", "source": {...}}``."""


AttachmentBlock = ImageBlock | DocumentBlock


@dataclass(frozen=True)
class UnknownBlock(RawBlock):
    """A kind of block this version of the app does not know; kept whole."""


def _copy(data: Mapping[str, Any]) -> JSON:
    """A deep copy of JSON data, as a plain dict: its objects and arrays are new, its strings
    and numbers shared (they are immutable). An attachment's base64 is tens of megabytes, and a
    copy through ``json`` text cost half a second per file on every session read."""
    copied = _copy_value(dict(data))
    assert isinstance(copied, dict)
    return copied


def _copy_value(value: object) -> Any:
    if isinstance(value, str | bool | int | float) or value is None:
        return value
    if isinstance(value, Mapping):
        return {_key(key): _copy_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_copy_value(item) for item in value]
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _key(key: object) -> str:
    """A JSON object's key, as ``json`` would write it."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool | int | float) or key is None:
        return json.dumps(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


Block = (
    TextBlock
    | ThinkingBlock
    | RedactedThinkingBlock
    | ServerToolUseBlock
    | ToolResultBlock
    | CompactionBlock
    | ImageBlock
    | DocumentBlock
    | UnknownBlock
)

_RAW_KINDS: dict[str, type[CompactionBlock | ImageBlock | DocumentBlock]] = {
    "compaction": CompactionBlock,
    "image": ImageBlock,
    "document": DocumentBlock,
}


def block_from_api(data: Mapping[str, Any], *, partial: bool = False) -> Block:
    """The block this JSON describes; anything not understood becomes an :class:`UnknownBlock`
    (never an error: a block the app cannot read is still the user's).

    Nothing of ``data`` is shared with the block: what is kept is copied, except strings. Text
    and thinking, nearly every block there is, are read without copying the rest of ``data``,
    as opening a long session reads thousands of them."""
    kind = data.get("type")
    if kind == "text":
        text, citations = data.get("text"), data.get("citations") or []
        readable = isinstance(citations, list) and all(isinstance(c, dict) for c in citations)
        if isinstance(text, str) and readable:
            kept = tuple(_copy(citation) for citation in citations)
            return TextBlock(text, kept, partial=partial)
    elif kind == "thinking":
        thinking, signature = data.get("thinking"), data.get("signature") or ""
        if isinstance(thinking, str) and isinstance(signature, str):
            return ThinkingBlock(thinking, signature, partial=partial)
    elif kind == "redacted_thinking" and isinstance(data.get("data"), str):
        return RedactedThinkingBlock(data["data"], partial=partial)
    elif kind == "server_tool_use" and isinstance(data.get("id"), str):
        raw = _copy(data)
        tool_input = raw.get("input", {})
        if isinstance(tool_input, dict) and isinstance(raw.get("name", ""), str):
            extra = {k: v for k, v in raw.items() if k not in ("type", "id", "name", "input")}
            return ServerToolUseBlock(
                raw["id"], raw.get("name", ""), tool_input, extra=extra, partial=partial
            )
    raw = _copy(data)
    if isinstance(kind, str) and kind.endswith("_tool_result"):
        return ToolResultBlock(raw, partial=partial)
    if isinstance(kind, str) and kind in _RAW_KINDS:
        return _RAW_KINDS[kind](raw, partial=partial)
    return UnknownBlock(raw, partial=partial)


def block_to_store(block: Block) -> JSON:
    """The block as the store and the JSON export keep it: the API's JSON, plus the app's own
    marks under :data:`STORE_MARK` (only where there is one to keep)."""
    data = block.to_api()
    marks: JSON = {}
    if block.partial:
        marks["partial"] = True
    if isinstance(block, ServerToolUseBlock) and block.partial and block.partial_json:
        marks["partial_json"] = block.partial_json
    if isinstance(block, ImageBlock | DocumentBlock) and block.info is not None:
        marks["attachment"] = block.info.to_json()
    if marks:
        data[STORE_MARK] = marks
    return data


def block_from_store(data: Mapping[str, Any]) -> Block:
    """The inverse of :func:`block_to_store`."""
    data = dict(data)
    marks = data.pop(STORE_MARK, None)
    marks = marks if isinstance(marks, dict) else {}
    block = block_from_api(data, partial=bool(marks.get("partial")))
    partial_json = marks.get("partial_json")
    if isinstance(block, ServerToolUseBlock) and isinstance(partial_json, str):
        block = replace(block, partial_json=partial_json)
    if isinstance(block, ImageBlock | DocumentBlock) and "attachment" in marks:
        block = replace(block, info=AttachmentInfo.from_json(marks["attachment"]))
    return block


def blocks_to_json(blocks: Iterable[Block]) -> str:
    """Blocks as the store's JSON text."""
    return json.dumps([block_to_store(block) for block in blocks], ensure_ascii=False)


def blocks_from_json(text: str) -> list[Block]:
    """The store's JSON text as blocks; raises ``ValueError`` if it is not a list of objects."""
    data = json.loads(text)
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ValueError("blocks must be a JSON list of objects")
    return [block_from_store(item) for item in data]


def blocks_from_text(text: str, thinking: str = "") -> list[Block]:
    """Blocks for a message known only as text (and thinking): a prompt typed in the app, or a
    message saved before blocks were (schema version 2, or an older export). Thinking saved
    then has no signature, so it is shown but never sent back."""
    blocks: list[Block] = []
    if thinking:
        blocks.append(ThinkingBlock(thinking))
    if text or not blocks:
        blocks.append(TextBlock(text))
    return blocks


# --- flattening: for display and search only -------------------------------------------------


def unsupported_line(block: Block) -> str:
    """The one neutral line that stands for a block the app cannot show."""
    return f"[unsupported block: {block.type}]"


def text_of(blocks: Sequence[Block]) -> str:
    """The reply's text: its text blocks, joined as they follow each other."""
    return "".join(block.text for block in blocks if isinstance(block, TextBlock))


def thinking_of(blocks: Sequence[Block]) -> str:
    return "".join(block.thinking for block in blocks if isinstance(block, ThinkingBlock))


def shown_as_line(block: Block) -> bool:
    """Whether the screen shows ``block`` as one line of its own (:func:`block_line`): every
    kind but text, thinking and compaction (folded, like thinking), until a feature gives it a
    view."""
    return not isinstance(block, TextBlock | ThinkingBlock | CompactionBlock)


def summaries_of(blocks: Sequence[Block]) -> str:
    """The summaries of the reply's compaction blocks (there is at most one in practice)."""
    return "\n\n".join(b.summary for b in blocks if isinstance(b, CompactionBlock) and b.summary)


def block_line(block: Block) -> str:
    """The one neutral line a block that is neither text nor thinking is shown as; a kind the
    app does not know is :func:`unsupported_line`."""
    if isinstance(block, RedactedThinkingBlock):
        return "[thinking, redacted]"
    if isinstance(block, ServerToolUseBlock):
        return call_line(block.name, block.input) or f"[server tool: {block.name}]"
    if isinstance(block, ToolResultBlock):
        said = result_line(block.type, block.raw.get("content"))
        if said is not None:
            return said
    if isinstance(block, ImageBlock | DocumentBlock) and block.info is not None:
        return attachment_line(block.info)
    if isinstance(block, ToolResultBlock | CompactionBlock | ImageBlock | DocumentBlock):
        return f"[{block.type}]"
    return unsupported_line(block)


def attachments_of(blocks: Sequence[Block]) -> list[AttachmentBlock]:
    """A prompt's images and documents, in order."""
    return [block for block in blocks if isinstance(block, ImageBlock | DocumentBlock)]


def line_paragraph(block: Block) -> str:
    """:func:`block_line` as a paragraph of its own between the texts around it."""
    return f"\n\n{block_line(block)}\n\n"


def plain_text(blocks: Sequence[Block]) -> str:
    """Everything a person could read in the blocks, as one text: what the screen shows as the
    reply, what is stored as ``content`` and searched. Thinking and compaction summaries are
    left out (each is kept and shown folded on its own); every other kind is its line
    (:func:`line_paragraph`)."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, TextBlock):
            parts.append(block.text)
        elif shown_as_line(block):
            parts.append(line_paragraph(block))
    return "".join(parts)
