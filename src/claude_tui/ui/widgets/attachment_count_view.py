"""``/context``'s list of the conversation's attachments, each with its input tokens.

Shown at once with estimates ("≈"), each replaced by the API's count as it arrives
(``core.attachment_tokens``, asked in a worker).
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from claude_tui.core.sanitize import sanitize


class AttachmentCounts(Static):
    """One line per attachment: its 📎 line and its tokens, counted or estimated."""

    DEFAULT_CSS = """
    AttachmentCounts { height: auto; margin-bottom: 1; }
    """

    def __init__(self, lines: list[str], tokens: list[int | None], estimates: list[int]) -> None:
        super().__init__(id="attachment-counts")
        self._names = lines
        self._tokens = tokens
        self._estimates = estimates
        self._failed: str | None = None

    def on_mount(self) -> None:
        self._show()

    @property
    def text(self) -> str:
        """The list as drawn."""
        heading = f"Attachments: {len(self._names)}"
        if self._failed is not None:
            heading += f" (estimated: they could not be counted: {self._failed})"
        rows = [f"{line} · {self._amount(n)}" for n, line in enumerate(self._names)]
        return "\n".join([heading, *rows])

    def _amount(self, index: int) -> str:
        counted = self._tokens[index]
        if counted is not None:
            return f"{counted:,} tokens"
        return f"≈ {self._estimates[index]:,} tokens"

    def set_tokens(self, index: int, tokens: int) -> None:
        self._tokens[index] = tokens
        self._show()

    def set_failed(self, error: str) -> None:
        """The counts could not be had: the estimates stay, and the heading says why."""
        self._failed = error
        self._show()

    def _show(self) -> None:
        if self.is_attached:
            self.update(Content(sanitize(self.text)))
