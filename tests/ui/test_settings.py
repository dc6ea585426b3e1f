"""Settings in the app: themes switched and saved, the refresh rate, config notices."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
from textual.message import Message

from claude_tui.cli.main import build_parser, prepare_settings
from claude_tui.core.client import ApiSettings
from claude_tui.core.config import ensure_config
from claude_tui.core.events import BlockDelta
from claude_tui.localapi.server import LocalAPIServer, Scenario
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.messages import ReplyEvent

from .helpers import make_app, options, ready, replies_ended, send, send_and_finish, wait_until


def saved(path: Path) -> dict[str, object]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    ensure_config(path)
    return path


async def test_theme_picker_previews_live_and_saves_the_choice(
    api: ApiSettings, config: Path
) -> None:
    app = ClaudeTUI(replace(options(api), config_path=config))
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        assert app.theme == "claude-dark"
        app.search_themes()
        await pilot.pause()
        await pilot.press(*"fjord")
        await wait_until(pilot, lambda: app.theme == "fjord")  # previewed before choosing
        assert saved(config)["theme"] == "claude-dark"  # not saved by a preview
        await pilot.press("enter")
        await wait_until(pilot, lambda: saved(config)["theme"] == "fjord")
        assert app.theme == "fjord"


async def test_esc_in_the_theme_picker_puts_the_old_theme_back(
    api: ApiSettings, config: Path
) -> None:
    app = ClaudeTUI(replace(options(api), config_path=config))
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        app.search_themes()
        await pilot.pause()
        await pilot.press(*"ember")
        await wait_until(pilot, lambda: app.theme == "ember")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.theme == "claude-dark")
        await pilot.pause(0.2)
        assert saved(config)["theme"] == "claude-dark"


async def test_ctrl_t_cycles_themes_and_saves(api: ApiSettings, config: Path) -> None:
    app = ClaudeTUI(replace(options(api), config_path=config))
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+t")
        assert app.theme == "claude-light"  # the app's own themes come first, by name
        await wait_until(pilot, lambda: saved(config)["theme"] == "claude-light")
    # the user's other values are kept
    assert saved(config)["refresh_rate"] == 30


async def test_refresh_rate_from_the_palette_is_applied_and_saved(
    api: ApiSettings, config: Path
) -> None:
    app = ClaudeTUI(replace(options(api), config_path=config))
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Refresh rate: 2 a second")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: saved(config)["refresh_rate"] == 2)
        assert app.settings.refresh_rate == 2


@pytest.mark.parametrize(("rate", "low", "high"), [(2, 2, 7), (30, 25, 70)])
async def test_the_ui_gets_at_most_refresh_rate_batches_a_second(
    server: LocalAPIServer, api: ApiSettings, rate: int, low: int, high: int
) -> None:
    """A fast stream of about two seconds: redraws follow the refresh rate, not the tokens."""
    server.push(Scenario(tokens=1000, rate=500))
    batches: list[int] = []

    def hook(message: Message) -> None:
        if (
            isinstance(message, ReplyEvent)
            and isinstance(message.event, BlockDelta)
            and message.event.kind == "text"
        ):
            batches.append(len(message.event.text))

    app = make_app(api, refresh_rate=rate)
    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        await send(pilot, "go")
        await wait_until(pilot, replies_ended(app, 1), timeout=20)
        turn = app.chat.current.conversation.turns[-1]
        assert turn.metrics is not None
        seconds = turn.metrics.elapsed(0.0)
    assert low <= len(batches) <= rate * seconds + 2, (len(batches), seconds)
    assert len(batches) <= high
    assert sum(batches) == len(turn.text)  # batched, never dropped


async def test_config_problems_are_shown_on_screen(api: ApiSettings, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('refresh_rate = 500\ntheme = "fjord"\nnot_a_key = 1\n', encoding="utf-8")
    args = build_parser().parse_args(["--config", str(path)])
    settings, _, notices, themes = prepare_settings(build_parser(), args)
    assert settings.refresh_rate == 30 and settings.theme == "fjord"  # the rest still applies
    app = ClaudeTUI(replace(options(api), settings=settings, notices=tuple(notices), themes=themes))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        shown = [n.message for n in app._notifications]
        assert any("config.toml" in m and "refresh_rate" in m and "1 to 120" in m for m in shown)
        assert any("not_a_key" in m for m in shown)
        assert app.theme == "fjord"


def test_unparseable_config_is_named_with_its_line_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    text = 'theme = "fjord"\nrefresh_rate = = 3\n'
    path.write_text(text, encoding="utf-8")
    args = build_parser().parse_args(["--config", str(path)])
    settings, _, notices, _ = prepare_settings(build_parser(), args)
    assert settings.theme == "claude-dark"  # defaults
    assert any("config.toml" in n and "line 2" in n for n in notices)
    assert path.read_text(encoding="utf-8") == text


def test_one_run_overrides(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('model = "claude-haiku-4-5"\nrefresh_rate = 10\n', encoding="utf-8")
    parser = build_parser()
    args = parser.parse_args(["--config", str(path), "--refresh-rate", "60", "--theme", "ember"])
    settings, _, _, _ = prepare_settings(parser, args)
    assert (settings.model, settings.refresh_rate, settings.theme) == (
        "claude-haiku-4-5",
        60,
        "ember",
    )
    with pytest.raises(SystemExit):
        prepare_settings(parser, parser.parse_args(["--config", str(path), "--refresh-rate", "0"]))


async def test_toggling_the_sidebar_is_saved(api: ApiSettings, config: Path) -> None:
    app = ClaudeTUI(replace(options(api), config_path=config))
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+b")
        await wait_until(pilot, lambda: saved(config)["show_sidebar"] is False)
        await pilot.press("ctrl+b")
        await wait_until(pilot, lambda: saved(config)["show_sidebar"] is True)


async def test_replies_on_screen_take_the_new_theme(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    from claude_tui.ui.widgets.markdown.view import MarkdownView

    server.push(Scenario(text="# Title\n\n```python\nx = 1\n```\n\nDone."))
    app = make_app(api, theme="claude-dark")
    async with app.run_test(size=(100, 30)) as pilot:
        await send_and_finish(pilot, "show")
        view = app.query(MarkdownView).last()
        await wait_until(pilot, lambda: bool(view._frozen_lines))
        before = [segment.style for strip in view._frozen_lines for segment in strip]
        app.theme = "claude-light"
        await wait_until(
            pilot,
            lambda: [s.style for strip in view._frozen_lines for s in strip] != before,
        )
        assert view.rendered_text().startswith("Title")
