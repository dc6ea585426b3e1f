"""The body of a reply that searched or fetched: a Markdown view per run of text, a card per
call, in the order of the blocks (``core.reply_parts``), then its ``Sources``.

A reply without web calls never comes here: it stays one ``MarkdownView`` fed by appends, the
path the benchmarks tune. A reply with them is brought up to date by :meth:`WebParts.sync` with
the parts of all its blocks so far, each frame while it streams and once when it ends. The parts
only grow at their ends while a reply streams, so a sync appends each view's new suffix, mounts
views and cards as parts appear, and re-titles the cards; a part that changed otherwise (never
expected) gets a new widget in its place, so the screen always shows what the blocks say.

Built whole from a turn (:meth:`WebParts.build`), the widgets are those a stream ending in the
same blocks leaves: a rebuilt reply looks the same as the one that streamed.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.widget import Widget

from claude_tui.core.reply_parts import Part, ReplyParts, TextPart
from claude_tui.core.sanitize import sanitize
from claude_tui.core.web_card import card_text
from claude_tui.ui.widgets.markdown.view import MarkdownView
from claude_tui.ui.widgets.sources import SourcesList
from claude_tui.ui.widgets.web_card import WebCard

PartWidget = MarkdownView | WebCard
Mount = Callable[[Widget, Widget], object]
"""Mounts a widget just after another one, in the reply (``Widget.mount(w, after=…)``)."""


class WebParts:
    """The part widgets of one reply, and the text each view was given."""

    def __init__(self) -> None:
        self.widgets: list[PartWidget] = []
        self.texts: list[str] = []
        """Per widget: the text its view was given, as it came ("" for a card); only a new
        suffix is sanitized each frame, as the one view of any other reply has it."""
        self.sources: SourcesList | None = None

    @classmethod
    def build(cls, laid_out: ReplyParts, *, ended: bool) -> WebParts:
        """The widgets for a reply's parts, not mounted: only the last view of a streaming
        reply (``ended`` False) still streams."""
        parts = cls()
        for index, part in enumerate(laid_out.parts):
            last = index == len(laid_out.parts) - 1
            parts._add(parts._new(part, ended=ended, streaming=last and not ended))
        if laid_out.sources:
            parts.sources = SourcesList(laid_out.sources)
        return parts

    def adopt(self, view: MarkdownView, text: str) -> None:
        """Take a reply's first view (its text so far is ``text``) as the first part's, as it
        is: nothing is checked here. The next ``sync`` compares the part's text with ``text``
        (``_update``), and a part that does not go on from it gets a view anew."""
        self.widgets.append(view)
        self.texts.append(text)

    @property
    def views(self) -> list[MarkdownView]:
        return [w for w in self.widgets if isinstance(w, MarkdownView)]

    @property
    def cards(self) -> list[WebCard]:
        return [w for w in self.widgets if isinstance(w, WebCard)]

    def all(self) -> list[Widget]:
        """Every widget in order, the sources last: what the reply composes."""
        shown: list[Widget] = list(self.widgets)
        return [*shown, self.sources] if self.sources is not None else shown

    def _new(self, part: Part, *, ended: bool, streaming: bool) -> tuple[PartWidget, str]:
        if isinstance(part, TextPart):
            return MarkdownView(sanitize(part.text), streaming=streaming), part.text
        return WebCard(card_text(part, ended=ended)), ""

    def _add(self, made: tuple[PartWidget, str]) -> None:
        self.widgets.append(made[0])
        self.texts.append(made[1])

    def sync(self, laid_out: ReplyParts, *, ended: bool, mount: Mount, anchor: Widget) -> None:
        """Bring the mounted widgets up to ``laid_out``; new ones go after the last part (after
        ``anchor``, the label or a fold above the parts, when there is none yet)."""
        for index, part in enumerate(laid_out.parts):
            last = index == len(laid_out.parts) - 1
            if index < len(self.widgets) and self._update(index, part, ended=ended):
                continue
            made = self._new(part, ended=ended, streaming=last and not ended)
            after = self.widgets[index - 1] if index else anchor
            if index < len(self.widgets):  # a part that changed in place: a new widget for it
                self.widgets[index].remove()
                self.widgets[index], self.texts[index] = made
            else:
                self._add(made)
            mount(made[0], after)
        for extra in self.widgets[len(laid_out.parts) :]:  # never expected: parts only grow
            extra.remove()
        del self.widgets[len(laid_out.parts) :], self.texts[len(laid_out.parts) :]
        for view in self.views:
            if view.streaming and (ended or view is not self.widgets[-1]):
                view.finish()
        self._sync_sources(laid_out, mount)

    def _update(self, index: int, part: Part, *, ended: bool) -> bool:
        """Update widget ``index`` to show ``part``; False if it cannot (another kind, or text
        that does not go on from what the view has, or more text for a finished view)."""
        widget = self.widgets[index]
        if isinstance(part, TextPart):
            if not isinstance(widget, MarkdownView):
                return False
            shown = self.texts[index]
            if part.text == shown:
                return True
            if not widget.streaming or not part.text.startswith(shown):
                return False
            widget.append(sanitize(part.text[len(shown) :]))
            self.texts[index] = part.text
            return True
        if not isinstance(widget, WebCard):
            return False
        widget.show(card_text(part, ended=ended))
        return True

    def _sync_sources(self, laid_out: ReplyParts, mount: Mount) -> None:
        if not laid_out.sources:
            return
        if self.sources is None:
            self.sources = SourcesList(laid_out.sources)
            mount(self.sources, self.widgets[-1])
        else:
            self.sources.show(laid_out.sources)
