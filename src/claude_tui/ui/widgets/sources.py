"""The ``Sources`` list under a reply whose text cites web results: ``[1] Title — https://…``
one source a line, numbered as the markers in the text.

The URLs are plain text, never OSC 8 hyperlinks: a link's target is hidden behind its words,
and a model or a page chooses both. Every title and URL is made one safe line first
(``core.web_card.one_line``: no control sequences, whitespace collapsed).
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widget import Widget

from claude_tui.core.reply_parts import Source, source_line
from claude_tui.core.web_card import one_line
from claude_tui.ui.widgets.hanging import HangingLines, hang
from claude_tui.ui.widgets.selectable_text import SelectsText

SOURCES_TITLE = "Sources"


class SourcesList(SelectsText, HangingLines, Widget):
    """One widget drawing the title and a line per source; selection copies what it shows."""

    COMPONENT_CLASSES = {"sources--title"}

    DEFAULT_CSS = """
    SourcesList {
        height: auto;
        margin: 1 0 0 0;
        color: $text-muted;
        & > .sources--title { color: $foreground; text-style: bold; }
    }
    """

    def __init__(self, sources: Sequence[Source] = ()) -> None:
        super().__init__()
        self.lines: tuple[str, ...] = ()
        self.show(sources)

    def show(self, sources: Sequence[Source]) -> None:
        lines = tuple(one_line(source_line(source)) for source in sources)
        if lines != self.lines:
            self.lines = lines
            self.refresh(layout=True)

    def lines_at(self, width: int) -> list[Content]:
        """The title, then each source wrapping under its text, clear of its ``[n]``."""
        title = self.get_visual_style("sources--title", partial=True)
        lines = [Content.styled(SOURCES_TITLE, title)]
        for line in self.lines:
            mark, _, rest = line.partition(" ")
            lines += hang(Content(rest), f"{mark} ", width)
        return lines
