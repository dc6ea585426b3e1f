"""The ``Sources`` list under a reply whose text cites web results: ``[1] Title — https://…``
one source a line, numbered as the markers in the text.

The URLs are plain text, never OSC 8 hyperlinks: a link's target is hidden behind its words,
and a model or a page chooses both. Every title and URL is made one safe line first
(``core.sanitize.one_line``: no control sequences, whitespace collapsed).
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widget import Widget

from claude_tui.core.reply_parts import Source, marker, source_line
from claude_tui.core.sanitize import one_line
from claude_tui.ui.widgets.hanging import Entry, HangingLines, hang, text_style
from claude_tui.ui.widgets.selectable_text import SelectsText

SOURCES_TITLE = "Sources"


class SourcesList(HangingLines, SelectsText, Widget):
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
        """One safe line per source, as ``/copy`` gives it: ``[1] Title — https://…``."""
        self._entries: tuple[tuple[str, str, str], ...] = ()
        self.show(sources)

    def show(self, sources: Sequence[Source]) -> None:
        entries = tuple((marker(s.number), one_line(s.title), one_line(s.url)) for s in sources)
        if entries != self._entries:
            self._entries = entries
            self.lines = tuple(one_line(source_line(source)) for source in sources)
            self.refresh(layout=True)

    def entries_at(self, width: int) -> list[Entry]:
        """The title, then each source wrapping under its text, clear of its ``[n]``; a URL
        that does not fit after its title starts a line of its own (the line break in place of the
        dash, which would otherwise be left alone at the end of a wrapped title). Each source
        copies as its one line."""
        title = text_style(self, "sources--title")
        entries: list[Entry] = [(SOURCES_TITLE, [Content.styled(SOURCES_TITLE, title)])]
        for line, (mark, named, url) in zip(self.lines, self._entries, strict=True):
            prefix = f"{mark} "
            if Content(line).cell_length <= width or not (named and url):
                rows = hang(Content(line.removeprefix(prefix)), prefix, width)
            else:
                rows = hang(Content(named), prefix, width)
                rows += hang(Content(url), " " * len(prefix), width)
            entries.append((line, rows))
        return entries
