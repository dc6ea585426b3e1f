"""The slash-command menu above the prompt, driven by keys as a user would.

A minimal app holds just the menu and the prompt, under a screen that binds Esc with priority
as the chat screen does: the menu must get Esc first while it shows, and only then.
"""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from claude_tui.core.config import DEFAULT_THEME
from claude_tui.core.slash_table import COMMANDS
from claude_tui.ui.themes import textual_theme
from claude_tui.ui.widgets.completion import CommandCompletions
from claude_tui.ui.widgets.prompt import PromptInput

from .helpers import SHIPPED_THEMES


class PromptScreen(Screen[None]):
    BINDINGS = [Binding("escape", "escape", "Cancel reply", priority=True)]

    def __init__(self, *, with_menu: bool = True) -> None:
        super().__init__()
        self.with_menu = with_menu
        self.escapes = 0

    def compose(self) -> ComposeResult:
        yield Static("The conversation would be here.", id="conversation")
        if self.with_menu:
            yield CommandCompletions(id="completions")
        yield PromptInput(id="prompt")

    def action_escape(self) -> None:
        self.escapes += 1


class PromptApp(App[None]):
    CSS = "#conversation { height: 1fr; padding: 1 2; }"

    def __init__(self, *, with_menu: bool = True) -> None:
        super().__init__()
        self.with_menu = with_menu
        self.submitted: list[str] = []
        for spec in SHIPPED_THEMES:
            self.register_theme(textual_theme(spec))
        self.theme = DEFAULT_THEME

    def get_default_screen(self) -> Screen[None]:
        return PromptScreen(with_menu=self.with_menu)

    def on_prompt_input_submitted(self, event: PromptInput.Submitted) -> None:
        self.submitted.append(event.text)

    @property
    def prompt(self) -> PromptInput:
        return self.screen.query_one(PromptInput)

    @property
    def menu(self) -> CommandCompletions:
        return self.screen.query_one(CommandCompletions)

    def shown(self) -> list[str]:
        """The labels the menu shows, or nothing while it is hidden."""
        menu = self.menu
        return [c.label for c in menu.completions] if menu.display else []

    def highlighted(self) -> str | None:
        completion = self.menu.highlighted_completion
        return None if completion is None else completion.label


ALL_COMMANDS = ["/" + spec.name for spec in COMMANDS]


async def test_slash_shows_every_command_and_the_prompt_keeps_focus() -> None:
    app = PromptApp()
    async with app.run_test() as pilot:
        assert app.shown() == []
        await pilot.press("/")
        assert app.shown() == ALL_COMMANDS
        assert len(ALL_COMMANDS) == 19
        assert app.highlighted() == "/help"
        assert app.focused is app.prompt
        assert app.menu.size.height == 8  # eight rows; the rest scrolls
        assert app.menu.outer_size.height == 9  # and the top border


async def test_typing_narrows_and_tab_accepts_the_highlighted_one() -> None:
    app = PromptApp()
    async with app.run_test() as pilot:
        await pilot.press(*"/th")
        assert app.shown() == ["/thinking", "/theme"]
        await pilot.press("tab")
        assert app.prompt.text == "/thinking "
        assert app.prompt.cursor_location == (0, len("/thinking "))
        assert app.shown() == ["on", "off"]  # its arguments come next
        assert app.focused is app.prompt  # Tab did not move the focus


async def test_down_then_tab_picks_the_second() -> None:
    app = PromptApp()
    async with app.run_test() as pilot:
        await pilot.press(*"/thinking ")
        assert app.shown() == ["on", "off"]
        await pilot.press("down", "tab")
        assert app.prompt.text == "/thinking off"
        assert app.shown() == []  # complete as typed: nothing left to offer
        app.prompt.clear()
        await pilot.press(*"/th", "down")
        assert app.highlighted() == "/theme"
        await pilot.press("up")
        assert app.highlighted() == "/thinking"


async def test_choices_from_the_screen_are_offered_and_refresh_an_open_menu() -> None:
    app = PromptApp()
    async with app.run_test() as pilot:
        await pilot.press(*"/theme ")
        assert app.shown() == []  # no names known yet
        app.prompt.completion_choices = {"theme": ["claude-dark", "claude-light", "fjord"]}
        await pilot.pause()
        assert app.shown() == ["claude-dark", "claude-light", "fjord"]
        await pilot.press(*"cl", "down", "tab")
        assert app.prompt.text == "/theme claude-light"


async def test_escape_closes_the_menu_before_the_screens_binding_sees_it() -> None:
    app = PromptApp()
    async with app.run_test() as pilot:
        screen = app.screen
        assert isinstance(screen, PromptScreen)
        await pilot.press(*"/mo")
        assert app.shown() == ["/model"]
        await pilot.press("escape")
        assert app.shown() == []
        assert screen.escapes == 0
        assert app.prompt.text == "/mo"
        await pilot.press("escape")  # with the menu closed, Esc is the screen's again
        assert screen.escapes == 1
        await pilot.press("d")  # the next edit opens it again
        assert app.shown() == ["/model"]


async def test_close_completions_reports_whether_it_was_open() -> None:
    app = PromptApp()
    async with app.run_test() as pilot:
        await pilot.press("/")
        assert app.prompt.completions_open
        assert app.prompt.close_completions() is True
        assert not app.prompt.completions_open
        assert app.prompt.close_completions() is False


async def test_the_menu_hides_while_the_prompt_is_not_focused() -> None:
    app = PromptApp()
    async with app.run_test() as pilot:
        await pilot.press(*"/th")
        app.set_focus(None)
        await pilot.pause()
        assert app.shown() == []  # its keys would go elsewhere
        app.prompt.focus()
        await pilot.pause()
        assert app.shown() == ["/thinking", "/theme"]


async def test_escaped_slash_prose_and_several_lines_show_nothing() -> None:
    app = PromptApp()
    async with app.run_test() as pilot:
        await pilot.press(*"//etc")
        assert app.shown() == []
        app.prompt.clear()
        await pilot.press(*"see /help")
        assert app.shown() == []
        app.prompt.clear()
        await pilot.press(*"/sys")
        assert app.shown() == ["/system"]
        await pilot.press("ctrl+j")
        assert app.shown() == []
        assert app.prompt.text == "/sys\n"


async def test_up_and_down_recall_history_while_the_menu_is_hidden() -> None:
    app = PromptApp()
    async with app.run_test() as pilot:
        prompt = app.prompt
        for text in ("first", "/help", "third"):
            prompt.remember(text)
        await pilot.press("up")
        assert prompt.text == "third"
        await pilot.press("up")  # a recalled command opens no menu: Up keeps walking
        assert prompt.text == "/help"
        assert app.shown() == []
        await pilot.press("up")
        assert prompt.text == "first"
        await pilot.press("down", "down")
        assert prompt.text == "third"
        await pilot.press("down")
        assert prompt.text == ""


async def test_enter_completes_a_partial_name_and_sends_a_whole_command() -> None:
    app = PromptApp()
    async with app.run_test() as pilot:
        await pilot.press(*"/mo", "enter")
        assert app.prompt.text == "/model "
        assert app.submitted == []
        app.prompt.clear()
        await pilot.press(*"/help", "enter")
        assert app.submitted == ["/help"]
        app.prompt.clear()
        await pilot.press(*"/thinking ", "enter")  # arguments: Enter sends, the app checks them
        assert app.submitted == ["/help", "/thinking "]


async def test_clicking_a_completion_accepts_it() -> None:
    app = PromptApp()
    async with app.run_test() as pilot:
        await pilot.press("/")
        await pilot.click(CommandCompletions, offset=(3, 2))  # under the border: the 2nd row
        await pilot.pause()
        assert app.prompt.text == "/new"
        assert app.focused is app.prompt
        assert app.shown() == []


async def test_the_prompt_works_alone_without_a_menu() -> None:
    app = PromptApp(with_menu=False)
    async with app.run_test() as pilot:
        prompt = app.prompt
        await pilot.press(*"/mo")
        assert not prompt.completions_open
        await pilot.press("enter")
        assert app.submitted == ["/mo"]
        prompt.remember("/mo")
        await pilot.press("up")
        assert prompt.text == "/mo"


def test_snapshot_menu_after_slash(snap_compare: Any) -> None:
    app = PromptApp()

    async def run_before(pilot: Any) -> None:
        app.prompt.cursor_blink = False
        await pilot.press("/")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 20), run_before=run_before)
