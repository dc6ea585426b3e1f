"""Slash commands: the table, what counts as a command, completion, and argument checks."""

from __future__ import annotations

import re

import pytest

from claude_tui.core.config_schema import RULES, Invalid
from claude_tui.core.defaults import RATE_MEANING
from claude_tui.core.slash import Command, CommandError, Prompt, Unknown, complete, parse, suggest
from claude_tui.core.slash_args import (
    parse_copy,
    parse_export,
    parse_rate,
    parse_thinking,
    require_no_args,
)
from claude_tui.core.slash_table import BY_NAME, COMMANDS

# --- the table -------------------------------------------------------------------------------


def test_commands_in_help_order() -> None:
    assert [spec.usage for spec in COMMANDS] == [
        "/help",
        "/new",
        "/quit",
        "/stats",
        "/context",
        "/compact [instructions]",
        "/model [id]",
        "/system [text]",
        "/thinking on|off [budget]",
        "/effort [level|default]",
        "/web [fetch] [on|off]",
        "/export [md|json] [path]",
        "/attach PATH…",
        "/detach [name]",
        "/retry",
        "/edit",
        "/copy [code [N]]",
        "/theme [name]",
        "/rate N",
    ]


def test_fixed_choices() -> None:
    assert BY_NAME["thinking"].choices == ("on", "off")
    assert BY_NAME["export"].choices == ("md", "json")
    assert BY_NAME["copy"].choices == ("code",)
    assert BY_NAME["model"].choices == ()


def test_every_command_is_described_on_one_line() -> None:
    for spec in COMMANDS:
        assert spec.description and "\n" not in spec.description, spec.name


def test_rate_description_says_what_a_rate_does_within_the_config_bounds() -> None:
    meaning = "1–120 redraws a second while a reply streams; lower saves CPU"
    assert meaning == RATE_MEANING and meaning in BY_NAME["rate"].description
    rule = RULES["refresh_rate"]
    assert rule.check(1) == 1 and rule.check(120) == 120
    for outside in (0, 121):
        with pytest.raises(Invalid):
            rule.check(outside)


def test_each_palette_entry_runs_its_own_command_and_says_what_it_does() -> None:
    for spec in COMMANDS:
        for line, help_text in spec.palette:
            parsed = parse(line)
            assert isinstance(parsed, Command) and parsed.name == spec.name, line
            assert help_text and "\n" not in help_text, line
    assert [line for line, _ in BY_NAME["thinking"].palette] == ["/thinking on", "/thinking off"]
    assert BY_NAME["rate"].palette == ()  # the app offers its common rates itself


# --- parse -----------------------------------------------------------------------------------


@pytest.mark.parametrize("line", ["hello", "", "  /help", "what does /help do?", "\n/new"])
def test_prompts_are_sent_as_typed(line: str) -> None:
    assert parse(line) == Prompt(line)


@pytest.mark.parametrize(
    ("line", "sent"),
    [("//etc/hosts", "/etc/hosts"), ("//", "/"), ("///x", "//x"), ("//help", "/help")],
)
def test_double_slash_sends_with_one_slash_removed(line: str, sent: str) -> None:
    assert parse(line) == Prompt(sent, escaped=True)


def test_known_command_with_stripped_args() -> None:
    assert parse("/model   claude-opus-4-5  ") == Command("model", "claude-opus-4-5")
    assert parse("/help") == Command("help", "")
    assert parse("/new   ") == Command("new", "")


def test_name_is_case_blind() -> None:
    assert parse("/Thinking ON") == Command("thinking", "ON")


def test_system_takes_every_line_after_the_name() -> None:
    parsed = parse("/system You are terse.\nAnswer in French.\n")
    assert parsed == Command("system", "You are terse.\nAnswer in French.")
    assert parse("/system\nOn the next line") == Command("system", "On the next line")


def test_command_exposes_its_spec() -> None:
    parsed = parse("/export json")
    assert isinstance(parsed, Command)
    assert parsed.spec is BY_NAME["export"]


def test_unknown_command_suggests_the_closest_name() -> None:
    parsed = parse("/hepl")
    assert parsed == Unknown(
        "hepl",
        "Unknown command /hepl. Did you mean /help? Type /help for the list.",
        ("help",),
    )


def test_unknown_prefix_suggests_every_command_it_begins() -> None:
    parsed = parse("/th on")
    assert isinstance(parsed, Unknown)
    assert parsed.suggestions == ("thinking", "theme")
    assert "Did you mean /thinking or /theme?" in parsed.message


def test_unknown_without_a_near_name_points_at_double_slash() -> None:
    parsed = parse("/usr/bin/env python3")
    assert isinstance(parsed, Unknown)
    assert parsed.name == "usr/bin/env"
    assert parsed.suggestions == ()
    assert parsed.message.startswith("Unknown command /usr/bin/env.")
    assert "Did you mean" not in parsed.message
    assert "//" in parsed.message


@pytest.mark.parametrize("line", ["/", "/ ", "/ foo", "/\nfoo", "/\t"])
def test_slash_without_a_name_is_an_incomplete_command(line: str) -> None:
    parsed = parse(line)
    assert isinstance(parsed, Unknown)
    assert parsed.name == ""
    assert "/help" in parsed.message and "//" in parsed.message


def test_suggest() -> None:
    assert suggest("modle") == ("model",)
    assert suggest("e") == ("effort", "export", "edit")
    assert suggest("") == ()
    assert suggest("zzzz") == ()
    assert len(suggest("t")) <= 3


# --- complete --------------------------------------------------------------------------------


def test_complete_after_slash_lists_every_command_in_order() -> None:
    found = complete("/")
    assert [c.label for c in found] == [f"/{spec.name}" for spec in COMMANDS]
    model = found[[c.label for c in found].index("/model")]
    assert model.replacement == "/model "  # takes arguments: go straight on to them
    assert model.synopsis == "[id]"
    assert model.description == BY_NAME["model"].description
    assert found[0].replacement == "/help"  # takes none: ready to run


def test_complete_a_partial_name() -> None:
    assert [c.replacement for c in complete("/mo")] == ["/model "]
    assert [c.label for c in complete("/t")] == ["/thinking", "/theme"]
    assert [c.label for c in complete("/TH")] == ["/thinking", "/theme"]
    assert complete("/xyz") == []


def test_complete_fixed_choices() -> None:
    assert [c.replacement for c in complete("/thinking o")] == ["/thinking on", "/thinking off"]
    assert [c.replacement for c in complete("/thinking of")] == ["/thinking off"]
    assert [c.label for c in complete("/thinking ")] == ["on", "off"]
    assert [c.replacement for c in complete("/export j")] == ["/export json"]
    assert [c.replacement for c in complete("/copy ")] == ["/copy code"]


def test_complete_keeps_the_users_spacing_and_case_of_the_name() -> None:
    assert [c.replacement for c in complete("/Thinking  O")] == [
        "/Thinking  on",
        "/Thinking  off",
    ]


def test_complete_dynamic_choices() -> None:
    choices = {"model": ["claude-sonnet-4-5", "claude-opus-4-5", "gpt"], "theme": ["fjord"]}
    found = complete("/model claude-s", choices)
    assert [c.replacement for c in found] == ["/model claude-sonnet-4-5"]
    assert [c.label for c in complete("/model ", choices)] == [
        "claude-sonnet-4-5",
        "claude-opus-4-5",
        "gpt",
    ]
    assert [c.replacement for c in complete("/theme f", choices)] == ["/theme fjord"]
    assert complete("/model ") == []  # nothing known, nothing offered


def test_complete_dynamic_after_fixed_without_duplicates() -> None:
    found = complete("/export ", {"export": ["json", "txt"]})
    assert [c.label for c in found] == ["md", "json", "txt"]


@pytest.mark.parametrize(
    "text",
    [
        "hello",
        "",
        "//x",
        "/thinking on 10",  # past the first argument
        "/export md my file",
        "/help ",  # takes no arguments
        "/nope o",
        "/system a\nb",
        "/thinking\no",
    ],
)
def test_nothing_to_complete(text: str) -> None:
    assert complete(text, {"nope": ["on"], "help": ["x"]}) == []


# --- arguments -------------------------------------------------------------------------------


def test_require_no_args() -> None:
    require_no_args(Command("new"))
    with pytest.raises(CommandError, match="/new takes no arguments"):
        require_no_args(Command("new", "chat about x"))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("on", (True, None)),
        ("off", (False, None)),
        ("ON", (True, None)),
        ("on 8192", (True, 8192)),
        ("on 1024", (True, 1024)),
        ("  on   2048 ", (True, 2048)),
    ],
)
def test_parse_thinking(args: str, expected: tuple[bool, int | None]) -> None:
    assert parse_thinking(args) == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("", "Usage: /thinking on|off"),
        ("maybe", "say on or off, not 'maybe'"),
        ("on 1023", "1024 or more; 1023 is out of range"),
        ("on 0", "1024 or more"),
        ("on -4096", "1024 or more"),
        ("on lots", "1024 or more, not 'lots'"),
        ("on 2.5k", "not '2.5k'"),
        ("on 2048 extra", "too many words"),
        ("off 2048", "only goes with /thinking on"),
    ],
)
def test_parse_thinking_errors(args: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        parse_thinking(args)


def test_thinking_budget_stays_below_max_tokens() -> None:
    assert parse_thinking("on 8191", max_tokens=8192) == (True, 8191)
    with pytest.raises(CommandError, match=r"less than max_tokens \(8,192\)"):
        parse_thinking("on 8192", max_tokens=8192)


def test_parse_rate_within_the_config_bounds() -> None:
    assert parse_rate("30") == 30
    assert parse_rate(" 1 ") == 1
    assert parse_rate("120") == 120


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("0", "from 1 to 120; 0 is out of range"),
        ("121", "from 1 to 120; 121 is out of range"),
        ("-3", "out of range"),
        ("2.5", "an integer from 1 to 120, not '2.5'"),
        ("fast", "not 'fast'"),
        ("30 60", "not '30 60'"),
        ("", "Usage: /rate N"),
    ],
)
def test_parse_rate_errors(args: str, message: str) -> None:
    with pytest.raises(CommandError, match=message) as raised:
        parse_rate(args)
    assert RATE_MEANING in str(raised.value)  # what a rate does, with every bad value


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("", ("md", None)),
        ("json", ("json", None)),
        ("MD", ("md", None)),
        ("md notes.md", ("md", "notes.md")),
        ("json ~/out/chat.json", ("json", "~/out/chat.json")),
        ("md chat.json", ("md", "chat.json")),  # the format named wins over the suffix
        ("chat.json", ("json", "chat.json")),
        ("chat.JSON", ("json", "chat.JSON")),
        ("chat.txt", ("md", "chat.txt")),
        ("my notes.md", ("md", "my notes.md")),
        ('json "my chat.json"', ("json", "my chat.json")),
        ("'quoted name'", ("md", "quoted name")),
    ],
)
def test_parse_export(args: str, expected: tuple[str, str | None]) -> None:
    assert parse_export(args) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("", (False, None)),
        ("code", (True, None)),
        ("CODE 2", (True, 2)),
        (" code  12 ", (True, 12)),
    ],
)
def test_parse_copy(args: str, expected: tuple[bool, int | None]) -> None:
    assert parse_copy(args) == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("all", "/copy code N block N"),
        ("code 1 2", "/copy code N block N"),
        ("code 0", "'0' is not a code block number"),
        ("code x", "'x' is not a code block number"),
    ],
)
def test_parse_copy_refuses_anything_else(args: str, message: str) -> None:
    with pytest.raises(CommandError, match=re.escape(message)):
        parse_copy(args)
