"""A partial frame asks each widget only for the rows that changed (``BandCompositor``).

Two things are shown: a frame that changes two rows far apart asks the widgets around them
for those rows only (with its control, Textual's own compositor, which asks for every row);
and every frame of a reply streamed in the app writes exactly the rows Textual's own
compositor would write.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial

import pytest
from textual._compositor import Compositor
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.geometry import Region
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from claude_tui.core.client import ApiSettings
from claude_tui.localapi.server import LocalAPIServer, Scenario, generate_text
from claude_tui.ui.chat import screen as screen_module
from claude_tui.ui.textual_private import BandCompositor

from .helpers import make_app, replies_ended, send, wait_until

SIZE = (60, 20)


class Asked(Vertical):
    """A container recording the rows it is asked for."""

    def __init__(self, *children: Widget, id: str) -> None:
        super().__init__(*children, id=id)
        self.asked: list[Region] = []

    def render_lines(self, crop: Region) -> list[Strip]:
        self.asked.append(crop)
        return super().render_lines(crop)


class TwoLines(App[None]):
    """A column as tall as the screen, its padding showing at either side; near its bottom, a
    box its lines cover whole, two of which change together."""

    CSS = """
    #column { height: 1fr; padding: 0 1; background: $panel; }
    #filler { height: 1fr; }
    #box { height: auto; }
    """

    def __init__(self, compositor: type[Compositor]) -> None:
        super().__init__()
        self.compositor = compositor

    def get_default_screen(self) -> Screen[None]:
        screen: Screen[None] = Screen()
        screen._compositor = self.compositor()
        return screen

    def compose(self) -> ComposeResult:
        lines = (Static("one", id="one"), Static("spacer"), Static("two", id="two"))
        yield Asked(Static("filler", id="filler"), Asked(*lines, id="box"), id="column")


async def rows_asked_for_a_two_line_frame(compositor: type[Compositor]) -> tuple[int, int, str]:
    """Change two lines in one frame: how many rows the column and the box were asked for in
    it, and the bottom rows of the screen after it."""
    app = TwoLines(compositor)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        column, box = app.query_one("#column", Asked), app.query_one("#box", Asked)
        column.asked.clear()
        box.asked.clear()
        app.query_one("#one", Static).update("ONE", layout=False)
        app.query_one("#two", Static).update("TWO", layout=False)
        await pilot.pause()
        asked = [sum(crop.height for crop in widget.asked) for widget in (column, box)]
        rows = app.screen._compositor.render_strips()  # asks for every row
        return asked[0], asked[1], "|".join(strip.text.strip() for strip in rows[-3:])


async def test_a_frame_asks_the_widgets_only_for_the_rows_that_changed() -> None:
    column, box, bottom = await rows_asked_for_a_two_line_frame(BandCompositor)
    assert bottom == "ONE|spacer|TWO"
    assert column == 3  # the rows from one to two, not the 20 of the column
    assert box == 0  # its lines cover it


async def test_without_the_band_every_row_of_the_column_is_asked_for() -> None:
    """The control: Textual's own compositor asks the column for all its rows, and the box
    for its own, so the test above would notice if the override stopped working."""
    column, box, bottom = await rows_asked_for_a_two_line_frame(Compositor)
    assert bottom == "ONE|spacer|TWO"
    assert (column, box) == (SIZE[1], 3)


class Checked(BandCompositor):
    """The band compositor, each frame of which is also drawn by Textual's own: the rows a
    frame writes must be the same, cut for cut."""

    frames = 0
    differences: list[str] = []

    def _render_chops(
        self, crop: Region, is_rendered_line: Callable[[int], bool]
    ) -> Sequence[Mapping[int, Strip]]:
        banded = super()._render_chops(crop, is_rendered_line)
        self._get_renders = partial(Compositor._get_renders, self)  # type: ignore[method-assign]
        try:
            whole = super()._render_chops(crop, is_rendered_line)
        finally:
            del self._get_renders
        Checked.frames += 1
        for y in range(crop.y, crop.bottom):
            if is_rendered_line(y) and banded[y] != whole[y]:
                row = "".join(strip.text for strip in whole[y].values() if strip)
                Checked.differences.append(f"frame {Checked.frames}, row {y}: {row!r}")
        return banded


@pytest.mark.parametrize("rate", [10, 30])
async def test_every_frame_of_a_reply_writes_what_textual_would(
    server: LocalAPIServer, api: ApiSettings, monkeypatch: pytest.MonkeyPatch, rate: int
) -> None:
    """A reply with code, lists and paragraphs streamed into the chat, with the spinner and
    the metrics: every frame writes the same rows, the same text in the same styles, as
    Textual's own compositor would have written."""
    text = generate_text(300)
    server.push(Scenario(text=text, rate=400))
    monkeypatch.setattr(screen_module, "BandCompositor", Checked)
    monkeypatch.setattr(Checked, "frames", 0)
    monkeypatch.setattr(Checked, "differences", [])
    app = make_app(api, refresh_rate=rate)
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.chat._compositor, Checked)
        await send(pilot, "go")
        await wait_until(pilot, replies_ended(app, 1), timeout=20)
        await pilot.pause()
    assert app.chat.current.conversation.turns[-1].text == text
    assert Checked.frames >= 10, f"only {Checked.frames} frames"
    assert not Checked.differences, Checked.differences[:3]
