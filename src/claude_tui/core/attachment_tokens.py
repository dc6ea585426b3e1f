"""What each attachment of a conversation costs in input tokens, for ``/context``: a file sent
with several prompts is in every request that many times (:class:`Sent`).

The API counts a whole request, not a block, so an attachment's count is a difference: a
one-message request holding the block and a one-word text, less the same request with the word
alone. That is one ``count_tokens`` call per distinct file (by SHA-256), and one per model for the
word alone, each kept for the rest of the app's run: opening ``/context`` again asks nothing new.
Until the counts arrive (or when they cannot be had) the estimate the checks before a send use
stands in (``core.attachments.fit.estimate_block_tokens``), marked "≈".

The calls block: they are made in a worker thread, never on the UI's loop.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable
from typing import Any, NamedTuple

from claude_tui.core.blocks import AttachmentBlock, attachments_of
from claude_tui.core.client import ApiSettings
from claude_tui.core.conversation import Turn, TurnStatus
from claude_tui.core.tokens import count_input_tokens

WORD = "Hi"
"""The text that goes with the block (a message of an attachment alone is fine too, but the
app never sends one without a text unless the prompt is empty)."""


def attachment_key(block: AttachmentBlock) -> str:
    """The file's SHA-256 (what the store keys it by); for a block without its info (an old
    import), the hash of its source, worked out here."""
    if block.info is not None:
        return block.info.sha256
    source = json.dumps(block.source, sort_keys=True).encode()
    return hashlib.sha256(source).hexdigest()


class Sent(NamedTuple):
    """A file of the conversation and how many of its prompts carry it: every request sends
    the whole history, so it costs its tokens that many times."""

    block: AttachmentBlock
    times: int


def conversation_attachments(turns: Iterable[Turn]) -> list[Sent]:
    """The attachments of the conversation's prompts, each file once, in the order first sent,
    with the number of prompts that carry it."""
    found: dict[str, Sent] = {}
    for turn in turns:
        if turn.role != "user" or turn.status is TurnStatus.STREAMING:
            continue
        for block in attachments_of(turn.blocks):
            key = attachment_key(block)
            sent = found.get(key)
            found[key] = Sent(block, 1) if sent is None else sent._replace(times=sent.times + 1)
    return list(found.values())


def _message(*blocks: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"role": "user", "content": [*blocks, {"type": "text", "text": WORD}]}]


class AttachmentTokens:
    """The counts asked so far, by API address, model and file; safe to share between threads
    (two workers asking for the same file at once may both ask: the answer is the same)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str, str], int] = {}
        self._bases: dict[tuple[str, str], int] = {}

    def known(self, api: ApiSettings, model: str, block: AttachmentBlock) -> int | None:
        """The count already asked for, if it has been."""
        with self._lock:
            return self._counts.get((api.display_url, model, attachment_key(block)))

    def count(self, api: ApiSettings, model: str, block: AttachmentBlock) -> int:
        """The block's input tokens with ``model``, asked of the API unless known (one call,
        two the first time for a model). Blocking; raises ``ApiCallError``."""
        key = (api.display_url, model, attachment_key(block))
        with self._lock:
            if key in self._counts:
                return self._counts[key]
            base = self._bases.get(key[:2])
        if base is None:
            base = count_input_tokens(api, model=model, system=None, messages=_message())
            with self._lock:
                self._bases[key[:2]] = base
        # the block's own JSON, not a copy (``to_api``): a 30 MB PDF is 40 MB of base64, and
        # copying it would hold the interpreter (and the UI) for a while; nothing changes it
        whole = count_input_tokens(api, model=model, system=None, messages=_message(block.raw))
        tokens = max(0, whole - base)
        with self._lock:
            self._counts[key] = tokens
        return tokens
