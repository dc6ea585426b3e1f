"""The conversation: the turns a person sees, and the history the API accepts.

What is on screen and what is sent differ on purpose. A cancelled or failed reply stays on screen
and in the history exactly as far as it got, but the real API rejects some shapes of history, so
``build_api_messages`` turns the turns into one it accepts.

The turns are one path through the session: an edit starts a new path from the message before
the edited prompt (see :func:`edit_point`), and the store keeps the old one as a branch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, NamedTuple

from claude_tui.core.metrics import StreamMetrics

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
    text: str
    status: TurnStatus = TurnStatus.COMPLETE
    thinking: str = ""
    error: str | None = None
    stop_reason: str | None = None
    metrics: StreamMetrics | None = None
    message_id: int | None = None
    """The stored message's id once it is saved: what an edit or a retry names as its parent."""


@dataclass
class Conversation:
    """An ordered list of turns, with the operations the chat screen needs."""

    turns: list[Turn] = field(default_factory=list)

    def add_user(self, text: str) -> Turn:
        turn = Turn("user", text)
        self.turns.append(turn)
        return turn

    def start_assistant(self) -> Turn:
        turn = Turn("assistant", "", TurnStatus.STREAMING)
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


def build_api_messages(turns: list[Turn]) -> list[dict[str, Any]]:
    """Turn the visible turns into a history the real Messages API accepts.

    - a reply still streaming is left out; so is any text that is empty or only whitespace;
    - the history starts with a user turn;
    - consecutive turns of one role become one message with a text block each;
    - a final assistant message loses its trailing whitespace (the API rejects it otherwise).
    """
    messages: list[dict[str, Any]] = []
    for turn in turns:
        if turn.status is TurnStatus.STREAMING or not turn.text.strip():
            continue
        if not messages and turn.role != "user":
            continue
        block = {"type": "text", "text": turn.text}
        if messages and messages[-1]["role"] == turn.role:
            messages[-1]["content"].append(block)
        else:
            messages.append({"role": turn.role, "content": [block]})
    if messages and messages[-1]["role"] == "assistant":
        last_blocks = messages[-1]["content"]
        last_blocks[-1] = {"type": "text", "text": last_blocks[-1]["text"].rstrip()}
    return messages
