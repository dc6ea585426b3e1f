"""Letting go of the lines a removed widget drew.

Textual keeps each widget's styled lines in its ``StylesCache``, and each of those lines keeps
the lines derived from it (filtered, cropped, cut at the screen's regions) in caches of its own,
seven to a line. ``StylesCache.get_inner_outer`` is an ``lru_cache`` on a method, so its keys
keep the last 1,024 ``StylesCache`` objects alive, and every line they hold, after their widgets
are gone (Textual issue #6665, open in the pinned 8.2.8). Paging through a long session removed
hundreds of turns this way, and their lines were most of the memory: about 40,000 strips, and
55 MB of the peak. Emptying the cache of a widget that is being removed leaves the
``lru_cache`` holding an empty object.
"""

from __future__ import annotations

from textual.widget import Widget


def release_drawn_lines(widget: Widget) -> None:
    """Empty the styled-line caches of ``widget`` and all below it; call it when removing it
    (Textual draws it again from scratch, should it be shown again)."""
    for node in widget.walk_children(Widget, with_self=True):
        node._styles_cache.clear()
