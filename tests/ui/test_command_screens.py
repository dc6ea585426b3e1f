"""The slash commands' screens, each pushed on a bare app: what they show, what they return.

They are presentation only, so no chat screen is needed: each is given its data as the chat screen
would give it, and the later data (totals, a token count, the models) through its setter.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App
from textual.binding import Binding
from textual.color import Color
from textual.geometry import Region
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Input, OptionList, Static, TextArea

from claude_tui.core.errors import ErrorKind, StreamError
from claude_tui.core.models import ModelChoice, ModelChoices, ModelSource
from claude_tui.core.slash_table import COMMANDS
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.chat.screen import ChatScreen
from claude_tui.ui.screens.command_screens import (
    ContextScreen,
    HelpScreen,
    ModelPickerScreen,
    StatsScreen,
    SystemPromptScreen,
    keys_from_bindings,
)
from claude_tui.ui.screens.command_screens import key_label as label
from claude_tui.ui.themes import textual_theme

from .helpers import SHIPPED_THEMES, wait_until

SIZE = (100, 32)

SESSION_ROWS = [
    ("Your messages", "3"),
    ("Replies", "3"),
    ("Characters", "4,812"),
    ("Average reply", "1,402 characters"),
    ("Time in replies", "12.4 s"),
    ("Time to first token", "412 ms (mean)"),
    ("Speed", "85.3 tok/s (mean)"),
    ("Speed per reply", "▁▃▅▇█▆▄▂▃▅"),
    ("Input tokens", "3,609"),
    ("Output tokens", "1,050"),
    ("Cache write tokens", "0"),
    ("Cache read tokens", "0"),
    ("Cost", "est. $0.0266"),
]
TOTAL_ROWS = [
    ("Sessions", "42"),
    ("Your messages", "318"),
    ("Replies", "321"),
    ("Characters", "1,204,377"),
    ("Average reply", "2,911 characters"),
    ("Time in replies", "1 h 12 min"),
    ("Time to first token", "655 ms (mean)"),
    ("Speed", "77.0 tok/s (mean)"),
    ("Input tokens", "1,402,118"),
    ("Output tokens", "233,870"),
    ("Cache write tokens", "12,000"),
    ("Cache read tokens", "96,512"),
    ("Cost", "est. $7.7120"),
]

CHAT_LIKE_BINDINGS = [
    Binding("ctrl+q", "quit", "Quit", priority=True),
    Binding("ctrl+t", "next_theme", "Theme", show=False, priority=True),
    Binding("escape", "escape", "Cancel reply", priority=True),
    Binding("ctrl+n", "new_conversation", "New", priority=True),
    Binding("ctrl+b", "toggle_sidebar", "Sessions", priority=True),
    Binding("ctrl+f", "search_sessions", "Search", priority=True),
    Binding("ctrl+z", "undo_delete", "Undo delete", show=False, priority=True),
    Binding("ctrl+r", "retry", "Retry", show=False, priority=True),
    Binding("pageup", "scroll_conversation(-1)", "Scroll up", show=False, priority=True),
    Binding("pagedown", "scroll_conversation(1)", "Scroll down", show=False, priority=True),
    Binding("ctrl+end", "follow", "Latest / follow the reply", show=False, priority=True),
    Binding("ctrl+home", "jump_to_start", "First message", show=False, priority=True),
]
"""The app's and the chat screen's bindings as they are today, fixed here so the picture of the
help changes only when the help screen does (``test_real_bindings`` checks the live ones)."""

API_CHOICES = ModelChoices(
    (
        ModelChoice("claude-opus-5-5", "Claude Opus 5.5"),
        ModelChoice("claude-sonnet-5-5", "Claude Sonnet 5.5"),
        ModelChoice("claude-haiku-5-5", "Claude Haiku 5.5"),
    ),
    ModelSource.API,
)


class Host(App[None]):
    """A bare app in the shipped default theme, to push one screen on."""

    def __init__(self) -> None:
        super().__init__()
        for spec in SHIPPED_THEMES:
            self.register_theme(textual_theme(spec))
        self.theme = "claude-dark"
        self.results: list[Any] = []

    def show(self, screen: Screen[Any]) -> None:
        self.push_screen(screen, self.results.append)


def text(widget: Widget) -> str:
    """What a widget draws, as plain text, row by row: exactly what reaches the terminal; for a
    container, what the ``Static`` widgets in it draw."""
    if not isinstance(widget, Static | OptionList | TextArea):
        return "\n".join(text(static) for static in widget.query(Static))
    width, height = widget.size
    strips = widget.render_lines(Region(0, 0, width, height))
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def plain(static: Static) -> str:
    return str(static.visual)


def screen_text(node: Widget) -> str:
    """The text of every ``Static`` in ``node``, drawn or not (scrolled out of view)."""
    return "\n".join(plain(static) for static in node.query(Static))


async def shown(pilot: Pilot[None], screen: Screen[Any]) -> None:
    app = pilot.app
    assert isinstance(app, Host)
    app.show(screen)
    await wait_until(pilot, lambda: app.screen is screen and screen.is_mounted)
    await pilot.pause()


async def closes(pilot: Pilot[None], screen: Screen[Any], key: str) -> None:
    await pilot.press(key)
    await wait_until(pilot, lambda: pilot.app.screen is not screen)


# --- keys ------------------------------------------------------------------------------------


class TestKeys:
    @pytest.mark.parametrize(
        ("key", "expected"),
        [
            ("ctrl+n", "Ctrl+N"),
            ("escape", "Esc"),
            ("pageup", "PgUp"),
            ("pagedown", "PgDn"),
            ("ctrl+end", "Ctrl+End"),
            ("ctrl+shift+k", "Ctrl+Shift+K"),
            ("q", "q"),
            ("question_mark", "?"),
            ("f1", "F1"),
            ("up", "↑"),
            ("alt+enter", "Alt+Enter"),
        ],
    )
    def test_key_label(self, key: str, expected: str) -> None:
        assert label(key) == expected

    def test_from_bindings(self) -> None:
        keys = keys_from_bindings(
            [
                Binding("escape,q", "close", "Close"),
                Binding("ctrl+x", "hidden", ""),  # no description: not a key to tell about
                Binding("q", "other", "Shadowed"),  # q already acts as Close
                Binding("ctrl+s", "save", "Save", tooltip="Save the prompt and close"),
                ("ctrl+k", "kill", "Kill line"),
            ],
            extra=[("Enter", "Send")],
        )
        assert keys == [
            ("Enter", "Send"),
            ("Esc / q", "Close"),
            ("Ctrl+S", "Save the prompt and close"),
            ("Ctrl+K", "Kill line"),
        ]

    def test_prompt_keys_come_first(self) -> None:
        keys = dict(keys_from_bindings([]))
        assert keys["Enter"].startswith("Send")
        assert "New line" in keys["Ctrl+J"]
        assert "Earlier prompts" in keys["↑ / ↓"]
        assert "Complete" in keys["Tab"]

    def test_real_bindings(self) -> None:
        keys = keys_from_bindings([*ChatScreen.BINDINGS, *ClaudeTUI.BINDINGS])
        shown_keys = [key for key, _ in keys]
        for expected in ("Esc", "Ctrl+N", "Ctrl+B", "Ctrl+F", "PgUp", "Ctrl+End", "Ctrl+Q"):
            assert expected in shown_keys
        assert not any("ctrl" in key or "escape" in key for key in shown_keys)


# --- /help -----------------------------------------------------------------------------------


class TestHelp:
    async def test_shows_keys_and_commands(self) -> None:
        app = Host()
        async with app.run_test(size=SIZE) as pilot:
            screen = HelpScreen(keys_from_bindings(CHAT_LIKE_BINDINGS), COMMANDS)
            await shown(pilot, screen)
            content = screen_text(screen)
            for expected in (
                "Keys",
                "Commands",
                "Ctrl+N",
                "Cancel reply",
                "Ctrl+J",
                "/model [id]",
                "/thinking on|off [budget]",
                COMMANDS[0].description,
                "Start a line with // to send a literal /",
            ):
                assert expected in content
            await closes(pilot, screen, "escape")
            assert app.results == [None]

    async def test_q_closes(self) -> None:
        app = Host()
        async with app.run_test(size=SIZE) as pilot:
            screen = HelpScreen([("Enter", "Send")], COMMANDS)
            await shown(pilot, screen)
            await closes(pilot, screen, "q")

    async def test_scrolls_when_taller_than_the_screen(self) -> None:
        app = Host()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = HelpScreen(keys_from_bindings(CHAT_LIKE_BINDINGS), COMMANDS)
            await shown(pilot, screen)
            frame = screen.query_one("#frame")
            assert frame.max_scroll_y > 0
            await pilot.press("end")
            await pilot.pause()
            assert frame.scroll_y == frame.max_scroll_y


# --- /stats ----------------------------------------------------------------------------------


class TestStats:
    async def test_both_tables(self) -> None:
        app = Host()
        async with app.run_test(size=SIZE) as pilot:
            screen = StatsScreen(SESSION_ROWS, TOTAL_ROWS)
            await shown(pilot, screen)
            mine = screen_text(screen.query_one("#this-session"))
            theirs = screen_text(screen.query_one("#all-sessions"))
            assert "This session" in mine and "est. $0.0266" in mine
            assert "All sessions" in theirs and "1,204,377" in theirs and "Sessions" in theirs
            chart = screen.query_one(".chart", Static)
            assert plain(chart) == "▁▃▅▇█▆▄▂▃▅"
            assert chart.styles.color == Color.parse(app.theme_variables["accent"])
            await closes(pilot, screen, "escape")

    async def test_totals_arrive_later(self) -> None:
        app = Host()
        async with app.run_test(size=SIZE) as pilot:
            screen = StatsScreen(SESSION_ROWS, None)
            await shown(pilot, screen)
            section = screen.query_one("#all-sessions")
            assert "Loading…" in text(section)
            await screen.set_totals(TOTAL_ROWS)
            await pilot.pause()
            assert "Loading…" not in text(section)
            assert "1,204,377" in text(section)
            # set again (a refresh): replaced, not added
            await screen.set_totals([("Sessions", "43")])
            await pilot.pause()
            assert "43" in text(section) and "1,204,377" not in text(section)
            await closes(pilot, screen, "q")

    async def test_from_a_thread(self) -> None:
        """As the chat screen calls it: from a worker, through ``call_from_thread``."""
        app = Host()
        async with app.run_test(size=SIZE) as pilot:
            screen = StatsScreen(SESSION_ROWS, None)
            await shown(pilot, screen)

            def load() -> None:
                app.call_from_thread(screen.set_totals, TOTAL_ROWS)

            app.run_worker(load, thread=True)
            await wait_until(pilot, lambda: "1,204,377" in screen_text(screen))

    @pytest.mark.parametrize(("size", "wide"), [((100, 32), True), ((80, 24), False)])
    async def test_side_by_side_only_when_they_fit(self, size: tuple[int, int], wide: bool) -> None:
        app = Host()
        async with app.run_test(size=size) as pilot:
            screen = StatsScreen(SESSION_ROWS, TOTAL_ROWS)
            await shown(pilot, screen)
            mine = screen.query_one("#this-session").region
            theirs = screen.query_one("#all-sessions").region
            if wide:
                assert mine.y == theirs.y and mine.right <= theirs.x
            else:
                assert theirs.y >= mine.bottom
            frame = screen.query_one("#frame").region
            assert frame.right <= size[0] and frame.bottom <= size[1]

    async def test_brackets_and_escapes_in_values(self) -> None:
        app = Host()
        async with app.run_test(size=SIZE) as pilot:
            screen = StatsScreen([("Cost", "est. $1 (no price for [b]x\x1b[2J)")], None)
            await shown(pilot, screen)
            shown_text = text(screen.query_one("#this-session"))
            assert "[b]x" in shown_text and "\x1b" not in shown_text


# --- /context --------------------------------------------------------------------------------


class TestContext:
    async def test_text_and_token_count(self) -> None:
        app = Host()
        async with app.run_test(size=SIZE) as pilot:
            screen = ContextScreen("POST /v1/messages (streamed)\nmodel: claude-sonnet-5-5")
            await shown(pilot, screen)
            line = screen.query_one("#token-count", Static)
            assert plain(line) == "Counting input tokens…"
            assert "model: claude-sonnet-5-5" in text(screen.query_one("#context-text"))
            screen.set_token_count(12345, None)
            await pilot.pause()
            assert "12,345" in text(line)
            screen.set_token_count(None, "The API refused the request")
            await pilot.pause()
            assert "The API refused the request" in text(line)
            assert line.has_class("failed")
            await closes(pilot, screen, "escape")

    async def test_model_output_cannot_reach_the_terminal(self) -> None:
        app = Host()
        async with app.run_test(size=SIZE) as pilot:
            screen = ContextScreen(
                "── 2 · assistant ──\n\x1b[31mred\x1b]0;title\x07 [b]not bold[/b]"
            )
            await shown(pilot, screen)
            drawn = text(screen.query_one("#context-text"))
            assert "\x1b" not in drawn and "\x07" not in drawn
            assert "␛[31mred" in drawn
            assert "[b]not bold[/b]" in drawn  # brackets are text, not markup
            assert "\x1b" not in app.export_screenshot()

    async def test_scrolls(self) -> None:
        app = Host()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = ContextScreen("\n".join(f"line {n}" for n in range(100)))
            await shown(pilot, screen)
            scroll = screen.query_one("#context-scroll")
            assert scroll.max_scroll_y > 0
            await pilot.press("pagedown")
            await pilot.pause()
            assert scroll.scroll_y > 0
            await closes(pilot, screen, "q")


# --- /model ----------------------------------------------------------------------------------


def option_ids(screen: ModelPickerScreen) -> list[str | None]:
    options = screen.query_one(OptionList)
    return [options.get_option_at_index(i).id for i in range(options.option_count)]


class TestModelPicker:
    async def test_loads_then_shows_choices(self) -> None:
        app = Host()
        async with app.run_test(size=SIZE) as pilot:
            screen = ModelPickerScreen("claude-sonnet-5-5")
            await shown(pilot, screen)
            assert "Loading models…" in text(screen.query_one("#models-status"))
            assert screen.query_one(Input).has_focus  # typing filters at once
            assert not screen.query_one(OptionList).display
            screen.set_choices(API_CHOICES)
            await pilot.pause()
            assert not screen.query_one("#models-status").display
            assert option_ids(screen) == list(API_CHOICES.ids)
            options = screen.query_one(OptionList)
            assert options.highlighted == 1  # the current one
            current = text(options).splitlines()[1]
            assert "● Claude Sonnet 5.5 (claude-sonnet-5-5)" in current and "current" in current
            assert "●" not in text(options).splitlines()[0]
            assert not screen.query_one("#models-note").display

    async def test_enter_chooses_the_highlighted(self) -> None:
        app = Host()
        async with app.run_test(size=SIZE) as pilot:
            screen = ModelPickerScreen("claude-sonnet-5-5")
            await shown(pilot, screen)
            screen.set_choices(API_CHOICES)
            await pilot.pause()
            await pilot.press("down", "enter")  # ↓ from the filter moves the list
            await wait_until(pilot, lambda: app.results == ["claude-haiku-5-5"])

    async def test_filter_as_you_type(self) -> None:
        app = Host()
        async with app.run_test(size=SIZE) as pilot:
            screen = ModelPickerScreen("claude-sonnet-5-5")
            await shown(pilot, screen)
            screen.set_choices(API_CHOICES)
            await pilot.press(*"OPUS 5")
            await pilot.pause()
            assert option_ids(screen) == ["claude-opus-5-5"]
            await pilot.press(*" 4")
            await pilot.pause()
            assert option_ids(screen) == []
            assert "No model matches" in text(screen.query_one("#models-status"))
            await pilot.press("enter")  # nothing to choose: stays open
            await pilot.pause()
            assert app.screen is screen
            await pilot.press("backspace", "backspace", "enter")
            await wait_until(pilot, lambda: app.results == ["claude-opus-5-5"])

    async def test_click_chooses(self) -> None:
        app = Host()
        async with app.run_test(size=SIZE) as pilot:
            screen = ModelPickerScreen("claude-sonnet-5-5")
            await shown(pilot, screen)
            screen.set_choices(API_CHOICES)
            await pilot.pause()
            await pilot.click(OptionList, offset=(4, 0))
            await wait_until(pilot, lambda: app.results == ["claude-opus-5-5"])

    async def test_escape_returns_none(self) -> None:
        app = Host()
        async with app.run_test(size=SIZE) as pilot:
            screen = ModelPickerScreen("claude-sonnet-5-5")
            await shown(pilot, screen)
            await closes(pilot, screen, "escape")
            assert app.results == [None]

    async def test_sdk_fallback_says_why(self) -> None:
        app = Host()
        async with app.run_test(size=SIZE) as pilot:
            screen = ModelPickerScreen("my-proxy-model")
            await shown(pilot, screen)
            error = StreamError(ErrorKind.AUTH, "The API key was refused \x1b[2J[red]")
            choices = ModelChoices((ModelChoice("claude-opus-5-5"),), ModelSource.SDK, error)
            screen.set_choices(choices)
            await pilot.pause()
            note = screen.query_one("#models-note")
            assert note.display
            drawn = " ".join(text(note).split())
            assert drawn.startswith("Could not list models from the API: The API key was refused")
            assert "[red]" in drawn and "\x1b" not in drawn
            assert "showing the SDK's known names" in drawn
            # a model the list does not know is still there, marked, first
            assert option_ids(screen) == ["my-proxy-model", "claude-opus-5-5"]

    async def test_with_push_screen_wait(self) -> None:
        app = Host()
        async with app.run_test(size=SIZE) as pilot:
            screen = ModelPickerScreen("claude-sonnet-5-5")
            got: list[str | None] = []

            async def pick() -> None:
                got.append(await app.push_screen_wait(screen))

            app.run_worker(pick())
            await wait_until(pilot, lambda: app.screen is screen)
            screen.set_choices(API_CHOICES)
            await pilot.pause()
            await pilot.press("enter")
            await wait_until(pilot, lambda: got == ["claude-sonnet-5-5"])


# --- /system ---------------------------------------------------------------------------------


class TestSystemPrompt:
    async def test_ctrl_s_saves_the_edited_text(self) -> None:
        app = Host()
        async with app.run_test(size=SIZE) as pilot:
            screen = SystemPromptScreen("Be brief.")
            await shown(pilot, screen)
            area = screen.query_one(TextArea)
            assert area.text == "Be brief." and area.has_focus
            await pilot.press("enter", *"Use British spelling.")
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: app.results == ["Be brief.\nUse British spelling."])

    async def test_save_button_and_empty_clears(self) -> None:
        app = Host()
        async with app.run_test(size=SIZE) as pilot:
            screen = SystemPromptScreen("Be brief.")
            await shown(pilot, screen)
            screen.query_one(TextArea).clear()
            await pilot.click("#save")
            await wait_until(pilot, lambda: app.results == [""])

    async def test_escape_cancels(self) -> None:
        app = Host()
        async with app.run_test(size=SIZE) as pilot:
            screen = SystemPromptScreen("Be brief.")
            await shown(pilot, screen)
            await pilot.press(*"changed")
            await closes(pilot, screen, "escape")
            assert app.results == [None]

    async def test_cancel_button(self) -> None:
        app = Host()
        async with app.run_test(size=SIZE) as pilot:
            screen = SystemPromptScreen("")
            await shown(pilot, screen)
            assert screen.query_one("#cancel", Button)
            await pilot.click("#cancel")
            await wait_until(pilot, lambda: app.results == [None])

    async def test_control_characters_are_shown_not_obeyed(self) -> None:
        app = Host()
        async with app.run_test(size=SIZE) as pilot:
            screen = SystemPromptScreen("Hi\x1b[2J there")
            await shown(pilot, screen)
            area = screen.query_one(TextArea)
            assert "\x1b" not in area.text and "\x1b" not in text(area)


# --- pictures --------------------------------------------------------------------------------


class TestSnapshots:
    def test_help(self, snap_compare: Any) -> None:
        app = Host()

        async def run_before(pilot: Pilot[None]) -> None:
            await shown(pilot, HelpScreen(keys_from_bindings(CHAT_LIKE_BINDINGS), COMMANDS))

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_stats(self, snap_compare: Any) -> None:
        app = Host()

        async def run_before(pilot: Pilot[None]) -> None:
            await shown(pilot, StatsScreen(SESSION_ROWS, TOTAL_ROWS))

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_stats_at_80x24(self, snap_compare: Any) -> None:
        """The smallest screen the app is designed for: the tables one above the other."""
        app = Host()

        async def run_before(pilot: Pilot[None]) -> None:
            await shown(pilot, StatsScreen(SESSION_ROWS, TOTAL_ROWS))

        assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
