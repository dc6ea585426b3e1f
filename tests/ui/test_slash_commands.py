"""Slash commands typed in the input (issue 7): one test per command, through the real app, the
real SDK and the local server. The palette runs the same code (``ChatScreen.run_slash``)."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList

from claude_tui.core.client import ApiSettings
from claude_tui.core.store import SessionStore, StoreError
from claude_tui.localapi.server import LocalAPIServer, Scenario
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.screens.command_screens import (
    ContextScreen,
    HelpScreen,
    ModelPickerScreen,
    StatsScreen,
    SystemPromptScreen,
)
from claude_tui.ui.widgets.message import AssistantMessage, UserMessage
from claude_tui.ui.widgets.prompt import PromptInput

from .helpers import (
    command,
    last_body,
    make_app,
    notices,
    options,
    ready,
    replies_ended,
    send,
    send_and_finish,
    wait_until,
)

SIZE = (110, 34)


def screen_text(app: ClaudeTUI) -> str:
    """Every piece of text the active screen shows, to look for words in."""
    parts = []
    for widget in app.screen.query("*"):
        rendered = getattr(widget, "renderable", None) or getattr(widget, "content", None)
        if rendered is not None:
            parts.append(str(rendered))
        for name in ("text", "value"):
            value = getattr(widget, name, None)
            if isinstance(value, str):
                parts.append(value)
    return "\n".join(parts)


def prompt_text(app: ClaudeTUI) -> str:
    return app.query_one(PromptInput).text


async def test_help_lists_keys_and_commands(api: ApiSettings) -> None:
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await command(pilot, "/help")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        shown = screen_text(app)
        for word in ("/model", "/thinking", "/export", "/copy", "Ctrl+N", "Esc"):
            assert word in shown
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, HelpScreen))
        assert prompt_text(app) == ""  # the command left the input


async def test_unknown_command_is_never_sent_and_keeps_the_text(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await command(pilot, "/hepl me")
        await pilot.pause(0.2)
        assert server.message_requests == []
        assert prompt_text(app) == "/hepl me"
        assert any("Did you mean /help" in str(n.message) for n in app._notifications)


async def test_double_slash_sends_a_literal_slash(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(text="It is a path."))
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_finish(pilot, "//etc/hosts is what?")
        (request,) = server.message_requests
        assert request["body"]["messages"][-1]["content"][0]["text"] == "/etc/hosts is what?"
        assert app.query(UserMessage).last().text == "/etc/hosts is what?"


async def test_new_starts_a_new_session(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(text="First."))
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_finish(pilot, "hello")
        await wait_until(pilot, lambda: app.chat.current.session_id is not None)
        await command(pilot, "/new")
        await wait_until(pilot, lambda: app.chat.current.session_id is None)
        assert not app.query(AssistantMessage)


async def test_quit_exits(api: ApiSettings) -> None:
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await send(pilot, "/quit")
        await wait_until(pilot, lambda: app._exit)
    assert app.return_code == 0


async def test_stats_shows_this_session_and_all_sessions(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(text="One two three four."), Scenario(text="Five six."))
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_finish(pilot, "first")
        await send(pilot, "second")
        await wait_until(pilot, replies_ended(app, 2))
        await command(pilot, "/stats")
        await wait_until(pilot, lambda: isinstance(app.screen, StatsScreen))
        await wait_until(pilot, lambda: not app.screen.query("#totals-loading"))
        assert app.screen.query("#all-sessions Grid") and app.screen.query("#this-session Grid")
        shown = screen_text(app)
        assert "This session" in shown and "All sessions" in shown
        assert "est. $" in shown and "Your messages" in shown


async def test_context_shows_the_next_request_and_its_token_count(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(text="Noted."))
    app = make_app(api, system_prompt="Be brief.")
    async with app.run_test(size=SIZE) as pilot:
        await send_and_finish(pilot, "remember the number 42")
        await command(pilot, "/context")
        await wait_until(pilot, lambda: isinstance(app.screen, ContextScreen))
        count = app.screen.query_one("#token-count")
        await wait_until(pilot, lambda: count.has_class("counted"))
        shown = screen_text(app)
        assert "Be brief." in shown and "remember the number 42" in shown and "Noted." in shown
        assert any(ch.isdigit() for ch in str(count.render()))
        assert "benchmark" not in shown and (api.api_key or "") not in shown


@pytest.mark.parametrize(
    ("first", "then"),
    [
        # a reply that thought, counted for a model that does not think
        ({"thinking": True}, "/model claude-3-haiku-20240307"),
        # a reply that did not think, counted with thinking on
        ({}, "/thinking on"),
    ],
)
async def test_context_counts_a_history_that_ends_with_a_reply(
    server: LocalAPIServer, api: ApiSettings, first: dict[str, Any], then: str
) -> None:
    """The count is of the history before the next prompt, which ends with a reply: the API
    holds such a final message to a continuation's thinking rules, which the next request will
    not be held to, so the count must not fail on them."""
    server.push(Scenario(text="Noted.", thinking="Hm." if first else None))
    app = make_app(api, **first)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_finish(pilot, "remember the number 42")
        await command(pilot, then)
        await command(pilot, "/context")
        await wait_until(pilot, lambda: isinstance(app.screen, ContextScreen))
        count = app.screen.query_one("#token-count")
        await wait_until(pilot, lambda: count.has_class("counted") or count.has_class("failed"))
        assert count.has_class("counted"), str(count.render())


async def test_model_with_an_id_is_used_kept_and_shown(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(text="Hi."), Scenario(text="Again."))
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_finish(pilot, "hello")
        await command(pilot, "/model claude-opus-4-1")
        assert "claude-opus-4-1" in app.sub_title  # the title names it (the metrics, when wide)
        await send(pilot, "again")
        await wait_until(pilot, replies_ended(app, 2))
        assert last_body(server)["model"] == "claude-opus-4-1"
        session_id = app.chat.current.session_id
    with SessionStore.open() as store:
        info = store.get_session(session_id)  # type: ignore[arg-type]
        assert info is not None and info.model == "claude-opus-4-1"


async def test_model_without_an_id_picks_from_the_api_list(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await command(pilot, "/model")
        await wait_until(pilot, lambda: isinstance(app.screen, ModelPickerScreen))
        options = app.screen.query_one(OptionList)
        await wait_until(pilot, lambda: options.has_class("ready"))
        assert options.option_count > 1  # the models the local server lists
        options.focus()
        options.highlighted = options.option_count - 1
        chosen = options.get_option_at_index(options.option_count - 1).id
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.chat.current.model == chosen)
        assert chosen and not isinstance(app.screen, ModelPickerScreen)


async def test_system_sets_the_prompt_sent(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(text="Arr."))
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await command(pilot, "/system You are a pirate.")
        await send_and_finish(pilot, "hello")
        assert last_body(server)["system"] == "You are a pirate."
        await command(pilot, "/system")
        await wait_until(pilot, lambda: isinstance(app.screen, SystemPromptScreen))
        app.screen.dismiss("")
        await wait_until(pilot, lambda: app.chat.current.system == "")


async def test_thinking_on_streams_a_block_that_folds_when_the_reply_starts(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(text="The answer is 4.", thinking="Two plus two is four."))
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await command(pilot, "/thinking on 2048")
        assert app.settings.thinking and app.settings.thinking_budget == 2048
        await send_and_finish(pilot, "2+2?")
        request = last_body(server)
        # the default model takes only adaptive thinking: the budget is for older models
        assert request["thinking"] == {"type": "adaptive"}
        reply = app.query(AssistantMessage).last()
        assert reply.has_thinking and reply.thinking_text == "Two plus two is four."
        block = reply.query_one("Collapsible")
        assert block.collapsed and "tokens" in str(block.title)
        await pilot.press("ctrl+o")
        assert not block.collapsed
        await command(pilot, "/thinking off")
        assert not app.settings.thinking


async def test_thinking_with_a_bad_budget_says_why(api: ApiSettings) -> None:
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await command(pilot, "/thinking on 12")
        assert not app.settings.thinking
        assert prompt_text(app) == "/thinking on 12"


async def test_export_writes_the_session(
    server: LocalAPIServer, api: ApiSettings, tmp_path: Path
) -> None:
    server.push(Scenario(text="Exported **answer**."))
    app = make_app(api)
    target = tmp_path / "out.md"
    async with app.run_test(size=SIZE) as pilot:
        await send_and_finish(pilot, "export me")
        await wait_until(pilot, lambda: app.chat.current.session_id is not None)
        await command(pilot, f"/export md {target}")
        await wait_until(pilot, target.exists)
        await command(pilot, f"/export json {tmp_path / 'out.json'}")
        await wait_until(pilot, (tmp_path / "out.json").exists)
    text = target.read_text()
    assert "export me" in text and "Exported **answer**." in text
    assert (target.stat().st_mode & 0o777) == 0o600


async def test_retry_sends_the_last_prompt_again(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(text="First answer."), Scenario(text="Second answer."))
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_finish(pilot, "question")
        await command(pilot, "/retry")
        await wait_until(pilot, replies_ended(app, 2))
        assert last_body(server)["messages"][-1]["content"][0]["text"] == "question"
        assert app.query(AssistantMessage).last().text == "Second answer."


async def test_edit_sends_a_new_version_and_keeps_the_old_one(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(
        Scenario(text="Paris."), Scenario(text="Berlin."), Scenario(text="Madrid, of course.")
    )
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_finish(pilot, "Capital of France?")
        await send(pilot, "Capital of Germny?")
        await wait_until(pilot, replies_ended(app, 2))
        await command(pilot, "/edit")
        assert prompt_text(app) == "Capital of Germny?"
        prompt = app.query_one(PromptInput)
        prompt.load_text("Capital of Spain?")
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: app.query(AssistantMessage).last().text.startswith("Madrid")
        )
        await wait_until(pilot, lambda: app.chat.current.reply is None)
        turns = [t.text for t in app.chat.current.conversation.turns]
        assert turns == ["Capital of France?", "Paris.", "Capital of Spain?", "Madrid, of course."]
        sent = last_body(server)["messages"]
        assert [m["content"][0]["text"] for m in sent] == [
            "Capital of France?",
            "Paris.",
            "Capital of Spain?",
        ]
        session_id = app.chat.current.session_id
    with SessionStore.open() as store:
        path = [m.content for m in store.messages(session_id)]  # type: ignore[arg-type]
        every = [m.content for m in store.all_messages(session_id)]  # type: ignore[arg-type]
    assert path == turns
    assert "Capital of Germny?" in every and "Berlin." in every  # kept as a branch


async def test_escape_cancels_an_edit(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(text="Yes."))
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await send_and_finish(pilot, "Is this kept?")
        await command(pilot, "/edit")
        assert prompt_text(app) == "Is this kept?"
        await pilot.press("escape")
        assert app.chat.current.editing is None and prompt_text(app) == ""


@pytest.mark.parametrize(
    ("line", "expected"),
    [("/copy", "Look:\n\n```python\nprint('hi')\n```\n\nDone."), ("/copy code", "print('hi')")],
)
async def test_copy_puts_the_reply_or_its_code_on_the_clipboard(
    server: LocalAPIServer, api: ApiSettings, line: str, expected: str
) -> None:
    server.push(Scenario(text="Look:\n\n```python\nprint('hi')\n```\n\nDone."))
    app = make_app(api)
    copied: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        await send_and_finish(pilot, "show me")
        await command(pilot, line)
    assert copied == [expected]


async def test_theme_and_rate_change_and_persist(api: ApiSettings, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('model = "claude-sonnet-5-5"\n')
    app = ClaudeTUI(replace(options(api), config_path=config))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await command(pilot, "/theme fjord")
        assert app.theme == "fjord"
        await command(pilot, "/rate 12")
        assert app.settings.refresh_rate == 12
        await command(pilot, "/rate 500")
        assert app.settings.refresh_rate == 12 and prompt_text(app) == "/rate 500"
        await wait_until(pilot, lambda: "refresh_rate" in config.read_text())
        await pilot.pause(0.2)
    saved = tomllib.loads(config.read_text())
    assert saved["theme"] == "fjord" and saved["refresh_rate"] == 12
    assert saved["model"] == "claude-sonnet-5-5"


async def test_the_command_palette_runs_the_same_commands(api: ApiSettings) -> None:
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: app.screen.__class__.__name__ == "CommandPalette")
        await pilot.press(*"/stats")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, StatsScreen))


def test_every_command_in_the_table_has_exactly_one_handler() -> None:
    """The handlers register against the table; a second handler for a command, or one for a
    name the table lacks, is refused as it registers."""
    from claude_tui.core.slash_table import BY_NAME
    from claude_tui.ui.chat.commands import HANDLERS, handles

    assert sorted(HANDLERS) == sorted(BY_NAME)

    async def another(chat: object, command: object) -> None:
        pass

    with pytest.raises(ValueError, match="two handlers"):
        handles("model")(another)
    with pytest.raises(ValueError, match="not in the table"):
        handles("nonesuch")
    assert HANDLERS["model"] is not another


def test_the_palette_is_made_from_the_table() -> None:
    """Every command but ``/rate`` (which the app's refresh-rate entries offer), ``/attach``
    (which needs paths the palette cannot ask for) and ``/web`` (whose toggles follow the
    session: ``tests/ui/test_web_session.py``) is in the palette, with each of the entries the
    table gives it, and nothing else is."""
    from claude_tui.core.slash_table import COMMANDS
    from claude_tui.ui.chat.palette import slash_commands

    ran: list[str] = []
    entries = list(slash_commands(ran.append))
    assert [(e.title, e.help) for e in entries] == [
        entry for spec in COMMANDS for entry in spec.palette
    ]
    assert {e.title.split()[0] for e in entries} == {
        f"/{spec.name}" for spec in COMMANDS if spec.name not in ("rate", "attach", "web")
    }
    entries[0].callback()
    assert ran == [entries[0].title]


STORE_ERROR = "sessions.db: disk I/O error"


@pytest.mark.parametrize(
    ("line", "failing", "said"),
    [
        ("/stats", "usage_totals", STORE_ERROR),
        ("/export md {target}", "export_session", f"Cannot write {{target}}: {STORE_ERROR}"),
        ("/export md {missing}", None, "Cannot write {missing}: No such file or directory"),
        ("/model claude-opus-4-1", "set_session_field", f"Not saved: {STORE_ERROR}"),
        ("/system Be brief.", "set_session_field", f"Not saved: {STORE_ERROR}"),
    ],
)
async def test_a_failure_behind_a_command_says_what_failed(
    server: LocalAPIServer,
    api: ApiSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    line: str,
    failing: str | None,
    said: str,
) -> None:
    """The store work of ``/stats``, ``/export``, ``/model`` and ``/system`` runs like the
    sidebar's (``SessionsPanel._in_store``), but a failure in it is told as what it is: sessions
    are still being saved when a statistics read or an export fails."""
    server.push(Scenario(text="Hi."))
    app = make_app(api)
    paths = {"target": tmp_path / "out.md", "missing": tmp_path / "no-such-dir" / "out.md"}

    def fail(*args: object) -> None:
        raise StoreError(STORE_ERROR)

    async with app.run_test(size=SIZE) as pilot:
        await send_and_finish(pilot, "hello")
        await wait_until(pilot, lambda: app.chat.current.session_id is not None)
        if failing is not None:
            monkeypatch.setattr(SessionStore, failing, fail)
        await command(pilot, line.format(**paths))
        expected = said.format(**paths)
        await wait_until(pilot, lambda: expected in notices(app))
        await pilot.pause()
        assert not any("not being saved" in notice for notice in notices(app))
    assert not any(path.exists() for path in paths.values())
