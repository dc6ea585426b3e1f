"""Widgets that grow taller without repainting the lines they already have.

A streaming reply adds a line every fraction of a second. Textual treats any change of a
widget's size as a reason to restyle every visible line of it, which for a reply (and for the
container drawing its border) was a third of the cost of each new line. When only the height
changes, the lines above are exactly what they were, so only the new lines are marked dirty.
"""

from __future__ import annotations

from textual.geometry import Region, Size
from textual.widget import Widget


class GrowsInPlace(Widget):
    """Keeps its styled lines when only its height changes.

    Only correct for widgets whose line *y* looks the same whatever the height: no bottom
    border or bottom padding, no vertical alignment of the content. Relies on
    ``Widget._size_updated`` of the pinned Textual version; ``tests/ui`` checks the effect.
    """

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        old = self._size
        if not old or size.width != old.width or size.height == old.height:
            return super()._size_updated(size, virtual_size, container_size, layout)
        self._size = size  # so the base class sees no size change, and keeps the cache
        # layout=False: setting the ``virtual_size`` reactive (layout=True) would refresh the
        # whole widget, which clears the cache all the same; this runs inside a layout already.
        super()._size_updated(size, virtual_size, container_size, layout=False)
        if size.height > old.height:
            new_lines = Region(0, old.height, size.width, size.height - old.height)
            self._styles_cache.set_dirty(new_lines)
        return True
