"""What the chat screen keeps for each conversation it has open, visible or not.

A reply keeps streaming into its session's state when the user switches away; the widgets of a
session exist only while it is on screen, and are rebuilt from this state when it comes back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace

from claude_tui.core.block_assembler import BlockAssembler
from claude_tui.core.blocks import Block
from claude_tui.core.config import Settings
from claude_tui.core.conversation import Conversation, EditPoint, Turn
from claude_tui.core.metrics import StreamMetrics
from claude_tui.core.prompt import Prompt
from claude_tui.core.runner import StreamRunner

OnEnd = Callable[["SessionState", Turn], Awaitable[None]]
"""Called once a reply has ended, with its session and its turn (``/compact`` says what it
did)."""


@dataclass(eq=False)
class Reply:
    """A reply in flight: its runner and its turn in the conversation."""

    reply_id: int
    runner: StreamRunner
    turn: Turn
    metrics: StreamMetrics | None = None
    blocks: BlockAssembler = field(default_factory=BlockAssembler)
    """The reply's blocks as they stream (see ``reply_content.py``)."""
    has_text: bool = False
    pending_text: str = ""
    """Text received but not yet given to the widget (see ``ReplyStream.take``)."""
    pending_thinking: str = ""
    pending_summary: bool = False
    """A compaction block arrived or grew: the next frame shows its summary."""
    render_scheduled: bool = False
    """Something arrived that the next frame of the clock draws (see ``ReplyStream``)."""
    retry_note: tuple[str, float, int, int] | None = None
    """The pending retry (reason, until-monotonic, attempt, max) while one is waiting."""
    on_end: OnEnd | None = None
    """Called once the reply has ended (``/compact`` says what it did)."""
    prefix: tuple[Block, ...] = ()
    """A continuation: the blocks the turn had before it (its new blocks follow them)."""
    continued: bool = False
    """A continuation of its turn (``core.continuation``), not a reply of its own."""
    asked: bool = False
    """A continuation asked for with a user message, the model taking no prefill."""
    pauses: int = 0
    """A continuation after ``pause_turn``: how many pauses in a row it follows."""
    note: str = ""
    """What the status line adds while this reply streams (a pause being continued)."""

    def whole(self, blocks: list[Block]) -> list[Block]:
        """The turn's blocks: the ``prefix`` of a continuation, then this reply's ``blocks``."""
        return [*self.prefix, *blocks] if self.prefix else blocks

    def shown_whole(self) -> None:
        """A widget is being built from the whole turn: nothing received is pending for it."""
        self.pending_text = self.pending_thinking = ""
        self.pending_summary = False


@dataclass(eq=False)
class SessionState:
    session_id: str | None = None
    """``None`` until the first message saves the session."""
    title: str = ""
    conversation: Conversation = field(default_factory=Conversation)
    reply: Reply | None = None
    queue: list[Prompt] = field(default_factory=list)
    """Prompts sent while a reply streams; each goes out when the one before ends."""
    shown_from: int = 0
    """Index of the first turn that has a widget on screen (older ones load on demand)."""
    model: str | None = None
    """The session's own model (``/model``, or the one it was saved with); ``None``: config's."""
    system: str | None = None
    """The session's own system prompt (``/system``); ``None``: the one in config."""
    web_search: bool | None = None
    """The session's own web search (``/web on|off``, or as it was saved); ``None``: config's."""
    web_fetch: bool | None = None
    """The session's own web fetch (``/web fetch on|off``); ``None``: the one in config."""
    editing: EditPoint | None = None
    """Set by ``/edit`` until the edited prompt is sent (or Esc)."""
    shown_to: int | None = None
    """Index just past the last turn with a widget, or ``None`` when the window reaches the
    latest turn (and new turns join it). See ``widgets/turn_window.py``."""

    @property
    def busy(self) -> bool:
        return self.reply is not None

    def settings_over(self, settings: Settings) -> Settings:
        """The app's ``settings`` with this session's own model, system prompt, web search and
        web fetch, where it has them: what its next request is sent with."""
        if self.model:
            settings = replace(settings, model=self.model)
        if self.system is not None:
            settings = replace(settings, system_prompt=self.system)
        if self.web_search is not None:
            settings = replace(settings, web_search=self.web_search)
        if self.web_fetch is not None:
            settings = replace(settings, web_fetch=self.web_fetch)
        return settings

    def last_metrics(self) -> StreamMetrics | None:
        if self.reply is not None and self.reply.metrics is not None:
            return self.reply.metrics
        for turn in reversed(self.conversation.turns):
            if turn.metrics is not None:
                return turn.metrics
        return None
