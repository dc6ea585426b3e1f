"""The conversation: the turns a person sees, and the history the API accepts.

A turn is a message's content blocks (``core.blocks``) with what the app knows about it. What is
on screen and what is sent differ on purpose: a cancelled or failed reply stays on screen exactly
as far as it got, but the real API rejects some shapes of history, so ``build_api_messages``
sends only what it accepts (the rules are in ``core.api_history``).

The turns are one path through the session: an edit starts a new path from the message before
the edited prompt (see :func:`edit_point`), and the store keeps the old one as a branch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, NamedTuple

from claude_tui.core.api_history import api_history
from claude_tui.core.blocks import Block, blocks_from_text, text_of, thinking_of
from claude_tui.core.metrics import StreamMetrics
from claude_tui.core.prompt import Prompt

Role = Literal["user", "assistant"]


class TurnStatus(StrEnum):
    COMPLETE = "complete"
    STREAMING = "streaming"
    CANCELLED = "cancelled"
    ERROR = "error"
    INCOMPLETE = "incomplete"
    """Was streaming when the app was killed."""


@dataclass
class Turn:
    role: Role
    blocks: list[Block] = field(default_factory=list)
    """The message's content blocks, as received (a reply) or typed (a prompt)."""
    status: TurnStatus = TurnStatus.COMPLETE
    error: str | None = None
    stop_reason: str | None = None
    metrics: StreamMetrics | None = None
    message_id: int | None = None
    """The stored message's id once it is saved: what an edit or a retry names as its parent."""
    metrics_before: StreamMetrics | None = None
    """A reply continued in this run (``core.continuation``): its requests before the last,
    summed. Once the continuation ends, ``metrics`` sums all of them, as the store does, and
    its ``context_tokens`` is the last request's, which the context gauge reads."""

    @classmethod
    def from_text(cls, role: Role, text: str, thinking: str = "", **fields: Any) -> Turn:
        """A turn known only as text (and thinking): a typed prompt, or a message saved before
        blocks were. Such thinking has no signature, so it is shown but never sent back."""
        return cls(role, blocks_from_text(text, thinking), **fields)

    @property
    def text(self) -> str:
        """The text blocks, joined."""
        return text_of(self.blocks)

    @property
    def thinking(self) -> str:
        """The thinking blocks, joined."""
        return thinking_of(self.blocks)


@dataclass
class Conversation:
    """An ordered list of turns, with the operations the chat screen needs."""

    turns: list[Turn] = field(default_factory=list)

    def add_user(self, prompt: Prompt | str) -> Turn:
        """The user's prompt, with its attachments, as the next turn."""
        prompt = Prompt(prompt) if isinstance(prompt, str) else prompt
        turn = Turn("user", prompt.blocks())
        self.turns.append(turn)
        return turn

    def start_assistant(self) -> Turn:
        turn = Turn("assistant", [], TurnStatus.STREAMING)
        self.turns.append(turn)
        return turn

    def api_messages(self) -> list[dict[str, Any]]:
        """The history to send with the next request."""
        return build_api_messages(self.turns)

    @property
    def streaming(self) -> bool:
        return any(turn.status is TurnStatus.STREAMING for turn in self.turns)


class EditPoint(NamedTuple):
    """Where ``/edit`` branches off: the turns before ``turn_index`` stay, the rest go."""

    turn_index: int
    """The last user turn: the prompt being edited."""
    parent_id: int | None
    """The stored message the edited prompt follows (give it to the recorder); None when the
    prompt starts the conversation, or when ``parent_known`` is False."""
    parent_known: bool
    """False when the turn before the prompt was never saved (no ``message_id``: the app runs
    without a store, or saving that reply failed). The turns can still be replaced on screen,
    but the store has nowhere to hang the edited prompt: saving it would guess."""


def edit_point(turns: list[Turn]) -> EditPoint | None:
    """Where an edit of the last prompt branches off; None when there is no prompt to edit.

    Pure, on the turns of the active path as shown. Call it when no reply is streaming.
    """
    index = next((i for i in range(len(turns) - 1, -1, -1) if turns[i].role == "user"), None)
    if index is None:
        return None
    if index == 0:
        return EditPoint(0, None, True)
    parent_id = turns[index - 1].message_id
    return EditPoint(index, parent_id, parent_id is not None)


def build_api_messages(turns: list[Turn], *, keep_open_calls: bool = False) -> list[dict[str, Any]]:
    """The history the real Messages API accepts for these turns: a reply still streaming is
    left out, and the rest goes through :func:`~claude_tui.core.api_history.api_history`
    (``keep_open_calls``: the final reply is a paused turn going back as it came)."""
    return api_history(
        ((turn.role, turn.blocks) for turn in turns if turn.status is not TurnStatus.STREAMING),
        keep_open_calls=keep_open_calls,
    )
