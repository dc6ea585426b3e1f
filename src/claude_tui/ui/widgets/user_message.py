"""The user's prompt on screen: as typed, under a label, with its attached files.

Every text that reaches this widget passes through ``sanitize`` first.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.selection import Selection
from textual.widget import Widget

from claude_tui.core.blocks import AttachmentBlock
from claude_tui.core.prompt import Prompt
from claude_tui.core.sanitize import sanitize
from claude_tui.ui.widgets.attachment_preview import preview_rows
from claude_tui.ui.widgets.attachment_view import Attached, attached, draws_colour
from claude_tui.ui.widgets.hanging import text_style
from claude_tui.ui.widgets.selectable_text import SelectsText, extract_lines


def turn_frame(colour: str) -> str:
    """The CSS rules a turn's widget shares, a prompt's and a reply's: a bar in ``colour`` down
    its left side, one line above it; the rest of each turn's look is its own."""
    return f"""
        height: auto;
        margin: 1 0 0 0;
        padding: 0 1;
        border-left: thick {colour};"""


class UserMessage(SelectsText, Widget):
    """The user's prompt, shown as typed (not as Markdown), under a label; above the words, one
    muted 📎 line per attached file (``attachment_line``), and under an image's line its tiny
    picture where there is one and the terminal draws colour.

    One widget that draws all of it: a long session mounts up to 80 turns, and each widget costs
    about 270 objects that every full garbage collection walks (a label and a body as two
    ``Static``s in a container cost 455). The attachment lines are a few more lines of its text,
    and a picture is parsed once per preview string (``attachment_preview``)."""

    COMPONENT_CLASSES = {"user-message--label", "user-message--attachment"}

    DEFAULT_CSS = (
        """
    UserMessage {"""
        + turn_frame("$accent")
        + """
        background: $boost;
        color: $foreground;
        & > .user-message--label { color: $accent; text-style: bold; }
        & > .user-message--attachment { color: $text-muted; }
        &.queued > .user-message--label { color: $text-muted; }
    }
    """
    )

    def __init__(
        self,
        text: str,
        *,
        attachments: Sequence[AttachmentBlock] = (),
        queued: bool = False,
    ) -> None:
        super().__init__(classes="queued" if queued else "")
        self.text = text
        self._body = Content(sanitize(text))
        self.attachments: tuple[Attached, ...] = tuple(map(attached, attachments))
        self._picture_rows: frozenset[int] = frozenset()
        """Which lines of the text drawn last are a picture's: not text, so never copied."""

    @classmethod
    def for_prompt(cls, prompt: Prompt, *, queued: bool = False) -> UserMessage:
        return cls(prompt.text, attachments=prompt.attachments, queued=queued)

    @staticmethod
    def _label_text(queued: bool) -> str:
        return "You · queued, sends when the reply ends" if queued else "You"

    def render(self) -> Content:
        queued = self.has_class("queued")
        style = text_style(self, "user-message--label")
        lines = [Content.styled(self._label_text(queued), style)]
        pictures: set[int] = set()
        if self.attachments:
            muted = text_style(self, "user-message--attachment")
            colour = draws_colour(self.app)
            for item in self.attachments:
                lines.append(Content.styled(item.line, muted))
                rows = preview_rows(item.preview) if colour and item.preview else ()
                pictures.update(range(len(lines), len(lines) + len(rows)))
                lines.extend(rows)
        if self.text or not self.attachments:
            lines.append(self._body)
        self._picture_rows = frozenset(pictures)
        return Content("\n").join(lines)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """What is selected, as drawn, less any picture (its half blocks are not text)."""
        if not self._picture_rows:
            return super().get_selection(selection)
        lines = str(self._render()).split("\n")
        text = extract_lines(selection, lines, skip=self._picture_rows)
        return "\n".join(line.rstrip() for line in text.split("\n")), "\n"

    def click_lines(self) -> list[str]:
        """Every drawn line, pictures too, so a double click finds the line under it."""
        return str(self._render()).split("\n")

    @property
    def body(self) -> Content:
        """The prompt as drawn: sanitized, never a control sequence."""
        return self._body

    def mark_sent(self) -> None:
        self.remove_class("queued")
        self.refresh(layout=True)
