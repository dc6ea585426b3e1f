"""Screens of the slash commands that return a choice: ``/model`` and ``/system``.

Presentation only, like ``command_screens``: the model list is fetched by the caller in a worker
and handed over with :meth:`ModelPickerScreen.set_choices`; what is chosen is the screen's result
(``push_screen(screen, callback)`` or ``push_screen_wait``), and the caller applies it.

The frame every command screen shares (:func:`frame_css`) is defined here, since
``command_screens`` imports this module to offer all the screens from one place.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from claude_tui.core.capabilities import ModelCapabilities
from claude_tui.core.capability_summary import features, provenance
from claude_tui.core.models import ModelChoice, ModelChoices, ModelSource
from claude_tui.core.sanitize import sanitize
from claude_tui.ui.capability_refresh import CapabilityRefresh

CLOSE_HINT = "Esc close"


def frame_css(name: str, *, width: str = "92", height: str = "auto") -> str:
    """The shared look of a command screen ``name`` (screen CSS is scoped to its class): a
    centred frame in the theme's colours, its title and key hints on the border so the content
    keeps every line, never wider or taller than the terminal."""
    return f"""
    {name} {{
        align: center middle;
        background: $background 60%;
        padding: 1 2;
        & > #frame {{
            width: {width}; max-width: 100%; height: {height}; max-height: 100%;
            border: round $primary; background: $surface; padding: 0 1;
            border-title-color: $text; border-title-style: bold;
            border-subtitle-color: $text-muted; scrollbar-size-vertical: 1;
        }}
        & > VerticalScroll#frame {{ scrollbar-gutter: stable; }}
        & .heading {{ text-style: bold; color: $primary; margin-top: 1; }}
        & .muted {{ color: $text-muted; }}
        & .note {{ margin: 1 0 0 1; }}
        & Grid.table {{
            grid-size: 2; grid-columns: auto 1fr; grid-rows: auto;
            grid-gutter: 0 2; height: auto; padding-left: 1;
        }}
        & .key {{ color: $accent; text-style: bold; }}
        & .label {{ color: $text-muted; }}
        & .chart {{ color: $accent; }}
    }}
    """


LOADING_MODELS = "Loading models…"
CURRENT_MARK = "●"


def fallback_note(reason: str | None) -> str:
    """Why the picker shows the SDK's names: they may be out of date, and the user should know."""
    why = f": {reason}" if reason else ""
    return f"Could not list models from the API{why} — showing the SDK's known names"


def capability_lines(caps: ModelCapabilities, now: float, *, current: bool) -> Content:
    """The picker's summary of one model: its name, what it accepts, and where that is from."""
    name = Content.assemble((sanitize(caps.model), "bold"), ("  current" if current else "", "dim"))
    return Content("\n").join(
        [
            name,
            Content(sanitize(" · ".join(features(caps)))),
            Content.styled(sanitize(provenance(caps, now)), "$text-muted"),
        ]
    )


def matches(choice: ModelChoice, query: str) -> bool:
    """Whether every word of ``query`` is in the choice's name or id, case aside, so
    ``opus 4`` finds ``claude-opus-4-5``."""
    haystack = choice.label.casefold()
    return all(word in haystack for word in query.casefold().split())


class ModelPickerScreen(ModalScreen[str | None]):
    """Pick a model: dismisses with its id, or ``None`` on Esc.

    Opens at once with "Loading models…"; the list comes with :meth:`set_choices`. Typing filters
    it, ↑/↓ move through it from the filter, Enter or a click chooses. The current model is
    marked, and listed even when the API does not know it (a proxy's own name, say).

    Given ``capabilities`` (the app's), it shows what the highlighted model (the current one
    until the list is there) accepts and where that answer is from, and follows the answer as
    it improves (:class:`CapabilityRefresh.Updated`).
    """

    DEFAULT_CSS = (
        frame_css("ModelPickerScreen", width="72", height="28")
        + """
    ModelPickerScreen {
        & #model-filter {
            border: none; height: 1; padding: 0 1; margin: 1 0; background: $panel;
        }
        & #models-status { padding: 0 1; height: 1fr; }  /* the summary stays at the foot */
        & #models {
            height: 1fr; border: none; padding: 0; display: none;
            background: $surface; scrollbar-size-vertical: 1;
        }
        & #models.ready { display: block; }
        & #model-caps { display: none; padding: 0 1; margin: 1 0 0 0; height: auto; }
        & #model-caps.shown { display: block; }
        & #models-note { display: none; color: $warning; padding: 0 1; margin: 1 0 0 0; }
        & #models-note.shown { display: block; }
    }
    """
    )
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", priority=True),
        Binding("down", "move('cursor_down')", show=False),
        Binding("up", "move('cursor_up')", show=False),
        Binding("pagedown", "move('page_down')", show=False),
        Binding("pageup", "move('page_up')", show=False),
    ]

    def __init__(
        self,
        current: str,
        capabilities: Callable[[str], ModelCapabilities] | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.current = current
        self._choices: list[ModelChoice] | None = None
        self._capabilities = capabilities
        self._clock = clock
        self.summarised: str | None = None
        """The model the summary describes."""

    def compose(self) -> ComposeResult:
        with Vertical(id="frame") as frame:
            frame.border_title = "Model"
            frame.border_subtitle = "Enter choose · Esc cancel"
            yield Input(placeholder="Type to filter", id="model-filter")
            yield Static(LOADING_MODELS, id="models-status", classes="muted")
            yield OptionList(id="models")
            yield Static(id="model-caps")
            yield Static(id="models-note")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._summarise(self.current)

    def _summarise(self, model: str | None) -> None:
        """Show what ``model`` accepts, as the app knows it now (nothing without a model)."""
        shown = self._capabilities is not None and bool(model)
        summary = self.query_one("#model-caps", Static)
        summary.set_class(shown, "shown")
        self.summarised = model if shown else None
        if self._capabilities is not None and model:
            caps = self._capabilities(model)
            summary.update(capability_lines(caps, self._clock(), current=model == self.current))

    @on(OptionList.OptionHighlighted, "#models")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._summarise(event.option.id)

    @on(CapabilityRefresh.Updated)
    def _capabilities_updated(self, message: CapabilityRefresh.Updated) -> None:
        if message.capabilities.model == self.summarised:
            self._summarise(self.summarised)

    def set_choices(self, choices: ModelChoices) -> None:
        """Show ``choices``; when they are the SDK's fallback, say why, in a note."""
        models = list(choices.models)
        if self.current and self.current not in choices.ids:
            models.insert(0, ModelChoice(self.current))
        self._choices = models
        note = self.query_one("#models-note", Static)
        fallback = choices.source == ModelSource.SDK
        note.update(Content(sanitize(fallback_note(choices.reason))) if fallback else "")
        note.set_class(fallback, "shown")
        self.query_one(OptionList).add_class("ready")
        self._refilter()

    @on(Input.Changed, "#model-filter")
    def _refilter(self) -> None:
        if self._choices is None:
            return
        query = self.query_one(Input).value
        shown = [choice for choice in self._choices if matches(choice, query)]
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(self._prompt(choice), id=choice.id) for choice in shown])
        ids = [choice.id for choice in shown]
        options.highlighted = ids.index(self.current) if self.current in ids else 0 if ids else None
        status = self.query_one("#models-status", Static)
        status.display = not shown
        status.update(Content(f"No model matches “{sanitize(query.strip())}”"))

    def _prompt(self, choice: ModelChoice) -> Content:
        if choice.id == self.current:
            return Content.assemble(
                (CURRENT_MARK + " ", "$accent"), sanitize(choice.label), ("  current", "dim")
            )
        return Content.assemble("  ", sanitize(choice.label))

    async def action_move(self, action: str) -> None:
        """↑/↓/PgUp/PgDn typed in the filter move through the list (the list's own when it has
        the focus)."""
        await self.query_one(OptionList).run_action(action)

    @on(Input.Submitted, "#model-filter")
    def _choose_highlighted(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None and options.option_count:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected, "#models")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class SystemPromptScreen(ModalScreen[str | None]):
    """Edit the system prompt: dismisses with the new text (stripped; empty sends none), or with
    ``None`` on Esc. Ctrl+S or Save saves; Enter is a new line, as a prompt may have several."""

    DEFAULT_CSS = (
        frame_css("SystemPromptScreen", width="92", height="24")
        + """
    SystemPromptScreen {
        & #system-help { padding: 0 1; margin: 1 0; }
        & TextArea { height: 1fr; border: tall $border-blurred; }
        & TextArea:focus { border: tall $border; }
        & Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
        & Button { margin-left: 1; }
    }
    """
    )
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", priority=True),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]

    def __init__(self, current: str) -> None:
        super().__init__()
        self._current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="frame") as frame:
            frame.border_title = "System prompt"
            frame.border_subtitle = "Ctrl+S save · Esc cancel"
            yield Static(
                "Sent before every conversation. Leave it empty to send none.",
                id="system-help",
                classes="muted",
            )
            yield TextArea(
                sanitize(self._current), id="system-text", soft_wrap=True, tab_behavior="focus"
            )
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button("Save", id="save", variant="primary")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text.strip())

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
