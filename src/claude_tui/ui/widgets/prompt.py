"""The input bar: multi-line, Enter sends, ctrl+j adds a line, Up recalls earlier prompts."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.message import Message
from textual.widgets import TextArea

NEWLINE_KEYS = frozenset({"ctrl+j", "shift+enter", "alt+enter"})
"""ctrl+j works in every terminal; the others only where the terminal reports them."""


class PromptInput(TextArea):
    """A ``TextArea`` that sends on Enter and keeps a history of what was sent."""

    DEFAULT_CSS = """
    PromptInput {
        height: auto;
        min-height: 3;
        max-height: 12;
        border: tall $primary 40%;
        &:focus { border: tall $primary; }
    }
    """

    @dataclass
    class Submitted(Message):
        """The user pressed Enter on a prompt that is not blank."""

        prompt_input: PromptInput
        text: str

        @property
        def control(self) -> PromptInput:
            return self.prompt_input

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            id=id,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            placeholder="Message Claude…   Enter send · Ctrl+J new line · ↑ earlier prompts",
        )
        self.sent_prompts: list[str] = []
        self._history_index: int | None = None

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.prevent_default()
            event.stop()
            self._submit()
            return
        if event.key in NEWLINE_KEYS:
            event.prevent_default()
            event.stop()
            self.insert("\n")
            return
        if event.key == "up" and self._recall(-1):
            event.prevent_default()
            event.stop()
            return
        if event.key == "down" and self._recall(+1):
            event.prevent_default()
            event.stop()
            return
        await super()._on_key(event)

    def _submit(self) -> None:
        text = self.text
        if not text.strip():
            return  # an empty prompt sends nothing
        self.post_message(self.Submitted(self, text))

    def remember(self, text: str) -> None:
        """Add a sent prompt to the history and clear the input."""
        if not self.sent_prompts or self.sent_prompts[-1] != text:
            self.sent_prompts.append(text)
        self._history_index = None
        self.clear()

    def _recall(self, step: int) -> bool:
        """Step through history: Up starts on an empty input, then walks while browsing."""
        if not self.sent_prompts:
            return False
        row, _ = self.cursor_location
        if self._history_index is None:
            if step > 0 or self.text:
                return False
            index = len(self.sent_prompts) - 1
        else:
            last_row = self.document.line_count - 1
            if (step < 0 and row != 0) or (step > 0 and row != last_row):
                return False  # move within a multi-line recalled prompt first
            index = self._history_index + step
            if index < 0:
                return True  # already at the oldest prompt
            if index >= len(self.sent_prompts):
                self._history_index = None
                self.clear()
                return True
        self._history_index = index
        self.load_text(self.sent_prompts[index])
        self.move_cursor(self.document.end)
        return True
