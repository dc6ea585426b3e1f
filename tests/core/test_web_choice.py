"""What the app says of a session's web search and web fetch (``core.web_choice``): where the
setting comes from, what a model without the tool goes without (said on a model change too,
through ``fit_notes``), the palette's toggles with the search price, and that a compaction or
a summary is asked for without tools."""

from __future__ import annotations

from claude_tui.core.capabilities import builtin_capabilities
from claude_tui.core.capability_summary import features, short_summary, web_words
from claude_tui.core.compaction import with_compaction, without_tools
from claude_tui.core.config import Settings
from claude_tui.core.model_fit import fit_notes
from claude_tui.core.request import stream_request
from claude_tui.core.web_choice import (
    FETCH,
    SEARCH,
    missing_tool,
    palette_entry,
    price_words,
    set_notice,
    web_status,
)

SONNET = "claude-sonnet-5-5"
HAIKU_3 = "claude-3-haiku-20240307"


def test_the_status_says_where_each_setting_comes_from() -> None:
    settings = Settings(model=SONNET, web_search=True, web_fetch=False)
    caps = builtin_capabilities(SONNET)
    assert web_status(settings, caps, {"web_search": True, "web_fetch": None}) == (
        "Web search on (this session) · Web fetch off (config)"
    )
    old = Settings(model=HAIKU_3, web_search=True)
    assert web_status(old, builtin_capabilities(HAIKU_3), {}) == (
        f"Web search on (config; {HAIKU_3} has none) · Web fetch off (config)"
    )


def test_a_model_without_the_tool_is_said_to_go_without_it() -> None:
    caps = builtin_capabilities(HAIKU_3)
    on = Settings(model=HAIKU_3, web_search=True, web_fetch=True)
    gap = f"{HAIKU_3} has no web search: replies are sent without it"
    assert missing_tool(on, caps, SEARCH) == gap
    assert set_notice(SEARCH, True, gap) == f"Web search on for this session, but {gap}"
    assert set_notice(FETCH, False, None) == "Web fetch off for this session"
    assert fit_notes(on, caps) == [
        gap,
        f"{HAIKU_3} has no web fetch: replies are sent without it",
    ]
    assert fit_notes(Settings(model=HAIKU_3), caps) == []  # off: nothing to say
    sonnet = Settings(model=SONNET, web_search=True, web_fetch=True)
    assert fit_notes(sonnet, builtin_capabilities(SONNET)) == []


def test_the_palette_toggle_is_named_by_what_it_does_and_says_the_price() -> None:
    assert price_words(10.0) == "$10 per 1,000 searches"
    assert price_words(12.5) == "$12.50 per 1,000 searches"
    assert palette_entry(SEARCH, False, None, 10.0) == (
        "Web search on",
        "Turn web search on for this session: $10 per 1,000 searches (now off, from config)",
    )
    assert palette_entry(SEARCH, True, True, 10.0) == (
        "Web search off",
        "Turn web search off for this session (now on, from this session)",
    )
    assert palette_entry(FETCH, False, False, 10.0)[0] == "Web fetch on"
    assert (SEARCH.line(True), SEARCH.line(False)) == ("/web on", "/web off")
    assert (FETCH.line(True), FETCH.line(False)) == ("/web fetch on", "/web fetch off")


def test_the_model_summaries_say_which_web_tools_it_has() -> None:
    sonnet, haiku = builtin_capabilities(SONNET), builtin_capabilities(HAIKU_3)
    assert web_words(sonnet) == "web search · web fetch"
    assert web_words(haiku) == "no web tools"
    assert features(sonnet)[-1] == "web search · web fetch"
    assert "· web search · web fetch (" in short_summary(sonnet, 0.0)


def test_a_compaction_or_a_summary_sends_no_tools() -> None:
    settings = Settings(model=SONNET, web_search=True, web_fetch=True)
    request = stream_request(settings, [{"role": "user", "content": "hi"}])
    assert [tool["name"] for tool in request.tools] == ["web_search", "web_fetch"]
    assert without_tools(request).tools == ()
    compacting = with_compaction(request, "keep the numbers")
    assert compacting.tools == () and compacting.context_management is not None
    assert without_tools(request).messages == request.messages
