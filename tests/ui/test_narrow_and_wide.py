"""Narrow and wide terminals: the sidebar's place, and the room a reply gets."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from claude_tui.core.client import ApiSettings
from claude_tui.localapi.server import LocalAPIServer, Scenario
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.widgets.conversation import ConversationView
from claude_tui.ui.widgets.prompt import PromptInput
from claude_tui.ui.widgets.sessions_panel import SessionsPanel
from claude_tui.ui.widgets.sidebar import SessionList, SessionSidebar

from .helpers import make_app, options, ready, wait_until
from .test_sessions import seed


def sidebar_shown(app: ClaudeTUI) -> bool:
    return bool(app.query_one(SessionSidebar).display)


async def test_narrowing_hides_the_sidebar_and_widening_brings_it_back(api: ApiSettings) -> None:
    app = make_app(api)
    async with app.run_test(size=(110, 30)) as pilot:
        await ready(pilot)
        assert sidebar_shown(app)
        await pilot.resize_terminal(80, 24)
        await wait_until(pilot, lambda: not sidebar_shown(app))
        view = app.query_one(ConversationView)
        await wait_until(pilot, lambda: view.region.x == 0 and view.region.width == 80)
        await pilot.resize_terminal(110, 30)
        await wait_until(pilot, lambda: sidebar_shown(app))


async def test_widening_follows_show_sidebar_false(api: ApiSettings) -> None:
    app = make_app(api, show_sidebar=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert not sidebar_shown(app)
        await pilot.resize_terminal(120, 30)
        await pilot.pause()
        assert not sidebar_shown(app)


async def test_ctrl_b_on_a_narrow_screen_lays_the_sidebar_over_the_chat(
    api: ApiSettings, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("show_sidebar = true\n")
    seed("First", [("q1", "a1")])
    second = seed("Second", [("q2", "a2")])
    app = ClaudeTUI(replace(options(api), config_path=config))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        view = app.query_one(ConversationView)
        before = view.region
        assert not sidebar_shown(app)
        await pilot.press("ctrl+b")
        await wait_until(pilot, lambda: sidebar_shown(app))
        panel = app.query_one(SessionsPanel)
        await pilot.pause()
        assert panel.region.x == 0 and panel.region.width == 32
        assert view.region == before  # over the chat: the conversation keeps its width
        session_list = app.query_one(SessionList)
        assert app.focused is session_list  # ready for the keys
        await wait_until(pilot, lambda: session_list.option_count == 2)
        # Esc hides it and gives the prompt the keys back
        await pilot.press("escape")
        await wait_until(pilot, lambda: not sidebar_shown(app))
        assert isinstance(app.focused, PromptInput)
        # Ctrl+B again hides it too
        await pilot.press("ctrl+b")
        await wait_until(pilot, lambda: app.focused is session_list)
        await pilot.press("ctrl+b")
        await wait_until(pilot, lambda: not sidebar_shown(app))
        assert isinstance(app.focused, PromptInput)
        # Enter on a session opens it and hides the sidebar
        await pilot.press("ctrl+b")
        await wait_until(pilot, lambda: app.focused is session_list)
        session_list.highlighted = 0  # newest first: "Second"
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.chat.current.session_id == second)
        assert not sidebar_shown(app)
        assert isinstance(app.focused, PromptInput)
        assert config.read_text() == "show_sidebar = true\n"  # the preference is not touched


async def test_clicking_the_chat_hides_the_overlaid_sidebar(api: ApiSettings) -> None:
    app = make_app(api)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+b")
        await wait_until(pilot, lambda: sidebar_shown(app))
        await pilot.click(PromptInput, offset=(40, 1))
        await wait_until(pilot, lambda: not sidebar_shown(app))


async def test_ctrl_f_on_a_narrow_screen_searches_in_the_overlay(api: ApiSettings) -> None:
    app = make_app(api)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+f")
        await wait_until(pilot, lambda: sidebar_shown(app))
        assert app.focused is app.query_one("#session-search")
        assert app.query_one(ConversationView).region.x == 0
        await pilot.press("escape")
        await wait_until(pilot, lambda: not sidebar_shown(app))


async def test_ctrl_b_on_a_wide_screen_still_saves_the_preference(
    api: ApiSettings, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    app = ClaudeTUI(replace(options(api), config_path=config))
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+b")
        await wait_until(
            pilot, lambda: config.exists() and "show_sidebar = false" in config.read_text()
        )
        assert not sidebar_shown(app)
        await pilot.resize_terminal(80, 24)
        await pilot.resize_terminal(120, 30)
        await pilot.pause()
        assert not sidebar_shown(app)  # widened again: the saved choice decides


async def test_a_reply_uses_at_least_74_columns_at_80x24(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    from claude_tui.ui.widgets.markdown.view import MarkdownView
    from claude_tui.ui.widgets.metrics import MetricsBar

    from .helpers import send_and_finish

    server.push(Scenario(text="word " * 200))
    app = make_app(api)
    async with app.run_test(size=(110, 30)) as pilot:
        await send_and_finish(pilot, "many words")
        await pilot.resize_terminal(80, 24)
        view = app.query_one(MarkdownView)
        await wait_until(pilot, lambda: view.size.width >= 74)
        lines = view.rendered_text().split("\n")
        assert max(len(line) for line in lines) >= 70  # the text itself fills the width
        metrics = app.query_one(MetricsBar)
        assert metrics.size.height == 1
        assert "\n" not in str(metrics.render())


# -- wide: a readable column ------------------------------------------------------------------

WIDE_REPLY = "word " * 120


async def test_at_300x80_a_reply_wraps_at_max_width_centred(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    from claude_tui.ui.widgets.markdown.view import MarkdownView

    from .helpers import send_and_finish

    server.push(Scenario(text=WIDE_REPLY))
    app = make_app(api, show_sidebar=False)
    async with app.run_test(size=(300, 80)) as pilot:
        await send_and_finish(pilot, "many words")
        view = app.query_one(MarkdownView)
        await wait_until(pilot, lambda: view.size.width == 100)
        assert max(len(line) for line in view.rendered_text().split("\n")) <= 100
        # centred: as much room on either side of the turn (up to the scrollbar's column)
        turn = view.parent
        assert turn is not None
        left = turn.region.x
        right = 300 - 1 - turn.region.right  # the scrollbar keeps the last column
        assert abs(left - right) <= 1 and left > 90
        prompt = app.query_one(PromptInput)
        assert prompt.region.width < 120 and abs(prompt.region.x - left) <= 1


async def test_a_left_aligned_theme_puts_the_column_on_the_left(
    server: LocalAPIServer, api: ApiSettings, tmp_path: Path
) -> None:
    from claude_tui.core.themes import load_themes
    from claude_tui.ui.widgets.markdown.view import MarkdownView

    from .helpers import SHIPPED_THEMES, send_and_finish

    folder = tmp_path / "themes"
    folder.mkdir()
    (folder / "lefty.toml").write_text(
        'name = "lefty"\nprimary = "#D97757"\nreply_align = "left"\n', encoding="utf-8"
    )
    lefty = load_themes(folder)[0]
    server.push(Scenario(text=WIDE_REPLY))
    app = ClaudeTUI(
        replace(options(api, theme="lefty", show_sidebar=False), themes=(*SHIPPED_THEMES, *lefty))
    )
    async with app.run_test(size=(300, 80)) as pilot:
        await send_and_finish(pilot, "many words")
        view = app.query_one(MarkdownView)
        await wait_until(pilot, lambda: view.size.width == 100)
        turn = view.parent
        assert turn is not None and turn.region.x == 1  # against the left edge, as usual
        # switching to a centred theme moves the column at once
        app.theme = "claude-dark"
        await wait_until(pilot, lambda: turn.region.x > 90)
        assert view.size.width == 100


async def test_max_width_0_uses_the_full_width(server: LocalAPIServer, api: ApiSettings) -> None:
    from claude_tui.ui.widgets.markdown.view import MarkdownView

    from .helpers import send_and_finish

    server.push(Scenario(text=WIDE_REPLY))
    app = make_app(api, show_sidebar=False, max_width=0)
    async with app.run_test(size=(300, 80)) as pilot:
        await send_and_finish(pilot, "many words")
        view = app.query_one(MarkdownView)
        await wait_until(pilot, lambda: view.size.width == 300 - 6)


# -- 60x20: everything still there ------------------------------------------------------------


async def test_at_60x20_prompt_reply_and_status_show_and_nothing_is_cut_mid_word(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    from textual.widgets._footer import FooterKey

    from claude_tui.ui.widgets.markdown.view import MarkdownView
    from claude_tui.ui.widgets.metrics import MetricsBar
    from claude_tui.ui.widgets.status import ReplyStatus

    from .helpers import send_and_finish

    server.push(Scenario(text="A reply that is seen whole at sixty columns."))
    app = make_app(api)
    async with app.run_test(size=(60, 20)) as pilot:
        await send_and_finish(pilot, "a rather long first prompt that becomes the title")
        screen = app.screen
        for widget in (
            app.query_one(PromptInput),
            app.query_one(MarkdownView),
            app.query_one(ReplyStatus),
            app.query_one(MetricsBar),
        ):
            region = widget.region
            assert region.height >= 1 and screen.region.contains_region(region), widget
        assert app.query_one(MetricsBar).region.height == 1
        status = app.query_one(ReplyStatus)
        assert str(status.render()) == "Ready · Enter send · Esc stops a reply · Ctrl+B sessions"
        placeholder = app.query_one(PromptInput).placeholder
        assert placeholder == "Message Claude…   Enter send · Ctrl+J new line"
        sub_title = app.sub_title
        assert sub_title.endswith("…") and len(sub_title) <= 60 - 31
        assert "a rather long first" in sub_title  # shortened at a space
        keys = list(app.screen.query(FooterKey))
        assert keys[-1].region.right <= 60  # the last key ends on screen
        assert all(key.key != "ctrl+p" for key in keys)  # the palette's key gave way
        await pilot.resize_terminal(50, 20)
        await wait_until(
            pilot, lambda: str(status.render()) == "Ready · Enter send · Esc stops a reply"
        )
        # the palette's key comes back when there is room, and goes again when there is not
        await pilot.resize_terminal(120, 30)
        await wait_until(pilot, lambda: any(k.key == "ctrl+p" for k in app.screen.query(FooterKey)))
        await pilot.resize_terminal(60, 20)
        await wait_until(pilot, lambda: all(k.key != "ctrl+p" for k in app.screen.query(FooterKey)))
