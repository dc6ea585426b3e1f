"""At 60 columns a source's URL and a card's result wrap; a selection over them copies each
touched source or result as its one line (``[1] Title — URL``, as ``/copy`` gives it), not the
wrapped rows with their indent."""

from __future__ import annotations

from claude_tui.core.client import ApiSettings
from claude_tui.localapi.server import LocalAPIServer
from claude_tui.ui.widgets.sources import SourcesList
from claude_tui.ui.widgets.web_card import WebCard

from .test_select_copy import drag
from .test_web_cards import SOURCES, TITLES, searched_app

NARROW = (60, 50)


def rows(widget: SourcesList | WebCard) -> list[str]:
    return [line.plain for line in widget.lines_at(widget.content_size.width)]


async def test_a_drag_over_wrapped_sources_copies_each_source_whole(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    async with searched_app(server, api, size=NARROW) as (app, pilot):
        sources = app.query_one(SourcesList)
        drawn = rows(sources)
        assert len(drawn) > len(SOURCES)  # the URLs wrap: the test is about that
        last = len(drawn) - 1
        await drag(pilot, (sources, (0, 1)), (sources, (8, last)))
        await pilot.press("ctrl+c")
        assert app.clipboard == "\n".join(SOURCES[1:])
        await pilot.triple_click(sources, offset=(6, last))  # a URL's continuation row
        await pilot.press("ctrl+c")
        assert app.clipboard == SOURCES[-1]
        await pilot.double_click(sources, offset=(1, 1))  # a word stays a word
        await pilot.press("ctrl+c")
        assert app.clipboard == "1"


async def test_a_triple_click_on_a_wrapped_result_copies_the_result_line(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    async with searched_app(server, api, size=NARROW) as (app, pilot):
        card = app.query_one(WebCard)
        await pilot.press("ctrl+o")
        await pilot.pause()
        drawn = rows(card)
        title_rows = next(i for i, row in enumerate(drawn) if row.startswith("     "))
        result = f"{TITLES[0]} — encyclopedia.example.com · March 2, 2026"
        assert drawn[title_rows + 1].startswith("     ")  # the first result wraps
        await pilot.triple_click(card, offset=(8, title_rows + 1))
        await pilot.press("ctrl+c")
        assert app.clipboard == result
        await drag(pilot, (card, (0, 0)), (card, (3, title_rows)))
        await pilot.press("ctrl+c")
        assert app.clipboard == "\n".join([card.title, result])
