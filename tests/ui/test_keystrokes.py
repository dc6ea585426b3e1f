"""Never lose a keystroke: typing after a click in the conversation lands in the prompt."""

from __future__ import annotations

from textual import events

from claude_tui.core.client import ApiSettings
from claude_tui.localapi.server import LocalAPIServer, Scenario
from claude_tui.ui.widgets.conversation import ConversationView
from claude_tui.ui.widgets.prompt import PromptInput
from claude_tui.ui.widgets.sidebar import SessionList

from .helpers import make_app, ready, send_and_finish, wait_until
from .test_sessions import seed

LONG_REPLY = "\n\n".join(f"Paragraph {n} of a reply long enough to scroll." for n in range(60))


async def test_typing_after_a_click_in_the_conversation_lands_in_the_prompt(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(text="A short reply to click on."))
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await send_and_finish(pilot, "hello")
        prompt = app.query_one(PromptInput)
        prompt.insert("draft ")  # a prompt half written before the click
        await pilot.click(ConversationView, offset=(10, 3))
        await pilot.pause()
        assert isinstance(app.focused, ConversationView)  # the click took the focus away
        await pilot.press(*"next question?")
        await wait_until(pilot, lambda: prompt.text == "draft next question?")
        assert app.focused is prompt
        assert prompt.cursor_location == (0, len("draft next question?"))


async def test_a_paste_on_the_conversation_goes_into_the_prompt_at_its_cursor(
    api: ApiSettings,
) -> None:
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        prompt = app.query_one(PromptInput)
        prompt.insert("before  after")
        prompt.move_cursor((0, len("before ")))
        view = app.query_one(ConversationView)
        view.focus()
        await pilot.pause()
        app.post_message(events.Paste("PASTED"))  # as the terminal's bracketed paste arrives
        await wait_until(pilot, lambda: "PASTED" in prompt.text)
        assert prompt.text == "before PASTED after"
        assert app.focused is prompt


async def test_keys_that_scroll_the_conversation_still_scroll_it(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(text=LONG_REPLY))
    app = make_app(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await send_and_finish(pilot, "a long one")
        view = app.query_one(ConversationView)
        view.focus()
        await pilot.pause()
        bottom = view.scroll_y
        assert bottom > 0
        await pilot.press("up", "up", "pageup")
        await wait_until(pilot, lambda: view.scroll_y < bottom - 2)
        assert app.focused is view  # the arrows are the view's: they do not move the focus
        assert app.query_one(PromptInput).text == ""


async def test_the_sidebar_keeps_its_letter_keys(api: ApiSettings) -> None:
    seed("Keep me", [("q", "a")])
    app = make_app(api)
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        session_list = app.query_one(SessionList)
        await wait_until(pilot, lambda: session_list.option_count == 1)
        session_list.focus()
        await pilot.press("r")  # rename, as documented
        await wait_until(pilot, lambda: type(app.screen).__name__ == "RenameScreen")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.chat)
        await pilot.press("d")  # delete (after asking)
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ConfirmDeleteScreen")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.chat)
        assert app.query_one(PromptInput).text == ""  # neither letter went to the prompt
        search = app.query_one("#session-search")
        search.focus()
        await pilot.press(*"kee")
        await wait_until(pilot, lambda: getattr(search, "value", None) == "kee")
        assert app.query_one(PromptInput).text == ""
