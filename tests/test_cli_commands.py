"""The ``sessions``, ``export``, ``import`` and ``themes`` subcommands, on tmp data and config."""

from __future__ import annotations

import argparse
import json
import stat
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from claude_tui.cli.subcommands import add_subcommands
from claude_tui.core.store import SessionStore


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    add_subcommands(sub)
    args = parser.parse_args(argv)
    code = args.func(args)
    assert isinstance(code, int)
    return code


@pytest.fixture
def sessions() -> list[str]:
    """Three sessions, oldest first; the newest has a hostile title."""
    with SessionStore.open() as store:
        ids = []
        for title, words in [
            ("Grocery list", ["eggs and milk", "noted"]),
            ("", ["How do I tune SQLite WAL mode?", "Use PRAGMA journal_mode", "thanks"]),
            ("Evil \x1b]0;pwned\x07 title", ["hello"]),
        ]:
            session = store.create_session(model="claude-sonnet-5-5", title=title)
            for index, text in enumerate(words):
                role = "user" if index % 2 == 0 else "assistant"
                store.add_message(session.id, role, text)
            ids.append(session.id)
    return ids


def _local(stamp: str) -> str:
    return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")


def test_sessions_table(sessions: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run("sessions") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == sessions[::-1]
    with SessionStore.open() as store:
        wal = store.get_session(sessions[1])
    assert wal is not None
    assert lines[1] == f"{wal.id}  {_local(wal.updated_at)}  3  How do I tune SQLite WAL mode?"
    assert "\x1b" not in lines[0] and "\x07" not in lines[0]
    assert "Evil ␛]0;pwned␇ title" in lines[0]
    assert lines[2].endswith("  2  Grocery list")
    assert len({line.index(line.split()[4]) for line in lines}) == 1  # titles line up


def test_sessions_json_search_and_limit(
    sessions: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("sessions", "--json") == 0
    listed = json.loads(capsys.readouterr().out)
    assert [item["id"] for item in listed] == sessions[::-1]
    assert listed[1]["title"] == "How do I tune SQLite WAL mode?"
    assert listed[1]["message_count"] == 3
    assert set(listed[0]) >= {"id", "title", "updated_at", "message_count", "model"}

    assert run("sessions", "--search", "journal") == 0
    assert [line.split()[0] for line in capsys.readouterr().out.splitlines()] == [sessions[1]]
    assert run("sessions", "--search", "grocery", "--json") == 0
    assert [item["id"] for item in json.loads(capsys.readouterr().out)] == [sessions[0]]
    assert run("sessions", "--limit", "1") == 0
    assert len(capsys.readouterr().out.splitlines()) == 1


def test_sessions_when_there_are_none(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("sessions") == 0
    assert capsys.readouterr().out == ""
    assert run("sessions", "--json") == 0
    assert json.loads(capsys.readouterr().out) == []


def test_export_markdown_to_stdout(sessions: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run("export", sessions[1][:6]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# How do I tune SQLite WAL mode?\n")
    assert out.count("## You") == 2 and out.count("## Claude") == 1
    assert "Use PRAGMA journal_mode" in out


def test_export_latest_json_to_stdout(
    sessions: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("export", "latest", "--format", "json") == 0
    out = capsys.readouterr().out
    assert out.endswith("}\n")
    with SessionStore.open() as store:
        assert json.loads(out) == store.export_session(sessions[2])


def test_export_to_a_private_file(
    sessions: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out.json"
    assert run("export", sessions[0], "--format", "json", "-o", str(target)) == 0
    assert capsys.readouterr().out == ""
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text(encoding="utf-8"))["title"] == "Grocery list"
    markdown = tmp_path / "out.md"
    assert run("export", sessions[0], "--format", "md", "--output", str(markdown)) == 0
    assert markdown.read_text(encoding="utf-8").startswith("# Grocery list\n")


def test_export_of_an_unknown_session(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("export", "ffffffffffff") == 1
    assert run("export", "latest") == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no session matches 'ffffffffffff'" in captured.err


def test_import_good_and_bad_files(
    sessions: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with SessionStore.open() as store:
        exported = store.export_session(sessions[1])
    good = tmp_path / "good.json"
    good.write_text(json.dumps({**exported, "id": "aaaaaaaaaaaa"}), encoding="utf-8")
    not_json = tmp_path / "not.json"
    not_json.write_text("{oops", encoding="utf-8")
    wrong_shape = tmp_path / "shape.json"
    wrong_shape.write_text(json.dumps({**exported, "messages": "none"}), encoding="utf-8")
    missing = tmp_path / "missing.json"
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00")

    files = [not_json, good, wrong_shape, missing, binary]
    assert run("import", *map(str, files)) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == ["aaaaaaaaaaaa"]
    errors = captured.err.splitlines()
    assert len(errors) == 4
    for path, error in zip([not_json, wrong_shape, missing, binary], errors, strict=True):
        assert str(path) in error
    assert "messages: expected a list" in errors[1]
    with SessionStore.open() as store:
        assert store.count_sessions() == 4


def test_full_export_import_round_trip(
    sessions: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "session.json"
    assert run("export", sessions[1], "--format", "json", "-o", str(target)) == 0
    assert run("import", str(target)) == 0
    new_id = capsys.readouterr().out.strip()
    assert new_id != sessions[1]  # the original is still there: a new id
    with SessionStore.open() as store:
        original = store.export_session(sessions[1])
        copy = store.export_session(new_id)
    assert copy == {**original, "id": new_id}

    with SessionStore.open() as store:
        store.delete_session(sessions[1])
    assert run("import", str(target)) == 0
    assert capsys.readouterr().out.strip() == sessions[1]  # the id was free again: kept
    assert run("export", sessions[1], "--format", "json") == 0
    assert capsys.readouterr().out == target.read_text(encoding="utf-8")


def test_import_of_a_release_export_and_a_file_with_bad_blocks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file exported by the release before blocks imports; one whose blocks are wrong is
    refused with the field named."""
    release = Path(__file__).parent / "fixtures" / "export-v2.json"
    assert run("import", str(release)) == 0
    session_id = capsys.readouterr().out.strip()
    assert run("export", session_id, "--format", "json") == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["messages"][1]["blocks"][0]["type"] == "thinking"
    bad = tmp_path / "bad.json"
    exported["messages"][1]["blocks"][1] = {"text": "no type"}
    bad.write_text(json.dumps({**exported, "id": "bbbbbbbbbbbb"}), encoding="utf-8")
    assert run("import", str(bad)) == 1
    assert "messages[1].blocks[1].type: missing" in capsys.readouterr().err


def test_commands_do_not_import_textual_or_the_sdk() -> None:
    probe = (
        "import sys, claude_tui.cli.subcommands\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('textual', 'rich', 'anthropic')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_bad_limit_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run("sessions", "--limit", "0")
    assert "1 or more" in capsys.readouterr().err


def test_markdown_notes_for_cancelled_and_failed_turns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with SessionStore.open() as store:
        session = store.create_session(model="claude-x", system="Be terse.")
        store.add_message(session.id, "user", "Go")
        store.add_message(session.id, "assistant", "Half a", status="cancelled", thinking="hm")
        store.add_message(session.id, "assistant", "", status="error", error="overloaded (529)")
    assert run("export", session.id) == 0
    out = capsys.readouterr().out
    assert "- Model: claude-x" in out and "> Be terse." in out
    assert "Half a\n\n> *Stopped before the end" in out
    assert "*(no text)*\n\n> *The reply failed: overloaded (529)*" in out
    assert "<summary>Thinking</summary>\n\nhm\n" in out


def test_export_to_a_terminal_shows_escapes_instead_of_obeying_them(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with SessionStore.open() as store:
        session = store.create_session(model="m")
        store.add_message(session.id, "assistant", "clear \x1b[2J screen")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert run("export", session.id) == 0
    assert "clear ␛[2J screen" in capsys.readouterr().out


def _theme_lines(capsys: pytest.CaptureFixture[str]) -> tuple[list[str], str]:
    captured = capsys.readouterr()
    return captured.out.splitlines(), captured.err


def test_themes_lists_every_theme_and_marks_the_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from textual.theme import BUILTIN_THEMES

    assert run("themes") == 0
    lines, err = _theme_lines(capsys)
    assert err == ""
    names = [line[2:] for line in lines]
    assert names == sorted(names)
    assert {"claude-dark", "claude-light", "midnight", *BUILTIN_THEMES} <= set(names)
    assert [line for line in lines if line.startswith("*")] == ["* claude-dark"]
    assert all(line.startswith(("* ", "  ")) for line in lines)


def test_themes_marks_the_configured_theme_and_reports_bad_user_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    user = tmp_path / "config" / "claude-tui" / "themes"
    user.mkdir(parents=True)
    (user / "mine.toml").write_text('name = "mine"\nprimary = "#123456"\n', encoding="utf-8")
    (user / "broken.toml").write_text('name = "broken"\n', encoding="utf-8")
    (user.parent / "config.toml").write_text('theme = "mine"\n', encoding="utf-8")

    assert run("themes") == 0
    lines, err = _theme_lines(capsys)
    assert "* mine" in lines and "  claude-dark" in lines
    assert not any("broken" in line for line in lines)
    assert err.splitlines() == [
        f"claude-tui: {user / 'broken.toml'}: has no primary colour; "
        'expected e.g. primary = "#D97757"'
    ]


def test_themes_honours_config_option_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    by_option = tmp_path / "option.toml"
    by_option.write_text('theme = "ember"\n', encoding="utf-8")
    by_env = tmp_path / "env.toml"
    by_env.write_text('theme = "fjord"\n', encoding="utf-8")

    assert run("themes", "--config", str(by_option)) == 0
    assert "* ember" in _theme_lines(capsys)[0]
    monkeypatch.setenv("CLAUDE_TUI_CONFIG", str(by_env))
    assert run("themes") == 0
    assert "* fjord" in _theme_lines(capsys)[0]
    assert run("themes", "--config", str(by_option)) == 0
    assert "* ember" in _theme_lines(capsys)[0]


def test_themes_with_an_unknown_or_invalid_configured_theme(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('theme = "nonesuch"\n', encoding="utf-8")
    assert run("themes", "--config", str(config)) == 0
    lines, err = _theme_lines(capsys)
    assert not any(line.startswith("*") for line in lines)
    assert "the configured theme 'nonesuch' is not one of these" in err

    config.write_text("theme = 3\nrefresh_rate = = 1\n", encoding="utf-8")
    assert run("themes", "--config", str(config)) == 0
    lines, err = _theme_lines(capsys)
    assert "* claude-dark" in lines
    assert "config.toml, line 2: not valid TOML" in err


def test_themes_command_in_its_own_process(tmp_path: Path) -> None:
    """The real entry point: textual is imported lazily, and the output is plain lines."""
    result = subprocess.run(
        [sys.executable, "-m", "claude_tui", "themes"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "* claude-dark" in result.stdout.splitlines()
    assert "  high-contrast" in result.stdout.splitlines()
