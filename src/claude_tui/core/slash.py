"""Slash commands: the parser and completion (the table is ``slash_table``, the checks of their
arguments ``slash_args``).

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

from claude_tui.core.slash_table import BY_NAME, COMMANDS, ESCAPE, PREFIX, CommandSpec

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
    head, _, rest = split_name(line[1:])
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


def split_name(text: str) -> tuple[str, str, str]:
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
    head, space, rest = split_name(text[1:])
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
