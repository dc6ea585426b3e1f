"""The conversation: the turns a person sees, and the history the API accepts.

What is on screen and what is sent differ on purpose. A cancelled or failed reply stays on screen
and in the history exactly as far as it got, but the real API rejects some shapes of history, so
``build_api_messages`` turns the turns into one it accepts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

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
