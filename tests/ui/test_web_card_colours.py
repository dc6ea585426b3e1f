"""A web card's lines and the Sources list are readable in every shipped theme: their muted
colour is resolved against the background they are drawn on, not against a transparent black
one (which gave white on white in a light theme)."""

from __future__ import annotations

import pytest
from textual.color import Color
from textual.strip import Strip
from textual.widget import Widget

from claude_tui.core.client import ApiSettings
from claude_tui.localapi.server import LocalAPIServer
from claude_tui.ui.widgets.sources import SourcesList
from claude_tui.ui.widgets.web_card import WebCard

from .helpers import SHIPPED_THEMES
from .test_web_cards import searched_app

THEMES = sorted(spec.name for spec in SHIPPED_THEMES)


def text_contrast(strip: Strip) -> list[tuple[str, float]]:
    """Each visible run of text on a drawn line, with how far its colour's brightness is from
    its background's (0 is invisible)."""
    runs = []
    for segment in strip:
        style = segment.style
        if not segment.text.strip() or style is None or style.color is None:
            continue
        assert style.bgcolor is not None
        fg, bg = Color.from_rich_color(style.color), Color.from_rich_color(style.bgcolor)
        runs.append((segment.text, abs(fg.brightness - bg.brightness)))
    return runs


def drawn_lines(widget: Widget) -> list[Strip]:
    return [widget.render_line(y) for y in range(widget.size.height)]


@pytest.mark.parametrize("theme", THEMES)
async def test_card_and_sources_text_stands_out_from_the_background(
    server: LocalAPIServer, api: ApiSettings, theme: str
) -> None:
    async with searched_app(server, api, theme=theme) as (app, pilot):
        await pilot.press("ctrl+o")
        await pilot.pause()
        card = app.query_one(WebCard)
        assert not card.collapsed
        runs = [run for line in drawn_lines(card) for run in text_contrast(line)]
        runs += [
            run for line in drawn_lines(app.query_one(SourcesList)) for run in text_contrast(line)
        ]
        assert len(runs) > 4
        faint = [(text, round(gap, 2)) for text, gap in runs if gap < 0.2]
        assert faint == []
