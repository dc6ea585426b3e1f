"""A streaming reply's content, taken in from the runner's block events.

The one place the screen reads what a reply's blocks are doing: each event updates the reply's
own :class:`~claude_tui.core.blocks.BlockAssembler` (so its turn always holds every block so far,
and a widget rebuilt from the turn shows all of it), and adds to what is waiting to be drawn: the
text of text blocks, the thinking of thinking blocks, and one neutral line for every other kind
(:func:`~claude_tui.core.blocks.line_paragraph`), where it stands between the texts. What is
drawn therefore equals ``plain_text`` of the blocks, which is what the finished widget shows.
"""

from __future__ import annotations

from claude_tui.core.blocks import line_paragraph, shown_as_line
from claude_tui.core.events import BlockDelta, BlockStarted, BlockStopped, StreamEvent
from claude_tui.ui.chat.session_state import Reply


def take_content(reply: Reply, event: StreamEvent) -> bool:
    """Apply ``event`` to ``reply`` if it is a block event; False for any other event, which
    this leaves alone."""
    blocks = reply.blocks
    if isinstance(event, BlockDelta):
        if event.text:
            blocks.add_text(event.index, event.kind, event.text)
            if event.kind == "text":
                reply.pending_text += event.text
                reply.has_text = True
            elif event.kind == "thinking":
                reply.pending_thinking += event.text
        for item in event.items:
            blocks.add_item(event.index, event.kind, item)
    elif isinstance(event, BlockStarted):
        blocks.start(event.index, event.block)
        if shown_as_line(event.block):
            reply.pending_text += line_paragraph(event.block)
            reply.has_text = True
    elif isinstance(event, BlockStopped):
        blocks.stop(event.index)
    else:
        return False
    reply.turn.blocks = reply.blocks.blocks()
    return True
