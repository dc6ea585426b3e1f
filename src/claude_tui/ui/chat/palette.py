"""The slash commands as command-palette entries (Ctrl+P), run through the same code as typed.

A command that takes an argument is offered with its common values (thinking on or off, export
as Markdown or JSON, copy the reply or its code); one that needs a choice opens its picker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual.app import SystemCommand

from claude_tui.core.slash import BY_NAME

ENTRIES: tuple[tuple[str, str], ...] = (
    ("/help", "Keys and commands"),
    ("/new", "Start a new session"),
    ("/stats", "Statistics for this session and all sessions"),
    ("/context", "Exactly what the next request will send, with its token count"),
    ("/model", "Pick the model for this session"),
    ("/system", "Set this session's system prompt"),
    ("/thinking on", "Turn extended thinking on"),
    ("/thinking off", "Turn extended thinking off"),
    ("/export md", "Export this session as Markdown (to the current directory)"),
    ("/export json", "Export this session as JSON, every branch kept"),
    ("/retry", "Send the last prompt again"),
    ("/edit", "Edit the last message and send it again (the old exchange is kept)"),
    ("/copy", "Copy the last reply to the clipboard"),
    ("/copy code", "Copy the last reply's last code block"),
    ("/theme", "Pick a theme (previewed live)"),
    ("/quit", "Quit"),
)
"""Each entry's line, and what it says in the palette. ``/rate`` is offered by the app's own
refresh-rate entries."""


def slash_commands(run: Callable[[str], object]) -> Iterable[SystemCommand]:
    """Palette entries; choosing one calls ``run`` with its line (e.g. ``"/thinking on"``)."""
    for line, help_text in ENTRIES:
        name = line.split()[0].removeprefix("/")
        assert name in BY_NAME, name  # the table and the palette must agree
        yield SystemCommand(line, help_text, lambda line=line: run(line))
