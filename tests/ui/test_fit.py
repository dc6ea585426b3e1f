"""Lines fitted to the columns there are: parts left out whole, words never cut."""

from __future__ import annotations

import pytest

from claude_tui.ui.fit import fit_line, shorten
from claude_tui.ui.widgets.column import column_insets

HINT = "Message Claude…   Enter send · Ctrl+J new line · ↑ earlier prompts"


@pytest.mark.parametrize(
    ("width", "expected"),
    [
        (100, HINT),
        (len(HINT), HINT),
        (60, "Message Claude…   Enter send · Ctrl+J new line"),
        (40, "Message Claude…   Enter send"),
        (20, "Message Claude…"),
        (10, "Message…"),
        (0, ""),
    ],
)
def test_parts_are_left_out_whole_from_the_end(width: int, expected: str) -> None:
    assert fit_line(HINT, width) == expected


def test_the_first_part_is_shortened_at_a_space() -> None:
    assert shorten("a rather long first prompt", 16) == "a rather long…"
    assert shorten("unbreakableword", 8) == "unbreak…"  # no space: cut where it must be
    assert shorten("short", 8) == "short"
    assert shorten("Write a Python function that retries", 29) == "Write a Python function that…"
    assert fit_line("会話のタイトル · claude", 9) == "会話のタ…"  # wide characters count twice


@pytest.mark.parametrize(
    ("width", "max_width", "align", "expected"),
    [
        (80, 100, "center", (0, 0)),  # narrower than the cap: nothing changes
        (106, 100, "center", (0, 0)),
        (116, 100, "center", (5, 5)),
        (117, 100, "center", (5, 6)),
        (300, 100, "left", (0, 194)),
        (300, 0, "center", (0, 0)),  # 0: no cap
    ],
)
def test_column_insets(width: int, max_width: int, align: str, expected: tuple[int, int]) -> None:
    assert column_insets(width, max_width, align) == expected
