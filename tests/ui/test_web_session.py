"""/web sets web search and web fetch for the session (issue 18, "Turning it on"): a new session
starts from the config, the choice is kept with the session and comes back when it is reopened
(in the same run or after a restart), it can change while a reply streams, the palette toggles
it, a model without the tool is said once to go without it (at /web, at /model, or when a
prompt is sent), and /compact's request never carries the tools."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from claude_tui.core.capabilities import ModelCapabilities
from claude_tui.core.client import ApiSettings
from claude_tui.core.compaction import SUMMARY_PROMPT
from claude_tui.core.store import SessionStore
from claude_tui.localapi.server import LocalAPIServer, Scenario
from claude_tui.ui.app import ClaudeTUI

from .helpers import (
    command,
    last_body,
    make_app,
    notices,
    ready,
    replies_ended,
    send,
    send_and_finish,
    wait_until,
)
from .test_compaction import BIG

SIZE = (130, 34)
SONNET = "claude-sonnet-5-5"
HAIKU_3 = "claude-3-haiku-20240307"
NO_SEARCH = "has no web search: replies are sent without it"


def tool_names(body: dict[str, Any]) -> list[str]:
    return [tool["name"] for tool in body.get("tools", [])]


def stored_web(session_id: str) -> tuple[bool | None, bool | None]:
    with SessionStore.open() as store:
        info = store.get_session(session_id)
    assert info is not None
    return info.web_search, info.web_fetch


async def open_saved(pilot: Any, app: ClaudeTUI, session_id: str) -> None:
    app.chat.open_session(session_id)
    await wait_until(pilot, lambda: app.chat.current.session_id == session_id)
    await pilot.pause()


async def test_web_is_the_sessions_own_and_comes_back_with_it(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await command(pilot, "/web on")  # before the session is saved: its first message saves it
        assert notices(app)[-1] == "Web search on for this session"
        await send_and_finish(pilot, "first")
        assert tool_names(last_body(server)) == ["web_search"]
        first = app.chat.current.session_id
        assert first is not None
        await wait_until(pilot, lambda: stored_web(first) == (True, None))
        await command(pilot, "/web fetch on")  # a saved session: kept at once
        await wait_until(pilot, lambda: stored_web(first) == (True, True))

        await pilot.press("ctrl+n")  # a new session starts from the config
        await wait_until(pilot, lambda: app.chat.current.session_id is None)
        await command(pilot, "/web")
        assert notices(app)[-1] == "Web search off (config) · Web fetch off (config)"
        await send_and_finish(pilot, "second")
        assert "tools" not in last_body(server)
        second = app.chat.current.session_id
        assert second is not None and stored_web(second) == (None, None)

        await open_saved(pilot, app, first)
        await command(pilot, "/web")
        assert notices(app)[-1] == "Web search on (this session) · Web fetch on (this session)"
        await send_and_finish(pilot, "third")
        assert tool_names(last_body(server)) == ["web_search", "web_fetch"]
        assert not app.settings.web_search and not app.settings.web_fetch  # config untouched

    app = make_app(api)  # the app restarted: each session is read back from the store
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await open_saved(pilot, app, first)
        state = app.chat.current
        assert (state.web_search, state.web_fetch) == (True, True)
        await send_and_finish(pilot, "fourth")
        assert tool_names(last_body(server)) == ["web_search", "web_fetch"]
        await open_saved(pilot, app, second)
        assert (app.chat.current.web_search, app.chat.current.web_fetch) == (None, None)
        await send_and_finish(pilot, "fifth")
        assert "tools" not in last_body(server)


async def test_the_config_is_the_default_a_session_can_say_otherwise(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    app = make_app(api, web_search=True)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await send_and_finish(pilot, "from config")
        assert tool_names(last_body(server)) == ["web_search"]
        await command(pilot, "/web off")
        assert notices(app)[-1] == "Web search off for this session"
        await command(pilot, "/web")
        assert notices(app)[-1] == "Web search off (this session) · Web fetch off (config)"
        await send_and_finish(pilot, "not now")
        assert "tools" not in last_body(server)
        assert app.settings.web_search  # the config's stays on
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: app.chat.current.session_id is None)
        await send_and_finish(pilot, "a new one")
        assert tool_names(last_body(server)) == ["web_search"]


async def test_web_can_be_set_while_a_reply_streams_for_the_next_request(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(text="alpha beta gamma", stall_after=1))
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await send(pilot, "slow one")
        await wait_until(pilot, lambda: app.chat.current.busy and bool(server.message_requests))
        await command(pilot, "/web on")
        assert notices(app)[-1] == "Web search on for this session"
        assert app.chat.current.busy  # taken while it streams
        assert "tools" not in last_body(server)  # the request in flight is as it was sent
        await pilot.press("escape")
        await wait_until(pilot, replies_ended(app, 1))
        await send_and_finish(pilot, "next one")
        assert tool_names(last_body(server)) == ["web_search"]
        session_id = app.chat.current.session_id
        assert session_id is not None
        await wait_until(pilot, lambda: stored_web(session_id) == (True, None))


async def test_the_palette_toggles_web_for_the_session_and_says_the_price(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    app = make_app(api, web_search_price=25.0)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        entries = {entry.title: entry.help for entry in app.get_system_commands(app.screen)}
        assert entries["Web search on"] == (
            "Turn web search on for this session: $25 per 1,000 searches (now off, from config)"
        )
        assert entries["Web fetch on"].startswith("Turn web fetch on for this session")
        assert "Web search off" not in entries and "Web fetch off" not in entries

        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: app.screen.__class__.__name__ == "CommandPalette")
        await pilot.press(*"Web search on")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.chat.current.web_search is True)
        assert notices(app)[-1] == "Web search on for this session"
        assert not app.settings.web_search

        entries = {entry.title: entry.help for entry in app.get_system_commands(app.screen)}
        assert entries["Web search off"] == (
            "Turn web search off for this session (now on, from this session)"
        )
        assert "Web search on" not in entries
        await send_and_finish(pilot, "search then")
        assert tool_names(last_body(server)) == ["web_search"]


async def test_a_model_switch_says_once_that_it_has_no_web_search(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    app = make_app(api, model=SONNET)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await command(pilot, "/web on")
        assert notices(app)[-1] == "Web search on for this session"
        await command(pilot, f"/model {HAIKU_3}")
        said = f"{HAIKU_3} {NO_SEARCH}"
        await wait_until(pilot, lambda: any(said in n for n in notices(app)))
        await send_and_finish(pilot, "one")
        await send_and_finish(pilot, "two")
        assert "tools" not in last_body(server)
        assert sum(said in n for n in notices(app)) == 1  # not again at each prompt
        await command(pilot, f"/model {SONNET}")
        await send_and_finish(pilot, "three")
        assert tool_names(last_body(server)) == ["web_search"]  # the choice was kept


async def test_web_on_a_model_without_it_is_said_at_web_and_not_again_when_sending(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    app = make_app(api, model=HAIKU_3)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await command(pilot, "/web on")
        said = f"{HAIKU_3} {NO_SEARCH}"
        assert notices(app)[-1] == f"Web search on for this session, but {said}"
        await send_and_finish(pilot, "one")
        await send_and_finish(pilot, "two")
        assert "tools" not in last_body(server)
        assert sum(said in n for n in notices(app)) == 1


async def test_a_model_found_without_web_search_after_web_on_is_told_when_sending(
    server: LocalAPIServer, api: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What is known of the model changed between /web and Enter, with no word from the lookup
    (``capabilities_updated``): sending says it, once."""
    app = make_app(api, model=SONNET)
    known = app.capabilities
    web = {"has": True}

    def capabilities(model: str) -> ModelCapabilities:
        caps = known(model)
        return caps if web["has"] else replace(caps, web_search=False, web_fetch=False)

    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        monkeypatch.setattr(app, "capabilities", capabilities)
        await command(pilot, "/web on")
        assert notices(app)[-1] == "Web search on for this session"
        web["has"] = False
        await send_and_finish(pilot, "one")
        assert "tools" not in last_body(server)
        said = f"{SONNET} {NO_SEARCH}"
        await wait_until(pilot, lambda: any(said in n for n in notices(app)))
        await send_and_finish(pilot, "two")
        assert sum(said in n for n in notices(app)) == 1


async def test_compact_asks_for_its_summary_without_the_web_tools(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    app = make_app(api, model=SONNET)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await command(pilot, "/web on")
        await command(pilot, "/web fetch on")
        await send_and_finish(pilot, "Tell me about cats")
        assert tool_names(last_body(server)) == ["web_search", "web_fetch"]
        before = len(server.message_requests)
        await send(pilot, "/compact")
        await wait_until(pilot, lambda: any("Summarised by the model" in n for n in notices(app)))
        asked = server.message_requests[before]["body"]
        assert asked["messages"][-1]["content"][0]["text"] == SUMMARY_PROMPT
        assert "tools" not in asked  # a summary must not search
        await send_and_finish(pilot, "and dogs?")
        assert tool_names(last_body(server)) == ["web_search", "web_fetch"]


async def test_compact_on_the_server_sends_no_web_tools(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    app = make_app(api, model=SONNET)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await command(pilot, "/web on")
        await send_and_finish(pilot, BIG)
        assert tool_names(last_body(server)) == ["web_search"]
        before = len(server.message_requests)
        await send(pilot, "/compact")
        await wait_until(pilot, lambda: any("Compacted on the server" in n for n in notices(app)))
        asked = server.message_requests[before]
        assert asked["headers"]["anthropic-beta"] == "compact-2026-01-12"
        assert "tools" not in asked["body"]
