"""Render claude-tui headless to SVG in several themes, with a real conversation from the local
server: `python screenshots/render.py`. Re-run it whenever the screen changes; the README shows
the pictures it writes next to this file."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

from claude_tui.core.client import ApiSettings
from claude_tui.core.config import Settings
from claude_tui.core.metrics import StreamMetrics
from claude_tui.core.themes import load_themes, shipped_themes_dir
from claude_tui.localapi.server import LocalAPIServer, Scenario
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.options import AppOptions
from claude_tui.ui.widgets.metrics import MetricsBar
from claude_tui.ui.widgets.prompt import PromptInput

HERE = Path(__file__).parent
THEMES = ("claude-dark", "claude-light", "fjord", "ember")
SIZE = (110, 36)

PROMPT_1 = "Write a Python function that retries with exponential backoff"
PROMPT_2 = "Compare SQLite, PostgreSQL and DuckDB in a table"

# Shown once the replies have ended, so the pictures do not depend on this machine's timing.
STEADY_METRICS = StreamMetrics(
    model="claude-sonnet-5-5",
    started_at=0.0,
    first_token_at=0.38,
    last_token_at=4.6,
    ended_at=4.7,
    output_chars=1700,
    input_tokens=512,
    output_tokens=425,
    usage_final=True,
    stop_reason="end_turn",
)


async def wait(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("the app did not get there")


async def render(
    theme: str,
    server: LocalAPIServer,
    themes: tuple,  # type: ignore[type-arg]
    typed: str = "",
    name: str = "",
) -> Path:
    """The conversation in ``theme``; with ``typed``, that text left in the input (a "/" opens
    the command menu), saved as ``name``."""
    api = ApiSettings(api_key="screenshot", base_url=server.base_url)
    app = ClaudeTUI(AppOptions(api=api, settings=Settings(theme=theme), themes=themes, demo=True))
    async with app.run_test(size=SIZE) as pilot:
        await wait(lambda: app.chat.ready)
        for prompt in (PROMPT_1, PROMPT_2):
            turns = app.chat.current.conversation.turns
            before = len(turns)
            prompt_input = app.query_one(PromptInput)
            prompt_input.insert(prompt)
            await pilot.press("enter")
            await wait(lambda n=before: len(app.chat.current.conversation.turns) >= n + 2)
            await wait(lambda: app.chat.current.reply is None)
        app.query_one(MetricsBar).show(STEADY_METRICS)
        app.query_one(PromptInput).cursor_blink = False
        if typed:
            await pilot.press(*typed)
        await pilot.pause(0.3)
        path = HERE / f"{name or theme}.svg"
        app.save_screenshot(filename=path.name, path=str(HERE))
    return path


WEB_PROMPT = "What changed in the latest Python release?"


async def render_web(server: LocalAPIServer, themes: tuple) -> Path:  # type: ignore[type-arg]
    """A reply that searched the web: its card opened (Ctrl+O) to the results, the cited text
    with its markers, and the Sources list under it; saved as web-search.svg."""
    api = ApiSettings(api_key="screenshot", base_url=server.base_url)
    app = ClaudeTUI(AppOptions(api=api, settings=Settings(), themes=themes, demo=True))
    server.push(Scenario(search="latest Python release changes", rate=0))
    async with app.run_test(size=SIZE) as pilot:
        await wait(lambda: app.chat.ready)
        prompt_input = app.query_one(PromptInput)
        prompt_input.insert("/web on")
        await pilot.press("enter")
        prompt_input.insert(WEB_PROMPT)
        await pilot.press("enter")
        await wait(lambda: len(app.chat.current.conversation.turns) >= 2)
        await wait(lambda: app.chat.current.reply is None)
        await pilot.press("ctrl+o")
        app.query_one(MetricsBar).show(STEADY_METRICS.with_(web_search_requests=1))
        prompt_input.cursor_blink = False
        app.clear_notifications()
        await pilot.pause(0.3)
        path = HERE / "web-search.svg"
        app.save_screenshot(filename=path.name, path=str(HERE))
    return path


async def main() -> int:
    themes = tuple(load_themes(shipped_themes_dir())[0])
    with LocalAPIServer(Scenario(rate=0)) as server:
        for theme in THEMES:
            with tempfile.TemporaryDirectory() as data:
                # each picture starts from no sessions, and none of yours
                os.environ["XDG_DATA_HOME"] = os.environ["XDG_CONFIG_HOME"] = data
                os.environ["XDG_CACHE_HOME"] = data
                print(await render(theme, server, themes))
        with tempfile.TemporaryDirectory() as data:
            os.environ["XDG_DATA_HOME"] = os.environ["XDG_CONFIG_HOME"] = data
            os.environ["XDG_CACHE_HOME"] = data
            print(await render("claude-dark", server, themes, "/", "slash-commands"))
        with tempfile.TemporaryDirectory() as data:
            os.environ["XDG_DATA_HOME"] = os.environ["XDG_CONFIG_HOME"] = data
            os.environ["XDG_CACHE_HOME"] = data
            print(await render_web(server, themes))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
