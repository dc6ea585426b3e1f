from __future__ import annotations

from claude_tui.core.sanitize import sanitize

ATTACKS = {
    "clear screen": "\x1b[2J\x1b[H",
    "set title": "\x1b]0;owned\x07",
    "clipboard": "\x1b]52;c;ZXZpbA==\x07",
    "hyperlink": "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
    "cursor move": "\x1b[10;10H",
    "8-bit CSI": "\x9b2J",
}


def test_no_control_character_survives() -> None:
    for name, attack in ATTACKS.items():
        clean = sanitize(f"before {attack} after")
        assert not any(
            (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F for c in clean
        ), name
        assert clean.startswith("before ") and clean.endswith(" after")


def test_escape_is_shown_not_obeyed() -> None:
    assert sanitize("\x1b[2J") == "␛[2J"
    assert sanitize("bell\x07") == "bell␇"


def test_text_newlines_tabs_and_unicode_pass_through() -> None:
    text = "# Title\n\n| a | b |\n|---|---|\n\tcode ✓ 日本語 🎉"
    assert sanitize(text) == text
    assert sanitize("line\r\nnext") == "line\nnext"


def test_bidi_overrides_cannot_disguise_text() -> None:
    clean = sanitize("file\u202eexe.txt and \u2066isolated\u2069")
    assert not any(0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 for c in clean)
    assert "exe.txt" in clean
