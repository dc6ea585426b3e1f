"""Real documents render right: reference links resolve across the reply, images lose no text.

A reply is rendered a top-level block at a time. A README streamed as a reply showed two
defects, the same streamed and reopened: ``[Chocolatey][choco]`` drawn literally because its
definition sat in another block, and the text around a linked badge cut off at the right edge.
Each test here checks, independently of the renderer, that every character a reader must see is
on screen in order (text, code, each link's target after its text, each image's alt text), at
several widths, streamed in small fragments (a definition arriving after the blocks that use
it) and reopened (a finished view, and the lines rendered in a thread before mounting), and that
all of these show the same.
"""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.pilot import Pilot

from claude_tui.core.defaults import STREAMING_CURSOR
from claude_tui.ui.widgets.markdown.prerender import prerender
from claude_tui.ui.widgets.markdown.render import THREADED_FINAL_LINES, BlockRenderer
from claude_tui.ui.widgets.markdown.view import MarkdownView

from .test_render_fidelity import (
    assert_same,
    fragments,
    lines_fit,
    record_threaded_finals,
    rows_on_screen,
    settle,
)

WIDTHS = (40, 72, 100, 120)
HEIGHT = 60

REFERENCES = """\
Install it with [Chocolatey][choco], [Scoop][] or [WinGet], or from [the  RELEASES
page][Releases].

A [shadowed][dup] link uses the first definition of its label.

[dup]: https://example.com/first-definition

Definitions may come in the middle, and the [last one][late] at the very end.

[choco]: https://community.chocolatey.org/packages/fzf
[scoop]: https://github.com/ScoopInstaller/Main/blob/master/bucket/fzf.json
[winget]: https://github.com/microsoft/winget-pkgs/tree/master/manifests/j/junegunn/fzf
[releases]: https://github.com/junegunn/fzf/releases "Releases"
[DUP]: https://example.com/second-definition-never-shown
[late]: https://example.com/defined/last"""

LITERALS = ("[Chocolatey]", "][", "[Scoop]", "[WinGet]", "[late]", "]:", "second-definition")
"""What a resolved reference, or a definition, must not show."""

BADGE = (
    "[![Packaging status](https://repology.org/badge/tiny-repos/fzf.svg)]"
    "(https://repology.org/project/fzf/versions)"
)

IMAGES = f"""\
{BADGE}

Badges on one line: [![Build](https://github.com/junegunn/fzf/actions/workflows/linux.yml/\
badge.svg)](https://github.com/junegunn/fzf/actions/workflows/linux.yml?query=branch%3Amaster) \
[![Latest release](https://img.shields.io/github/v/release/junegunn/fzf)](https://github.com/\
junegunn/fzf/releases) and text after them.

An image with no link, ![a *demo* of the preview](https://raw.githubusercontent.com/junegunn/i/\
master/fzf-preview.png), and one with no alt text: ![](https://example.com/shots/screen.png).

- {BADGE}
- a list item with an image ![logo](https://example.com/logo.svg) in it"""

README = f"""\
# fzf — a command-line fuzzy finder

[![Build](https://github.com/junegunn/fzf/actions/workflows/linux.yml/badge.svg)](https://\
github.com/junegunn/fzf/actions/workflows/linux.yml) [![License][license-badge]][license]

fzf is a general-purpose command-line fuzzy finder, available through most [package
managers][pm]: [Homebrew][brew] on macOS, [Chocolatey][choco], [Scoop][] or [WinGet] on
Windows.

| Manager | Command |
| --- | --- |
| [Homebrew][brew] | `brew install fzf` |
| [Chocolatey][choco] | `choco install fzf` |
| [Scoop] | `scoop install fzf` |

{BADGE}

[brew]: https://brew.sh/
[pm]: https://github.com/junegunn/fzf#installation "Installation"

## Setting up shell integration

- bash: `eval "$(fzf --bash)"`
- zsh: `source <(fzf --zsh)`, see [the wiki][WIKI] and the [Vim][vim   plugin] plugin

> ![fzf preview](https://raw.githubusercontent.com/junegunn/i/master/fzf-preview.png)

```sh
git clone --depth 1 https://github.com/junegunn/fzf.git ~/.fzf
~/.fzf/install
```

[choco]: https://community.chocolatey.org/packages/fzf
[scoop]: https://github.com/ScoopInstaller/Main/blob/master/bucket/fzf.json
[winget]: https://github.com/microsoft/winget-pkgs/tree/master/manifests/j/junegunn/fzf
[wiki]: https://github.com/junegunn/fzf/wiki
[Vim Plugin]: https://github.com/junegunn/fzf/blob/master/README-VIM.md
[license]: https://github.com/junegunn/fzf/blob/master/LICENSE
[license-badge]: https://img.shields.io/github/license/junegunn/fzf.svg
[choco]: https://example.com/second-definition-never-shown"""

DOCS = {"references": REFERENCES, "images": IMAGES, "readme": README}

# -- what a reader must see, found by markdown-it on the whole document ------------------------

_PARSER = MarkdownIt().enable("table").enable("strikethrough")
_SPACE = re.compile(r"\s+")


def _inline(children: list[Token], links: list[str], parts: list[str]) -> None:
    for token in children:
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type == "link_open":
            links.append(str(token.attrs["href"]))
        elif token.type == "link_close":
            parts.append(links.pop())  # a link's target is shown after its text
        elif token.type == "image":
            before = len(parts)
            _inline(token.children or [], links, parts)
            if len(parts) == before:  # no alt text: the picture's file name instead
                parts.append(str(token.attrs["src"]).rsplit("/", 1)[-1])
            if not links:  # no link around it: the picture's own address
                parts.append(str(token.attrs["src"]))


def visible(markdown: str) -> str:
    """The characters a reader must see, in order, whitespace removed. Parsed whole, so a
    reference resolves wherever its definition is, as CommonMark says. A table is read as
    ``read_tables`` reads the screen: its header, then each column top to bottom."""
    parts: list[str] = []
    rows: list[list[str]] | None = None  # the cells of the table being read
    for token in _PARSER.parse(markdown):
        if token.type == "table_open":
            rows = []
        elif token.type == "tr_open" and rows is not None:
            rows.append([])
        elif token.type == "inline" and rows:
            cell: list[str] = []
            _inline(token.children or [], [], cell)
            rows[-1].append("".join(cell))
        elif token.type == "inline":
            _inline(token.children or [], [], parts)
        elif token.type == "table_close" and rows:
            parts += [*rows[0], *("".join(column) for column in zip(*rows[1:], strict=True))]
            rows = None
        elif token.type in ("fence", "code_block"):
            parts.append(token.content)
    return _SPACE.sub("", "".join(parts))


_RULE = re.compile(r"^ ?─+$")
_COLUMN = re.compile(r"(?:^ ?|  )(\S)")


def read_tables(shown: str) -> str:
    """``shown`` with each table read a column at a time, so that a cell that wraps onto
    several lines reads as one: a table's columns begin where its header's words do (the
    tables here have one-word, left-aligned headings), and it ends at a blank line."""
    lines = shown.split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        if index + 1 < len(lines) and _RULE.match(lines[index + 1]):
            starts = [match.start(1) for match in _COLUMN.finditer(lines[index])]
            end = index + 2
            while end < len(lines) and lines[end].strip():
                end += 1
            out.append(lines[index])
            for a, b in zip(starts, [*starts[1:], None], strict=True):
                out.extend(line[a:b] for line in lines[index + 2 : end])
            index = end
        else:
            out.append(lines[index])
            index += 1
    return "\n".join(out)


def assert_complete(markdown: str, shown: str, when: str, *, finished: bool = True) -> None:
    """Every character ``markdown`` shows a reader is in ``shown``, in order, and (once
    ``finished``, when every definition has come) no reference or definition is drawn
    literally."""
    content, screen = visible(markdown), _SPACE.sub("", read_tables(shown))
    at = 0
    for index, char in enumerate(content):
        found = screen.find(char, at)
        assert found >= 0, (
            f"{when}: lost {content[index : index + 50]!r} (after "
            f"{content[max(0, index - 30) : index]!r}); the screen from there: "
            f"{screen[max(0, at - 30) : at + 80]!r}"
        )
        at = found + 1
    for literal in LITERALS if finished else ():
        assert literal not in screen, f"{when}: {literal!r} is drawn"


# -- the three ways a reply is shown ------------------------------------------------------------


class ViewApp(App[None]):
    """Replies in a pane, as the conversation holds them; no scrollbar, so the width is the
    terminal's."""

    CSS = "Screen { overflow: hidden hidden; } VerticalScroll { overflow: hidden hidden; }"

    def compose(self) -> ComposeResult:
        yield VerticalScroll()


async def mounted(pilot: Pilot[None], view: MarkdownView) -> MarkdownView:
    await pilot.app.query_one(VerticalScroll).mount(view)
    await pilot.pause()
    return view


async def streamed(pilot: Pilot[None], text: str, seed: int) -> str:
    """``text`` streamed in small fragments, then finished. At the end of each line, all
    written so far is shown, references resolved by the definitions written so far."""
    view = await mounted(pilot, MarkdownView(streaming=True))
    so_far = ""
    for piece in fragments(text, seed=seed):
        view.append(piece)
        so_far += piece
        shown = view.rendered_text()
        assert shown.count(STREAMING_CURSOR) == 1
        if so_far.endswith("\n"):
            where = f"after {len(so_far)} characters"
            assert_complete(so_far, shown.replace(STREAMING_CURSOR, ""), where, finished=False)
    view.finish()
    await settle(pilot, view)
    shown = view.rendered_text()
    await view.remove()
    return shown


async def reopened(pilot: Pilot[None], text: str) -> str:
    view = await mounted(pilot, MarkdownView(text))
    lines_fit(view, view.size.width)
    shown = view.rendered_text()
    await view.remove()
    return shown


async def prerendered(pilot: Pilot[None], text: str) -> str:
    """As a page of older turns is shown: rendered in a thread at the width a reply already
    on screen has, and taken by the view before it is mounted."""
    pane = pilot.app.query_one(VerticalScroll)
    like = await mounted(pilot, MarkdownView("A reply already laid out."))
    view = MarkdownView(text)
    await prerender([view], pane)
    adopted = view._frozen_lines
    assert adopted, "nothing was rendered before mounting"
    await pane.mount(view)
    await pilot.pause()
    assert view._frozen_lines is adopted  # the lines were used, not rendered again
    shown = view.rendered_text()
    await like.remove()
    await view.remove()
    return shown


async def check_every_way(name: str, width: int) -> None:
    text = DOCS[name]
    async with ViewApp().run_test(size=(width, HEIGHT)) as pilot:
        whole = await reopened(pilot, text)
        assert_complete(text, whole, f"{name} reopened at {width}")
        assert_same(await streamed(pilot, text, seed=width), whole)
        assert_same(await prerendered(pilot, text), whole)


# -- the tests ----------------------------------------------------------------------------------


class TestReferenceLinks:
    @pytest.mark.parametrize("width", WIDTHS)
    async def test_resolve_across_the_reply_streamed_and_reopened(self, width: int) -> None:
        await check_every_way("references", width)

    async def test_follow_commonmark_rules(self) -> None:
        async with ViewApp().run_test(size=(120, HEIGHT)) as pilot:
            shown = _SPACE.sub(" ", await reopened(pilot, REFERENCES))
        assert "Chocolatey (https://community.chocolatey.org/packages/fzf)" in shown
        assert "Scoop (https://github.com/ScoopInstaller/" in shown  # collapsed, any case
        assert "WinGet (https://github.com/microsoft/winget-pkgs/" in shown  # shortcut
        assert "the RELEASES page (https://github.com/junegunn/fzf/releases)" in shown
        assert "shadowed (https://example.com/first-definition)" in shown  # the first wins
        assert "example.com/defined/last" in shown
        assert "second-definition" not in shown and "]:" not in shown  # definitions: nothing

    async def test_a_definition_streamed_later_resolves_the_blocks_above(self) -> None:
        """Once a definition's line is written, the frozen blocks above that use it are drawn
        again with it, before the reply ends; blocks that do not use it are not rendered."""
        head, _, rest = REFERENCES.partition("[choco]:")
        rest = rest.partition("\n")[2]
        # wide enough that the paragraph stays one line: its height does not change, so only a
        # repaint of the lines above the live block shows the resolved link
        async with ViewApp().run_test(size=(160, HEIGHT)) as pilot:
            view = await mounted(pilot, MarkdownView(streaming=True))
            for piece in fragments(head, seed=1):
                view.append(piece)
            assert "[Chocolatey][choco]" in view.rendered_text()
            await pilot.pause()
            height = len(view.rendered_text().split("\n"))
            renderer = view._get_renderer()
            rendered: list[str] = []
            render = renderer._render

            def spy(source: str, *args: object) -> object:
                rendered.append(source)
                return render(source, *args)  # type: ignore[arg-type]

            renderer._render = spy  # type: ignore[assignment,method-assign]
            view.append("[choco]: https://community.chocolatey")
            assert "[Chocolatey][choco]" in view.rendered_text()  # its line is not written yet
            view.append(".org/packages/fzf\n")
            shown = view.rendered_text()
            assert "Chocolatey (https://community.chocolatey.org/packages/fzf)" in shown
            assert "[Scoop][]" in shown  # still to come
            # of the frozen blocks, only the one that uses the definition was rendered again
            # (the live one, which holds the definition, is rendered with every fragment)
            frozen = [source for source in rendered if source in view._blocks.frozen]
            assert frozen == [view._blocks.frozen[0]]
            assert frozen[0].startswith("Install it with") and len(view._blocks.frozen) == 2
            assert len(shown.split("\n")) == height
            await pilot.pause()  # a frame: the lines redrawn are on the screen
            assert rows_on_screen(pilot.app, view) == [shown.split("\n")]
            view.append(rest)
            view.finish()
            await settle(pilot, view)
            assert_complete(REFERENCES, view.rendered_text(), "finished")

    async def test_resolve_in_a_long_tail_rendered_in_a_thread(self) -> None:
        """A long last block is rendered in a thread when the reply ends; definitions that end
        the reply come with it, and the paragraph above that uses them is drawn again."""
        code = "".join(f"line_{i} = {i}\n" for i in range(THREADED_FINAL_LINES + 5))
        text = f"Read [the guide].\n\n```python\n{code}```\n\n[The Guide]: https://g.example/x"
        async with ViewApp().run_test(size=(80, HEIGHT)) as pilot:
            whole = await reopened(pilot, text)
            view = await mounted(pilot, MarkdownView(streaming=True))
            threaded = record_threaded_finals(view)
            for piece in fragments(text, seed=2, steps=(7, 30)):
                view.append(piece)
            # the definition's line is not ended: it may still grow, so it is not used yet
            assert "[the guide]" in view.rendered_text()
            view.finish()
            await settle(pilot, view)
            assert threaded == [1]
            assert view.rendered_text().startswith("Read the guide (https://g.example/x).")
            assert_same(view.rendered_text(), whole)

    def test_are_part_of_the_cache_key(self) -> None:
        """A block is cached with the definitions it can use: another reply's definition for
        the same label, or none, is another render; a definition it does not use is not."""
        from rich.style import Style

        renderer = BlockRenderer({}, dark=True)
        block = "See [the docs][docs].\n"
        bare = renderer.render(block, 60, Style())
        one = renderer.render(block, 60, Style(), {"DOCS": ("https://a.example", "")})
        other = renderer.render(block, 60, Style(), {"DOCS": ("https://b.example", "")})
        unused = renderer.render(block, 60, Style(), {"ELSE": ("https://c.example", "")})
        assert [strip.text.rstrip() for strip in bare] == ["See [the docs][docs]."]
        assert "the docs (https://a.example)" in one[0].text
        assert "the docs (https://b.example)" in other[0].text
        assert unused is bare


class TestImages:
    @pytest.mark.parametrize("width", WIDTHS)
    async def test_lose_no_text_streamed_and_reopened(self, width: int) -> None:
        await check_every_way("images", width)

    async def test_read_as_an_image_and_where_it_leads(self) -> None:
        async with ViewApp().run_test(size=(120, HEIGHT)) as pilot:
            shown = _SPACE.sub(" ", await reopened(pilot, IMAGES))
        badge = "[image: Packaging status] (https://repology.org/project/fzf/versions)"
        assert shown.startswith(badge)  # the badge's own picture address is not shown
        assert "repology.org/badge" not in shown
        assert "[image: Latest release] (https://github.com/junegunn/fzf/releases) and text" in (
            shown
        )
        assert "[image: a demo of the preview] (https://raw.githubusercontent.com/" in shown
        assert "[image: screen.png] (https://example.com/shots/screen.png)" in shown

    @pytest.mark.parametrize("width", [40, 72])
    async def test_long_targets_wrap_rather_than_being_cut(self, width: int) -> None:
        async with ViewApp().run_test(size=(width, HEIGHT)) as pilot:
            view = await mounted(pilot, MarkdownView(BADGE))
            lines = view.rendered_text().split("\n")
        target = "(https://repology.org/project/fzf/versions)"
        assert "".join(line.strip() for line in lines).endswith(target)
        assert all(len(line) <= width for line in lines)


class TestReadme:
    @pytest.mark.parametrize("width", WIDTHS)
    async def test_renders_whole_streamed_and_reopened(self, width: int) -> None:
        await check_every_way("readme", width)
