"""Every place the app reaches into Textual's private internals, in one module.

Each of these made a measured difference (a third of a streaming frame, a page that flickered,
55 MB of a long session) that Textual's public API gives no way to get. Each relies on
internals of the pinned Textual 8.2.8 that a later version may change, so each names what it
relies on and the test that shows its effect: after a Textual upgrade, run those tests first
(each has a control, or asserts what would break, so a silent loss of the effect fails them).
Widgets get these from here, never by overriding Textual's private methods themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from textual._compositor import ChopsUpdate, Compositor
from textual.geometry import Region, Size
from textual.layout import DockArrangeResult
from textual.scrollbar import ScrollBar
from textual.strip import Strip
from textual.widget import Widget

if TYPE_CHECKING:
    _ContainerMixin = Widget
else:
    _ContainerMixin = object
    """The base of the container mixins below, ``Widget`` only to the type checker: Textual
    takes a widget's CSS from its first base class that is a ``DOMNode`` alone, so a mixin that
    was a ``Widget`` would hide the container's own styles (``VerticalScroll``'s, after it)."""


class GrowsInPlace(Widget):
    """A widget that keeps its styled lines when only its height changes.

    A ``Widget``, first among its subclasses' bases: so their CSS starts from it, not from a
    container they also derive from (``AssistantMessage`` has never had ``Vertical``'s styles).

    Why: a streaming reply adds a line every fraction of a second, and Textual treats any
    change of a widget's size as a reason to restyle every visible line of it; for a reply (and
    for the container drawing its border) that was a third of the cost of each new line. When
    only the height changes the lines above are exactly what they were, so only the new lines
    are marked dirty.

    Only correct for widgets whose line *y* looks the same whatever the height: no bottom
    border or bottom padding, no vertical alignment of the content.

    Relies on (Textual 8.2.8): ``Widget._size_updated(size, virtual_size, container_size,
    layout)`` being how the compositor tells a widget its new size, comparing against
    ``Widget._size`` to decide whether to clear ``Widget._styles_cache``, and
    ``StylesCache.set_dirty(region)``.

    Shown by ``tests/ui/test_render_fidelity.py``: ``test_growing_by_a_line_draws_only_the_
    changed_lines``, with its control ``test_without_grows_in_place_every_line_is_drawn_again``,
    and ``test_screen_shows_the_reply_on_every_frame_of_a_stream`` (nothing stale is drawn).
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


class ContentGrowsWithoutRelayout(_ContainerMixin):
    """A scrolling container that takes a change of its content's height without a second
    layout.

    Why: when only the height of what the pane holds changed (a reply grew), this runs inside
    the layout that has just arranged it, and scrolled to its end when following. Textual would
    set the ``virtual_size`` reactive, which asks for a second layout and a repaint of the whole
    pane: a third of what a step of a streaming reply cost to draw. The scrollbar is brought up
    to date either way.

    Relies on (Textual 8.2.8): ``Widget._size_updated`` and its ``layout`` argument, and the
    ``Widget._size`` and ``Widget._container_size`` it compares against.

    Shown by ``tests/ui/test_render_fidelity.py``: ``test_a_pane_following_a_stream_lays_out_
    once_per_step``, with its control ``test_without_the_skip_the_pane_lays_out_twice_per_step``.
    """

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        if size == self._size and container_size == self._container_size:
            layout = False
        changed = super()._size_updated(size, virtual_size, container_size, layout)
        _scrollbar_in_this_frame(self)
        return changed


class ScrollbarInTheSameFrame(_ContainerMixin):
    """A scrolling widget whose scrollbar, redrawn by a layout, is drawn in that layout's frame.

    Why: see ``_scrollbar_in_this_frame``. The sessions list (an ``OptionList``) is the case
    that showed it: Textual's ``ScrollView`` takes every layout of the screen as a change of its
    size (the layout's virtual size is never the list's own), so each frame that grew the
    reply was followed by a frame of the sidebar's scrollbar alone.
    """

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        changed = super()._size_updated(size, virtual_size, container_size, layout)
        _scrollbar_in_this_frame(self)
        return changed


def _scrollbar_in_this_frame(widget: Widget) -> None:
    """Draw ``widget``'s vertical scrollbar in the frame being drawn, not in one of its own.

    Why: a layout resizes a scrolling widget's scrollbar from inside the layout, but Textual
    only asks for the scrollbar to be drawn once the layout is done: a second frame, 20-40 ms
    later, for every frame with a layout (a streaming reply's grows the pane every few lines).
    Those frames did not follow the refresh rate (at rate 2, 3.5 frames a second). This runs
    in the layout, after the compositor has placed the widgets and before it draws the frame,
    so the scrollbar goes into that frame's dirty regions instead.

    Relies on (Textual 8.2.8): ``Screen._refresh_layout`` calling ``_size_updated`` on each
    widget after ``Compositor.reflow`` and before ``Screen._compositor_refresh``;
    ``Compositor.update_widgets`` taking a widget's pending repaint regions into the frame;
    ``Widget._repaint_required`` being what makes a refreshed widget post its own ``Update``.

    Shown by ``tests/ui/test_frame_rate.py`` (the frames of a stream at rate 2).
    """
    scrollbar = widget._vertical_scrollbar
    if scrollbar is None or not scrollbar._repaint_required:
        return
    try:
        compositor = widget.screen._compositor
    except Exception:  # not on a screen (yet): Textual draws it the usual way
        return
    if scrollbar in compositor.visible_widgets:
        scrollbar._repaint_required = False
        compositor.update_widgets({scrollbar})


class HoldsChildInPlace(_ContainerMixin):
    """A scrolling container that can keep one child where it is on screen while widgets are
    mounted above it or removed (see ``hold``).

    Why: a page of older turns mounted above what the user reads would push it down by a
    page. Scrolling back after the layout is one frame late, so every page paged in flickered;
    the scroll is set here, inside the layout, as Textual's own bottom anchor does it, and the
    compositor places the children with the offset read after this.

    Relies on (Textual 8.2.8): the compositor calling ``Widget.arrange`` during the layout and
    reading ``scroll_y`` after it; setting ``scroll_y``, ``scroll_target_y`` and the vertical
    ``ScrollBar.position`` with ``set_reactive`` (no watcher, no refresh) being enough for that
    frame to be drawn at the new offset.

    Shown by ``tests/ui/test_paging_frames.py``: ``test_paging_up_keeps_what_is_read_in_place_
    on_every_frame`` (the turn being read never moves, on any frame, while a page mounts above).
    """

    _kept: tuple[Widget, int] | None = None
    """The widget held where it is on screen, and its offset from the top of the pane."""

    def hold(self, widget: Widget | None) -> None:
        """Keep ``widget`` where it is on screen through every layout until ``let_go``."""
        if widget is not None:
            self._kept = (widget, widget.virtual_region.y - round(self.scroll_y))

    def let_go(self) -> None:
        """Stop holding, once the frame after the last change is drawn."""
        kept = self._kept

        def release() -> None:
            if self._kept is kept:
                self._kept = None

        self.call_after_refresh(release)

    def drop_hold(self) -> None:
        """The user scrolled: what they read is theirs to move (a hold sets the offset without
        the scroll watcher, so only a real scroll calls this)."""
        self._kept = None

    def arrange(self, size: Size, optimal: bool = False) -> DockArrangeResult:
        """Textual's arrangement, then the scroll that keeps the held widget in place."""
        result = super().arrange(size, optimal)
        if self._kept is not None:
            widget, offset = self._kept
            for placement in result.placements:
                if placement.widget is widget:
                    y = max(0, placement.region.y - offset)
                    self.set_reactive(Widget.scroll_y, y)
                    self.set_reactive(Widget.scroll_target_y, y)
                    self.vertical_scrollbar.set_reactive(ScrollBar.position, y)
                    break
        return result


def anchor_released(widget: Widget) -> bool:
    """True when the user has scrolled an anchored ``widget`` away from its end.

    Why: Textual releases the anchor on any user scroll and restores it at the bottom; reading
    its flag avoids guessing from a scroll offset, which lags the layout.

    Relies on (Textual 8.2.8): ``Widget._anchor_released``.

    Shown by ``tests/ui/test_chat.py``: ``test_scrolling_up_stops_following_until_asked``, and
    ``tests/ui/test_turn_window.py`` (a session just opened still follows its end).
    """
    return widget._anchor_released


def release_drawn_lines(widget: Widget) -> None:
    """Empty the styled-line caches of ``widget`` and all below it; call it when removing it
    (Textual draws it again from scratch, should it be shown again).

    Why: Textual keeps each widget's styled lines in its ``StylesCache``, and each of those
    lines keeps the lines derived from it (filtered, cropped, cut at the screen's regions) in
    caches of its own, seven to a line. ``StylesCache.get_inner_outer`` is an ``lru_cache`` on
    a method, so its keys keep the last 1,024 ``StylesCache`` objects alive, and every line they
    hold, after their widgets are gone (Textual issue #6665, open in 8.2.8). Paging through a
    long session removed hundreds of turns this way, and their lines were most of the memory:
    about 40,000 strips, and 55 MB of the peak. Emptying the cache of a widget being removed
    leaves the ``lru_cache`` holding an empty object.

    Relies on (Textual 8.2.8): ``Widget._styles_cache`` and ``StylesCache.clear``.

    Shown by ``tests/ui/test_turn_window.py``: ``test_turns_let_go_of_keep_no_drawn_lines``.
    """
    for node in widget.walk_children(Widget, with_self=True):
        node._styles_cache.clear()


class BandCompositor(Compositor):
    """A compositor whose partial frames ask a widget only for rows it shows that changed.

    Why: a frame of a streaming reply changes a few rows of the reply, the status line and the
    metrics line. Textual draws the rows inside the smallest rectangle around all of them, but
    asks every widget that rectangle touches for *all* its visible lines, and keeps only the
    changed rows: the screen, the column, the pane, the reply and the prompt gave up to 40
    lines each, 300 a frame, to keep 8. Here each widget is asked only for the rows of that
    band, and not at all when, in every changed row, widgets in front of it cover it (a
    container behind its children): Textual keeps the front one's cells there, and each widget
    asked costs its styles and colours even when its lines are cached. The frame is the same.

    Relies on (Textual 8.2.8): ``Compositor.render_partial_update`` drawing the rows of
    ``_dirty_regions`` through ``_render_chops``, which takes (region, clip, strips) from
    ``_get_renders(crop)`` front to back, the strips being the rows of ``region & clip``, keeps
    only changed rows inside ``crop``, and lets the first widget to fill a cell keep it;
    ``visible_widgets`` mapping each widget to its region and clip, front first;
    ``Screen._compositor`` being the screen's compositor; a widget's ``render_lines`` taking
    any part of it (as for one a scroll clips).

    Shown by ``tests/ui/test_band_frames.py`` (a frame asks widgets only for the rows that
    changed, with its control; every frame of a reply equals the one Textual would draw).
    """

    _changed_rows: frozenset[int] | None = None
    """The rows the partial frame being drawn changes (None outside one)."""

    def render_partial_update(self) -> ChopsUpdate | None:
        self._changed_rows = frozenset(
            y for region in self._dirty_regions for y in region.line_range
        )
        try:
            return super().render_partial_update()
        finally:
            self._changed_rows = None

    def _get_renders(
        self, crop: Region | None = None
    ) -> Iterator[tuple[Region, Region, list[Strip]]]:
        changed = self._changed_rows
        if crop is None or changed is None:
            yield from super()._get_renders(crop)  # a full frame: every row is wanted
            return
        band = Region(0, crop.y, self.size.width, crop.height)  # whole rows, as Textual keeps
        covered: dict[int, list[tuple[int, int]]] = {}  # per changed row, spans filled so far
        for widget, (region, clip) in self.visible_widgets.items():
            if not crop.overlaps(clip):
                continue
            shown = region.intersection(clip).intersection(band)
            if not (shown.width and shown.height):
                continue
            span = (shown.x, shown.right)
            rows = [y for y in shown.line_range if y in changed]
            if all(_covers(covered.get(y, []), span) for y in rows):
                continue  # hidden behind what is in front, in every changed row
            for y in rows:
                covered.setdefault(y, []).append(span)
            yield region, shown, widget.render_lines(shown.translate(-region.offset))


def _covers(spans: list[tuple[int, int]], span: tuple[int, int]) -> bool:
    """Whether ``spans`` (columns, end excluded) together cover every column of ``span``."""
    start, end = span
    for left, right in sorted(spans):
        if left > start:
            break
        start = max(start, right)
        if start >= end:
            return True
    return start >= end
