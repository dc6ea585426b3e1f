"""The slash commands: each one's name, arguments, description, completion choices and palette
entries, in one table that help, completion and the command palette are all made from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from claude_tui.core.defaults import RATE_MEANING

PREFIX = "/"
ESCAPE = "//"


@dataclass(frozen=True)
class CommandSpec:
    """One command as the help list and the completion menu show it."""

    name: str
    """Without the slash: ``"model"``."""
    synopsis: str = ""
    """Its arguments, e.g. ``"[id]"``; empty for a command that takes none."""
    description: str = ""
    """One line, for the help list and beside each completion."""
    choices: tuple[str, ...] = ()
    """Fixed values of the first argument, offered by completion (``on``, ``off``)."""
    palette: tuple[tuple[str, str], ...] = ()
    """Its entries in the command palette (Ctrl+P): each a line run as if typed, and what the
    palette says of it. A command with common arguments has an entry for each (``/thinking
    on``, ``/thinking off``); one left out of the palette has none."""

    @property
    def usage(self) -> str:
        """The command as typed: ``"/model [id]"``."""
        return f"{PREFIX}{self.name} {self.synopsis}".rstrip()


EFFORT_WORDS = (
    ("low", "quickest and cheapest, for simple tasks"),
    ("medium", "a balance of speed and thoroughness"),
    ("high", "thorough (where the model takes it)"),
    ("xhigh", "more thorough still (where the model takes it)"),
    ("max", "the most thorough the model can be (where it takes it)"),
)
"""Each level of ``output_config.effort``, lowest first, as the palette describes it."""

EFFORT_CLEAR = ("default", "off")
"""``/effort default`` (or ``off``): no level is sent, the model's own default applies."""

COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "help", "", "List the commands and keys", palette=(("/help", "Keys and commands"),)
    ),
    CommandSpec("new", "", "Start a new conversation", palette=(("/new", "Start a new session"),)),
    CommandSpec(
        "quit",
        "",
        "Quit (a reply in flight is stopped cleanly first)",
        palette=(("/quit", "Quit"),),
    ),
    CommandSpec(
        "stats",
        "",
        "Statistics for this session and for all sessions",
        palette=(("/stats", "Statistics for this session and all sessions"),),
    ),
    CommandSpec(
        "context",
        "",
        "What the next request will send: model, system prompt, history",
        palette=(("/context", "Exactly what the next request will send, with its token count"),),
    ),
    CommandSpec(
        "compact",
        "[instructions]",
        "Summarise the conversation to make the context smaller",
        palette=(("/compact", "Summarise the conversation so far (nothing is deleted)"),),
    ),
    CommandSpec(
        "model",
        "[id]",
        "Show the model, or switch to another",
        palette=(("/model", "Pick the model for this session"),),
    ),
    CommandSpec(
        "system",
        "[text]",
        "Show the system prompt, or set it (several lines are fine)",
        palette=(("/system", "Set this session's system prompt"),),
    ),
    CommandSpec(
        "thinking",
        "on|off [budget]",
        "Extended thinking (the budget is for models that take only a budget)",
        ("on", "off"),
        palette=(
            ("/thinking on", "Turn extended thinking on"),
            ("/thinking off", "Turn extended thinking off"),
        ),
    ),
    CommandSpec(
        "effort",
        "[level|default]",
        "Show the effort level, or set it: how thorough the model is (the levels it takes)",
        # no fixed choices: the chat offers the levels of the session's model
        palette=(
            ("/effort", "Show the effort level and the levels this model takes"),
            *((f"/effort {level}", f"Effort {level}: {words}") for level, words in EFFORT_WORDS),
            ("/effort default", "Effort: the model's own default (no level sent)"),
        ),
    ),
    CommandSpec(
        "web",
        "[fetch] [on|off]",
        "Show web search and fetch, or turn one on or off for this session (searches are charged)",
        ("on", "off", "fetch"),
        # the palette's toggles depend on the session: ``ui.chat.palette.web_toggles``
    ),
    CommandSpec(
        "export",
        "[md|json] [path]",
        "Save this conversation as Markdown or JSON",
        ("md", "json"),
        palette=(
            ("/export md", "Export this session as Markdown (to the current directory)"),
            ("/export json", "Export this session as JSON, every branch kept"),
        ),
    ),
    CommandSpec(
        "attach",
        "PATH…",
        "Attach files to the next prompt: images, PDFs, text (or type @path)",
        # no palette entry: it needs the paths, which the palette cannot ask for
    ),
    CommandSpec(
        "detach",
        "[name]",
        "Remove an attachment from the next prompt, or all of them",
        palette=(("/detach", "Remove every attachment from the next prompt"),),
    ),
    CommandSpec(
        "retry",
        "",
        "Send the last prompt again",
        palette=(("/retry", "Send the last prompt again"),),
    ),
    CommandSpec(
        "edit",
        "",
        "Put the last prompt back in the input to change it",
        palette=(("/edit", "Edit the last message and send it again (the old exchange is kept)"),),
    ),
    CommandSpec(
        "copy",
        "[code [N]]",
        "Copy the last reply, or its code block N (the number at its top right; the last one)",
        ("code",),
        palette=(
            ("/copy", "Copy the last reply to the clipboard"),
            ("/copy code", "Copy the last reply's last code block"),
            ("/copy code 1", "Copy the last reply's first code block"),
        ),
    ),
    CommandSpec(
        "theme",
        "[name]",
        "Show the theme, or switch to another",
        palette=(("/theme", "Pick a theme (previewed live)"),),
    ),
    # No palette entry: the app's own refresh-rate entries offer the common rates.
    CommandSpec("rate", "N", f"Refresh rate: {RATE_MEANING}"),
)
"""In the order the help list shows them."""

BY_NAME: Mapping[str, CommandSpec] = {spec.name: spec for spec in COMMANDS}
