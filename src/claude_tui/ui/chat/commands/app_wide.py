"""The slash commands about the app as a whole: help, quit, stats, thinking, effort, rate and
theme.

Settings they change go through the app (``ClaudeTUI.update_settings``), which saves them and
whose watchers bring the screen up to date. Thinking and effort are app-wide settings, but
each answers for the session's model (``core.model_fit``): what it takes is what is set.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from claude_tui.core.config import price_overrides
from claude_tui.core.model_fit import (
    effort_notice,
    effort_refusal,
    effort_status,
    thinking_notice,
    thinking_refusal,
)
from claude_tui.core.slash import Command, CommandError
from claude_tui.core.slash_args import parse_effort, parse_rate, parse_thinking, require_no_args
from claude_tui.core.slash_table import COMMANDS
from claude_tui.ui.chat.commands.registry import handles, tell_error
from claude_tui.ui.store_work import in_store

if TYPE_CHECKING:
    from claude_tui.ui.chat.screen import ChatScreen


@handles("help")
async def help_(chat: ChatScreen, command: Command) -> None:
    from claude_tui.ui.screens.command_screens import HelpScreen, keys_from_bindings

    require_no_args(command)
    keys = keys_from_bindings([*chat.BINDINGS, *chat.app.BINDINGS])
    keys.append(("Ctrl+P", "Command palette: every command, themes, refresh rate"))
    chat.app.push_screen(HelpScreen(keys, COMMANDS))


@handles("quit")
async def quit_(chat: ChatScreen, command: Command) -> None:
    require_no_args(command)
    await chat.app.run_action("quit")


@handles("stats")
async def stats(chat: ChatScreen, command: Command) -> None:
    from claude_tui.core.stats import format_stats, session_stats
    from claude_tui.ui.screens.command_screens import StatsScreen

    require_no_args(command)
    overrides = price_overrides(chat.app.settings)
    price = chat.app.settings.web_search_price
    rows = format_stats(
        session_stats(chat.current.conversation.turns), overrides=overrides, web_search_price=price
    )
    screen = StatsScreen(rows, None)
    chat.app.push_screen(screen)
    in_store(
        chat,
        chat.options.store_path,
        lambda store: format_stats(
            store.usage_totals(), overrides=overrides, web_search_price=price
        ),
        lambda every: chat.app.call_from_thread(chat.call_later, screen.set_totals, every),
        lambda text: tell_error(chat, text),
    )


@handles("thinking")
async def thinking(chat: ChatScreen, command: Command) -> None:
    """On is what the session's model takes (adaptive, or a budget), or refused on a model
    without thinking, the setting unchanged; off is always taken."""
    settings = chat.session_settings(chat.current)
    caps = chat.app.capabilities(settings.model)
    # a budget is checked against max_tokens only where it is sent: on a model taking only one
    limit = caps.max_tokens if caps.thinking == "enabled" else None
    on, budget = parse_thinking(command.args, max_tokens=limit)
    refusal = thinking_refusal(settings, caps) if on else None
    if refusal is not None:
        raise CommandError(refusal)
    changes: dict[str, Any] = {"thinking": on}
    if budget is not None:
        changes["thinking_budget"] = budget
    chat.app.update_settings(**changes)
    if on:
        chat.notify(thinking_notice(replace(settings, **changes), caps, budget), timeout=5)
    else:
        chat.notify("Extended thinking off", timeout=3)


@handles("effort")
async def effort(chat: ChatScreen, command: Command) -> None:
    """Show the level and the levels the session's model takes, or set one it takes; a level
    it does not take is refused with those it does, the setting unchanged."""
    level = parse_effort(command.args)
    settings = chat.session_settings(chat.current)
    caps = chat.app.capabilities(settings.model)
    if level is None:
        chat.notify(effort_status(settings, caps), title="/effort", timeout=6)
        return
    refusal = effort_refusal(level, caps) if level else None
    if refusal is not None:
        raise CommandError(refusal)
    chat.app.update_settings(effort=level)
    chat.notify(effort_notice(level), timeout=3)


@handles("rate")
async def rate(chat: ChatScreen, command: Command) -> None:
    value = parse_rate(command.args)
    chat.app.update_settings(refresh_rate=value)
    chat.notify(f"Refresh rate: {value} redraws a second while a reply streams (saved)", timeout=3)


@handles("theme")
async def theme(chat: ChatScreen, command: Command) -> None:
    name = command.args.split()[0] if command.args else ""
    if not name:
        chat.app.search_themes()
        return
    if name not in chat.app.available_themes:
        raise CommandError(f"No theme {name!r}. `claude-tui themes` lists them.")
    chat.app.theme = name
    chat.app.update_settings(theme=name)
    chat.notify(f"Theme: {name} (saved)", timeout=3)
