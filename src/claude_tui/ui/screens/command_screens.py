"""Read-only screens of the slash commands: ``/help``, ``/stats`` and ``/context``.

Presentation only: each gets what it shows as arguments (and, for what takes a while to compute,
through a setter called later), so the chat screen decides what to show and these decide how.
The screens that return a choice (``/model``, ``/system``) are in ``command_dialogs`` and are
imported from here too, so this module is the one place the chat screen takes them from.
Every text that may come from the user, the store or a model is sanitized and shown as
``Content`` (never markup), so neither escape sequences nor brackets in it can do anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical, VerticalScroll
from textual.content import Content
from textual.keys import format_key
from textual.screen import ModalScreen
from textual.widgets import Static

from claude_tui.core.sanitize import sanitize
from claude_tui.core.slash_table import ESCAPE, CommandSpec
from claude_tui.ui.screens.command_dialogs import (
    CLOSE_HINT,
    ModelPickerScreen,
    SystemPromptScreen,
    frame_css,
)
from claude_tui.ui.widgets.attachment_count_view import AttachmentCounts

__all__ = [
    "ContextScreen",
    "HelpScreen",
    "ModelPickerScreen",
    "StatsScreen",
    "SystemPromptScreen",
    "keys_from_bindings",
]

CHART_LABEL = "Speed per reply"
"""The row of ``format_stats`` whose value is a sparkline, drawn in the accent colour."""


def table(rows: Iterable[tuple[str, str]], *, first: str = "label") -> Grid:
    """Rows as a two-column grid: the first column as wide as its longest cell, the second
    taking the rest and wrapping, so a long value stays beside its label."""
    cells: list[Static] = []
    for left, right in rows:
        cells.append(Static(Content(sanitize(left)), classes=first))
        chart = first == "label" and left == CHART_LABEL
        cells.append(Static(Content(sanitize(right)), classes="chart" if chart else "value"))
    return Grid(*cells, classes="table")


MAX_VALUE_WIDTH = 40
"""A longer value (a cost naming unpriced models) wraps rather than widening its table."""


def table_width(rows: Sequence[tuple[str, str]]) -> int:
    """Columns a :func:`table` of ``rows`` needs to show every row on one line (its padding and
    the gap between columns included), a long value counting as ``MAX_VALUE_WIDTH``."""
    if not rows:
        return 0
    labels = max(Content(sanitize(label)).cell_length for label, _ in rows)
    values = max(Content(sanitize(value)).cell_length for _, value in rows)
    return 1 + labels + 2 + min(values, MAX_VALUE_WIDTH)


# --- /help -----------------------------------------------------------------------------------

PROMPT_KEYS: tuple[tuple[str, str], ...] = (
    ("Enter", "Send the prompt"),
    ("Ctrl+J", "New line in the prompt"),
    ("↑ / ↓", "Earlier prompts (on an empty prompt)"),
    ("Tab", "Complete a command"),
)
"""Keys the prompt handles itself, so they are in no ``BINDINGS``, but that everyone needs."""

_KEY_NAMES = {
    "escape": "Esc",
    "enter": "Enter",
    "tab": "Tab",
    "space": "Space",
    "backspace": "Backspace",
    "delete": "Del",
    "insert": "Ins",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "home": "Home",
    "end": "End",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
}
_MODIFIERS = {"ctrl": "Ctrl", "shift": "Shift", "alt": "Alt", "meta": "Meta", "super": "Super"}


def key_label(key: str) -> str:
    """One Textual key name as people write it: ``ctrl+n`` → ``Ctrl+N``, ``pageup`` → ``PgUp``,
    ``question_mark`` → ``?``, ``f1`` → ``F1``; a plain letter stays lower case (``q``), since
    ``Q`` would mean Shift."""
    *modifiers, name = key.split("+")
    if name in _KEY_NAMES:
        shown = _KEY_NAMES[name]
    elif len(name) == 1:
        shown = name.upper() if modifiers else name
    elif (char := format_key(name)) != name and len(char) == 1:
        shown = char
    elif name[0] == "f" and name[1:].isdigit():
        shown = name.upper()
    else:
        shown = name.replace("_", " ").title()
    return "+".join([*(_MODIFIERS.get(m, m.title()) for m in modifiers), shown])


def keys_from_bindings(
    bindings: Iterable[BindingType], *, extra: Sequence[tuple[str, str]] = PROMPT_KEYS
) -> list[tuple[str, str]]:
    """The keys list of :class:`HelpScreen`: ``extra`` first, then each binding that has a
    description (its ``tooltip`` if it has one, as the longer text), in order.

    A binding for several keys (``"escape,q"``) is one row, ``Esc / q``; a key already listed
    (an app binding a screen overrides) is not listed again, since only the first one acts.
    """
    rows = list(extra)
    seen: set[str] = set()
    for binding in bindings:
        if isinstance(binding, tuple):
            binding = Binding(*binding)
        description = binding.tooltip or binding.description
        keys = [key.strip() for key in binding.key.split(",") if key.strip()]
        keys = [key for key in keys if key not in seen]
        seen.update(keys)
        if not description or not keys:
            continue
        shown = binding.key_display or " / ".join(key_label(key) for key in keys)
        rows.append((shown, description))
    return rows


class HelpScreen(ModalScreen[None]):
    """The keys and the slash commands, in one scrollable list; Esc or q closes it."""

    DEFAULT_CSS = frame_css("HelpScreen", width="96")
    BINDINGS = [Binding("escape,q", "dismiss(None)", "Close", priority=True)]

    def __init__(self, keys: list[tuple[str, str]], commands: Sequence[CommandSpec]) -> None:
        super().__init__()
        self._keys = keys
        self._commands = commands

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="frame") as frame:
            frame.border_title = "Help"
            frame.border_subtitle = CLOSE_HINT
            yield Static("Keys", classes="heading")
            yield table(self._keys, first="key")
            yield Static("Commands", classes="heading")
            yield table(((c.usage, c.description) for c in self._commands), first="key")
            yield Static(
                Content(f"Start a line with {ESCAPE} to send a literal /"),
                classes="muted note",
            )

    def on_mount(self) -> None:
        self.query_one("#frame").focus()


# --- /stats ----------------------------------------------------------------------------------

LOADING = "Loading…"


class StatsScreen(ModalScreen[None]):
    """This session's statistics and all sessions', side by side when the terminal is wide
    enough for both, one under the other otherwise. The totals come from the store in a worker,
    so they may arrive after the screen opens: :meth:`set_totals` fills them in."""

    DEFAULT_CSS = (
        frame_css("StatsScreen")
        + """
    StatsScreen {
        & #tables { height: auto; }
        & #tables.wide { layout: horizontal; width: auto; }
        & .section { height: auto; }
        & #tables.wide > #all-sessions { margin-left: 4; }
        & #totals-loading { padding-left: 1; }
    }
    """
    )
    BINDINGS = [Binding("escape,q", "dismiss(None)", "Close", priority=True)]

    GAP = 4
    """Columns between the two tables side by side (the margin in the CSS)."""
    CHROME = 6
    """Columns of the frame around the tables: border, padding, scrollbar; and of the screen's
    padding on each side."""

    def __init__(
        self, session: list[tuple[str, str]], totals: list[tuple[str, str]] | None
    ) -> None:
        super().__init__()
        self._session = session
        self._totals = totals

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="frame") as frame:
            frame.border_title = "Statistics"
            frame.border_subtitle = CLOSE_HINT
            with Vertical(id="tables"):
                with Vertical(id="this-session", classes="section"):
                    yield Static("This session", classes="heading")
                    yield table(self._session)
                with Vertical(id="all-sessions", classes="section"):
                    yield Static("All sessions", classes="heading")
                    if self._totals is None:
                        yield Static(LOADING, classes="muted", id="totals-loading")
                    else:
                        yield table(self._totals)

    def on_mount(self) -> None:
        self._lay_out()
        self.query_one("#frame").focus()

    def on_resize(self) -> None:
        self._lay_out()

    def _lay_out(self) -> None:
        """Side by side when both tables fit beside each other without wrapping, each as wide as
        it needs; else one above the other, as wide as the wider one needs, or the screen."""
        mine = table_width(self._session)
        # until the totals arrive, assume they need as much as this session's (they are alike),
        # so the frame keeps its size when they do
        theirs = mine if self._totals is None else table_width(self._totals)
        wide = mine + self.GAP + theirs + 2 * self.CHROME <= self.app.size.width
        self.query_one("#tables").set_class(wide, "wide")
        for section, width in (("#this-session", mine), ("#all-sessions", theirs)):
            self.query_one(section).styles.width = width if wide else "100%"
        inner = mine + self.GAP + theirs if wide else max(mine, theirs)
        self.query_one("#frame").styles.width = inner + self.CHROME

    async def set_totals(self, rows: list[tuple[str, str]]) -> None:
        """Show the totals in place of "Loading…" (or of the totals shown before)."""
        self._totals = rows
        section = self.query_one("#all-sessions")
        await section.query("Grid, #totals-loading").remove()
        await section.mount(table(rows))
        self._lay_out()


# --- /context --------------------------------------------------------------------------------

COUNTING = "Counting input tokens…"


def token_count_text(count: int | None, error: str | None) -> str:
    """The line above the preview, once the API has counted (or failed to count) its tokens."""
    if count is not None:
        return f"Input tokens: {count:,} (counted by the API)"
    if error:
        return f"Input tokens: could not be counted: {error}"
    return "Input tokens: unknown"


class ContextScreen(ModalScreen[None]):
    """What the next request will send, as the text of ``RequestPreview.text``, in full and
    scrollable; above it the input tokens, counted in a worker and given to
    :meth:`set_token_count`."""

    DEFAULT_CSS = (
        frame_css("ContextScreen", width="110", height="100%")
        + """
    ContextScreen {
        & #token-count { color: $text-muted; padding: 0 1; height: auto; }
        & #token-count.counted { color: $text; }
        & #token-count.failed { color: $warning; }
        & #context-scroll {
            height: 1fr; margin-top: 1; background: $panel; padding: 0 1;
            scrollbar-gutter: stable; scrollbar-size-vertical: 1;
        }
    }
    """
    )
    BINDINGS = [Binding("escape,q", "dismiss(None)", "Close", priority=True)]

    def __init__(self, text: str, attachments: AttachmentCounts | None = None) -> None:
        super().__init__()
        self._text = text
        self.attachments = attachments
        """The conversation's attachments and their tokens, above the request (if any)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="frame") as frame:
            frame.border_title = "Next request"
            frame.border_subtitle = "↑↓ PgUp PgDn scroll · " + CLOSE_HINT
            yield Static(COUNTING, id="token-count")
            with VerticalScroll(id="context-scroll"):
                if self.attachments is not None:
                    yield self.attachments
                yield Static(Content(sanitize(self._text)), id="context-text")

    def on_mount(self) -> None:
        self.query_one("#context-scroll").focus()

    def set_token_count(self, count: int | None, error: str | None = None) -> None:
        """Show the API's count of the request's input tokens, or why there is none."""
        line = self.query_one("#token-count", Static)
        line.set_class(count is not None, "counted")
        line.set_class(count is None and bool(error), "failed")
        line.update(Content(sanitize(token_count_text(count, error))))
