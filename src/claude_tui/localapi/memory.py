"""What a server remembers of what it sent: its signing key, the blocks sent, the paused turns.

A history sent back is checked against these (:mod:`history`, :mod:`prefill`), so they decide
whether a reply from this server is accepted back. A server made for a test remembers in memory,
for as long as the process runs, under :data:`~claude_tui.localapi.signing.PROCESS_KEY`. The demo
keeps them in a file instead (:mod:`~claude_tui.localapi.memory_file`), so a conversation from an
earlier run can go on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from claude_tui.localapi.emitted import EmittedBlocks
from claude_tui.localapi.signing import PROCESS_KEY


@dataclass
class ServerMemory:
    """A server's key and its two registries of sent blocks."""

    key: bytes = PROCESS_KEY
    """What thinking signatures and sealed tokens are signed with (:mod:`signing`)."""
    emitted: EmittedBlocks = field(default_factory=EmittedBlocks)
    """The finished blocks sent that a history may send back only unchanged."""
    paused: EmittedBlocks = field(default_factory=EmittedBlocks)
    """The whole content of the replies that stopped with ``pause_turn`` (see :mod:`prefill`)."""
    flush: Callable[[], None] = field(default=lambda: None)
    """Write what is not written yet, where the memory is kept (the server calls it when it
    stops); nothing for a memory kept in this process only."""
