"""A web search or fetch in a reply, as one card: its one line, folded like thinking, opening to
the results it found (``core.web_card`` says what it reads).

One widget drawing its own lines, not a ``Collapsible``: a collapsible's title cannot be
selected (Textual's ``CollapsibleTitle`` turns selection off), and the card's words must copy
as shown; it also costs a third of the objects. The text is already one safe line each
(``core.web_card.card_text`` sanitizes every string a card gets from the model or a page).
"""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.widget import Widget

from claude_tui.core.web_card import CardText
from claude_tui.ui.widgets.hanging import Entry, HangingLines, hang, text_style
from claude_tui.ui.widgets.selectable_text import SelectsText

STATES = ("running", "done", "failed", "stopped")
"""``CardText.state`` values; each is the card's CSS class."""

FOLDED = "▶"
OPENED = "▼"
DETAIL_INDENT = "     "


class WebCard(HangingLines, SelectsText, Widget):
    """One call's card. ``collapsed`` as a ``Collapsible``'s: a click on the title line or
    Ctrl+O (``AssistantMessage.toggle_thinking``) opens and folds it."""

    COMPONENT_CLASSES = {"web-card--title", "web-card--detail"}

    DEFAULT_CSS = """
    WebCard {
        height: auto;
        margin: 0 0 1 0;
        padding: 0 0 0 1;  /* its fold mark under the thinking's */
        color: $text-muted;
        & > .web-card--title { color: $text-muted; }
        & > .web-card--detail { color: $text-muted; }
        &.running > .web-card--title { color: $text-primary; }
        &.failed > .web-card--title { color: $text-warning; }
        &.stopped > .web-card--title { color: $text-muted; text-style: italic; }
        &:hover > .web-card--title { color: $foreground; }
    }
    """

    def __init__(self, text: CardText, *, collapsed: bool = True) -> None:
        super().__init__(classes=text.state)
        self.card = text
        self._collapsed = collapsed

    @property
    def collapsed(self) -> bool:
        return self._collapsed

    @collapsed.setter
    def collapsed(self, collapsed: bool) -> None:
        if collapsed != self._collapsed:
            self._collapsed = collapsed
            self.refresh(layout=True)

    @property
    def title(self) -> str:
        return self.card.title

    def show(self, text: CardText) -> None:
        """Bring the card up to date (the query arriving, the result coming, the reply's end)."""
        if text == self.card:
            return
        if text.state != self.card.state:
            self.remove_class(*STATES)
            self.add_class(text.state)
        self.card = text
        self.refresh(layout=True)

    def title_line(self) -> str:
        """The title with its fold mark (one when there is something to open to), unwrapped."""
        return self.fold_mark() + self.card.title

    def fold_mark(self) -> str:
        if not self.card.details:
            return "  "
        return f"{FOLDED if self._collapsed else OPENED} "

    def entries_at(self, width: int) -> list[Entry]:
        """The title (and the details, opened), each wrapping under its own text and copying
        as its one line, without the fold mark or the indent."""
        title = text_style(self, "web-card--title")
        entries: list[Entry] = [
            (self.card.title, hang(Content.styled(self.card.title, title), self.fold_mark(), width))
        ]
        if not self._collapsed and self.card.details:
            detail = text_style(self, "web-card--detail")
            for line in self.card.details:
                entries.append((line, hang(Content.styled(line, detail), DETAIL_INDENT, width)))
        return entries

    def on_click(self, event: events.Click) -> None:
        """A single click anywhere on the title's rows opens or folds the card (a double or
        triple click selects words and lines, as in the rest of the reply)."""
        super().on_click(event)
        if event.chain != 1 or not self.card.details:
            return
        # Anywhere on the title's rows, its left padding included (a content offset would be
        # None there, and the click lost).
        row = event.screen_y - self.content_region.y
        title_rows = len(hang(Content(self.card.title), self.fold_mark(), self.content_size.width))
        if 0 <= row < title_rows:
            event.stop()
            self.collapsed = not self._collapsed
