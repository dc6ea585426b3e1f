"""/thinking and /effort in the app answer for the session's model (issue 16): adaptive thinking
where the model takes it, a budget where that is all, a refusal on a model without thinking;
only the effort levels the model lists; a notice of what a new model goes without; and never a
request the local server refuses as the real API would."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

from textual.pilot import Pilot

from claude_tui.core.client import ApiSettings
from claude_tui.localapi.server import LocalAPIServer, Scenario
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.screens.command_screens import ContextScreen
from claude_tui.ui.widgets.completion import CommandCompletions
from claude_tui.ui.widgets.prompt import PromptInput

from .helpers import (
    command,
    last_body,
    make_app,
    notices,
    options,
    ready,
    send_and_finish,
    wait_until,
)

SIZE = (110, 34)
SONNET = "claude-sonnet-5-5"
HAIKU_45 = "claude-haiku-4-5-20251001"
HAIKU_3 = "claude-3-haiku-20240307"


def last_notice(app: ClaudeTUI) -> str:
    return notices(app)[-1]


def prompt_text(app: ClaudeTUI) -> str:
    return app.query_one(PromptInput).text


async def offered(pilot: Pilot[None], text: str) -> list[str]:
    """What completion offers for ``text`` typed in the input (left there: clear it after)."""
    app = pilot.app
    prompt = app.query_one(PromptInput)
    prompt.focus()
    prompt.clear()
    prompt.insert(text)
    await pilot.pause()
    menu = app.query_one(CommandCompletions)
    shown = [c.label for c in menu.completions] if menu.display else []
    prompt.clear()
    await pilot.pause()
    return shown


async def test_thinking_on_says_what_each_kind_of_model_does(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(text="4.", thinking="Two and two."), Scenario(text="4.", thinking="Hm."))
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await command(pilot, "/thinking on 2048")
        assert last_notice(app) == (
            "Thinking on · adaptive: the model decides how much to think (the budget of 2,048"
            " tokens is kept for models that take only a budget)"
        )
        assert app.settings.thinking and app.settings.thinking_budget == 2048
        await send_and_finish(pilot, "2+2?")
        assert last_body(server)["thinking"] == {"type": "adaptive"}

        await command(pilot, f"/model {HAIKU_45}")
        await command(pilot, "/thinking on")
        assert last_notice(app) == "Thinking on · budget 2,048 tokens"
        await send_and_finish(pilot, "2+2 again?")
        body = last_body(server)
        assert body["model"] == HAIKU_45
        assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}


async def test_a_budget_the_model_cannot_hold_is_refused_where_it_is_sent(
    api: ApiSettings,
) -> None:
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await command(pilot, f"/model {HAIKU_45}")
        await command(pilot, "/thinking on 64000")
        assert "less than max_tokens (64,000)" in last_notice(app)
        assert not app.settings.thinking and app.settings.thinking_budget == 4096
        assert prompt_text(app) == "/thinking on 64000"


async def test_thinking_on_a_model_without_thinking_is_refused_and_nothing_changes(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await command(pilot, f"/model {HAIKU_3}")
        await command(pilot, "/thinking on 2048")
        assert last_notice(app) == (
            f"{HAIKU_3} has no extended thinking: thinking stays off. /model picks a model that"
            " thinks."
        )
        assert not app.settings.thinking and app.settings.thinking_budget == 4096
        assert prompt_text(app) == "/thinking on 2048"  # kept, to change or clear
        assert server.message_requests == []
        app.query_one(PromptInput).clear()
        await command(pilot, "/model claude-sonnet-5-5")
        await command(pilot, "/thinking off")  # off is always taken
        assert last_notice(app) == "Extended thinking off"


async def test_effort_offers_refuses_sets_and_saves_the_models_levels(
    server: LocalAPIServer, api: ApiSettings, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("")
    server.push(Scenario(text="Done."))
    app = ClaudeTUI(replace(options(api), config_path=config))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert await offered(pilot, "/effort ") == ["low", "medium", "high", "max", "default"]
        assert await offered(pilot, "/effort m") == ["medium", "max"]

        await command(pilot, "/effort xhigh")
        assert last_notice(app) == (
            f"{SONNET} takes low, medium, high, max, not xhigh: the setting is left as it is."
        )
        assert app.settings.effort == "" and prompt_text(app) == "/effort xhigh"
        app.query_one(PromptInput).clear()

        await command(pilot, "/effort high")
        assert app.settings.effort == "high" and last_notice(app) == "Effort: high (saved)"
        await command(pilot, "/effort")
        assert (
            last_notice(app) == f"Effort: high · {SONNET} takes low, medium, high, max, or default"
        )
        await send_and_finish(pilot, "go")
        assert last_body(server)["output_config"] == {"effort": "high"}
        await wait_until(pilot, lambda: "effort" in config.read_text())
        assert tomllib.loads(config.read_text())["effort"] == "high"

        await command(pilot, f"/model {HAIKU_3}")
        assert await offered(pilot, "/effort ") == ["default"]
        await command(pilot, "/effort low")
        assert last_notice(app) == f"{HAIKU_3} has no effort levels: the setting is left as it is."
        assert app.settings.effort == "high"
        app.query_one(PromptInput).clear()
        await command(pilot, "/effort default")  # clearing is always taken
        assert app.settings.effort == ""
        assert last_notice(app) == "Effort: the model's default (no level is sent)"
        await wait_until(pilot, lambda: 'effort = ""' in config.read_text())


async def test_a_model_change_says_what_it_goes_without_and_never_sends_it(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    """Thinking on and effort max on the default model, then a model that takes neither, and
    the largest max_tokens: the notice says so, and the request leaves both out and is capped,
    so the server (which refuses them with a 400) takes it."""
    server.push(Scenario(text="Fine."))
    app = make_app(api, max_tokens=100_000)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await command(pilot, "/thinking on")
        await command(pilot, "/effort max")
        await command(pilot, f"/model {HAIKU_3}")
        said = "\n".join(
            [
                f"{HAIKU_3} has no thinking: requests to it go without",
                f"{HAIKU_3} has no effort levels: requests to it go without max",
                f"max_tokens 100,000 is capped at {HAIKU_3}'s limit of 4,096",
            ]
        )
        await wait_until(pilot, lambda: said in notices(app))
        changed, fit = notices(app)[-2:]
        assert changed.startswith(f"Model for this session: {HAIKU_3}\nthinking none")
        assert fit == said
        await send_and_finish(pilot, "hello")
        body = last_body(server)
        assert body["model"] == HAIKU_3 and body["max_tokens"] == 4096
        assert "thinking" not in body and "output_config" not in body
        assert app.chat.current.conversation.turns[-1].text == "Fine."
        assert app.settings.thinking and app.settings.effort == "max"  # kept for other models


async def test_opening_a_session_with_another_model_says_what_it_goes_without(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(text="Old."))
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await command(pilot, f"/model {HAIKU_3}")
        await send_and_finish(pilot, "hello")
        old = app.chat.current.session_id
        await wait_until(pilot, lambda: app.chat.current.session_id is not None)
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: app.chat.current.session_id is None)
        await command(pilot, "/thinking on")  # on the default model: taken
        before = len(notices(app))
        assert old is not None
        app.chat.open_session(old)
        await wait_until(pilot, lambda: app.chat.current.session_id == old)
        await wait_until(pilot, lambda: len(notices(app)) > before)
        assert last_notice(app) == f"{HAIKU_3} has no thinking: requests to it go without"


async def test_context_shows_the_thinking_and_effort_then_sent(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(text="Hi.", thinking="Hm."))
    app = make_app(api)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await command(pilot, "/thinking on")
        await command(pilot, "/effort high")
        await command(pilot, "/context")
        await wait_until(pilot, lambda: isinstance(app.screen, ContextScreen))
        text = str(app.screen.query_one("#context-text").render())
        lines = text.splitlines()
        assert "thinking: adaptive: the model decides when and how much to think" in lines
        assert '  "thinking": {"type": "adaptive"}' in lines
        assert "effort: high" in lines and '  "output_config": {"effort": "high"}' in lines
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, ContextScreen))
        await send_and_finish(pilot, "hi")
        body = last_body(server)
        assert body["thinking"] == {"type": "adaptive"}
        assert body["output_config"] == {"effort": "high"}
