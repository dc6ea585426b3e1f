"""A reply that searched or fetched, on screen (issue 18, "While it streams"): a card per call
between the text, folded like thinking, citation markers in the text and a Sources list; /copy
keeps both; a widget rebuilt from the turn looks the same as the one that streamed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.selection import SELECT_ALL
from textual.strip import Strip

from claude_tui.core.client import ApiSettings
from claude_tui.localapi.server import LocalAPIServer, Scenario
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.widgets.markdown.view import MarkdownView
from claude_tui.ui.widgets.message import AssistantMessage, widget_for_turn
from claude_tui.ui.widgets.sources import SourcesList
from claude_tui.ui.widgets.web_card import WebCard

from .helpers import command, make_app, notices, ready, send_and_finish
from .test_select_copy import drag

SIZE = (150, 40)
QUERY = "otters"
TITLES = (
    "Otters - Example Encyclopedia",
    "What's new with Otters | Example News",
    "A field guide to Otters (example.net)",
)
CARD = "🔍 “otters” · 3 results · encyclopedia.example.com, news.example.org, docs.example.net"
SOURCES = (
    "Sources",
    "[1] Otters - Example Encyclopedia — https://encyclopedia.example.com/wiki/otters",
    "[2] What's new with Otters | Example News — https://news.example.org/2026/03/otters",
)


def last_reply(app: ClaudeTUI) -> AssistantMessage:
    return app.query(AssistantMessage).last()


def picture(message: AssistantMessage) -> list[tuple[str, ...]]:
    """What a reply shows, widget by widget, as text: to compare two replies."""
    shown: list[tuple[str, ...]] = []
    for child in message.children:
        if isinstance(child, MarkdownView):
            shown.append(("view", child.source, str(child.streaming)))
        elif isinstance(child, WebCard):
            shown.append(("card", child.title_line(), *child.card.details, *child.classes))
        elif isinstance(child, SourcesList):
            shown.append(("sources", *child.lines))
        else:
            shown.append((type(child).__name__,))
    return shown


async def searched(pilot: Pilot[None], server: LocalAPIServer, **scenario: Any) -> ClaudeTUI:
    app = pilot.app
    assert isinstance(app, ClaudeTUI)
    await ready(pilot)
    await command(pilot, "/web on")
    server.push(Scenario(search=QUERY, **scenario))
    await send_and_finish(pilot, "otter news?")
    return app


@asynccontextmanager
async def searched_app(
    server: LocalAPIServer,
    api: ApiSettings,
    size: tuple[int, int] = SIZE,
    scenario: Mapping[str, Any] | None = None,
    **settings: Any,
) -> AsyncIterator[tuple[ClaudeTUI, Pilot[None]]]:
    """An app (``settings``) running at ``size`` that has answered a prompt with a search
    (``searched``, the ``scenario`` options added), and its pilot."""
    app = make_app(api, **settings)
    async with app.run_test(size=size) as pilot:
        await searched(pilot, server, **(scenario or {}))
        yield app, pilot


async def test_a_search_reply_has_its_card_markers_and_sources(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    async with searched_app(server, api) as (app, _):
        reply = last_reply(app)
        kinds = [type(child).__name__ for child in reply.children]
        assert kinds == ["SelectableStatic", "WebCard", "MarkdownView", "SourcesList"]
        card = app.query_one(WebCard)
        assert card.title_line() == f"▶ {CARD}" and card.collapsed
        assert str(card.render()) == f"▶ {CARD}"
        view = reply.query_one(MarkdownView)
        assert "basics[1] and add a few details[2]." in " ".join(view.rendered_text().split())
        assert str(app.query_one(SourcesList).render()).split("\n") == list(SOURCES)
        assert app.chat.current.conversation.turns[-1].text.startswith("Here is what")


async def test_a_click_on_the_title_opens_the_card_to_its_results(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    async with searched_app(server, api) as (app, pilot):
        card = app.query_one(WebCard)
        await pilot.click(card, offset=(4, 0))
        await pilot.pause()
        assert not card.collapsed
        assert str(card.render()).split("\n") == [
            f"▼ {CARD}",
            f"     {TITLES[0]} — encyclopedia.example.com · March 2, 2026",
            f"     {TITLES[1]} — news.example.org · 2 weeks ago",
            f"     {TITLES[2]} — docs.example.net",
        ]
        assert card.size.height == 4
        await pilot.click(card, offset=(4, 0))
        await pilot.pause()
        assert card.collapsed and card.size.height == 1
        await pilot.click(card, offset=(0, 0))  # the left padding, before the fold mark
        await pilot.pause()
        assert not card.collapsed


async def test_ctrl_o_opens_and_folds_the_cards_of_the_latest_reply_with_any(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    async with searched_app(server, api) as (app, pilot):
        server.push(Scenario(text="No search this time."))
        await command(pilot, "/web off")
        await send_and_finish(pilot, "and now?")
        card = app.query_one(WebCard)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert not card.collapsed and len(str(card.render()).split("\n")) == 4
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert card.collapsed


async def test_a_failed_search_says_so_on_its_card_and_the_reply_goes_on(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    failed = {"tool_error": "max_uses_exceeded"}
    async with searched_app(server, api, scenario=failed) as (app, _):
        card = app.query_one(WebCard)
        assert card.has_class("failed") and not card.card.details
        assert card.title_line() == (
            "  🔍 “otters” · search failed: this reply used all its searches "
            "(web_max_uses in the config)"
        )
        view = last_reply(app).query_one(MarkdownView)
        assert "The search did not work (max_uses_exceeded)" in view.rendered_text()
        assert not app.query(SourcesList)


async def test_a_fetch_card_names_its_url_and_size(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    url = "https://example.com/page"
    server.push(Scenario(fetch=url))
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await command(pilot, "/web fetch on")
        await send_and_finish(pilot, f"read {url}")
        card = app.query_one(WebCard)
        assert card.has_class("done")
        assert card.title.startswith(f"🌐 {url} · fetched · ")
        assert card.card.details and card.card.details[-1].startswith("retrieved ")


async def test_copy_keeps_the_markers_and_appends_the_sources(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    async with searched_app(server, api) as (app, pilot):
        await command(pilot, "/copy")
        assert app.clipboard.split("\n\n") == [
            "Here is what the search turned up. The example pages agree on the basics[1] and "
            "add a few details[2]. (These sources are made up for the demo.)",
            "\n".join(SOURCES),
        ]
        assert notices(app)[-1].startswith("Copied the last reply")


async def test_a_selection_copies_the_card_and_the_sources_as_shown(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    async with searched_app(server, api) as (app, pilot):
        card = app.query_one(WebCard)
        await drag(pilot, (card, (3, 0)), (card, (card.size.width - 1, 0)))
        await pilot.press("ctrl+c")
        assert app.clipboard == CARD
        sources = app.query_one(SourcesList)
        assert sources.get_selection(SELECT_ALL) == ("\n".join(SOURCES), "\n")


async def test_a_reply_rebuilt_from_its_turn_looks_the_same_as_the_one_that_streamed(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    async with searched_app(server, api) as (app, pilot):
        streamed = last_reply(app)
        rebuilt = widget_for_turn(app.chat.current.conversation.turns[-1])
        assert isinstance(rebuilt, AssistantMessage)
        await streamed.parent.mount(rebuilt)  # type: ignore[union-attr]
        await pilot.pause()
        assert picture(rebuilt) == picture(streamed)
        assert [s.text for s in rebuilt.views[0].lines] == [s.text for s in streamed.views[0].lines]


HOSTILE = "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07\x1b[2J\x07"


async def test_no_control_character_of_a_title_query_or_url_reaches_the_screen(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    call = {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search",
            "input": {"query": f"q{HOSTILE}"}}  # fmt: skip
    result = {
        "type": "web_search_tool_result",
        "tool_use_id": "srvtoolu_1",
        "content": [{"type": "web_search_result", "title": f"T{HOSTILE}",
                     "url": f"https://a.example/{HOSTILE}", "encrypted_content": "x",
                     "page_age": f"now{HOSTILE}"}],
    }  # fmt: skip
    cited = {"type": "text", "text": f"Said{HOSTILE}.", "citations": [
        {"type": "web_search_result_location", "url": f"https://a.example/{HOSTILE}",
         "title": f"T{HOSTILE}", "cited_text": "x", "encrypted_index": "y"}]}  # fmt: skip
    server.push(Scenario(content=[call, result, cited]))
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await send_and_finish(pilot, "hostile")
        card, sources = app.query_one(WebCard), app.query_one(SourcesList)
        card.collapsed = False
        await pilot.pause()
        strips: list[Strip] = [card.render_line(y) for y in range(card.size.height)]
        strips += [sources.render_line(y) for y in range(sources.size.height)]
        view = last_reply(app).views[0]
        strips += [view.render_line(y) for y in range(view.size.height)]
        drawn = "".join(strip.text for strip in strips)
        assert "Said" in drawn
        assert "T" in drawn and "a.example" in drawn
        assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in drawn)
        assert all(seg.style is None or not seg.style.link for s in strips for seg in s)
        await command(pilot, "/copy")
        assert "\x1b" not in app.clipboard and "\x07" not in app.clipboard
        assert "Sources\n[1] T" in app.clipboard


async def test_long_titles_and_sources_wrap_under_their_own_text(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    async with searched_app(server, api, size=(70, 40)) as (app, pilot):
        card, sources = app.query_one(WebCard), app.query_one(SourcesList)
        card.collapsed = False
        await pilot.pause()
        drawn = [card.render_line(y).text.rstrip() for y in range(card.size.height)]
        assert drawn[0].startswith("▼ 🔍 “otters” · 3 results ·") and len(drawn) > 4
        assert all(line.startswith("  ") for line in drawn[1:])
        listed = [sources.render_line(y).text.rstrip() for y in range(sources.size.height)]
        assert listed[0] == "Sources" and listed[1].startswith("[1] Otters")
        assert [line.startswith("    ") for line in listed[2:]].count(True) >= 2


async def test_a_reply_without_web_calls_stays_one_view_fed_by_appends(
    server: LocalAPIServer, api: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tuned path: no parts, no cards, the text appended frame by frame."""
    appended: list[str] = []
    append = AssistantMessage.append_text

    def spy(self: AssistantMessage, fragment: str) -> None:
        appended.append(fragment)
        append(self, fragment)

    monkeypatch.setattr(AssistantMessage, "append_text", spy)
    monkeypatch.setattr(AssistantMessage, "show_parts", None)  # never called: it would fail
    server.push(Scenario(text="Plain words, **no** search.", rate=40))
    app = make_app(api, web_search=True)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_finish(pilot, "hi")
        reply = last_reply(app)
        assert [type(child).__name__ for child in reply.children] == [
            "SelectableStatic",
            "MarkdownView",
        ]
        assert reply.web is None and reply.views == [reply.markdown]
        assert "".join(appended) == "Plain words, **no** search."
