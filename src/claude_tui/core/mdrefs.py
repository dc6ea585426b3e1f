"""Link reference definitions, resolved across a whole reply rather than within one block.

CommonMark lets ``[text][label]``, ``[label][]`` and ``[label]`` use a definition
``[label]: url`` written anywhere in the document, usually at its end. A reply is rendered a
top-level block at a time (see ``core.mdblocks``), and a block parsed alone knows only its own
definitions, so the brackets were drawn literally. The definitions of the whole reply are
collected as its blocks are split (no extra parse) and handed to markdown-it with each block;
this module holds the rules both sides share: which definitions a block can use, so that only
those enter its render and its cache key, and only its render is redone when one arrives.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

Definition = tuple[str, str]
"""A definition's destination and title."""

Definitions = Mapping[str, Definition]
"""Definitions by normalized label (see ``normalize``), the first of each label in the reply."""

Relevant = tuple[tuple[str, str, str], ...]
"""The definitions a block can use, as (label, href, title), sorted: hashable for a cache key."""

NONE: Definitions = {}

_BRACKETED = re.compile(r"\[((?:[^\[\]\\]|\\.)*)\]", re.DOTALL)
"""Innermost bracketed text: a link label cannot hold an unescaped bracket, so every label a
block uses (a full, collapsed or shortcut reference, a link's or an image's) is one of these."""


@lru_cache(maxsize=1024)
def normalize(label: str) -> str:
    """A label as markdown-it matches it: case-folded, whitespace trimmed and collapsed."""
    # Imported here: start-up shows no Markdown (see ``mdblocks._parser``).
    from markdown_it.common.utils import normalizeReference

    return normalizeReference(label)


def labels_in(source: str) -> set[str]:
    """Every label ``source`` could use. A superset (text in brackets that is no reference, code
    spans): a definition for one of those only costs a render that comes out the same."""
    return {normalize(match.group(1)) for match in _BRACKETED.finditer(source)}


def relevant(source: str, definitions: Definitions) -> Relevant:
    """The definitions ``source`` can use: what its render, and so its cache key, depends on."""
    if not definitions or "[" not in source:
        return ()
    found = ((label, *definitions[label]) for label in labels_in(source) if label in definitions)
    return tuple(sorted(found))


def env_for(definitions: Relevant) -> dict[str, Any]:
    """A markdown-it ``env`` holding ``definitions``: the parser resolves references from it
    and, finding a label there already, lets it win over the block's own later definition of
    the same label, as the first definition in a document wins."""
    return {
        "references": {label: {"href": href, "title": title} for label, href, title in definitions}
    }


def merge(first: Definitions, then: Definitions) -> dict[str, Definition]:
    """``first``'s definitions and those of ``then`` (later in the reply) it lacks."""
    merged = dict(first)
    for label, definition in then.items():
        merged.setdefault(label, definition)
    return merged
