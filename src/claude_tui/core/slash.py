"""Slash commands: the table, the parser, completion, and checks of their arguments.

Pure functions over text, so every rule about what counts as a command is tested without a
screen; the UI only decides what each command does.

The rules, chosen so that nothing typed as a command is ever sent to the model by mistake:

* only a line whose very first character is ``/`` is a command (``"  /help"`` is a prompt);
* ``//`` escapes: the line is sent with one leading slash removed (``//etc/hosts`` sends
  ``/etc/hosts``);
* the command name is the first word after the slash, matched without regard to case; everything
  after it, newlines included, is the argument string, stripped, so ``/system`` can take a
  multi-line prompt;
* a ``/`` followed by nothing or by a space is an incomplete command, never a prompt: the user
  meant a command or mistyped, and sending it would spend a request on a stray slash;
* an unknown name is not sent either; it comes back with the nearest known names as a hint.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from claude_tui.core.config_schema import RULES, Invalid
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

MAX_SUGGESTIONS = 3


class CommandError(ValueError):
    """A command's arguments are wrong; the message is ready to show the user as it is."""


# --- parsing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prompt:
    """Not a command: ``text`` goes to the model as typed."""

    text: str
    escaped: bool = False
    """The line began with ``//`` and ``text`` is it with one slash removed."""


@dataclass(frozen=True)
class Command:
    """A known command and its raw argument string (stripped; may hold newlines)."""

    name: str
    args: str = ""

    @property
    def spec(self) -> CommandSpec:
        return BY_NAME[self.name]


@dataclass(frozen=True)
class Unknown:
    """Looked like a command but is none; ``message`` says so and what was probably meant.

    ``name`` is empty for a lone ``/`` (or ``/`` then a space): an incomplete command.
    """

    name: str
    message: str
    suggestions: tuple[str, ...] = ()
    """Known names, nearest first, without the slash."""


Parsed = Prompt | Command | Unknown


def parse(line: str) -> Parsed:
    """What the input ``line`` is: a prompt to send, a known command, or an unknown one."""
    if line.startswith(ESCAPE):
        return Prompt(line[1:], escaped=True)
    if not line.startswith(PREFIX):
        return Prompt(line)
    head, _, rest = _split_name(line[1:])
    if not head:
        return Unknown(
            "",
            "A command name goes right after the /, e.g. /help. "
            "Start with // to send a message that begins with /.",
        )
    name = head.lower()
    if name in BY_NAME:
        return Command(name, rest.strip())
    suggestions = suggest(name)
    if suggestions:
        hint = f" Did you mean {_or_list([PREFIX + s for s in suggestions])}?"
        tail = " Type /help for the list."
    else:
        hint = ""
        tail = " Type /help for the list, or start with // to send it as a message."
    return Unknown(name, f"Unknown command /{head}.{hint}{tail}", suggestions)


def _split_name(text: str) -> tuple[str, str, str]:
    """``("model", " ", "x y")`` from ``"model x y"``; any whitespace, newlines too, ends a name."""
    found = re.search(r"\s", text)
    if found is None:
        return text, "", ""
    return text[: found.start()], found.group(), text[found.end() :]


def suggest(name: str) -> tuple[str, ...]:
    """Known names ``name`` probably meant: those it begins (``mo`` → ``model``) in table order,
    then the most similar by spelling (``hepl`` → ``help``); at most ``MAX_SUGGESTIONS``."""
    name = name.lower()
    if not name:
        return ()
    found = [spec.name for spec in COMMANDS if spec.name.startswith(name)]
    for close in difflib.get_close_matches(name, list(BY_NAME), n=MAX_SUGGESTIONS, cutoff=0.6):
        if close not in found:
            found.append(close)
    return tuple(found[:MAX_SUGGESTIONS])


def _or_list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


# --- completion ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Completion:
    """One candidate: ``replacement`` is the whole new input text, the rest is for display."""

    replacement: str
    label: str
    """What the menu shows first: ``"/model"`` for a command, ``"on"`` for an argument."""
    synopsis: str = ""
    description: str = ""


def complete(text: str, choices: Mapping[str, Sequence[str]] | None = None) -> list[Completion]:
    """Candidates for the input ``text`` typed so far.

    While the name is being typed (``/``, ``/mo``): the commands it begins, in table order; a
    command that takes arguments is completed with a trailing space, so its arguments are offered
    next. Then, for the first argument only: the command's fixed choices followed by any
    ``choices[name]`` the caller knows (model ids, theme names), those that begin with what is
    typed, case aside. Nothing for a prompt, for ``//``, or once the input has several lines.
    """
    if not text.startswith(PREFIX) or text.startswith(ESCAPE) or "\n" in text:
        return []
    head, space, rest = _split_name(text[1:])
    if not space:
        partial = head.lower()
        return [
            Completion(
                replacement=PREFIX + spec.name + (" " if spec.synopsis else ""),
                label=PREFIX + spec.name,
                synopsis=spec.synopsis,
                description=spec.description,
            )
            for spec in COMMANDS
            if spec.name.startswith(partial)
        ]
    spec = BY_NAME.get(head.lower())
    if spec is None or not spec.synopsis:
        return []
    rest = rest.lstrip()
    if re.search(r"\s", rest):  # the first argument is finished; later ones are free text
        return []
    before = text[: len(text) - len(rest)]
    offered = list(dict.fromkeys([*spec.choices, *(choices or {}).get(spec.name, ())]))
    partial = rest.casefold()
    return [
        Completion(replacement=before + value, label=value)
        for value in offered
        if value.casefold().startswith(partial)
    ]


# --- arguments -------------------------------------------------------------------------------


def require_no_args(command: Command) -> None:
    """For a command that takes no arguments: ``CommandError`` if some were given, rather than
    silently ignoring them (``/new chat about x`` probably meant something else)."""
    if command.args:
        raise CommandError(f"/{command.name} takes no arguments.")


def parse_thinking(args: str, *, max_tokens: int | None = None) -> tuple[bool, int | None]:
    """``on|off [budget]`` as ``(on, budget)``; budget ``None`` when not given.

    The budget is checked by the same rule as ``thinking_budget`` in the config file (the API
    refuses less than 1024), and, when ``max_tokens`` is known, kept below it, since the API
    counts thinking within the reply's limit and refuses a budget that fills it.
    """
    usage = "Usage: /thinking on|off [budget]"
    words = args.split()
    if not words:
        raise CommandError(f"{usage}, e.g. /thinking on 8192.")
    switch = words[0].lower()
    if switch not in ("on", "off"):
        raise CommandError(f"{usage}: say on or off, not {words[0]!r}.")
    if len(words) > 2:
        raise CommandError(f"{usage}: too many words.")
    if len(words) == 1:
        return switch == "on", None
    if switch == "off":
        raise CommandError("A budget only goes with /thinking on.")
    budget = _check_setting("thinking_budget", words[1], "The thinking budget")
    if max_tokens is not None and budget >= max_tokens:
        raise CommandError(
            f"The thinking budget must be less than max_tokens ({max_tokens:,}): "
            "thinking counts towards the reply's limit."
        )
    return True, budget


def parse_effort(args: str) -> str | None:
    """``[level|default]`` as the effort to set: a level, "" for the model's default (``default``
    or ``off``), or ``None`` for no argument (show the current level). Whether the model takes
    the level is for the caller, who knows the model (``core.model_fit``)."""
    levels = "|".join(level for level, _ in EFFORT_WORDS)
    usage = f"Usage: /effort {levels}, or /effort default"
    words = args.lower().split()
    if not words:
        return None
    if len(words) > 1:
        raise CommandError(f"{usage}: one word.")
    if words[0] in EFFORT_CLEAR:
        return ""
    if words[0] not in dict(EFFORT_WORDS):
        raise CommandError(f"{usage}: not {args.split()[0]!r}.")
    return words[0]


def parse_rate(args: str) -> int:
    """``N`` as the refresh rate, by the same rule (and bounds) as ``refresh_rate`` in the file.

    An ``int`` (which is also a valid float for a rate): the setting is an integer, so a value
    that passed here can be saved to the config file as it is.
    """
    if not args.strip():
        raise CommandError(f"Usage: /rate N, the refresh rate: {RATE_MEANING}.")
    try:
        return _check_setting("refresh_rate", args.strip(), "The refresh rate")
    except CommandError as error:
        raise CommandError(f"{error} It is {RATE_MEANING}.") from None


def _check_setting(key: str, word: str, what: str) -> int:
    """``word`` as the integer setting ``key``, or ``CommandError`` saying what is expected."""
    rule = RULES[key]
    if not re.fullmatch(r"[+-]?[0-9]+", word):
        raise CommandError(f"{what} must be {rule.expected}, not {word!r}.")
    try:
        value = rule.check(int(word))
    except Invalid:
        raise CommandError(f"{what} must be {rule.expected}; {word} is out of range.") from None
    assert isinstance(value, int)
    return value


EXPORT_FORMATS = ("md", "json")


def parse_export(args: str) -> tuple[str, str | None]:
    """``[md|json] [path]`` as ``(fmt, path)``.

    The format is the first word when that is ``md`` or ``json`` (case aside); otherwise all of
    ``args`` is the path (so it may hold spaces; one pair of surrounding quotes is removed) and
    the format follows its suffix: ``.json`` gives JSON, anything else Markdown. ``path`` is
    ``None`` when not given, for the caller to choose one; ``~`` is left for it to expand.
    """
    head, _, rest = _split_name(args.strip())
    if head.lower() in EXPORT_FORMATS:
        return head.lower(), _unquote(rest.strip()) or None
    path = _unquote(args.strip()) or None
    fmt = "json" if path is not None and path.lower().endswith(".json") else "md"
    return fmt, path


COPY_USAGE = "/copy copies the last reply; /copy code its last code block; /copy code N block N."


def parse_copy(args: str) -> tuple[bool, int | None]:
    """``[code [N]]`` as ``(code, number)``: whether code is asked for, and which block (1 is
    the first, as numbered on screen; ``None``, the last)."""
    words = args.lower().split()
    if not words:
        return False, None
    if words[0] != "code" or len(words) > 2:
        raise CommandError(COPY_USAGE)
    if len(words) == 1:
        return True, None
    if not words[1].isdigit() or int(words[1]) < 1:
        raise CommandError(f"{words[1]!r} is not a code block number: they start at 1.")
    return True, int(words[1])


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1].strip()
    return text
