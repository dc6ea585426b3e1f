"""The input bar: multi-line, Enter sends, ctrl+j adds a line, Up recalls earlier prompts.

The completion menu it drives (slash commands, paths) and the rule that it holds no control
characters are in its base, ``prompt_menu.MenuTextArea``. Two more things the input tells its
screen, which holds the attachment chips: a paste that is only paths of existing files, as a
terminal writes a dropped file (``PathsPasted``, not typed in; where it went is kept, so its
text can be put back there), and Backspace at the very start (``BackspaceAtStart``: the last
chip goes).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import events
from textual.message import Message

from claude_tui.ui.fit import fit_line
from claude_tui.ui.widgets.prompt_menu import MenuTextArea

NEWLINE_KEYS = frozenset({"ctrl+j", "shift+enter", "alt+enter"})
"""ctrl+j works in every terminal; the others only where the terminal reports them."""
PLACEHOLDER = "Message Claude…   Enter send · Ctrl+J new line · ↑ earlier prompts"
"""Shown in the empty input; its hints go, whole, on a narrow screen (``fit_line``)."""
MENU_KEYS = frozenset({"up", "down", "tab", "enter", "escape"})
"""The keys the completion menu takes while it shows; otherwise they do what they always do."""


class PromptInput(MenuTextArea):
    """A ``TextArea`` that sends on Enter, keeps a history of what was sent, and completes
    slash commands in the ``CommandCompletions`` menu its screen composes (if any)."""

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

    @dataclass
    class PathsPasted(Message):
        """A paste that is nothing but the paths of existing files: attach them, not type."""

        words: list[tuple[str, Path]]
        """Each file's path as pasted (quotes and escapes kept), and the file."""
        text: str
        offset: int
        """Where in the input's text the paste went: its words go back there."""

    class BackspaceAtStart(Message):
        """Backspace with the cursor at the very start of the input."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, placeholder=PLACEHOLDER)
        self.sent_prompts: list[str] = []
        self.sends_blank = False
        """Enter sends even with no text: files are attached ("what is in this screenshot"
        can go without words)."""
        self._history_index: int | None = None

    def on_resize(self) -> None:
        # the room for text: the content width less the column the cursor may take
        self.placeholder = fit_line(PLACEHOLDER, self.content_region.width - 1)

    # -- keys ---------------------------------------------------------------------------------

    async def _on_key(self, event: events.Key) -> None:
        if event.key in MENU_KEYS and self._menu_key(event.key):
            event.prevent_default()
            event.stop()
            return
        if event.key == "enter":
            event.prevent_default()
            event.stop()
            self._submit()
            return
        if event.key == "backspace" and self.cursor_location == (0, 0) and not self.selected_text:
            # There is nothing to delete here; the key must not reach the TextArea either, or
            # it could delete from a pasted path the screen puts back meanwhile.
            event.prevent_default()
            event.stop()
            self.post_message(self.BackspaceAtStart())
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

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        """Claim Esc while the menu shows, so it closes the menu: a key the focused widget
        consumes is left out of its ancestors' bindings, the screen's priority ones included."""
        if key == "escape" and self.completions_open:
            return True
        return super().check_consume_key(key, character)

    async def _on_paste(self, event: events.Paste) -> None:
        """Paths of existing files pasted (a file dropped on the terminal) become chips; any
        other paste goes on to the ``TextArea``, which types it."""
        if self.read_only:
            return
        from claude_tui.core.attachments.paths import pasted_words

        words = pasted_words(event.text, Path.cwd())
        if words:
            event.prevent_default()
            event.stop()
            if self.selected_text:
                self.delete(*self.selection)  # a paste replaces the selection, as typed text
            offset = self.offset_of(self.cursor_location)
            self.post_message(self.PathsPasted(words, event.text, offset))

    def submit(self) -> None:
        """Enter, as if pressed (after the ``@path`` files of a send were read)."""
        self._submit()

    def _submit(self) -> None:
        text = self.text
        if not text.strip() and not self.sends_blank:
            return  # an empty prompt sends nothing
        self.post_message(self.Submitted(self, text))

    # -- history ------------------------------------------------------------------------------

    def remember(self, text: str) -> None:
        """Add a sent prompt to the history and clear the input."""
        if text.strip() and (not self.sent_prompts or self.sent_prompts[-1] != text):
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
        # A recalled command opens no menu: Up/Down keep walking the history until an edit.
        self._completed_for = self.text
        self._dismissed = True
        self._show([])
        return True
