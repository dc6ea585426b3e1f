"""What a person types or pastes, turned into paths: /attach words, a drop of files, @path in
a prompt, and completion of a half-typed path, all in one shell-like spelling."""

from __future__ import annotations

from pathlib import Path

import pytest

from claude_tui.core.attachments import paths
from claude_tui.core.attachments.paths import (
    at_references,
    attach_args,
    expand_globs,
    pasted_paths,
    pasted_words,
    path_completions,
)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """cwd/: a.png, my file.txt, it's.md, notes.md, .env, src/ (app.py), docs/, Photos/;
    home/: Documents/report.pdf."""
    cwd = tmp_path / "cwd"
    for name in ("a.png", "my file.txt", "it's.md", "notes.md", ".env", "src/app.py"):
        (cwd / name).parent.mkdir(parents=True, exist_ok=True)
        (cwd / name).write_text("x")
    (cwd / "docs").mkdir()
    (cwd / "Photos").mkdir()
    (tmp_path / "home" / "Documents").mkdir(parents=True)
    (tmp_path / "home" / "Documents" / "report.pdf").write_text("x")
    return cwd


def home_of(cwd: Path) -> Path:
    return cwd.parent / "home"


# /attach


def test_attach_words_take_quotes_escapes_home_and_relative(tree: Path) -> None:
    home = home_of(tree)
    text = """a.png "my file.txt" 'it'"'"'s.md' my\\ file.txt ~/Documents/report.pdf /x/y.pdf"""
    assert attach_args(text, tree, home=home) == [
        tree / "a.png", tree / "my file.txt", tree / "it's.md", tree / "my file.txt",
        home / "Documents" / "report.pdf", Path("/x/y.pdf"),
    ]  # fmt: skip
    assert attach_args("~", tree, home=home) == [home]
    assert attach_args("  ", tree) == []


def test_attach_refuses_an_open_quote(tree: Path) -> None:
    with pytest.raises(ValueError, match="A quote is left open"):
        attach_args('"my file.txt', tree)
    with pytest.raises(ValueError, match="not a file on this computer"):
        attach_args("file://server/share/a.png", tree)


# pasted paths: what terminals send when files are dropped


@pytest.mark.parametrize(
    "paste",
    [
        "'{cwd}/my file.txt'",
        '"{cwd}/my file.txt"',
        "{cwd}/my\\ file.txt",
        "file://{cwd}/my%20file.txt",
        "file://localhost{cwd}/my%20file.txt\r\n",
        "  {cwd}/my\\ file.txt  \n",
    ],
)
def test_one_dropped_file_in_each_terminals_spelling(tree: Path, paste: str) -> None:
    assert pasted_paths(paste.format(cwd=tree), tree) == [tree / "my file.txt"]


def test_several_dropped_files(tree: Path) -> None:
    paste = f"'{tree}/a.png' {tree}/my\\ file.txt\n{tree}/src/app.py"
    assert pasted_paths(paste, tree) == [tree / "a.png", tree / "my file.txt", tree / "src/app.py"]
    assert pasted_paths("~/Documents/report.pdf", tree, home=home_of(tree)) == [
        home_of(tree) / "Documents" / "report.pdf"
    ]


@pytest.mark.parametrize(
    "paste",
    [
        "",
        "   \n",
        "hello world",
        "{cwd}/a.png and more",  # one word that is not a file keeps it all text
        "{cwd}/a.png {cwd}/missing.png",
        "{cwd}/src",  # a folder is not a file
        "'{cwd}/a.png",  # an open quote
        "file://elsewhere{cwd}/a.png",
        "https://example.com/a.png",
        "don't",
        "a.png",  # a relative word is text, even when such a file is here: a drop is absolute
        "{cwd}/a.png notes.md",
    ],
)
def test_an_ordinary_paste_stays_text(tree: Path, paste: str) -> None:
    assert pasted_paths(paste.format(cwd=tree), tree) is None


# @path in a prompt


def test_at_references_span_the_token_and_name_existing_files(tree: Path) -> None:
    text = 'compare @a.png with @my\\ file.txt\n@"my file.txt" and @src/app.py.'
    found = at_references(text, tree)
    assert [(text[start:end], path) for start, end, path in found] == [
        ("@a.png", tree / "a.png"),
        ("@my\\ file.txt", tree / "my file.txt"),
        ('@"my file.txt"', tree / "my file.txt"),
        ("@src/app.py", tree / "src/app.py"),  # the full stop is the sentence's
    ]


def test_what_is_not_an_at_reference(tree: Path) -> None:
    (tree / "b.com").write_text("x")
    text = 'mail a@b.com, or @missing.txt, or @src, or @ alone, or @"open quote'
    assert at_references(text, tree) == []
    assert at_references("@~/Documents/report.pdf", tree, home=home_of(tree)) == [
        (0, 23, home_of(tree) / "Documents" / "report.pdf")
    ]


def test_single_quotes_and_long_pastes(tree: Path) -> None:
    assert at_references("@'it'", tree) == []  # a single-quoted path is literal: no such file
    assert at_references("read @'my file.txt'!", tree) == [(5, 19, tree / "my file.txt")]
    assert pasted_paths(f"{tree}/a.png " * 2000, tree) is None  # too long to be a drop
    assert attach_args(f"file://{tree}/my%20file.txt", tree) == [tree / "my file.txt"]


def test_punctuation_that_is_part_of_the_name_is_kept(tree: Path) -> None:
    (tree / "v1.").write_text("x")
    assert at_references("see @v1.", tree) == [(4, 8, tree / "v1.")]


# completion


def test_completion_of_a_relative_fragment(tree: Path) -> None:
    assert path_completions("src/a", tree) == ["src/app.py"]
    assert path_completions("", tree) == [
        "a.png", "docs/", "it\\'s.md", "my\\ file.txt", "notes.md", "Photos/", "src/",
    ]  # fmt: skip
    assert path_completions("@no", tree) == ["@notes.md"]


def test_hidden_entries_only_for_a_dot(tree: Path) -> None:
    assert ".env" not in path_completions("", tree)
    assert path_completions(".", tree) == [".env"]


def test_the_users_spelling_is_kept(tree: Path) -> None:
    home = home_of(tree)
    assert path_completions("~/Doc", tree, home=home) == ["~/Documents/"]
    assert path_completions("~/Documents/", tree, home=home) == ["~/Documents/report.pdf"]
    assert path_completions("~", tree, home=home) == ["~/"]
    assert path_completions(f"{tree}/s", tree) == [f"{tree}/src/"]


def test_names_with_spaces_follow_the_fragments_quoting(tree: Path) -> None:
    assert path_completions("my", tree) == ["my\\ file.txt"]
    assert path_completions("my\\ f", tree) == ["my\\ file.txt"]
    assert path_completions('"my f', tree) == ['"my file.txt"']
    assert path_completions("'it", tree) == ["'it'\\''s.md'"]
    assert path_completions('@"Pho', tree) == ['@"Photos/']
    assert attach_args(path_completions("'it", tree)[0], tree) == [tree / "it's.md"]


def test_completion_is_bounded_and_quiet_on_errors(tree: Path) -> None:
    for index in range(30):
        (tree / f"f{index:02}.txt").write_text("x")
    assert path_completions("f", tree, limit=5) == [f"f{index:02}.txt" for index in range(5)]
    assert path_completions("nowhere/x", tree) == []
    assert path_completions("a.png/x", tree) == []


def test_each_dropped_file_keeps_its_word_as_pasted(tree: Path) -> None:
    paste = f"'{tree}/my file.txt'  {tree}/it\\'s.md\n"
    assert pasted_words(paste, tree) == [
        (f"'{tree}/my file.txt'", tree / "my file.txt"),
        (f"{tree}/it\\'s.md", tree / "it's.md"),
    ]


def test_names_with_control_characters_are_never_offered(tree: Path) -> None:
    # the ESC would reach the terminal when the completion is drawn in the input
    (tree / "evil\x1b[31mred.txt").write_text("x")
    (tree / "even\rcr.txt").write_text("x")
    (tree / "evenly.txt").write_text("x")
    assert path_completions("ev", tree) == ["evenly.txt"]


def test_a_folder_is_listed_once_while_it_does_not_change(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = paths.os.scandir
    calls: list[object] = []

    def counted(folder: object) -> object:
        calls.append(folder)
        return real(folder)  # type: ignore[call-overload]

    monkeypatch.setattr(paths.os, "scandir", counted)
    for typed in ("n", "no", "not", "note"):
        assert path_completions(typed, tree) == ["notes.md"]
    assert len(calls) == 1
    (tree / "notebook.md").write_text("x")  # the folder's mtime moves: read again
    assert path_completions("note", tree) == ["notebook.md", "notes.md"]
    assert len(calls) == 2


def test_wildcards_expand_sorted_and_capped(tree: Path) -> None:
    for index in (3, 1, 2):
        (tree / f"note_with_{index}.md").write_text("x")
    found, notes = expand_globs([tree / "note_with*", tree / "a.png"])
    assert found == [tree / f"note_with_{i}.md" for i in (1, 2, 3)] + [tree / "a.png"]
    assert notes == []
    found, notes = expand_globs([tree / "*.md", tree / "zz*"], limit=2)
    assert found == [tree / "it's.md", tree / "note_with_1.md"]
    assert notes == [
        "*.md matches 5 files: only the first 2 are attached (at most 2 at once)",
        "zz* matches no file",
    ]
