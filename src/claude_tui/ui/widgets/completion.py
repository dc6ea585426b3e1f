"""The slash-command menu right above the prompt: what can follow the ``/…`` typed so far.

The menu never takes focus. The prompt keeps it, so typing goes on while the menu shows, and
the prompt routes the few keys that move or accept a choice (see ``PromptInput``). The menu
only draws the candidates ``slash.complete`` found and reports a click on one; what a choice
does to the input is the prompt's business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from claude_tui.core.sanitize import sanitize
from claude_tui.core.slash import Completion

MAX_ROWS = 8
"""Rows shown at once; a longer list scrolls to keep the highlight in view."""
MAX_LABEL_WIDTH = 28
"""The label column is as wide as the widest label shown, up to this; longer ones push their
description along rather than truncate a command's usage."""
GAP = 2
"""Spaces between the label column and the descriptions."""


def row(completion: Completion, label_width: int) -> Content:
    """One menu row: ``/model [id]`` then, in the description column, a muted description.

    Labels and descriptions are sanitized: argument choices can come from the API (model ids).
    """
    usage = Content.assemble((sanitize(completion.label), "bold"))
    if completion.synopsis:
        usage = usage.append(" " + sanitize(completion.synopsis))
    if not completion.description:
        return usage
    padding = max(label_width - usage.cell_length, 0) + GAP
    description = Content.styled(sanitize(completion.description), "$foreground-muted")
    return usage.pad_right(padding).append(description)


def label_width(completions: Sequence[Completion]) -> int:
    """Width of the label column: the widest ``label synopsis`` shown, within bounds."""
    widths = [len(f"{c.label} {c.synopsis}".rstrip()) for c in completions]
    return min(max(widths, default=0), MAX_LABEL_WIDTH)


class CommandCompletions(OptionList, can_focus=False):
    """The completion menu: hidden while there is nothing to offer.

    Composed by the screen just above the ``PromptInput`` (a ``TextArea`` cannot hold children);
    the prompt finds it with a query and fills it with :meth:`show_completions`.
    """

    DEFAULT_CSS = f"""
    CommandCompletions {{
        display: none;
        height: auto;
        max-height: {MAX_ROWS + 1};  /* the rows and the top border */
        padding: 0;
        border: none;
        border-top: wide $primary 40%;
        background: $surface;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        scrollbar-size-vertical: 1;
        & > .option-list--option {{ padding: 0 1; }}
        /* Clearly marked though never focused, and light enough for the muted descriptions. */
        & > .option-list--option-highlighted {{
            color: $foreground;
            background: $primary 35%;
            text-style: none;
        }}
    }}
    """

    @dataclass
    class Chosen(Message):
        """A completion was clicked; posted to the widget that showed the menu."""

        completions: CommandCompletions
        completion: Completion

        @property
        def control(self) -> CommandCompletions:
            return self.completions

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, markup=False)
        self._completions: list[Completion] = []
        self._owner: Widget | None = None

    @property
    def completions(self) -> Sequence[Completion]:
        """What the menu offers, top to bottom; empty while it is hidden."""
        return tuple(self._completions)

    @property
    def highlighted_completion(self) -> Completion | None:
        if self.highlighted is None or not self._completions:
            return None
        return self._completions[self.highlighted]

    def show_completions(self, completions: Sequence[Completion], owner: Widget) -> None:
        """Offer ``completions`` (none hides the menu); a click on one goes to ``owner``.

        The same list again keeps its highlight, so a refresh that changes nothing (the caller
        learning of more model ids, say) does not move it back to the top.
        """
        self._owner = owner
        completions = list(completions)
        if completions == self._completions:
            return
        self._completions = completions
        width = label_width(completions)
        self.set_options(Option(row(c, width)) for c in completions)
        self.highlighted = 0 if completions else None
        self.display = bool(completions)

    def hide(self) -> None:
        """Close the menu (until the owner shows it again)."""
        if self._completions:
            self._completions = []
            self.clear_options()
            self.display = False

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        # A click selects (the keys are the prompt's): the prompt decides what that means.
        event.stop()
        if 0 <= event.option_index < len(self._completions):
            chosen = self.Chosen(self, self._completions[event.option_index])
            (self._owner or self).post_message(chosen)
