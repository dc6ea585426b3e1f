"""Model capabilities in the running app: read from the Models API in the background, kept on
disk, never waited for, and shown by ``/model`` with where the answer came from."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import Any

from textual.widgets import OptionList, Static

from claude_tui.core.capabilities import CapabilitySource, ModelCapabilities, builtin_capabilities
from claude_tui.core.capability_cache import CACHE_TTL, CapabilityCache
from claude_tui.core.client import ApiSettings
from claude_tui.core.store import SessionStore
from claude_tui.localapi.server import MODEL_ROUTE, MODELS, LocalAPIServer, Scenario
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.capability_refresh import CapabilityRefresh
from claude_tui.ui.screens.command_dialogs import ModelPickerScreen

from .helpers import make_app, options, ready, replies_ended, send, send_and_finish, wait_until
from .test_command_screens import Host, shown, text

SIZE = (110, 34)
DEFAULT = "claude-sonnet-5-5"


def lookups(server: LocalAPIServer) -> list[str]:
    """The models asked about with ``GET /v1/models/{id}``, in order."""
    prefix = "/v1/models/"
    return [r["path"][len(prefix) :] for r in server.requests if r["path"].startswith(prefix)]


def source(app: ClaudeTUI, model: str = DEFAULT) -> CapabilitySource:
    return app.capability_refresh.book.known(model).source


def words(widget: Any) -> str:
    return " ".join(text(widget).split())


def notices(app: ClaudeTUI) -> list[str]:
    return [" ".join(str(n.message).split()) for n in app._notifications]


def recorded(app: ClaudeTUI) -> list[ModelCapabilities]:
    """What the chat screen's hook is told, from now on."""
    seen: list[ModelCapabilities] = []
    app.chat.capabilities_updated = seen.append  # type: ignore[method-assign]
    return seen


# -- start-up --------------------------------------------------------------------------------


async def test_start_up_asks_the_api_in_the_background_and_tells_the_screen(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    app = make_app(api)
    seen = recorded(app)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await wait_until(pilot, lambda: source(app) is CapabilitySource.API)
        caps = app.capabilities(DEFAULT)
        assert caps.thinking == "adaptive" and caps.max_input_tokens == 1_000_000
        await wait_until(pilot, lambda: bool(seen))
        assert seen == [caps]  # the hook, for the model in use
        assert lookups(server) == [DEFAULT]  # once, not once per use
        app.capabilities(DEFAULT)  # a fresh answer: no lookup is claimed (the claim is at once)
        assert list(app.capability_refresh.book.in_flight()) == []
        cache = CapabilityCache()
        await wait_until(pilot, lambda: bool(cache.read(api.display_url)))
    (kept,) = CapabilityCache().read(api.display_url).values()
    assert kept == replace(caps, source=CapabilitySource.CACHE)


async def test_the_gauge_measures_against_the_window_the_api_gives() -> None:
    """The built-in table says 1,000,000 tokens for the default model; this server says
    300,000, and once it has answered the metrics line's ``ctx`` is a share of that."""
    small = tuple(
        replace(spec, max_input_tokens=300_000) if spec.id == DEFAULT else spec for spec in MODELS
    )
    with LocalAPIServer(Scenario(), models=small) as server:
        api = ApiSettings(api_key="test-key", base_url=server.base_url, request_timeout=10.0)
        app = make_app(api)
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            assert builtin_capabilities(DEFAULT).max_input_tokens == 1_000_000
            await wait_until(pilot, lambda: app.chat.metrics_bar.window == 300_000)


async def test_a_restart_uses_the_disk_cache_and_does_not_ask_again(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    read_at = time.time() - 180
    first = make_app(api)
    first.capability_refresh._clock = lambda: read_at
    async with first.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: source(first) is CapabilitySource.API)
        await wait_until(pilot, lambda: DEFAULT in CapabilityCache().read(api.display_url))
    assert lookups(server) == [DEFAULT]

    again = make_app(api)
    seen = recorded(again)
    async with again.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await wait_until(pilot, lambda: again.capability_refresh.book.loaded)
        await pilot.pause()
        caps = again.capabilities(DEFAULT)
        assert caps.source is CapabilitySource.CACHE and caps.fetched_at == read_at
        assert seen == [caps]
        assert list(again.capability_refresh.book.in_flight()) == []
        assert lookups(server) == [DEFAULT]  # fresh: the API is not asked again


async def test_a_stale_cache_is_used_at_once_then_refreshed(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    old = replace(
        builtin_capabilities(DEFAULT),
        max_input_tokens=123_000,
        source=CapabilitySource.API,
        fetched_at=time.time() - CACHE_TTL - 60,
    )
    CapabilityCache().write(api.display_url, old)
    app = make_app(api)
    seen = recorded(app)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(seen) == 2)
        assert [(c.source, c.max_input_tokens) for c in seen] == [
            (CapabilitySource.CACHE, 123_000),
            (CapabilitySource.API, 1_000_000),
        ]
        cache = CapabilityCache()
        await wait_until(
            pilot, lambda: cache.read(api.display_url)[DEFAULT].max_input_tokens == 1_000_000
        )


async def test_a_stalled_lookup_never_delays_a_send(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(headers_delay=30), route=MODEL_ROUTE)
    server.push(Scenario(text="At once."))
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await wait_until(pilot, lambda: DEFAULT in app.capability_refresh.book.in_flight())
        await send_and_finish(pilot, "hello")
        # the reply came and went while the lookup still waits: sent with the table's answer
        assert DEFAULT in app.capability_refresh.book.in_flight()
        assert source(app) is CapabilitySource.BUILTIN
        assert len(server.message_requests) == 1
        assert app.chat.current.conversation.turns[-1].text == "At once."
        server.stop()  # the stalled lookup fails now, instead of after its timeout
        await wait_until(pilot, lambda: not list(app.capability_refresh.book.in_flight()))
        note = app.capabilities(DEFAULT).note
        assert note is not None and note.startswith("cannot reach the API")


async def test_quitting_does_not_wait_for_a_stalled_lookup(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(headers_delay=30), route=MODEL_ROUTE)
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await wait_until(pilot, lambda: DEFAULT in app.capability_refresh.book.in_flight())
        await pilot.press("ctrl+q")
    # the app is gone, and its lookup still waits for the server: quitting did not wait for it
    (lookup,) = [t for t in threading.enumerate() if t.name == f"capabilities {DEFAULT}"]
    assert lookup.daemon and lookup.is_alive()
    server.stop()
    lookup.join(timeout=5)
    assert not lookup.is_alive()


async def test_without_a_key_the_table_says_why_and_nothing_is_asked(
    server: LocalAPIServer,
) -> None:
    app = ClaudeTUI(options(ApiSettings(base_url=server.base_url)))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.capabilities(DEFAULT).note is not None)
        assert source(app) is CapabilitySource.BUILTIN
        assert "no API key" in (app.capabilities(DEFAULT).note or "")
    assert server.requests == []


# -- another model ---------------------------------------------------------------------------


async def test_model_switch_looks_the_new_model_up_and_the_notice_says_so(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    model = "claude-haiku-4-5-20251001"
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await wait_until(pilot, lambda: source(app) is CapabilitySource.API)
        await send(pilot, f"/model {model}")
        await wait_until(pilot, lambda: any(model in n for n in notices(app)))
        (notice,) = [n for n in notices(app) if model in n]
        assert notice == (
            f"Model for this session: {model} thinking enabled, with a budget · no effort · "
            "window 200k · web search · web fetch (built-in table, until the API answers)"
        )
        await wait_until(pilot, lambda: source(app, model) is CapabilitySource.API)
        assert lookups(server) == [DEFAULT, model]
        app.clear_notifications()
        await send(pilot, f"/model {DEFAULT}")
        await wait_until(pilot, lambda: bool(notices(app)))
        assert notices(app)[0].endswith("window 1M · web search · web fetch (Models API)")
        assert lookups(server) == [DEFAULT, model]  # both known: nothing asked again


async def test_a_model_the_api_does_not_know_says_so(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await send(pilot, "/model claude-opus-9-9")
        await wait_until(pilot, lambda: app.capabilities("claude-opus-9-9").note is not None)
        assert app.capabilities("claude-opus-9-9").note == (
            "404: the Models API does not list claude-opus-9-9"
        )


async def test_opening_a_session_with_another_model_looks_it_up(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    with SessionStore.open() as store:
        session = store.create_session(model="claude-3-haiku-20240307")
        store.add_message(session.id, "user", "hi")
        store.add_message(session.id, "assistant", "Hello.", status="complete")
    app = ClaudeTUI(replace(options(api), open_session_id=session.id))
    seen = recorded(app)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.chat.current.session_id == session.id)
        await wait_until(
            pilot, lambda: source(app, "claude-3-haiku-20240307") is CapabilitySource.API
        )
        assert "claude-3-haiku-20240307" in lookups(server)
        await wait_until(pilot, lambda: any(c.model == "claude-3-haiku-20240307" for c in seen))
        caps = app.capabilities("claude-3-haiku-20240307")
        assert caps.thinking is None and caps.max_tokens == 4_096
        await send_and_finish(pilot, "again")
        await wait_until(pilot, replies_ended(app, 2))
        body = server.message_requests[-1]["body"]
        assert body["model"] == "claude-3-haiku-20240307"
        assert body["max_tokens"] <= 4_096  # shaped by the API's answer


# -- the picker ------------------------------------------------------------------------------


async def test_the_picker_shows_the_current_and_the_highlighted_model(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await wait_until(pilot, lambda: source(app) is CapabilitySource.API)
        await send(pilot, "/model")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPickerScreen))
        picker = app.screen
        summary = picker.query_one("#model-caps", Static)
        await wait_until(pilot, lambda: picker.query_one(OptionList).has_class("ready"))
        assert words(summary) == (
            "claude-sonnet-5-5 current thinking: adaptive · effort: low, medium, high, max · "
            "window 1M · max output 64k · input: text, images and PDFs · server-side "
            "compaction · web search · web fetch from the Models API (read just now)"
        )
        await pilot.press("down")  # the next in the API's list: claude-haiku-5-5
        assert MODELS[2].id == "claude-haiku-5-5"
        await wait_until(pilot, lambda: "claude-haiku-5-5" in words(summary))
        # first the table's guess, then the API's answer (a 200k window, not the table's 1M)
        await wait_until(pilot, lambda: "from the Models API" in words(summary))
        assert "window 200k" in words(summary) and "current" not in words(summary)
        assert "effort: low, medium, high ·" in words(summary)


def table(model: str, note: str | None = None) -> ModelCapabilities:
    return builtin_capabilities(model, note=note)


class TestPickerAlone:
    """The picker on a bare app, given its answers as the app would give them."""

    async def test_the_table_and_its_reason(self) -> None:
        known = {"claude-3-haiku-20240307": table("claude-3-haiku-20240307", "offline [red]")}
        app = Host()
        async with app.run_test(size=SIZE) as pilot:
            screen = ModelPickerScreen("claude-3-haiku-20240307", known.__getitem__)
            await shown(pilot, screen)
            assert words(screen.query_one("#model-caps")) == (
                "claude-3-haiku-20240307 current thinking: none · effort: none · window 200k · "
                "max output 4,096 · input: text, images · no server-side compaction · "
                "no web tools "
                "from the app's built-in table (offline [red])"
            )

    async def test_follows_a_newer_answer(self) -> None:
        model = "claude-sonnet-5-5"
        known = {model: table(model)}
        app = Host()
        async with app.run_test(size=SIZE) as pilot:
            screen = ModelPickerScreen(model, known.__getitem__, clock=lambda: 1_000.0 + 600)
            await shown(pilot, screen)
            summary = screen.query_one("#model-caps")
            assert "(the Models API has not answered yet)" in words(summary)
            known[model] = replace(known[model], source=CapabilitySource.CACHE, fetched_at=1_000.0)
            screen.post_message(CapabilityRefresh.Updated(known[model]))
            await wait_until(pilot, lambda: "10 min ago, kept on disk" in words(summary))
            assert words(summary).endswith("from the Models API (read 10 min ago, kept on disk)")

    async def test_without_capabilities_no_summary(self) -> None:
        app = Host()
        async with app.run_test(size=SIZE) as pilot:
            screen = ModelPickerScreen("claude-sonnet-5-5")
            await shown(pilot, screen)
            assert not screen.query_one("#model-caps").display
