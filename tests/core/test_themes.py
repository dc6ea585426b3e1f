"""Theme files: the shipped set, parsing good and bad files, and user themes over shipped ones."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest
from textual.color import Color
from textual.theme import BUILTIN_THEMES, Theme

from claude_tui.core.themes import (
    COLOUR_KEYS,
    COLOUR_NAMES,
    ThemeError,
    ThemeProblem,
    ThemeSpec,
    is_colour,
    load_themes,
    parse_theme_file,
    shipped_themes_dir,
    user_themes_dir,
)

SHIPPED, SHIPPED_PROBLEMS = load_themes(shipped_themes_dir())

GOOD = 'name = "{name}"\nprimary = "#D97757"\n'


def write(folder: Path, filename: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    path.write_text(text, encoding="utf-8")
    return path


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two colours, 1 to 21."""

    def luminance(text: str) -> float:
        colour = Color.parse(text)

        def channel(value: int) -> float:
            v = value / 255
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        r, g, b = (channel(value) for value in (colour.r, colour.g, colour.b))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_shipped_themes_all_parse() -> None:
    assert SHIPPED_PROBLEMS == []
    files = sorted(shipped_themes_dir().glob("*.toml"))
    assert len(SHIPPED) == len(files) >= 8
    assert {spec.source for spec in SHIPPED} == set(files)
    names = [spec.name for spec in SHIPPED]
    assert "claude-dark" in names
    assert {spec.dark for spec in SHIPPED} == {True, False}
    assert sum(not spec.dark for spec in SHIPPED) >= 3


def test_shipped_theme_names_are_our_own() -> None:
    """A shipped theme must not silently replace one of Textual's, nor share a file name mix-up."""
    for spec in SHIPPED:
        assert spec.name not in BUILTIN_THEMES
        assert spec.source.stem == spec.name


@pytest.mark.parametrize("spec", SHIPPED, ids=lambda spec: spec.name)
def test_shipped_theme_is_complete_readable_and_textual_accepts_it(spec: ThemeSpec) -> None:
    for key in COLOUR_KEYS:
        assert getattr(spec, key) is not None, key
    assert spec.background is not None and spec.foreground is not None
    assert spec.panel is not None
    assert contrast(spec.foreground, spec.background) >= 7, "body text"
    assert contrast(spec.foreground, spec.panel) >= 7, "text on panels"
    for key in ("primary", "secondary", "accent", "warning", "error", "success"):
        assert contrast(getattr(spec, key), spec.background) >= 4.5, key
    assert spec.source.read_text(encoding="utf-8").startswith("# "), "header comment"
    fields = asdict(spec)
    fields.pop("source")
    assert fields.pop("reply_align") in ("center", "left")  # ours, not a Textual field
    theme = Theme(**fields)
    assert theme.to_color_system().generate()


@pytest.mark.parametrize(
    "text",
    ["#abc", "#abcd", "#A1B2C3", "#a1b2c3d4", "rgb(1, 2, 3)", "rgba(1,2,3,0.5)",
     "hsl(210, 50%, 40%)", "hsla(210,50%,40%,0.3)", "red", "navy"],
)  # fmt: skip
def test_colours_we_accept_textual_parses(text: str) -> None:
    assert is_colour(text)
    Color.parse(text)


@pytest.mark.parametrize(
    "text",
    ["", "#ab", "#abcde", "#ggg", "D97757", "rgb(1,2)", "hsl(1,2,3)", "blurple", " #abc",
     "Red", "rgb(1,2,3) extra"],
)  # fmt: skip
def test_colours_we_reject(text: str) -> None:
    assert not is_colour(text)


def test_colour_names_are_all_textual_colours() -> None:
    for name in COLOUR_NAMES:
        Color.parse(name)


def test_minimal_and_full_theme(tmp_path: Path) -> None:
    minimal = parse_theme_file(write(tmp_path, "a.toml", GOOD.format(name="mine")))
    assert (minimal.name, minimal.dark, minimal.primary) == ("mine", True, "#D97757")
    assert minimal.background is None and minimal.variables == {}
    assert minimal.source == tmp_path / "a.toml"

    full = parse_theme_file(
        write(
            tmp_path,
            "b.toml",
            GOOD.format(name="full")
            + 'dark = false\nbackground = "white"\nerror = "rgb(200, 0, 0)"\n'
            + '[variables]\nblock-cursor-foreground = "#000"\n',
        )
    )
    assert full.dark is False
    assert (full.background, full.error) == ("white", "rgb(200, 0, 0)")
    assert full.variables == {"block-cursor-foreground": "#000"}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('name = "x"\n', "has no primary colour"),
        ('primary = "#fff"\n', "has no name"),
        ('name = "my theme"\nprimary = "#fff"\n', "name 'my theme' is not usable"),
        ('name = 3\nprimary = "#fff"\n', "name 3 is not usable"),
        (
            GOOD.format(name="x") + 'background = "#12345"\n',
            "background = '#12345' is not a colour",
        ),
        (GOOD.format(name="x") + "accent = 3\n", "accent = 3 is not a colour"),
        ('name = "x"\nprimary = "reddish"\n', "primary = 'reddish' is not a colour"),
        (GOOD.format(name="x") + 'colour = "#fff"\n', "unknown key 'colour'; expected name, dark"),
        (GOOD.format(name="x") + "dark = 1\n", "dark = 1; expected true or false"),
        (GOOD.format(name="x") + 'dark = "yes"\n', "dark = 'yes'; expected true or false"),
        (GOOD.format(name="x") + 'variables = "x"\n', "[variables] must be a table of strings"),
        (GOOD.format(name="x") + "[variables]\nfoo = 1\n", "[variables] must be a table"),
        ('name = "x"\nprimary = \n', "is not valid TOML at line 2 (Invalid value)"),
        (
            GOOD.format(name="x") + 'reply_align = "right"\n',
            'reply_align = \'right\'; expected "center" or "left"',
        ),
        (GOOD.format(name="x") + "reply_align = 1\n", "reply_align = 1; expected"),
    ],
)
def test_bad_theme_file_raises_naming_the_file(tmp_path: Path, text: str, reason: str) -> None:
    path = write(tmp_path, "bad.toml", text)
    with pytest.raises(ThemeError) as caught:
        parse_theme_file(path)
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"{path}: ")


def test_bad_files_are_reported_and_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "themes"
    write(folder, "good.toml", GOOD.format(name="good"))
    write(folder, "no-primary.toml", 'name = "np"\n')
    write(folder, "bad-colour.toml", 'name = "bc"\nprimary = "nope"\n')
    write(folder, "unknown.toml", GOOD.format(name="uk") + "shade = 1\n")
    write(folder, "dark.toml", GOOD.format(name="dk") + "dark = 0\n")
    write(folder, "broken.toml", "name = = \n")
    write(folder, "binary.toml", "").write_bytes(b"\xff\xfe")
    write(folder, "notes.txt", "not a theme")
    themes, problems = load_themes(folder)
    assert [spec.name for spec in themes] == ["good"]
    by_file = {problem.path.name: str(problem) for problem in problems}
    assert set(by_file) == {
        "no-primary.toml",
        "bad-colour.toml",
        "unknown.toml",
        "dark.toml",
        "broken.toml",
        "binary.toml",
    }
    for name, notice in by_file.items():
        assert notice.startswith(str(folder / name) + ": ")
        assert "\n" not in notice
    assert "is not valid TOML at line 1" in by_file["broken.toml"]
    assert "not UTF-8" in by_file["binary.toml"]


def test_user_themes_override_shipped_ones_by_name(tmp_path: Path) -> None:
    shipped = tmp_path / "shipped"
    user = tmp_path / "user"
    write(shipped, "zeta.toml", GOOD.format(name="zeta"))
    write(shipped, "alpha.toml", GOOD.format(name="alpha"))
    write(user, "my-alpha.toml", 'name = "alpha"\nprimary = "#123456"\ndark = false\n')
    write(user, "beta.toml", GOOD.format(name="beta"))
    themes, problems = load_themes(shipped, user, tmp_path / "missing")
    assert problems == []
    assert [spec.name for spec in themes] == ["alpha", "beta", "zeta"]
    alpha = themes[0]
    assert (alpha.primary, alpha.dark, alpha.source) == ("#123456", False, user / "my-alpha.toml")


def test_same_name_twice_in_one_folder(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", GOOD.format(name="twin"))
    write(tmp_path, "b.toml", GOOD.format(name="twin"))
    themes, problems = load_themes(tmp_path)
    assert [spec.source.name for spec in themes] == ["a.toml"]
    assert problems == [
        ThemeProblem(
            tmp_path / "b.toml", "theme 'twin' is also defined by a.toml; this file is skipped"
        )
    ]


def test_folders() -> None:
    assert (shipped_themes_dir() / "claude-dark.toml").is_file()
    assert user_themes_dir().parts[-2:] == ("claude-tui", "themes")
    assert load_themes(user_themes_dir()) == ([], [])  # not there yet: no themes, no problem


def test_reply_align_is_optional_and_centred_by_default(tmp_path: Path) -> None:
    plain = parse_theme_file(write(tmp_path, "a.toml", GOOD.format(name="plain")))
    left = parse_theme_file(
        write(tmp_path, "b.toml", GOOD.format(name="left") + 'reply_align = "left"\n')
    )
    assert (plain.reply_align, left.reply_align) == ("center", "left")
