"""The slash commands as command-palette entries (Ctrl+P), run through the same code as typed.

The entries are the table's (``CommandSpec.palette`` in ``core/slash.py``): a command that takes
an argument is offered with its common values (thinking on or off, export as Markdown or JSON,
copy the reply or its code); one that needs a choice opens its picker. Web search and web fetch
are toggles of the session on screen, named by what choosing them does (``web_toggles``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual.app import SystemCommand

from claude_tui.core.config import Settings
from claude_tui.core.slash_table import COMMANDS
from claude_tui.core.web_choice import WEB_TOOLS, palette_entry


def slash_commands(run: Callable[[str], object]) -> Iterable[SystemCommand]:
    """Palette entries; choosing one calls ``run`` with its line (e.g. ``"/thinking on"``)."""
    for spec in COMMANDS:
        for line, help_text in spec.palette:
            yield SystemCommand(line, help_text, lambda line=line: run(line))


def web_toggles(
    settings: Settings, own: dict[str, bool | None], run: Callable[[str], object]
) -> Iterable[SystemCommand]:
    """ "Web search on" (or off) and "Web fetch on" (or off) for the session whose ``settings``
    and own choices (``own``) these are; choosing one runs its ``/web`` line through ``run``.
    The help says what a search costs (``settings.web_search_price``)."""
    for tool in WEB_TOOLS:
        on = bool(getattr(settings, tool.key))
        title, help_text = palette_entry(tool, on, own.get(tool.key), settings.web_search_price)
        line = tool.line(not on)
        yield SystemCommand(title, help_text, lambda line=line: run(line))
