"""What each frame shows while a long session's turns page in, and where their Markdown is
rendered (issue 6: open anything at once, and never make the user wait or lose their place).

Frames are watched by a hook on the screen's compositor refresh, which is where Textual writes
a frame: what a widget's region is at that moment is what the terminal shows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace

import pytest
from rich.style import Style
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.strip import Strip

from claude_tui.core.client import ApiSettings
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.widgets.conversation import ConversationView, LoadEarlier
from claude_tui.ui.widgets.markdown.prerender import render_blocks
from claude_tui.ui.widgets.markdown.view import MarkdownView
from claude_tui.ui.widgets.message import AssistantMessage, UserMessage

from .helpers import options, saved_session, wait_until

SIZE = (110, 34)
EXCHANGES = 60
MORE = "\n".join(f"- item {n}, so that a reply is taller than the pane" for n in range(24))

ANSWER = """Answer {i}: a reply long enough to wrap over several lines of the pane, as real
replies do, with **bold**, `code` and a [link](https://example.com) in it.

- a list item that says something
- another item, numbered {i}
{more}

```python
def answer_{i}(x: int) -> int:
    return x * {i}
```"""


@pytest.fixture
def long_session() -> str:
    return saved_session((f"question {i}", ANSWER.format(i=i, more=MORE)) for i in range(EXCHANGES))


def on_every_frame(monkeypatch: pytest.MonkeyPatch, record: Callable[[], None]) -> None:
    """Call ``record`` as each frame is written."""
    refresh = Screen._compositor_refresh

    def hooked(screen: Screen[object]) -> None:
        refresh(screen)
        record()

    monkeypatch.setattr(Screen, "_compositor_refresh", hooked)


@asynccontextmanager
async def opened(api: ApiSettings, session_id: str) -> AsyncIterator[tuple[ClaudeTUI, Pilot[None]]]:
    """The app, with ``session_id`` open and its first page filled in."""
    app = ClaudeTUI(replace(options(api), open_session_id=session_id))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.chat.current.session_id == session_id)
        await wait_until(
            pilot, lambda: bool(app.query(LoadEarlier)) and not app.chat.turn_pane.filling
        )
        await pilot.pause()
        yield app, pilot


def own_lines(view: MarkdownView) -> list[Strip]:
    """The view's lines as it renders them itself (the theme-change path starts afresh)."""
    view._on_theme_change()
    return list(view._frozen_lines)


async def test_paging_up_keeps_what_is_read_in_place_on_every_frame(
    api: ApiSettings, long_session: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with opened(api, long_session) as (app, pilot):
        view = app.query_one(ConversationView)
        state = app.chat.current
        read = app.chat.turn_pane.widgets.get(state.conversation.turns[state.shown_from])
        assert read is not None
        start = state.shown_from
        rows: list[int] = []
        on_every_frame(monkeypatch, lambda: rows.append(read.region.y))
        view.scroll_home(animate=False, immediate=True)  # onto the marker: a page comes
        await wait_until(pilot, lambda: state.shown_from < start and not app.chat.turn_pane.filling)
        await pilot.pause()
        assert state.shown_from < start - 6, "more than one step of the page was mounted"
        assert len(rows) > 3
        # the turn the user was reading never moves, not even for one frame
        assert set(rows) == {rows[0]}, rows
        assert view.scroll_y > 0


async def test_ctrl_home_never_draws_a_frame_away_from_the_top(
    api: ApiSettings, long_session: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with opened(api, long_session) as (app, pilot):
        view = app.query_one(ConversationView)
        seen: list[float] = []

        def record() -> None:
            users = app.query(UserMessage)
            if users and users.first().text == "question 0":
                seen.append(view.scroll_y)

        on_every_frame(monkeypatch, record)
        await pilot.press("ctrl+home")
        await wait_until(pilot, lambda: len(seen) > 2 and not app.chat.turn_pane.filling)
        assert set(seen) == {0}, seen  # once the first turn is there, it is at the top


async def test_a_page_is_rendered_before_it_is_mounted_and_looks_the_same(
    api: ApiSettings, long_session: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered_in_layout: list[MarkdownView] = []
    render = MarkdownView._render_lines

    def counted(view: MarkdownView, width: int | None = None) -> None:
        rendered_in_layout.append(view)
        render(view, width)

    monkeypatch.setattr(MarkdownView, "_render_lines", counted)
    async with opened(api, long_session) as (app, _):
        views = [message.markdown for message in app.query(AssistantMessage)]
        assert len(views) > 10
        latest = views[-1]
        # Only the latest reply, mounted at once when the session opened, rendered itself;
        # every reply the page filled in above it came with its lines.
        assert {id(v) for v in rendered_in_layout} == {id(latest)}
        for view in views:
            width = view._width
            assert width == view.size.width
            before = list(view._frozen_lines)
            assert before == own_lines(view)
            assert view.rendered_text().startswith("Answer ")


class OneView(App[None]):
    def __init__(self, view: MarkdownView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        yield self.view


@pytest.mark.parametrize("wrong", ["width", "style", "theme"])
async def test_lines_rendered_for_another_width_style_or_theme_are_not_used(wrong: str) -> None:
    text = ANSWER.format(i=7, more=MORE)
    view = MarkdownView(text)
    app = OneView(view)
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.pause()
        width, base, theme = view.size.width, view.rich_style, app.current_theme
        expected = own_lines(view)
        job = MarkdownView(text).blocks_to_prerender()
        assert job
        blocks, _ = job
        if wrong == "width":
            width -= 10
        elif wrong == "style":
            base += Style(bold=True)
        else:
            theme = object()  # type: ignore[assignment]
        lines = render_blocks([job], dict(app.theme_variables), True, width, base)[0]
        fresh = MarkdownView(text)
        fresh.adopt(lines, len(blocks), width, base, theme)
        await view.remove()
        await app.mount(fresh)
        await pilot.pause()
        assert fresh._frozen_lines == expected


async def test_a_page_whose_rendering_fails_in_the_thread_renders_as_it_is_laid_out(
    api: ApiSettings, long_session: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claude_tui.ui.widgets.markdown import prerender

    def broken(*args: object) -> list[list[Strip]]:
        raise RuntimeError("a renderer bug")

    monkeypatch.setattr(prerender, "render_blocks", broken)
    async with opened(api, long_session) as (app, _):
        views = [message.markdown for message in app.query(AssistantMessage)]
        assert len(views) > 10 and app.is_running
        assert all(view.rendered_text().startswith("Answer ") for view in views)
