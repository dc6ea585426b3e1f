"""The pieces of Rich's Markdown that a reply is drawn with: its elements, parser, styles and
code lexers (``render.BlockRenderer`` renders a block with them).

Rich's own are replaced where a chat needs otherwise: headings aligned left, code blocks on the
theme's surface whose rows carry where their code is (``code_rows``), table cells that fold a
long word rather than cut it, images drawn as text (``images``), one shared parser, and no
terminal hyperlinks, since link targets are model output.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import ClassVar

from markdown_it import MarkdownIt
from markdown_it.token import Token
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound
from rich.console import Console, ConsoleOptions, JustifyMethod, RenderResult
from rich.markdown import CodeBlock, Heading, Markdown, TableDataElement
from rich.segment import Segment
from rich.theme import Theme
from textual.color import Color

from claude_tui.core.mdrefs import Relevant, env_for
from claude_tui.ui.widgets.markdown.code_rows import NUMBER_ROOM, RowSyntax, mark_row, syntax_rows
from claude_tui.ui.widgets.markdown.images import images_as_links


class _LeftHeading(Heading):
    """Headings aligned left, as in a chat transcript, rather than Rich's centred h1."""

    LEVEL_ALIGN: ClassVar = dict.fromkeys(("h1", "h2", "h3", "h4", "h5", "h6"), "left")


class _ThemedCodeBlock(CodeBlock):
    """A code block on the theme's surface colour rather than the Pygments style's own."""

    background: str | None = None

    @classmethod
    def create(cls, markdown: Markdown, token: Token) -> CodeBlock:
        block = cls((token.info or "").partition(" ")[0] or "text", markdown.code_theme)
        block.background = getattr(markdown, "code_background", None)
        markdown.has_code = True  # type: ignore[attr-defined]  # its lines carry code rows
        return block

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        syntax = RowSyntax(
            str(self.text).rstrip(),
            lexer_for(self.lexer_name),
            theme=self.theme,
            word_wrap=True,
            padding=(1, NUMBER_ROOM, 1, 1),
            background_color=self.background,
        )
        # Each row carries where its code is, read back by ``BlockRenderer._render``.
        new_line = Segment.line()
        for segments, info in syntax_rows(console, options, syntax):
            yield from mark_row(segments, info)
            yield new_line


class _FoldingCell(TableDataElement):
    """A table cell whose words longer than its column (a link's target) are folded onto the
    next line, as in a paragraph, rather than cut off with an ellipsis as Rich's are."""

    def __init__(self, justify: JustifyMethod) -> None:
        super().__init__(justify)
        self.content.overflow = "fold"


@lru_cache(maxsize=1)
def _rich_parser() -> MarkdownIt:
    """One parser, configured as Rich configures its own, shared by every block."""
    return MarkdownIt().enable("strikethrough").enable("table")


class ChatMarkdown(Markdown):
    """Rich's Markdown as a chat shows it: headings on the left, code on the theme's surface
    with rows that know where their code is, table cells that fold, images as text, and the
    reply's link reference definitions; never terminal hyperlinks."""

    elements: ClassVar = {
        **Markdown.elements,
        "heading_open": _LeftHeading,
        "fence": _ThemedCodeBlock,
        "code_block": _ThemedCodeBlock,
        "td_open": _FoldingCell,
        "th_open": _FoldingCell,
    }
    code_background: str | None = None
    has_code = False
    """Set when a code block is met: only then are lines looked at for code rows."""

    def __init__(self, markup: str, code_theme: str, references: Relevant = ()) -> None:
        # Rich builds a new MarkdownIt parser for every Markdown object, which was a quarter
        # of the cost of rendering a block; the attributes are those of Rich's own __init__.
        self.markup = markup
        self.parsed = _rich_parser().parse(markup, env_for(references) if references else None)
        images_as_links(self.parsed)
        self.code_theme = code_theme
        self.justify = None
        self.style = "none"
        self.hyperlinks = False  # link targets are model output: never terminal hyperlinks
        self.inline_code_lexer = None
        self.inline_code_theme = code_theme


def rich_colour(value: str, fallback: str) -> str:
    """A theme variable as a colour Rich parses: Textual's ANSI names (``ansi_blue``,
    ``ansi_default``, the ``ansi-dark`` and ``ansi-light`` themes') are not Rich's, nor is a
    hex with alpha (a transparent surface, ``#00000000``): they go as Rich names them
    (``color(4)``, ``default``), a transparent one as the terminal's ``default``."""
    try:
        colour = Color.parse(value)
    except Exception:  # a theme with an unusual value still renders, in a plain colour
        return fallback
    return "default" if colour.a == 0 else colour.rich_color.name


def _blend(foreground: str, background: str, amount: float = 0.4) -> str:
    """A muted text colour: the foreground moved towards the background (dim where either is an
    ANSI colour, whose real value only the terminal knows)."""
    try:
        fore, back = Color.parse(foreground), Color.parse(background)
    except Exception:  # a theme with unusual values still renders, just less subtly
        return "grey50"
    if fore.ansi is not None or back.ansi is not None:
        return "dim"
    return fore.blend(back, amount).hex


def rich_theme(variables: Mapping[str, str]) -> Theme:
    """Markdown styles drawn from Textual theme variables, so every theme looks intended."""
    primary = rich_colour(variables.get("primary", "cyan"), "cyan")
    secondary = rich_colour(variables.get("secondary", "blue"), "blue")
    accent = rich_colour(variables.get("accent", "magenta"), "magenta")
    muted = _blend(variables.get("foreground", "#e0e0e0"), variables.get("background", "#121212"))
    surface = rich_colour(variables.get("surface", "black"), "black")
    warning = rich_colour(variables.get("warning", "yellow"), "yellow")
    return Theme(
        {
            "markdown.h1": f"bold {primary}",
            "markdown.h2": f"bold {primary}",
            "markdown.h3": f"bold {secondary}",
            "markdown.h4": f"italic {secondary}",
            "markdown.h5": "italic",
            "markdown.h6": f"italic {muted}",
            "markdown.code": f"{accent} on {surface}",
            "markdown.code_block": f"on {surface}",
            "markdown.block_quote": f"italic {muted}",
            "markdown.item.bullet": f"bold {primary}",
            "markdown.item.number": f"{primary}",
            "markdown.hr": muted,
            "markdown.link": f"underline {secondary}",
            "markdown.link_url": f"{muted}",
            "markdown.table.border": muted,
            "markdown.table.header": f"bold {primary}",
            "markdown.kbd": f"bold {warning}",
        },
        inherit=True,
    )


@lru_cache(maxsize=64)
def cached_lexer(name: str) -> Lexer | None:
    """Pygments' lexer for a fence's language, looked up once: ``get_lexer_by_name`` costs
    more than highlighting a short chunk, and Rich would look it up for every render."""
    try:
        return get_lexer_by_name(name, stripnl=False, ensurenl=True, tabsize=8)
    except ClassNotFound:
        return None


def lexer_for(name: str) -> Lexer | str:
    """The cached lexer for ``name``, else plain text (which is what Rich falls back to)."""
    return cached_lexer(name) or cached_lexer("text") or "text"
