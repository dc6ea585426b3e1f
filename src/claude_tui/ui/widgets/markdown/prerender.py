"""Render finished replies in a thread before they are mounted.

A page of older turns (scrolling back, or the rest of a session's first page after it opens)
used to be rendered on the UI thread as it was laid out: Markdown parsing, wrapping and
Pygments for six long replies held the event loop for 50-130 ms a step, so a key typed while a
session filled in waited that long. Rendering is pure (Rich and Pygments, no widget), so it runs
in a thread with a renderer of its own, and the views take the lines before they are mounted.
The thread shares the GIL, but gives it up every few milliseconds, so keys are answered
meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from claude_tui.core.mdrefs import Definitions
from claude_tui.ui.widgets.markdown.view import MarkdownView, stack_blocks


def render_blocks(
    jobs: Sequence[tuple[Sequence[str], Definitions]],
    variables: dict[str, str],
    dark: bool,
    width: int,
    base: Style,
) -> list[list[Strip]]:
    """Each job's blocks, with its reply's reference definitions, rendered and stacked as
    ``MarkdownView`` stacks them. Touches no widget, so it can run in any thread."""
    from claude_tui.ui.widgets.markdown.render import BlockRenderer

    renderer = BlockRenderer(variables, dark=dark)
    blank = Strip.blank(width, base)
    out: list[list[Strip]] = []
    for blocks, definitions in jobs:
        lines: list[Strip] = []
        rendered = (renderer.render(block, width, base, definitions) for block in blocks)
        stack_blocks(lines, rendered, blank)
        out.append(lines)
    return out


def reply_width(pane: Widget, like: Widget) -> int:
    """The width replies will be laid out at: ``like``'s, less what its margins take of the
    pane's width, in the pane's region for content now. That region is narrower than at the
    last layout when the pane has just overflowed (Textual shows the scrollbar after the
    layout that needs it, unless the pane keeps a gutter for it as ours does)."""
    margins = pane.virtual_size.width - like.size.width
    return pane.scrollable_content_region.width - margins


async def prerender(views: Sequence[MarkdownView], pane: Widget) -> None:
    """Render ``views`` (not yet mounted) in a thread at the width the replies already in
    ``pane`` have, and give each its lines. Does nothing if no reply there has been laid out
    to take the width and style from; views laid out at another width render themselves."""
    like = next((v for v in pane.query(MarkdownView) if v.is_attached and v.size.width), None)
    if like is None:
        return
    todo = [(view, job) for view in views if (job := view.blocks_to_prerender()) and job[0]]
    if not todo:
        return
    app = like.app
    width, base, theme = reply_width(pane, like), like.rich_style, app.current_theme
    variables, dark = dict(app.theme_variables), theme.dark
    try:
        rendered = await asyncio.to_thread(
            render_blocks, [job for _, job in todo], variables, dark, width, base
        )
    except Exception:
        return  # a head start lost, nothing more: each view renders itself as it is laid out
    for (view, (blocks, _)), lines in zip(todo, rendered, strict=True):
        view.adopt(lines, len(blocks), width, base, theme)
