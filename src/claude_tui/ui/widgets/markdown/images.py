"""Images drawn as text that flows with the paragraph, so none of it is lost.

A terminal shows no image. Rich draws one as a separate piece (``🌆 alt``) in the middle of its
paragraph: the rest of the paragraph is then laid out as if it began the line, and what passes
the right edge is cut off. A README's badge line, ``[![Packaging status](…svg)](https://…)``,
lost the end of its link that way.

Here an image becomes text in its paragraph, a link to where it leads, drawn as every link is
(text, then the target in brackets, wrapped like any word):

- ``[![Packaging status](badge.svg)](https://repology.org/…)`` reads
  ``[image: Packaging status] (https://repology.org/…)``: the target is the enclosing link's,
  where a click on the badge would go; the badge's own picture address is noise;
- ``![Architecture](https://example.com/arch.png)`` reads
  ``[image: Architecture] (https://example.com/arch.png)``: with no link around it, the
  picture's address is the only way to see it;
- with no alt text, the picture's file name stands in for it.

``[image: …]`` rather than an emoji: an emoji such as 🖼 is one cell wide to some terminals and
two to others, which would shift the rest of the line, and a word says what it is in any font.
Link targets are model output: they are shown as text, never made terminal hyperlinks.
"""

from __future__ import annotations

from collections.abc import Iterable

from markdown_it.token import Token


def images_as_links(tokens: list[Token]) -> None:
    """Replace, in place, each image in ``tokens`` (a parse's block tokens) by its text."""
    for token in tokens:
        children = token.children
        if token.type == "inline" and children and any(c.type == "image" for c in children):
            token.children = _rewrite(children)


def image_label(image: Token) -> str:
    """How an image reads: its alt text, else its file name, marked as an image."""
    alt = " ".join(_plain(image.children or ()).split())
    if not alt:
        alt = str(image.attrs.get("src", "")).strip("/").rsplit("/", 1)[-1]
    return f"[image: {alt}]" if alt else "[image]"


def _rewrite(children: list[Token]) -> list[Token]:
    out: list[Token] = []
    links = 0  # how many links enclose the child (CommonMark allows no link in a link; be safe)
    for child in children:
        if child.type == "link_open":
            links += 1
        elif child.type == "link_close":
            links = max(0, links - 1)
        if child.type != "image":
            out.append(child)
            continue
        label = Token("text", "", 0, content=image_label(child))
        source = str(child.attrs.get("src", ""))
        if links or not source:
            out.append(label)
        else:
            out += [
                Token("link_open", "a", 1, attrs={"href": source}),
                label,
                Token("link_close", "a", -1),
            ]
    return out


def _plain(tokens: Iterable[Token]) -> str:
    """The text of an image's alt: text and code, breaks as spaces, an image in it by its alt."""
    parts: list[str] = []
    for token in tokens:
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "image":
            parts.append(_plain(token.children or ()))
    return "".join(parts)
