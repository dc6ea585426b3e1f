"""A prompt on its way out: the words typed and the files attached to them.

It travels from the input, through the queue behind a streaming reply, to the conversation
(``Conversation.add_user``), as one value, so a queued or retried prompt keeps its attachments.
"""

from __future__ import annotations

from typing import NamedTuple

from claude_tui.core.blocks import AttachmentBlock, Block, TextBlock


class Prompt(NamedTuple):
    """What a person sends as one user turn: the text typed and the files attached to it. The
    send path carries it whole (queued, retried) so that attachments go with their text."""

    text: str
    attachments: tuple[AttachmentBlock, ...] = ()

    def blocks(self) -> list[Block]:
        """The user message's blocks: the attachments first (the API answers best about an
        image or document that comes before the question), then the text; no empty text block
        (the API refuses one) unless there is nothing else."""
        blocks: list[Block] = list(self.attachments)
        if self.text or not blocks:
            blocks.append(TextBlock(self.text))
        return blocks
