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
from claude_tui.ui.widgets.selectable_text import SelectsText

STATES = ("running", "done", "failed", "stopped")
"""``CardText.state`` values; each is the card's CSS class."""

FOLDED = "▶"
OPENED = "▼"
DETAIL_INDENT = "   "


class WebCard(SelectsText, Widget):
    """One call's card. ``collapsed`` as a ``Collapsible``'s: a click on the title line or
    Ctrl+O (``AssistantMessage.toggle_thinking``) opens and folds it."""

    COMPONENT_CLASSES = {"web-card--title", "web-card--detail"}

    DEFAULT_CSS = """
    WebCard {
        height: auto;
        margin: 0 0 1 0;
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
        """The title as drawn: with a fold mark when there is something to open to."""
        if not self.card.details:
            return f"  {self.card.title}"
        return f"{FOLDED if self._collapsed else OPENED} {self.card.title}"

    def render(self) -> Content:
        title = self.get_visual_style("web-card--title", partial=True)
        lines = [Content.styled(self.title_line(), title)]
        if not self._collapsed and self.card.details:
            detail = self.get_visual_style("web-card--detail", partial=True)
            lines.extend(Content.styled(DETAIL_INDENT + line, detail) for line in self.card.details)
        return Content("\n").join(lines)

    def on_click(self, event: events.Click) -> None:
        """A single click on the title line opens or folds the card (a double or triple click
        selects words and lines, as in the rest of the reply)."""
        super().on_click(event)
        if event.chain != 1 or not self.card.details:
            return
        offset = event.get_content_offset(self)
        if offset is not None and offset.y == 0:
            event.stop()
            self.collapsed = not self._collapsed
