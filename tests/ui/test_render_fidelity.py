"""What a streamed reply shows is exactly what was streamed: nothing lost, nothing doubled.

A reply streams into ``MarkdownView`` in fragments of any size: finished blocks are rendered once
and kept, only the live tail is rendered again, long fences stream in chunks, and ``finish()``
renders the tail whole (a long one in a thread). Each test streams tricky Markdown in seeded
random fragments (single characters; a fence marker, an emoji ZWJ sequence or a hard break cut
in two) and checks, independently of the renderer, that every character of content is on screen
in order, and that the end result is the very render of the whole text given at once.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable

import pytest
from markdown_it import MarkdownIt
from rich.cells import cell_len
from rich.style import Style
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from claude_tui.core.defaults import STREAMING_CURSOR
from claude_tui.localapi.server import generate_text
from claude_tui.ui.widgets.conversation import ConversationView
from claude_tui.ui.widgets.markdown.render import FENCE_CHUNK, THREADED_FINAL_LINES, BlockRenderer
from claude_tui.ui.widgets.markdown.view import MarkdownView
from claude_tui.ui.widgets.message import AssistantMessage

SIZE = (100, 40)
NARROW = 63

# -- documents -----------------------------------------------------------------------------------

FAMILY = "👨\u200d👩\u200d👧\u200d👦"
EMOJI = f"👋🏽 {FAMILY} 🏳️\u200d🌈 👩🏾\u200d💻 🧑🏻\u200d🤝\u200d🧑🏿 ❤️ 🇯🇵 1️⃣ 🎉"

TABLES = f"""\
Tables, with wide characters in the cells, and this sentence long enough to wrap when narrow:

| Name | 言語 | Emoji | Note |
|:-----|:----:|------:|------|
| Alice | 日本語 | 👋🏽 | `code` |
| Bob | 한국어 | {FAMILY} | **bold** |
| 陳 | 中文 | 🏳️\u200d🌈 | a \\| b |
| Dana |  | 👩🏾\u200d💻 | ~~old~~ new |

A paragraph between two tables.

| k | v |
|---|---|
| 🇯🇵 | 1️⃣ |
| ❤️ | 終わり |
| only one cell |"""

FENCE_LINES = 12
assert FENCE_LINES > FENCE_CHUNK  # streams in chunks
LAST_FENCE_LINES = THREADED_FINAL_LINES + 5  # the tail is rendered in a thread at the end

FENCES = (
    "Code of every kind.\n\n```python\n"
    + "".join(f"value_{i} = {i} * 2  # line {i}\n" for i in range(FENCE_LINES))
    + "```\n\nA paragraph right after a long fence, its first line still being written.\n\n"
    "~~~markdown\nA tilde fence holds ``` lines:\n```\nstill inside\n~~~\n\n"
    "````text\n```\na fence inside four backticks\n```\n````\n\n"
    "    indented code block\n    second line\n\n"
    "```text\n"
    + "".join(f"more {i}\n" for i in range(FENCE_CHUNK + 2))
    + "a marker indented four spaces is code, not a closing fence:\n    ```\n    inside\n"
    "    ```\n~~~\n```\n\n```rust\n"
    + "".join(f'    println!("row {i}: {{}}", {i});\n' for i in range(LAST_FENCE_LINES))
    + "```\n\nThe end."
)

UNCLOSED_LINES = THREADED_FINAL_LINES + 20
UNCLOSED = (
    "A fence that is never closed:\n\n```python\n"
    + "".join(
        (
            f"def f_{i}(x):\n"
            if i % 10 == 0
            else f"    # 注释 {i}: 日本語と emoji {FAMILY} and a long line {'x' * 90}\n"
            if i % 10 == 5
            else "\n"
            if i % 10 == 7
            else f"\treturn x + {i}  \n"
        )
        for i in range(UNCLOSED_LINES)
    )
    + "    return ``` not a closer"
)

BREAK = "  "  # two spaces at the end of a line: a hard line break

STRUCTURE = f"""\
# Heading one

## Heading two with `code`

### Three
#### Four
##### Five
###### Six

Setext heading
==============

Another setext
--------------

A paragraph with **bold**, *italic*, ~~struck~~, `inline code`, ``code with a ` backtick``,
` `` ` double backticks, a [link](https://example.com/path) and an escaped \\*star\\*.
A line ending in two spaces{BREAK}
continues on a hard-broken line, and one with a backslash\\
too.

- level one
  - level two with `code`
    - level three
      1. ordered deep
      2. second deep
  - back to two

    A loose paragraph inside the list item.
- last top item

1. first
2. second
   > a quote inside a list
3. third

> A block quote with **bold**
> over two lines{BREAK}
> with a hard break.
>
> > A nested quote, with `code`.
>
> - a list in a quote
> - second
>
> ```python
> print("in a quote")
> ```

---

Text with trailing spaces{BREAK}
at the end of{BREAK}
three lines.
"""

CJK = (
    "# 見出し：日本語のテキスト\n\n"
    + "これは表示幅より長い日本語の段落で、折り返されても一文字も失われてはいけません。" * 4
    + "\n\n"
    + "中文段落也一样，每个字都必须出现在屏幕上，而且顺序不能改变。" * 5
    + "\n\n한국어 문단도 마찬가지입니다, 띄어쓰기가 있는 긴 문장이 줄바꿈되어도 "
    + "모든 글자가 보여야 합니다. " * 3
    + f"\n\nEmoji in a sentence: {EMOJI} and again {EMOJI} {EMOJI}.\n\n"
    + f"- 項目 {FAMILY} 一\n- 項目 👩🏾\u200d💻 二  \n  改行のあと\n\n"
    + "> 引用：日本語の引用文もまた折り返されます。" * 3
    + "\n\n`インラインコード` and a long word: "
    + "supercalifragilistic" * 6
    + f"\n\n```\n日本語のコード行 {'あ' * 60}\n{EMOJI}\n```\n\n"
    + "最後の行です  \n改行された行。"
)

LONG = generate_text(5000)

DOCS = {
    "long": LONG,
    "tables": TABLES,
    "fences": FENCES,
    "unclosed": UNCLOSED,
    "structure": STRUCTURE,
    "cjk-emoji": CJK,
}
THREADED = {"fences", "unclosed"}  # their last block is rendered in a thread by finish()
STEPS = {"long": (1, 3, 11, 29, 64, 97)}  # fragment sizes: the long reply in bigger ones
SMALL_STEPS = (1, 1, 2, 3, 5, 8, 13, 21)

# -- helpers -------------------------------------------------------------------------------------

_SPLIT_INSIDE = re.compile(
    "``(?=`)"  # a fence marker cut after two backticks
    "|~~(?=~)"
    "|.(?=[\u200d\ufe0f\u20e3\U0001f3fb-\U0001f3ff])"  # before a joiner, selector or skin tone
    "|\u200d"  # just after a joiner
    "|[\U0001f1e6-\U0001f1ff](?=[\U0001f1e6-\U0001f1ff])"  # between the halves of a flag
    "|  (?=\n)"  # a hard break: the two spaces, then the newline
    "|\\|(?= )",  # a table row cut after a pipe
)


def fragments(
    text: str, seed: int, steps: tuple[int, ...] = SMALL_STEPS, *, awkward: bool = True
) -> list[str]:
    """``text`` cut at seeded random sizes and (``awkward``) at every awkward place; joined,
    it is ``text``."""
    rng = random.Random(seed)
    cuts = {match.end() for match in _SPLIT_INSIDE.finditer(text)} if awkward else set()
    position = 0
    while position < len(text):
        position += rng.choice(steps)
        cuts.add(position)
    edges = [0, *sorted(cut for cut in cuts if 0 < cut < len(text)), len(text)]
    pieces = [text[a:b] for a, b in itertools.pairwise(edges)]
    assert "".join(pieces) == text
    return pieces


_PARSER = MarkdownIt().enable("table").enable("strikethrough")
_SPACE = re.compile(r"\s+")


def visible_content(markdown: str) -> str:
    """The characters a reader must see, in order, whitespace removed: text, inline code, code
    blocks and table cells, found by markdown-it rather than by the renderer under test."""
    parts: list[str] = []
    for token in _PARSER.parse(markdown):
        if token.type == "inline":
            parts.extend(
                child.content
                for child in token.children or ()
                if child.type in ("text", "code_inline")
            )
        elif token.type in ("fence", "code_block"):
            parts.append(token.content)
    return _SPACE.sub("", "".join(parts))


def assert_shown_in_order(markdown: str, shown: str, when: str) -> None:
    """Every character of ``markdown``'s content is in ``shown``, in order (borders, bullets
    and wrapping may come between them)."""
    content, screen = visible_content(markdown), _SPACE.sub("", shown)
    at = 0
    for index, char in enumerate(content):
        found = screen.find(char, at)
        if found < 0:
            raise AssertionError(
                f"{when}: content lost or out of order at {content[index : index + 40]!r} "
                f"(after {content[max(0, index - 40) : index]!r}); the screen after the last "
                f"match: {screen[max(0, at - 40) : at + 80]!r}"
            )
        at = found + 1


def lines_fit(view: MarkdownView, width: int) -> None:
    """No line is wider than the view (the screen would cut it off)."""
    for number, line in enumerate(view.rendered_text().split("\n")):
        assert cell_len(line) <= width, f"line {number} is {cell_len(line)} cells wide: {line!r}"


class ViewApp(App[None]):
    """Views stacked at full width; no scrollbar, so the width is the terminal's."""

    CSS = "Screen { overflow: hidden hidden; }"


async def wait_until(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    """As ``helpers.wait_until``, without importing the whole app: only the view is tested."""
    for _ in range(500):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not met in time")


async def mounted(pilot: Pilot[None], view: MarkdownView) -> MarkdownView:
    await pilot.app.mount(view)
    await pilot.pause()
    return view


async def settle(pilot: Pilot[None], view: MarkdownView) -> None:
    """Let ``finish()`` complete: the tail rendered whole (in a thread if long) and applied."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await wait_until(pilot, lambda: not view._blocks.live and not view.streaming)


def record_threaded_finals(view: MarkdownView) -> list[int]:
    """Count the times the final render came back from the thread."""
    calls: list[int] = []
    apply_final = view._apply_final

    def spy(*args: object) -> None:
        calls.append(1)
        apply_final(*args)  # type: ignore[arg-type]

    view._apply_final = spy  # type: ignore[method-assign]
    return calls


async def reference(pilot: Pilot[None], text: str) -> str:
    """The whole text rendered at once, as a reply loaded from history is."""
    view = await mounted(pilot, MarkdownView(text))
    shown = view.rendered_text()
    await view.remove()
    return shown


def assert_same(streamed: str, whole: str) -> None:
    if streamed != whole:
        for number, (a, b) in enumerate(zip(streamed.split("\n"), whole.split("\n"), strict=False)):
            assert a == b, f"line {number} differs from the whole render"
        assert streamed == whole  # one has extra lines


# -- 1. the end result --------------------------------------------------------------------------


@pytest.mark.parametrize("name", DOCS)
async def test_streamed_reply_ends_as_the_whole_text_renders(name: str) -> None:
    text = DOCS[name]
    async with ViewApp().run_test(size=SIZE) as pilot:
        view = await mounted(pilot, MarkdownView(streaming=True))
        threaded = record_threaded_finals(view)
        for piece in fragments(text, seed=len(text), steps=STEPS.get(name, SMALL_STEPS)):
            view.append(piece)
        assert view.source == text
        view.finish()
        await settle(pilot, view)
        assert len(threaded) == (name in THREADED)
        streamed = view.rendered_text()
        assert view.size.width == SIZE[0]
        assert STREAMING_CURSOR not in streamed
        assert_same(streamed, await reference(pilot, text))
        assert_shown_in_order(text, streamed, "final render")
        lines_fit(view, SIZE[0])


# -- 2. while streaming --------------------------------------------------------------------------


def prefixes_to_check(name: str, count: int) -> Callable[[int], bool]:
    if name == "long":  # parsing the whole prefix again costs: look at 60 points in it
        every = max(1, count // 60)
        return lambda index: index % every == 0 or index == count - 1
    return lambda index: True


@pytest.mark.parametrize("name", DOCS)
async def test_everything_streamed_so_far_is_shown(name: str) -> None:
    text = DOCS[name]
    pieces = fragments(text, seed=len(text) + 1, steps=STEPS.get(name, SMALL_STEPS))
    check = prefixes_to_check(name, len(pieces))
    async with ViewApp().run_test(size=SIZE) as pilot:
        view = await mounted(pilot, MarkdownView(streaming=True))
        so_far = ""
        for index, piece in enumerate(pieces):
            view.append(piece)
            so_far += piece
            if not check(index):
                continue
            shown = view.rendered_text()
            assert shown.count(STREAMING_CURSOR) == 1
            # past the cursor: nothing, but the number of the code block it is in, on its row
            past = shown.rstrip().partition(STREAMING_CURSOR)[2]
            assert "\n" not in past, "something is drawn past the end"
            assert not past.strip() or past.strip().isdigit(), "something is drawn past the end"
            assert_shown_in_order(
                so_far, shown.replace(STREAMING_CURSOR, ""), f"after {len(so_far)} characters"
            )


async def test_unclosed_fence_and_partial_table_row_are_shown_as_they_arrive() -> None:
    head = "Intro.\n\n```python\n" + "".join(f"line_{i} = {i}\n" for i in range(FENCE_CHUNK * 2))
    table = "| a | b |\n|---|---|\n| 1 | 2 |\n| 三 | 👩🏾\u200d"
    async with ViewApp().run_test(size=SIZE) as pilot:
        view = await mounted(pilot, MarkdownView(streaming=True))
        view.append(head + "partial_na")
        shown = view.rendered_text()
        assert "line_0 = 0" in shown and "line_15 = 15" in shown
        assert f"partial_na{STREAMING_CURSOR}" in shown
        view.append("me = 1\n```\n\nAfter the fen")
        shown = view.rendered_text()
        assert "partial_name = 1" in shown
        assert f"After the fen{STREAMING_CURSOR}" in shown  # the closed fence is still live
        view.append("ce.\n\n" + table)
        shown = view.rendered_text()
        assert "After the fence." in shown
        assert_shown_in_order(view.source, shown.replace(STREAMING_CURSOR, ""), "partial row")
        assert "三" in shown and "👩🏾\u200d" in shown
        view.append("💻 |")
        view.finish()
        await settle(pilot, view)
        assert "👩🏾\u200d💻" in view.rendered_text()


# -- 3. a change of width -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["tables", "cjk-emoji", "unclosed"])
async def test_width_change_rewraps_to_what_a_fresh_render_shows(name: str) -> None:
    text = DOCS[name]
    pieces = fragments(text, seed=3)
    half = len(pieces) // 2
    async with ViewApp().run_test(size=SIZE) as pilot:
        view = await mounted(pilot, MarkdownView(streaming=True))
        for piece in pieces[:half]:
            view.append(piece)
        await pilot.resize_terminal(NARROW, SIZE[1])  # mid-stream
        await wait_until(pilot, lambda: view.size.width == NARROW)
        narrow_partial = view.rendered_text()
        lines_fit(view, NARROW)
        assert_shown_in_order(
            view.source, narrow_partial.replace(STREAMING_CURSOR, ""), "after narrowing"
        )
        for piece in pieces[half:]:
            view.append(piece)
        view.finish()
        await settle(pilot, view)
        lines_fit(view, NARROW)
        narrow = view.rendered_text()
        assert_same(narrow, await reference(pilot, text))

        await pilot.resize_terminal(*SIZE)  # and back, once finished
        await wait_until(pilot, lambda: view.size.width == SIZE[0])
        await pilot.pause()
        wide = view.rendered_text()
        assert wide != narrow  # it did wrap differently
        assert_same(wide, await reference(pilot, text))
        assert_shown_in_order(text, wide, "after widening")


# -- 4. growing without repainting ---------------------------------------------------------------


def rows_on_screen(app: App[None], *widgets: Widget) -> list[list[str]]:
    """The rows of each widget in what the compositor would put on the terminal now (lines kept
    from an earlier frame included), as plain text."""
    strips = app.screen._compositor.render_strips()
    return [
        [
            strip.crop(widget.region.x, widget.region.right).text.rstrip()
            for strip in strips[widget.region.y : widget.region.bottom]
        ]
        for widget in widgets
    ]


def count_render_line(view: MarkdownView) -> list[int]:
    """Record every line Textual asks ``view`` for from now on."""
    drawn: list[int] = []
    render_line = view.render_line

    def spy(y: int) -> Strip:
        drawn.append(y)
        return render_line(y)

    view.render_line = spy  # type: ignore[method-assign]
    return drawn


class GrowsByLine(MarkdownView):
    """A view that grows one line at a time, as any view does below ``GROW_STEP`` lines."""

    GROW_STEP = 1


class RepaintsWhenGrowing(GrowsByLine):
    """The view without ``GrowsInPlace``: Textual's own handling of a change of height."""

    _size_updated = Widget._size_updated


GROWING = "# Title\n\nA frozen paragraph.\n\n" + "".join(f"- item {i}\n" for i in range(12))


async def lines_drawn_when_growing_by_one(view_class: type[MarkdownView]) -> tuple[set[int], int]:
    """Stream a list, then one more item: the lines drawn for that frame, and the old height."""
    async with ViewApp().run_test(size=SIZE) as pilot:
        view = await mounted(pilot, view_class(streaming=True))
        for piece in fragments(GROWING, seed=5, steps=(3, 9, 20)):
            view.append(piece)
            await pilot.pause()  # a frame per fragment, as when following a stream
        await pilot.pause()
        height = view.size.height
        assert rows_on_screen(pilot.app, view) == [view.rendered_text().split("\n")]
        drawn = count_render_line(view)
        view.append("- item 12")
        await wait_until(pilot, lambda: view.size.height == height + 1)
        await pilot.pause()
        lines = view.rendered_text().split("\n")
        assert lines[-2].endswith("item 11") and lines[-1].endswith(f"item 12{STREAMING_CURSOR}")
        assert rows_on_screen(pilot.app, view) == [lines]  # no stale line, the new one drawn
        return set(drawn), height


async def test_growing_by_a_line_draws_only_the_changed_lines() -> None:
    drawn, height = await lines_drawn_when_growing_by_one(GrowsByLine)
    # the old last line lost the cursor, the new line is new; the lines above are kept as drawn
    assert height in drawn
    assert drawn <= {height - 1, height}, f"lines {sorted(drawn)} of {height + 1} were drawn again"


async def test_without_grows_in_place_every_line_is_drawn_again() -> None:
    """The control for the test above: the same frame without ``GrowsInPlace`` draws every
    line, so that test would notice if the override stopped working (a Textual upgrade)."""
    drawn, height = await lines_drawn_when_growing_by_one(RepaintsWhenGrowing)
    assert set(range(height + 1)) <= drawn


async def test_screen_shows_the_reply_on_every_frame_of_a_stream() -> None:
    """In a reply widget as the chat shows it (both grow in place), after every fragment and
    frame the rows on screen are the view's lines, and the reply's border reaches its bottom."""
    text = STRUCTURE + "\n" + TABLES
    height = 72
    async with ViewApp().run_test(size=(100, height)) as pilot:
        message = AssistantMessage(streaming=True)
        await pilot.app.mount(message)
        await pilot.pause()
        view = message.markdown
        border = rows_on_screen(pilot.app, message)[0][0][0]

        def check(when: str) -> None:
            lines = view.rendered_text().split("\n")
            rows, message_rows = rows_on_screen(pilot.app, view, message)
            # the rows not written yet of a streaming view's last step are blank
            lines += [""] * (view.size.height - len(lines))
            assert len(rows) == min(len(lines), height - view.region.y)
            assert rows == lines[: len(rows)], when
            assert all(row[:1] == border for row in message_rows), when

        for piece in fragments(text, seed=11, steps=(1, 20, 40, 60), awkward=False):
            message.append_text(piece)
            await pilot.pause()
            check(f"after {len(view.source)} characters")
        assert len(view.rendered_text().split("\n")) < height - view.region.y  # all was seen
        message.finish(text)
        await settle(pilot, view)
        check("finished")


class PaneApp(App[None]):
    """A reply in the conversation pane, which follows its end, under a line of its own."""

    CSS = "Screen { overflow: hidden hidden; } #top { height: 1; }"

    def __init__(self, pane_class: type[ConversationView]) -> None:
        super().__init__()
        self.pane_class = pane_class

    def compose(self) -> ComposeResult:
        yield Static("top line", id="top")
        with self.pane_class():
            yield AssistantMessage(streaming=True)


class LaysOutTwice(ConversationView):
    """The pane with Textual's own handling of a change of its content's height."""

    _size_updated = Widget._size_updated


async def layouts_while_following(pane_class: type[ConversationView]) -> tuple[int, int]:
    """Stream into a pane that follows the end: how many layouts the screen ran, and how many
    steps the reply grew by. After every frame the pane shows the reply's last line."""
    text = "".join(f"Line {i} of a list of short paragraphs.\n\n" for i in range(36))
    async with PaneApp(pane_class).run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        pane = pilot.app.query_one(ConversationView)
        message = pilot.app.query_one(AssistantMessage)
        screen = pilot.app.screen
        layouts = 0
        refresh_layout = screen._refresh_layout

        def counting(*args: object, **kwargs: object) -> None:
            nonlocal layouts
            layouts += 1
            refresh_layout(*args, **kwargs)  # type: ignore[arg-type]

        screen._refresh_layout = counting  # type: ignore[method-assign]
        heights = {message.markdown.size.height}
        for piece in fragments(text, seed=7, steps=(20, 60), awkward=False):
            message.append_text(piece)
            await pilot.pause()
            heights.add(message.markdown.size.height)
            last = message.markdown.rendered_text().split("\n")[-1].strip()
            shown = [row for row in rows_on_screen(pilot.app, pane)[0] if last in row]
            assert shown, f"the last line {last!r} is not in view"
            if pane.max_scroll_y > 0:  # the reply is taller than the pane
                assert pane.scroll_y >= pane.max_scroll_y  # it follows the end
        assert pane.max_scroll_y > 20  # the reply did outgrow the pane
        return layouts, len(heights) - 1


async def test_a_pane_following_a_stream_lays_out_once_per_step() -> None:
    """The pane's content grows with the reply. The layout that placed the taller reply has
    already scrolled the pane to it; Textual's own handling then asks for a second layout
    (and a repaint of the whole pane) because the pane's scrollable height changed. The pane
    skips that one: a layout per step of growth, and the text is where it should be."""
    layouts, steps = await layouts_while_following(ConversationView)
    assert steps >= 10
    assert layouts <= steps + 5  # 15 for 13 steps when written


async def test_without_the_skip_the_pane_lays_out_twice_per_step() -> None:
    """The control for the test above: Textual's own handling lays out twice per step."""
    layouts, steps = await layouts_while_following(LaysOutTwice)
    assert layouts >= 2 * steps - 5  # 24 for 13 steps when written


async def test_a_long_stream_grows_a_step_at_a_time_and_ends_with_its_own_height() -> None:
    """Past ``GROW_STEP`` lines a streaming view grows a whole step at a time (so a pane that
    follows it scrolls once a step, not once a line): its height is always a multiple of the
    step and holds every line, the rows below its text are blank on screen, and a layout is
    asked for only when a step is crossed. Finished, it is exactly as tall as its text."""
    step = MarkdownView.GROW_STEP
    text = "".join(f"Line {i} of a list of short paragraphs.\n\n" for i in range(5 * step))
    async with ViewApp().run_test(size=SIZE) as pilot:
        view = await mounted(pilot, MarkdownView(streaming=True))
        layouts = 0
        refresh = view.refresh

        def counting(*regions: object, **kwargs: bool) -> object:
            nonlocal layouts
            layouts += bool(kwargs.get("layout"))
            return refresh(*regions, **kwargs)  # type: ignore[arg-type]

        view.refresh = counting  # type: ignore[method-assign]
        heights = set()
        for piece in fragments(text, seed=3, steps=(5, 15), awkward=False):
            view.append(piece)
            await pilot.pause()
            lines = view.rendered_text().split("\n")
            if len(lines) > step:
                assert view.size.height % step == 0
                assert len(lines) <= view.size.height < len(lines) + step
                heights.add(view.size.height)
            (rows,) = rows_on_screen(pilot.app, view)  # those that fit on the screen
            assert len(rows) == min(view.size.height, SIZE[1])
            assert rows == (lines + [""] * view.size.height)[: len(rows)]
        assert len(heights) >= 8  # it did grow, through many steps
        total = len(view.rendered_text().split("\n"))
        assert layouts <= total // step + step + 2  # a layout per step, not one per line
        view.finish()
        await settle(pilot, view)
        lines = view.rendered_text().split("\n")
        assert view.size.height == len(lines)
        assert rows_on_screen(pilot.app, view) == [lines[: SIZE[1]]]


@pytest.mark.parametrize("lines", [3, 60])  # the tail rendered here, and in a thread
async def test_a_view_removed_as_its_reply_ends_does_not_crash_the_app(lines: int) -> None:
    """A reply that ends just as its view is removed (a session switch, the turn window
    letting go) still has its final render queued for after the next refresh, or coming back
    from a thread. That render must do nothing: Textual has dropped a removed widget's
    component styles, and looking one up raised ``KeyError`` and stopped the whole app."""
    text = "```python\n" + "".join(f"x = {i}\n" for i in range(lines)) + "```\n"
    async with ViewApp().run_test(size=SIZE) as pilot:
        view = await mounted(pilot, MarkdownView(streaming=True))
        view.append(text)
        await pilot.pause()
        view.finish()
        await view.remove()
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert pilot.app.is_running and pilot.app._exception is None
        assert view.source == text  # the text itself is kept whole


@pytest.mark.parametrize("lines", [1, FENCE_CHUNK, FENCE_CHUNK + 1, 3 * FENCE_CHUNK + 2])
def test_a_fence_streamed_in_pieces_looks_as_the_whole_fence(lines: int) -> None:
    """A streaming fence is drawn from cached chunks and lines; for code whose colours need
    no other line, that is exactly the finished fence's render, row for row and style for
    style (the pieces once had padding rows the whole fence has not, and the text below
    moved when the reply ended)."""
    renderer = BlockRenderer({"surface": "#202020"}, dark=True)
    body = "".join(f"value_{i} = compute({i}, 'text')  # a note {i}\n" for i in range(lines))
    whole = renderer.render(f"```python\n{body}```\n", 50, Style())
    for text in (f"```python\n{body}", f"```python\n{body}```\n"):
        assert renderer.render_live(text, 50, Style()) == whole


LISTS = {
    "tight": "".join(f"- item {i} with **bold** and `code` in it\n" for i in range(6)),
    "numbered": "".join(f"{i}. item {i}, said at some length to wrap\n" for i in range(1, 9)),
    "loose": "".join(f"* item {i}\n\n  a second paragraph {i}\n\n" for i in range(5)),
    "nested": "- a\n  - a1\n  - a2\n- b\n  continued\n- c\n  1. c1\n  2. c2\n- d\n",
}


@pytest.mark.parametrize("name", LISTS)
def test_a_list_streamed_in_pieces_looks_as_the_whole_list(name: str) -> None:
    """A streaming list is drawn as the items before the one being written (rendered once)
    and that last item; at the end of every line it is exactly the whole list's render."""
    live, whole = BlockRenderer({}, dark=True), BlockRenderer({}, dark=True)
    text = LISTS[name]
    ends = [i + 1 for i, char in enumerate(text) if char == "\n"]
    for end in ends:
        assert live.render_live(text[:end], 40, Style()) == whole.render(text[:end], 40, Style()), (
            f"after {text[:end]!r}"
        )
    last_item = max(m.start() for m in re.finditer(r"^[-*\d]", text, re.MULTILINE))
    assert (text[last_item:], 40, Style(), ()) in live._cache  # the item being written, alone


# -- the test's own tools ------------------------------------------------------------------------


def test_fragments_cut_at_the_awkward_places() -> None:
    pieces = fragments(f"```\n{EMOJI}  \n| a |", seed=0, steps=(1000,))
    assert pieces[0] == "``"  # a fence marker in two
    assert "\u200d" in pieces  # a ZWJ sequence cut both sides of its joiner
    assert any(piece.endswith("👋") for piece in pieces)  # before a skin tone
    assert any(piece.endswith("🇯") for piece in pieces)  # the halves of a flag
    assert any(piece.endswith("  ") for piece in pieces)  # a hard break before its newline
    assert "".join(pieces) == f"```\n{EMOJI}  \n| a |"


def test_documents_are_what_they_claim() -> None:
    assert [t for t in _PARSER.parse(TABLES) if t.level == 0][-1].type == "table_close"
    last = [t for t in _PARSER.parse(UNCLOSED) if t.level == 0][-1]
    assert last.type == "fence" and last.content.endswith("not a closer")  # never closed
    assert last.content.count("\n") > THREADED_FINAL_LINES
    fences = [t for t in _PARSER.parse(FENCES) if t.type == "fence"]
    assert "    ```\n    inside\n    ```\n" in fences[3].content
    assert "\u200d" in visible_content(CJK) and "🏽" in visible_content(CJK)
