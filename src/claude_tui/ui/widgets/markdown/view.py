"""A Markdown view that streams in constant time per batch, however long the reply grows.

Finished top-level blocks are rendered once and kept as lines (see ``core.mdblocks``); only the
live tail block is rendered again when text arrives. It is one widget using Textual's line API,
so layout cost does not grow with the number of paragraphs, and only visible lines are drawn.

A block's link references are resolved from the definitions of the whole reply. When one
arrives (usually at the end of a reply, below the links that use it), the frozen lines are
stacked again: each block comes from the renderer's cache, but for those that use the new
definition, which are rendered again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.style import Style
from textual.geometry import Region, Size
from textual.strip import Strip

from claude_tui.core.defaults import STREAMING_CURSOR
from claude_tui.core.mdblocks import StreamingBlocks
from claude_tui.core.mdrefs import NONE, Definitions
from claude_tui.ui.textual_private import GrowsInPlace
from claude_tui.ui.widgets.markdown.code_rows import number_code_blocks
from claude_tui.ui.widgets.markdown.selecting import SelectsLines

if TYPE_CHECKING:
    from claude_tui.ui.widgets.markdown.render import BlockRenderer


class MarkdownView(SelectsLines, GrowsInPlace):
    COMPONENT_CLASSES = {"markdown-view--cursor"}

    cursor = STREAMING_CURSOR
    """The streaming cursor character (the ``cursor`` setting)."""

    GROW_STEP = 6
    """While streaming, a view taller than this grows this many lines at a time, the lines
    not written yet left blank. A pane that follows a stream must repaint every one of its
    rows each time it scrolls (nothing on screen stays where it was); growing a line at a
    time, that was a full repaint and a layout for every new line, two thirds of the cost
    of drawing a stream at reading pace. New lines now fill the blank rows, which repaints
    only them, and the pane scrolls once every ``GROW_STEP`` lines (vim's ``scrolljump``)."""

    DEFAULT_CSS = """
    MarkdownView { height: auto; width: 1fr; }
    MarkdownView > .markdown-view--cursor { color: $primary; }
    """

    def __init__(self, text: str = "", *, streaming: bool = False) -> None:
        super().__init__()
        if streaming:
            self._blocks = StreamingBlocks()
            self._blocks.append(text)
        else:
            self._blocks = StreamingBlocks.of(text)
        self.streaming = streaming
        self._renderer: BlockRenderer | None = None
        self._width = 0
        self._frozen_lines: list[Strip] = []
        self._frozen_count = 0  # how many frozen blocks ``_frozen_lines`` holds
        self._code_count = 0  # how many code blocks ``_frozen_lines`` holds (numbered)
        self._frozen_definitions: Definitions = NONE  # those ``_frozen_lines`` were rendered with
        self._live_lines: list[Strip] = []
        self._laid_out_height = 0  # the height last given to Textual's layout
        self._styles_memo: tuple[Style, Style] | None = None
        self._adopted: tuple[Style, object] | None = None  # see ``adopt``

    @property
    def source(self) -> str:
        return self._blocks.text

    def rendered_text(self) -> str:
        """What is on screen, as plain text lines (for tests and checks)."""
        return "\n".join(strip.text.rstrip() for strip in self.lines)

    @property
    def lines(self) -> list[Strip]:
        return self._frozen_lines + self._live_lines

    def end_marker(self) -> str:
        return self.cursor if self.streaming else ""

    # -- updates -------------------------------------------------------------------------------

    def append(self, fragment: str) -> None:
        self._blocks.append(fragment)
        self._rerender()

    def finish(self) -> None:
        """The stream ended: the cursor goes now, and the tail is rendered as final blocks.

        Rendering a long tail block whole (a 300-line fence takes ~100 ms) happens just after,
        so the end of a reply, and Esc, never wait for it."""
        self.streaming = False
        self._rerender()
        self.call_after_refresh(self._finalize)

    def _finalize(self) -> None:
        from claude_tui.ui.widgets.markdown.render import THREADED_FINAL_LINES, BlockRenderer

        live = self._blocks.live
        if not live:
            return
        if live.count("\n") <= THREADED_FINAL_LINES or self._width <= 0:
            self._blocks.finish()
            self._rerender()
            return
        # A long tail: render it in a thread with a renderer of its own, and swap the lines in
        # on the UI thread, so keys and the next reply never wait behind Pygments.
        (blocks, definitions), width, base = self._blocks.final(), self._width, self._base_style()
        app = self.app
        variables, dark = dict(app.theme_variables), app.current_theme.dark

        def work() -> None:
            renderer = BlockRenderer(variables, dark=dark)
            rendered = [renderer.render(block, width, base, definitions) for block in blocks]
            # The app taken on the UI thread: a view removed meanwhile no longer finds it
            # (``self.app`` raised NoActiveAppError in the thread, now and then, in tests).
            app.call_from_thread(
                self._apply_final, live, blocks, rendered, width, base, definitions
            )

        self.run_worker(work, thread=True, exit_on_error=False)

    def _apply_final(
        self,
        live: str,
        blocks: list[str],
        rendered: list[list[Strip]],
        width: int,
        base: Style,
        definitions: Definitions,
    ) -> None:
        if self._blocks.live != live:
            return  # the text changed meanwhile (it cannot, once finished; be safe)
        renderer = self._get_renderer()
        for block, lines in zip(blocks, rendered, strict=True):
            renderer.remember(block, width, base, lines, definitions)
        self._blocks.finish()  # the same blocks and definitions as ``final()`` gave
        self._rerender()  # finds the lines in the cache (unless the width or theme changed)

    def _rerender(self) -> None:
        if not self.is_attached:
            # Removed (a session switch, the turn window letting go) with a final render still
            # queued: Textual has dropped its component styles, and it is not drawn again.
            return
        old_frozen, old_live, old_width = len(self._frozen_lines), self._live_lines, self._width
        old_definitions = self._frozen_definitions
        before = old_frozen + len(old_live)
        self._render_lines()
        after = len(self._frozen_lines) + len(self._live_lines)
        if self._width != old_width or self._frozen_definitions is not old_definitions:
            self.refresh(layout=True)
            return
        # Repaint only from the first line that changed, usually the last one or two of the
        # live block: a whole-widget refresh would make Textual restyle every visible line.
        new = self._frozen_lines[old_frozen:] + self._live_lines
        first = next(
            (i for i, (a, b) in enumerate(zip(old_live, new, strict=False)) if a != b),
            min(len(old_live), len(new)),
        )
        first += old_frozen
        if first >= after and after == before:
            if self._height(after) != self._laid_out_height:
                self.refresh(repaint=False, layout=True)  # the stream ended: drop blank rows
            return  # nothing visible changed (a block froze with the lines it had)
        # down to the old last line too: if the live block got shorter, its old rows are blank now
        changed = Region(0, first, self._width, max(1, max(after, before) - first))
        self.refresh(changed, layout=self._height(after) != self._laid_out_height)

    def _height(self, lines: int) -> int:
        """The height for ``lines`` lines: while streaming, past ``GROW_STEP`` lines, rounded
        up to a whole step (see ``GROW_STEP``); a short reply grows a line at a time, so it
        never shows a block of blank rows, and a finished one has exactly its lines."""
        step = self.GROW_STEP
        if not self.streaming or lines <= step:
            return lines
        return -(-lines // step) * step

    def on_mount(self) -> None:
        # A signal, dropped on unmount: a ``watch`` on the app would keep every view ever
        # mounted alive (Textual only forgets closed watchers when the theme next changes),
        # which in a long session was most of the memory.
        self.app.theme_changed_signal.subscribe(self, self._on_theme_change)

    def on_unmount(self) -> None:
        self.app.theme_changed_signal.unsubscribe(self)

    def on_resize(self) -> None:
        if self.size.width != self._width:
            self._rerender()

    def _on_theme_change(self, _theme: object = None) -> None:
        self._renderer = None
        self._styles_memo = None
        self._selection_style = None
        self._drop_frozen()
        self._rerender()

    def _drop_frozen(self) -> None:
        self._frozen_lines, self._frozen_count, self._code_count = [], 0, 0

    # -- rendering -----------------------------------------------------------------------------

    def _base_style(self) -> Style:
        return self.rich_style

    def _styles(self) -> tuple[Style, Style]:
        """The text's style and the cursor's. Kept while a reply streams (Textual computes
        them afresh on every call, which was a tenth of the cost of a batch), and computed
        again once it ends or the theme changes."""
        if self._styles_memo is None or not self.streaming:
            base = self._base_style()
            cursor = base + self.get_component_rich_style("markdown-view--cursor")
            self._styles_memo = (base, cursor)
        return self._styles_memo

    def _get_renderer(self) -> BlockRenderer:
        if self._renderer is None:
            # Imported on first use, not at start-up: markdown-it, Pygments and Rich's Markdown
            # take tens of milliseconds, and the app imports them in a warm-up thread meanwhile.
            from claude_tui.ui.widgets.markdown.render import BlockRenderer

            self._renderer = BlockRenderer(
                self.app.theme_variables, dark=self.app.current_theme.dark
            )
        return self._renderer

    def _render_lines(self, width: int | None = None) -> None:
        width = width or self.size.width or self._width
        if width <= 0:
            return
        definitions = self._blocks.definitions
        if width != self._width or definitions is not self._frozen_definitions:
            # Stacked again: from the cache, but for blocks whose definitions changed.
            self._width, self._frozen_definitions = width, definitions
            self._drop_frozen()
        renderer, (base, cursor_style) = self._get_renderer(), self._styles()
        blank = Strip.blank(width, base)
        blocks = self._blocks.frozen[self._frozen_count :]
        frozen = self._frozen_lines
        start = len(frozen)
        stack_blocks(frozen, (renderer.render(b, width, base, definitions) for b in blocks), blank)
        self._frozen_count = len(self._blocks.frozen)
        self._code_count += number_code_blocks(frozen, start, self._code_count + 1)
        live_lines = renderer.render_live(self._blocks.live, width, base, definitions)
        if live_lines and self._frozen_lines:
            live_lines = [blank, *live_lines]
        if self.streaming:
            if not live_lines and self._frozen_lines:
                live_lines = [blank]
            from claude_tui.ui.widgets.markdown.render import with_cursor

            live_lines = with_cursor(live_lines, self.cursor, cursor_style, width, base)
        live_lines = list(live_lines)  # numbered below: never the renderer's cached list
        number_code_blocks(live_lines, 0, self._code_count + 1)
        self._live_lines = live_lines

    # -- lines rendered before mounting (see ``widgets.prerender``) --------------------------

    def blocks_to_prerender(self) -> tuple[list[str], Definitions] | None:
        """The blocks of a finished view that has rendered nothing yet, and the reference
        definitions to render them with, or None."""
        if self.streaming or self._width or self._blocks.live:
            return None
        return list(self._blocks.frozen), self._blocks.definitions

    def adopt(
        self, lines: list[Strip], blocks: int, width: int, base: Style, theme: object
    ) -> None:
        """Take ``lines`` rendered elsewhere for the first ``blocks`` blocks at ``width``, with
        the base style ``base`` under ``theme`` (and the view's definitions, which a finished
        view never changes). They are checked against the view's own style and the app's
        theme when it is first laid out, and dropped if either differs."""
        self._frozen_lines, self._frozen_count, self._width = lines, blocks, width
        self._frozen_definitions = self._blocks.definitions
        self._code_count = number_code_blocks(lines, 0, 1)
        self._adopted = (base, theme)

    def _check_adopted(self) -> None:
        if self._adopted is None:
            return
        base, theme = self._adopted
        self._adopted = None
        if base != self._base_style() or theme is not self.app.current_theme:
            self._width = 0
            self._drop_frozen()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._check_adopted()
        if width != self._width:
            self._render_lines(width)
        self._laid_out_height = self._height(len(self._frozen_lines) + len(self._live_lines))
        return self._laid_out_height

    def render_line(self, y: int) -> Strip:
        line = self._line(y)
        if line is None:
            return Strip.blank(self.size.width, self._styles()[0])
        if self._selection is None:
            return line
        return self.draw_selection(line, y, self._selection)

    def _line(self, y: int) -> Strip | None:
        """Line ``y`` as rendered, or None past the last."""
        frozen = self._frozen_lines
        if y < len(frozen):
            return frozen[y]
        y -= len(frozen)
        if y < len(self._live_lines):
            return self._live_lines[y]
        return None


def stack_blocks(lines: list[Strip], blocks: Iterable[list[Strip]], blank: Strip) -> None:
    """Add rendered blocks to ``lines``, one after another with a blank line between."""
    for block in blocks:
        if block:
            if lines:
                lines.append(blank)
            lines.extend(block)
