"""Theme files: one TOML file per theme, holding the fields of a Textual ``Theme``.

Parsing lives in core, without textual, so ``claude-tui themes`` can list and check themes in a
plain process, and so a broken file is caught here with a message that names it, instead of as a
colour-parsing error deep inside Textual. The UI turns each ``ThemeSpec`` into a ``Theme``.

Themes come from two folders: the ones shipped with the package, then the user's, which win by
name. A bad file is reported and skipped; it never stops the app or hides the other themes.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from claude_tui.core import paths
from claude_tui.core.config_schema import error_line, error_reason

COLOUR_KEYS = (
    "primary",
    "secondary",
    "accent",
    "background",
    "surface",
    "panel",
    "foreground",
    "warning",
    "error",
    "success",
)
KNOWN_KEYS = frozenset(("name", "dark", "variables", "reply_align", *COLOUR_KEYS))
REPLY_ALIGNS = ("center", "left")
"""Where the conversation's column stands when ``max_width`` leaves room beside it."""
DEFAULT_REPLY_ALIGN = "center"
"""Centred: on a wide screen the text sits where the eye rests, not against the sidebar."""

# fmt: off
COLOUR_NAMES = frozenset({
    "black", "silver", "gray", "grey", "white", "maroon", "red", "purple", "fuchsia", "green",
    "lime", "olive", "yellow", "navy", "blue", "teal", "aqua", "orange", "cyan", "magenta",
    "pink", "gold", "coral", "crimson", "indigo", "violet", "salmon", "tomato", "turquoise",
    "khaki", "ivory", "beige", "tan",
})
# fmt: on
"""CSS colour names a theme may use; all are ones Textual parses. Hex is the norm in themes."""

_NUMBER = r"\s*-?\d+(?:\.\d*)?\s*"
_PERCENT = r"\s*-?\d+(?:\.\d*)?%\s*"
_FUNCTIONS = {
    "rgb": (_NUMBER,) * 3,
    "rgba": (_NUMBER,) * 4,
    "hsl": (_NUMBER, _PERCENT, _PERCENT),
    "hsla": (_NUMBER, _PERCENT, _PERCENT, _NUMBER),
}
_COLOUR = re.compile(
    r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|"
    + "|".join(rf"{name}\({','.join(parts)}\)" for name, parts in _FUNCTIONS.items())
)
_THEME_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class ThemeError(ValueError):
    """A theme file that cannot be used; ``str()`` names the file and the reason."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class ThemeSpec:
    """A parsed theme file: Textual ``Theme`` fields, with ``None`` where Textual derives one."""

    name: str
    dark: bool
    primary: str
    secondary: str | None
    accent: str | None
    background: str | None
    surface: str | None
    panel: str | None
    foreground: str | None
    warning: str | None
    error: str | None
    success: str | None
    variables: dict[str, str]
    source: Path
    reply_align: str = DEFAULT_REPLY_ALIGN
    """``center`` or ``left``: see ``REPLY_ALIGNS``."""


@dataclass(frozen=True)
class ThemeProblem:
    """A theme file that was skipped, and why; ``str()`` is the notice to show."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def is_colour(text: str) -> bool:
    """A colour Textual can parse: ``#RGB``, ``#RGBA``, ``#RRGGBB``, ``#RRGGBBAA``, ``rgb()``,
    ``rgba()``, ``hsl()``, ``hsla()`` or one of ``COLOUR_NAMES``."""
    return text in COLOUR_NAMES or _COLOUR.fullmatch(text) is not None


def parse_theme_file(path: Path) -> ThemeSpec:
    """Read one theme file; ``ThemeError`` names the first thing wrong with it."""
    try:
        table = tomllib.loads(path.read_bytes().decode("utf-8"))
    except OSError as error:
        raise ThemeError(path, f"cannot be read ({error.strerror or error})") from error
    except UnicodeDecodeError as error:
        raise ThemeError(path, "is not UTF-8 text") from error
    except tomllib.TOMLDecodeError as error:
        line = error_line(str(error), "")
        where = f" at line {line}" if line else ""
        raise ThemeError(path, f"is not valid TOML{where} ({error_reason(str(error))})") from error
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        known = ", ".join(("name", "dark", *COLOUR_KEYS, "reply_align", "[variables]"))
        raise ThemeError(path, f"unknown key {unknown[0]!r}; expected {known}")
    name = table.get("name")
    if not isinstance(name, str) or not _THEME_NAME.fullmatch(name):
        reason = "has no name" if name is None else f"name {_show(name)} is not usable"
        raise ThemeError(path, f"{reason}; expected a name such as 'my-theme' (letters, digits, -)")
    dark = table.get("dark", True)
    if not isinstance(dark, bool):
        raise ThemeError(path, f"dark = {_show(dark)}; expected true or false")
    colours: dict[str, str | None] = {}
    for key in COLOUR_KEYS:
        value = table.get(key)
        if value is None and key == "primary":
            raise ThemeError(path, 'has no primary colour; expected e.g. primary = "#D97757"')
        if value is not None and not (isinstance(value, str) and is_colour(value)):
            raise ThemeError(
                path, f"{key} = {_show(value)} is not a colour; expected #RRGGBB, rgb(), hsl()"
            )
        colours[key] = value
    reply_align = table.get("reply_align", DEFAULT_REPLY_ALIGN)
    if reply_align not in REPLY_ALIGNS:
        raise ThemeError(path, f'reply_align = {_show(reply_align)}; expected "center" or "left"')
    variables = table.get("variables", {})
    if not isinstance(variables, dict) or not all(
        isinstance(value, str) for value in variables.values()
    ):
        raise ThemeError(path, '[variables] must be a table of strings, e.g. x = "#112233"')
    primary = colours["primary"]
    assert primary is not None
    return ThemeSpec(
        name=name,
        dark=dark,
        primary=primary,
        secondary=colours["secondary"],
        accent=colours["accent"],
        background=colours["background"],
        surface=colours["surface"],
        panel=colours["panel"],
        foreground=colours["foreground"],
        warning=colours["warning"],
        error=colours["error"],
        success=colours["success"],
        variables=dict(variables),
        source=path,
        reply_align=reply_align,
    )


def load_themes(*dirs: Path) -> tuple[list[ThemeSpec], list[ThemeProblem]]:
    """Every ``*.toml`` theme in ``dirs``, sorted by name, and the files that were skipped.

    A later folder wins over an earlier one by theme name (user themes over shipped ones).
    Within one folder two files with the same name are a mistake: the first by file name is
    kept and the other reported. A missing folder simply has no themes.
    """
    found: dict[str, ThemeSpec] = {}
    problems: list[ThemeProblem] = []
    for folder in dirs:
        in_folder: dict[str, Path] = {}
        for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
            try:
                spec = parse_theme_file(path)
            except ThemeError as error:
                problems.append(ThemeProblem(path, error.reason))
                continue
            if spec.name in in_folder:
                message = f"theme {spec.name!r} is also defined by {in_folder[spec.name].name}"
                problems.append(ThemeProblem(path, message + "; this file is skipped"))
                continue
            in_folder[spec.name] = path
            found[spec.name] = spec
    return sorted(found.values(), key=lambda spec: spec.name), problems


def shipped_themes_dir() -> Path:
    """The themes inside the package (a wheel: ``claude_tui/themes``), else the repository's
    top-level ``themes/`` (an editable install, where the files were never copied)."""
    packaged = files("claude_tui") / "themes"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "themes"


def user_themes_dir() -> Path:
    """``$XDG_CONFIG_HOME/claude-tui/themes``: the user's own theme files."""
    return paths.config_dir() / "themes"


def _show(value: object) -> str:
    """A value as TOML writes it, short and on one line, for a message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value)
    text = text if len(text) <= 40 else text[:37] + "..."
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)
