"""The slash commands as command-palette entries (Ctrl+P), run through the same code as typed.

The entries are the table's (``CommandSpec.palette`` in ``core/slash.py``): a command that takes
an argument is offered with its common values (thinking on or off, export as Markdown or JSON,
copy the reply or its code); one that needs a choice opens its picker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual.app import SystemCommand

from claude_tui.core.slash_table import COMMANDS


def slash_commands(run: Callable[[str], object]) -> Iterable[SystemCommand]:
    """Palette entries; choosing one calls ``run`` with its line (e.g. ``"/thinking on"``)."""
    for spec in COMMANDS:
        for line, help_text in spec.palette:
            yield SystemCommand(line, help_text, lambda line=line: run(line))
