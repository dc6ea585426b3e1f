"""``/context``'s list of the conversation's attachments, each with its input tokens.

Its rows are worked out in ``/context``'s worker (an estimate or a file's key can mean
reading a whole imported source) and given to :meth:`AttachmentCounts.fill`; shown with
estimates ("≈"), each replaced by the API's count as it arrives (``core.attachment_tokens``,
asked in the same worker). A file sent with several prompts is in the request that many
times: its row says "× N", and the total counts it N times.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from claude_tui.core.sanitize import sanitize

FINDING = "Attachments: …"
"""The heading until the rows are worked out."""


class AttachmentCounts(Static):
    """One line per attachment: its 📎 line and its tokens, counted or estimated, and how
    many times the request holds it; the heading gives the total."""

    DEFAULT_CSS = """
    AttachmentCounts { height: auto; margin-bottom: 1; }
    """

    def __init__(self) -> None:
        super().__init__(FINDING, id="attachment-counts")
        self._names: list[str] | None = None
        self._times: list[int] = []
        self._tokens: list[int | None] = []
        self._estimates: list[int] = []
        self._failed: str | None = None

    def on_mount(self) -> None:
        self._show()

    def fill(
        self, lines: list[str], times: list[int], tokens: list[int | None], estimates: list[int]
    ) -> None:
        """The rows: each file's 📎 line, how many prompts carry it, its count if known and
        its estimate."""
        self._names, self._times, self._tokens, self._estimates = lines, times, tokens, estimates
        self._show()

    @property
    def text(self) -> str:
        """The list as drawn."""
        if self._names is None:
            return FINDING
        estimated = any(count is None for count in self._tokens)
        total = sum(self._each(n) * times for n, times in enumerate(self._times))
        heading = f"Attachments: {len(self._names)} · {'≈ ' if estimated else ''}{total:,} tokens"
        if self._failed is not None:
            heading += f" (estimated: they could not be counted: {self._failed})"
        rows = [f"{line} · {self._amount(n)}" for n, line in enumerate(self._names)]
        return "\n".join([heading, *rows])

    def _each(self, index: int) -> int:
        counted = self._tokens[index]
        return self._estimates[index] if counted is None else counted

    def _amount(self, index: int) -> str:
        times = f" × {self._times[index]}" if self._times[index] > 1 else ""
        approx = "≈ " if self._tokens[index] is None else ""
        return f"{approx}{self._each(index):,} tokens{times}"

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
