"""Assembling a streamed reply: its blocks, by the API's indices, as starts, deltas and stops
arrive (see ``blocks.py`` for the blocks themselves).

A block that never saw its stop (the reply was cancelled or failed in the middle of it) is
``partial``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Literal

from claude_tui.core.blocks import (
    Block,
    CompactionBlock,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
)

DeltaKind = Literal[
    "text", "thinking", "signature", "input_json", "citation", "compaction", "other"
]

DELTA_KINDS: dict[str, DeltaKind] = {
    "text_delta": "text",
    "thinking_delta": "thinking",
    "signature_delta": "signature",
    "input_json_delta": "input_json",
    "citations_delta": "citation",
    "compaction_delta": "compaction",
}
"""The API's delta types, by the kind the app gives them; any other type is ``"other"``."""

STRING_FIELDS: dict[DeltaKind, str] = {
    "text": "text",
    "thinking": "thinking",
    "signature": "signature",
    "input_json": "partial_json",
}
"""Where each string delta's piece is in the API's delta JSON."""


class BlockAssembler:
    """A reply's blocks, by the API's indices, as their starts, deltas and stops arrive.

    Pure and not thread-safe: the runner keeps one in its thread, and a consumer of its events
    (the UI, the recorder) can keep another and feed it the same events.
    """

    def __init__(self) -> None:
        self._blocks: dict[int, Block] = {}
        self._stopped: set[int] = set()

    def start(self, index: int, block: Block) -> None:
        self._blocks[index] = replace(block, partial=True)

    def add_text(self, index: int, kind: DeltaKind, piece: str) -> None:
        """A string delta: text, thinking, signature or a tool input's partial JSON."""
        block = self._blocks.get(index)
        if block is None or not piece:
            return
        if kind == "text" and isinstance(block, TextBlock):
            block = replace(block, text=block.text + piece)
        elif kind == "thinking" and isinstance(block, ThinkingBlock):
            block = replace(block, thinking=block.thinking + piece)
        elif kind == "signature" and isinstance(block, ThinkingBlock):
            block = replace(block, signature=block.signature + piece)
        elif kind == "input_json" and isinstance(block, ServerToolUseBlock):
            block = replace(block, partial_json=block.partial_json + piece)
        else:
            return
        self._blocks[index] = block

    def add_item(self, index: int, kind: DeltaKind, item: Mapping[str, Any]) -> None:
        """A delta that is an object: a citation, a compaction's content, or one of a type the
        app does not know (kept nowhere but counted as having arrived)."""
        block = self._blocks.get(index)
        if block is None:
            return
        if kind == "citation" and isinstance(block, TextBlock):
            citation = item.get("citation", item)
            if isinstance(citation, Mapping):
                block = replace(block, citations=(*block.citations, dict(citation)))
        elif kind == "compaction" and isinstance(block, CompactionBlock):
            # The beta accumulator overwrites rather than appends: so does this.
            fields = {k: v for k, v in item.items() if k != "type"}
            block = CompactionBlock({**block.raw, **fields}, partial=True)
        else:
            return
        self._blocks[index] = block

    def stop(self, index: int) -> Block | None:
        """The block at ``index``, complete; None if it never started."""
        block = self._blocks.get(index)
        if block is None:
            return None
        if isinstance(block, ServerToolUseBlock) and block.partial_json:
            try:
                parsed = json.loads(block.partial_json)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict):
                block = replace(block, input=parsed, partial_json="")
        block = replace(block, partial=False)
        self._blocks[index] = block
        self._stopped.add(index)
        return block

    def block(self, index: int) -> Block | None:
        return self._blocks.get(index)

    def blocks(self) -> list[Block]:
        """Every block so far, in index order; those not stopped are ``partial``."""
        return [self._blocks[index] for index in sorted(self._blocks)]

    @property
    def has_content(self) -> bool:
        """Anything arrived that a person could see (or that the reply would lose)."""
        for block in self._blocks.values():
            if isinstance(block, TextBlock) and block.text:
                return True
            if isinstance(block, ThinkingBlock) and block.thinking:
                return True
            if not isinstance(block, TextBlock | ThinkingBlock):
                return True
        return False
