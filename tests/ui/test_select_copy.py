"""Select with the mouse and copy with Ctrl+C, as a user does it: exact strings copied.

Selections are made with real mouse events through Pilot (press, move, release), so the
offsets under the pointer are found as in the app; a few pure extraction checks set the
screen's selection directly. What is copied is read from ``app.clipboard``, which holds what
``copy_to_clipboard`` last sent through OSC 52.
"""

from __future__ import annotations

from textual.color import Color
from textual.pilot import Pilot
from textual.selection import SELECT_ALL
from textual.widget import Widget

from claude_tui.core.client import ApiSettings
from claude_tui.core.conversation import TurnStatus
from claude_tui.localapi.server import LocalAPIServer, Scenario
from claude_tui.ui.chat.copying import NOTHING_SELECTED
from claude_tui.ui.widgets.markdown.code_rows import CodeLine
from claude_tui.ui.widgets.markdown.selecting import selection_style
from claude_tui.ui.widgets.markdown.view import MarkdownView
from claude_tui.ui.widgets.message import AssistantMessage, UserMessage
from claude_tui.ui.widgets.prompt import PromptInput

from .helpers import SHIPPED_THEMES, make_app, notices, send, send_and_finish, wait_until

SIZE = (90, 40)  # below 100 columns: no sidebar

REPLY = (
    "Copy this paragraph, please.\n\n"
    "```python\n"
    "def greet(name):\n"
    '    return f"Hello, {name}!"\n'
    "```\n\n"
    "| Name | Count |\n|---|---|\n| apples | 3 |\n| pears | 12 |\n"
)
"""Drawn as: 0 the paragraph, 2-3 the code block, 5-8 the table (lines 1 and 4 blank)."""

CODE = 'def greet(name):\n    return f"Hello, {name}!"'
TABLE = " Name    Count\n ─────────────\n apples  3\n pears   12"
"""The table as drawn: Rich's one column at its left edge kept, trailing spaces trimmed."""

LONG_LINE = "    result = compute(" + ", ".join(f"argument_{i}" for i in range(12)) + ")"
WRAPPED = f"Before.\n\n```python\ndef f():\n{LONG_LINE}\n    return result\n```\n"


async def drag(
    pilot: Pilot[None],
    start: tuple[Widget, tuple[int, int]],
    end: tuple[Widget, tuple[int, int]],
) -> None:
    """Press the mouse at ``start``, move to ``end`` and release there, as a user drags."""
    await pilot.mouse_down(start[0], offset=start[1])
    await pilot.hover(end[0], offset=end[1])
    await pilot.mouse_up(end[0], offset=end[1])
    await pilot.pause()


async def reply_on_screen(pilot: Pilot[None], server: LocalAPIServer, text: str) -> MarkdownView:
    """Send a prompt answered with ``text``; the reply's view once it has ended."""
    server.push(Scenario(text=text))
    await send_and_finish(pilot, "show me")
    return pilot.app.query(MarkdownView).last()


async def streaming_view(pilot: Pilot[None], server: LocalAPIServer) -> MarkdownView:
    """A streaming view of its own, in a reply on screen, for the test to append to."""
    server.push(Scenario(text="x"))
    await send_and_finish(pilot, "hi")
    view = MarkdownView(streaming=True)
    await pilot.app.query(AssistantMessage).last().mount(view)
    return view


def block_numbers(view: MarkdownView) -> list[str]:
    """The last word of each code block's first row: its number."""
    lines = view.lines
    return [
        line.text.split()[-1]
        for index, line in enumerate(lines)
        if isinstance(line, CodeLine) and not (index and isinstance(lines[index - 1], CodeLine))
    ]


class TestSelectInAReply:
    async def test_a_paragraph_dragged_over_is_copied_exactly(
        self, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        app = make_app(api)
        async with app.run_test(size=SIZE) as pilot:
            view = await reply_on_screen(pilot, server, REPLY)
            await drag(pilot, (view, (0, 0)), (view, (27, 0)))
            assert app.screen.get_selected_text() == "Copy this paragraph, please."
            await drag(pilot, (view, (5, 0)), (view, (18, 0)))
            assert app.screen.get_selected_text() == "this paragraph"

    async def test_a_code_block_gives_its_code_without_padding_or_number(
        self, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        app = make_app(api)
        async with app.run_test(size=SIZE) as pilot:
            view = await reply_on_screen(pilot, server, REPLY)
            width = view.size.width
            # from the padding at the left of the first row to the right edge of the last,
            # over the block's number
            await drag(pilot, (view, (0, 2)), (view, (width - 1, 3)))
            assert app.screen.get_selected_text() == CODE
            # from the middle of the indentation: what is left of it is kept
            await drag(pilot, (view, (3, 3)), (view, (width - 1, 3)))
            assert app.screen.get_selected_text() == '  return f"Hello, {name}!"'

    async def test_a_wrapped_code_line_is_copied_as_one_line(
        self, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        app = make_app(api)
        async with app.run_test(size=(60, 40)) as pilot:
            view = await reply_on_screen(pilot, server, WRAPPED)
            rows = [line for line in view.lines if isinstance(line, CodeLine)]
            assert sum(row.joins for row in rows) >= 2, "the long line wraps onto 3+ rows"
            app.screen.selections = {view: SELECT_ALL}
            expected = f"Before.\n\ndef f():\n{LONG_LINE}\n    return result"
            assert app.screen.get_selected_text() == expected

    async def test_a_table_is_copied_as_drawn(
        self, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        app = make_app(api)
        async with app.run_test(size=SIZE) as pilot:
            view = await reply_on_screen(pilot, server, REPLY)
            await drag(pilot, (view, (0, 5)), (view, (view.size.width - 1, 8)))
            assert app.screen.get_selected_text() == TABLE

    async def test_the_whole_reply(self, server: LocalAPIServer, api: ApiSettings) -> None:
        app = make_app(api)
        async with app.run_test(size=SIZE) as pilot:
            view = await reply_on_screen(pilot, server, REPLY)
            app.screen.selections = {view: SELECT_ALL}
            expected = f"Copy this paragraph, please.\n\n{CODE}\n\n{TABLE}"
            assert app.screen.get_selected_text() == expected

    async def test_the_streaming_cursor_is_never_copied(
        self, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        app = make_app(api)
        async with app.run_test(size=SIZE) as pilot:
            view = await streaming_view(pilot, server)
            for text, expected in [
                ("Half a sent", "Half a sent"),
                ("ence.\n\n```\nx = 1\ny = ", "Half a sentence.\n\nx = 1\ny ="),
            ]:
                view.append(text)
                await pilot.pause()
                assert view.cursor in view.rendered_text()
                app.screen.selections = {view: SELECT_ALL}
                assert app.screen.get_selected_text() == expected

    async def test_a_prompt_and_a_thinking_block_and_an_error_line(
        self, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        server.push(Scenario(text="Partial", thinking="Let me think it over.", error_after=1))
        app = make_app(api)
        async with app.run_test(size=SIZE) as pilot:
            await send(pilot, "my own words")
            await wait_until(
                pilot, lambda: app.chat.current.conversation.turns[-1].status is TurnStatus.ERROR
            )
            reply = app.query(AssistantMessage).last()
            assert reply.toggle_thinking()  # open the folded thinking block
            await pilot.pause()
            prompt = app.query(UserMessage).last()
            await drag(pilot, (prompt, (1, 1)), (prompt, (3, 1)))  # from the left padding
            assert app.screen.get_selected_text() == "my"
            thinking = reply.query_one("Collapsible Contents Static")
            await drag(pilot, (thinking, (0, 0)), (thinking, (8, 0)))
            assert app.screen.get_selected_text() == "Let me th"
            error = reply.query_one(".notice")
            await drag(pilot, (error, (0, 0)), (error, (error.size.width - 1, 0)))
            assert app.screen.get_selected_text() == str(error.render()).strip()
            assert app.screen.get_selected_text().startswith("⚠")


class TestSelectAcrossTurns:
    async def test_a_drag_from_one_reply_into_the_next(
        self, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        app = make_app(api)
        async with app.run_test(size=SIZE) as pilot:
            first = await reply_on_screen(pilot, server, REPLY)
            server.push(Scenario(text="Second reply here.\n\nAnd more."))
            await send_and_finish(pilot, "second question")
            second = app.query(MarkdownView).last()
            await drag(pilot, (first, (1, 5)), (second, (5, 0)))
            assert app.screen.get_selected_text() == (
                "Name    Count\n ─────────────\n apples  3\n pears   12\n"
                "You\nsecond question\nClaude\nSecon"
            )


class TestHighlight:
    async def test_selected_cells_are_drawn_in_the_selection_colours_and_only_they(
        self, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        app = make_app(api)
        async with app.run_test(size=SIZE) as pilot:
            view = await reply_on_screen(pilot, server, REPLY)
            selection = app.screen.get_component_rich_style("screen--selection").bgcolor
            assert selection is not None
            before = [view.render_line(y) for y in range(4)]
            assert not any(selection == seg.style.bgcolor for line in before for seg in line)
            await drag(pilot, (view, (5, 0)), (view, (view.size.width - 1, 2)))

            def selected(y: int) -> str:
                return "".join(
                    seg.text
                    for seg in view.render_line(y)
                    if seg.style is not None and seg.style.bgcolor == selection
                )

            assert selected(0) == "this paragraph, please."  # not the spaces after it
            assert selected(1) == ""
            assert selected(2) == "def greet(name):"  # not the padding, not the number
            assert selected(3) == ""
            await pilot.click(view, offset=(40, 6))  # a click elsewhere clears the selection
            await pilot.pause()
            assert selected(0) == ""

    async def test_streaming_lines_draw_no_selection_when_there_is_none(
        self, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        """With no selection a line is drawn as rendered: the very same strip, no copy."""
        app = make_app(api)
        async with app.run_test(size=SIZE) as pilot:
            view = await reply_on_screen(pilot, server, REPLY)
            assert all(view.render_line(y) is view.lines[y] for y in range(len(view.lines)))


class TestCtrlC:
    async def test_copies_the_selection_through_osc52_and_says_how_much(
        self, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        app = make_app(api)
        async with app.run_test(size=SIZE) as pilot:
            view = await reply_on_screen(pilot, server, REPLY)
            assert isinstance(app.focused, PromptInput)  # the prompt has focus, as usual
            await drag(pilot, (view, (0, 2)), (view, (view.size.width - 1, 3)))
            await pilot.press("ctrl+c")
            assert app.clipboard == CODE
            assert f"Copied 2 lines ({len(CODE)} characters)" in notices(app)

    async def test_with_no_selection_it_says_how_to_quit_and_stop_and_does_neither(
        self, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        server.push(Scenario(text=REPLY * 3, rate=40))
        app = make_app(api)
        async with app.run_test(size=SIZE) as pilot:
            await send(pilot, "a slow one")
            await wait_until(pilot, lambda: app.chat.current.reply is not None)
            reply = app.chat.current.reply
            await wait_until(pilot, lambda: len(reply.turn.text) > 10)
            await pilot.press("ctrl+c")
            await pilot.press("ctrl+c")
            assert NOTHING_SELECTED in notices(app)
            assert "Ctrl+Q quits" in NOTHING_SELECTED and "Esc stops a reply" in NOTHING_SELECTED
            assert app.is_running and app.chat.current.reply is reply  # still streaming
            assert app.clipboard == ""
            await wait_until(pilot, lambda: app.chat.current.reply is None, timeout=30)
            assert app.chat.current.conversation.turns[-1].status is TurnStatus.COMPLETE

    async def test_the_prompts_own_selection_when_nothing_is_selected_on_screen(
        self, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        app = make_app(api)
        async with app.run_test(size=SIZE) as pilot:
            view = await reply_on_screen(pilot, server, REPLY)
            prompt = app.query_one(PromptInput)
            prompt.insert("draft words")
            prompt.select_all()
            await pilot.press("ctrl+c")
            assert app.clipboard == "draft words"
            # a selection in the conversation wins over the prompt's, which is still there
            await drag(pilot, (view, (0, 0)), (view, (3, 0)))
            prompt.focus()
            await pilot.press("ctrl+c")
            assert prompt.selected_text == "draft words"
            assert app.clipboard == "Copy"


class TestCodeBlockNumbers:
    async def test_each_block_shows_its_number_and_copy_code_n_copies_it(
        self, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        text = (
            "One:\n\n```\nfirst = 1\n```\n\n- a list\n\n  ```\n  second = 2\n  ```\n\n"
            "```\nthird\n```\n"
        )
        app = make_app(api)
        async with app.run_test(size=SIZE) as pilot:
            view = await reply_on_screen(pilot, server, text)
            assert block_numbers(view) == ["1", "2", "3"]
            for line, expected in [
                ("/copy code 2", "second = 2"),
                ("/copy code 1", "first = 1"),
                ("/copy code", "third"),
            ]:
                await send(pilot, line)
                await pilot.pause()
                assert app.clipboard == expected
            assert "Copied code block 1: 1 line (9 characters)." in notices(app)
            await send(pilot, "/copy code 4")
            await pilot.pause()
            assert "The last reply has 3 code blocks: there is no block 4." in notices(app)
            assert app.clipboard == "third"

    async def test_the_number_never_covers_code(
        self, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        """A first line that fills its row (it wraps) still leaves room for the number, at
        the right of the block, and the copy is the code alone."""
        app = make_app(api)
        async with app.run_test(size=(60, 40)) as pilot:
            view = await reply_on_screen(pilot, server, f"```\n{LONG_LINE.strip()}\n```\n")
            first, second = view.lines[:2]
            assert isinstance(first, CodeLine) and isinstance(second, CodeLine) and second.joins
            assert first.text.rstrip().endswith(" 1")
            assert first.text[first.start : first.end].rstrip() in LONG_LINE
            app.screen.selections = {view: SELECT_ALL}
            assert app.screen.get_selected_text() == LONG_LINE.strip()

    async def test_a_streaming_reply_numbers_its_blocks_as_they_come(
        self, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        app = make_app(api)
        async with app.run_test(size=SIZE) as pilot:
            view = await streaming_view(pilot, server)
            await pilot.pause()
            view.append("```\na = 1\n```\n\nText.\n\n```\nb = 2\n")
            await pilot.pause()
            assert block_numbers(view) == ["1", "2"]


class TestWordAndLineClicks:
    async def test_double_click_selects_a_word_triple_click_a_paragraph_or_code_line(
        self, server: LocalAPIServer, api: ApiSettings
    ) -> None:
        app = make_app(api)
        async with app.run_test(size=SIZE) as pilot:
            view = await reply_on_screen(pilot, server, REPLY)
            await pilot.double_click(view, offset=(7, 0))
            assert app.screen.get_selected_text() == "this"
            await pilot.triple_click(view, offset=(7, 0))
            assert app.screen.get_selected_text() == "Copy this paragraph, please."
            await pilot.double_click(view, offset=(6, 3))
            assert app.screen.get_selected_text() == "return"
            await pilot.triple_click(view, offset=(6, 3))
            assert app.screen.get_selected_text() == '    return f"Hello, {name}!"'

    async def test_in_a_prompt(self, server: LocalAPIServer, api: ApiSettings) -> None:
        app = make_app(api)
        async with app.run_test(size=SIZE) as pilot:
            await reply_on_screen(pilot, server, REPLY)
            prompt = app.query(UserMessage).last()  # "You" over "show me"
            await pilot.double_click(prompt, offset=(7, 1))
            assert app.screen.get_selected_text() == "me"
            await pilot.triple_click(prompt, offset=(7, 1))
            assert app.screen.get_selected_text() == "show me"


class TestSelectionColoursInEveryTheme:
    async def test_the_selection_stands_out_in_every_theme(self, api: ApiSettings) -> None:
        """In the app's themes and Textual's, the selection's background stands apart from the
        background, the code blocks' surface and the prompts' boost; in the app's own themes
        the text on it also stays readable. ANSI themes name terminal colours, set both."""
        app = make_app(api)
        weak: list[str] = []
        ours = {spec.name for spec in SHIPPED_THEMES}
        async with app.run_test(size=SIZE) as pilot:
            assert ours <= set(app.available_themes)
            for name in sorted(app.available_themes):
                app.theme = name
                await pilot.pause()
                style = selection_style(app.screen)
                assert style.bgcolor is not None, name
                if style.bgcolor.triplet is None:  # an ANSI theme: the terminal's colours
                    assert style.bgcolor.name != "default" and style.color is not None, name
                    continue
                variables = app.theme_variables
                background = Color.parse(variables["background"])
                selected = Color.from_rich_color(style.bgcolor)
                for under in ("background", "surface", "boost"):
                    behind = background + Color.parse(variables[under])
                    if _distance(selected, behind) < MIN_DISTANCE:
                        weak.append(f"{name}: {selected.hex} on {under} {behind.hex}")
                text = background + Color.parse(variables["foreground"])
                if name in ours and _contrast(text, selected) < MIN_CONTRAST:
                    weak.append(f"{name}: text {text.hex} on {selected.hex}")
        assert weak == []


MIN_DISTANCE = 50
"""How far apart (Euclidean, in 0-255 RGB) the selection's background must be from what it
covers: a little more than the step between Textual's $surface and $panel, which read as
distinct. The closest now is 67 (gruvbox, over its surface)."""

MIN_CONTRAST = 3.5
"""The WCAG contrast ratio of the app's themes' text on the selection; 3 is the floor for
large text. The lowest now is 3.9 (fjord). Some of Textual's themes are lower (solarized-dark
2.4) with their text on their own background at 4.8: their design, not checked here."""


def _distance(a: Color, b: Color) -> float:
    return float(((a.r - b.r) ** 2 + (a.g - b.g) ** 2 + (a.b - b.b) ** 2) ** 0.5)


def _contrast(a: Color, b: Color) -> float:
    """The WCAG 2 contrast ratio of two colours."""

    def luminance(color: Color) -> float:
        def channel(value: int) -> float:
            v = value / 255
            return v / 12.92 if v <= 0.03928 else float(((v + 0.055) / 1.055) ** 2.4)

        return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)
