"""A compaction's summary of the earlier conversation, folded in the reply that made it."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Collapsible

from claude_tui.core.compaction import estimate_tokens
from claude_tui.core.sanitize import sanitize
from claude_tui.ui.widgets.selectable_text import SelectableStatic


class SummaryFold(Collapsible):
    """A compaction block: the summary of the earlier conversation, folded like thinking
    ("Earlier conversation summarised · ~N tokens"); a click or Ctrl+O opens it. The summary is
    the model's text, so it is sanitized like every other."""

    def __init__(self, summary: str) -> None:
        self.summary = sanitize(summary)
        self._summary_body = SelectableStatic(Content(self.summary))
        super().__init__(self._summary_body, title=self.title_for(summary), collapsed=True)
        self.add_class("summary")

    @staticmethod
    def title_for(summary: str) -> str:
        """The API does not count the summary on its own, so it is estimated from the raw
        ``summary`` the way ``/compact`` says it (``core.compaction.estimate_tokens``): the
        fold and the notice give the same figure."""
        return f"Earlier conversation summarised · ~{estimate_tokens(summary):,} tokens"

    def update(self, summary: str) -> None:
        clean = sanitize(summary)
        title = self.title_for(summary)
        if clean == self.summary and title == self.title:
            return
        self.summary = clean
        self._summary_body.update(Content(clean))
        self.title = title
