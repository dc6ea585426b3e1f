"""Where the prompt is naming a file, and what accepting a path completion puts in it."""

from __future__ import annotations

from claude_tui.ui.widgets.path_fragment import (
    Fragment,
    PathCompletion,
    completions,
    fragment_at,
)


def test_attach_completes_its_last_argument_as_typed() -> None:
    assert fragment_at("/attach ", 8) == Fragment(8, 8, "")
    assert fragment_at("/attach a.png sr", 16) == Fragment(14, 16, "sr")
    assert fragment_at('/attach "My Do', 14) == Fragment(8, 14, '"My Do')
    assert fragment_at("/attach My\\ Do", 14) == Fragment(8, 14, "My\\ Do")
    assert fragment_at('/attach "a b" ', 14) == Fragment(14, 14, "")
    assert fragment_at('/attach "a b"', 13) is None  # a closed quote: finished
    assert fragment_at("/attach src", 3) is None  # the cursor is not at the end
    assert fragment_at("/attach a\nb", 11) is None
    assert fragment_at("/model x", 8) is None


def test_at_words_complete_at_the_start_or_after_whitespace_only() -> None:
    assert fragment_at("@sr", 3) == Fragment(0, 3, "@sr")
    assert fragment_at("look at @src/ma please", 15) == Fragment(8, 15, "@src/ma")
    assert fragment_at("look at @src/main.py", 12) == Fragment(8, 20, "@src")
    assert fragment_at("mail me@example", 15) is None
    assert fragment_at("/help @x", 8) is None


def test_a_completion_replaces_the_fragment_and_places_the_cursor() -> None:
    text = "see @sr now"
    rows = completions(text, Fragment(4, 7, "@sr"), ["@src/", "@srv.py"])
    assert rows == [
        PathCompletion("see @src/ now", "@src/", cursor=9),
        PathCompletion("see @srv.py now", "@srv.py", cursor=11),
    ]
    spaced = completions('/attach "My', Fragment(8, 11, '"My'), ['"My Docs/', '"My file.txt"'])
    assert [row.replacement for row in spaced] == ['/attach "My Docs/', '/attach "My file.txt"']
    assert completions("/attach a.py", Fragment(8, 12, "a.py"), ["a.py"]) == []
