"""Canned replies for demo mode, chosen to exercise every part of the Markdown renderer.

Demo mode runs the real client against the local Messages-API server, so what the user sees must
look like a real answer: headings, lists, a table, fenced code in several languages, and inline
emphasis. Each reply is a Markdown file in the package's ``demo`` folder, so it reads (and can be
edited) as what it is, and the renderer, the snapshot tests and the benchmarks all see the same
text. The files are read once, on first use. The picker is deterministic (keywords first, then
the turn index), which keeps screenshots and tests reproducible while still making a conversation
feel varied.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

REPLY_NAMES: tuple[str, ...] = (
    "greeting",
    "python_code",
    "rust_code",
    "comparison_table",
    "setup_steps",
    "explain_concept",
    "debug_checklist",
    "typescript_code",
)
"""Every canned reply, by file name (``demo/NAME.md``), in a fixed order (the order of
:data:`REPLIES`, used to build replies of a requested length)."""

_ROTATION: tuple[str, ...] = (
    "explain_concept",
    "python_code",
    "comparison_table",
    "setup_steps",
    "rust_code",
    "debug_checklist",
    "typescript_code",
)
"""Replies for prompts no keyword matches; the order alternates prose, code and tables."""

_TOPICS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"\b(rust|cargo|crate)\b"), ("rust_code",)),
    (re.compile(r"\b(typescript|javascript|ts|js|node|react)\b"), ("typescript_code",)),
    (re.compile(r"\b(python|py|pip|script)\b"), ("python_code",)),
    (
        re.compile(r"\b(table|compare|comparison|versus|vs|difference|differences|database)\b"),
        ("comparison_table",),
    ),
    (
        re.compile(r"\b(debug|bug|bugs|error|errors|traceback|crash|broken|fix)\b"),
        ("debug_checklist",),
    ),
    (
        re.compile(r"\b(code|function|implement|program|snippet|example|class|write)\b"),
        ("python_code", "rust_code", "typescript_code"),
    ),
    (
        re.compile(r"\b(list|steps|step|setup|set up|install|guide|how do i|how to|checklist)\b"),
        ("setup_steps",),
    ),
    (
        re.compile(r"\b(explain|why|what is|how does|async|concept|understand)\b"),
        ("explain_concept",),
    ),
    (
        re.compile(r"^\W*(hi|hello|hey|hiya|howdy|greetings|good (morning|afternoon|evening))\b"),
        ("greeting",),
    ),
)
"""Keyword patterns, most specific first; the first that matches the lower-cased prompt wins."""


@functools.cache
def _replies_by_name() -> dict[str, str]:
    """Every reply's text, read from the package once. A file ends in one newline, as text files
    do; the reply does not (the API rejects an assistant turn sent back with trailing space)."""
    folder = resources.files("claude_tui.localapi").joinpath("demo")
    return {
        name: folder.joinpath(f"{name}.md").read_text(encoding="utf-8").removesuffix("\n")
        for name in REPLY_NAMES
    }


def reply_text(name: str) -> str:
    """The canned reply ``demo/NAME.md``; one of :data:`REPLY_NAMES`."""
    return _replies_by_name()[name]


def all_replies() -> tuple[str, ...]:
    """Every canned reply's text, in :data:`REPLY_NAMES` order."""
    return tuple(reply_text(name) for name in REPLY_NAMES)


def __getattr__(name: str) -> tuple[str, ...]:
    """``REPLIES``, the texts of :func:`all_replies`, read when first asked for."""
    if name == "REPLIES":
        return all_replies()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def pick_reply(prompt: str, turn_index: int) -> str:
    """A canned reply that relates to ``prompt``, else the next one in the rotation.

    Topic keywords win so that asking for "a table" shows a table. When several replies fit a
    topic, or none matches, ``turn_index`` picks among them so that consecutive turns differ while
    the same conversation always gets the same answers (reproducible demos and snapshots).
    """
    lowered = prompt.lower()
    for pattern, options in _TOPICS:
        if pattern.search(lowered):
            return reply_text(options[turn_index % len(options)])
    return reply_text(_ROTATION[turn_index % len(_ROTATION)])


_THINKING_TEMPLATES: tuple[str, ...] = (
    'The user is asking: "{topic}". Let me work out what they actually need before answering. '
    "A direct answer first, then the reasoning, is probably most useful here. I should include a "
    "concrete example, since that usually makes the idea click, and keep the formatting readable "
    "in a terminal: short paragraphs, a list for the key points, and a fenced code block with a "
    "language if code is involved. Let me also double-check the edge cases so the example is "
    "correct as written.",
    'Okay, "{topic}". There are a few ways to approach this. The simplest explanation covers '
    "the common case, but I should mention the main pitfall too, because that's where people "
    "usually get stuck. Structure: a one-line summary, then the details, then a short example. "
    "I'll keep it concise and avoid jargon unless I define it first.",
    'Let me think about "{topic}" step by step. First, what\'s the context — are they learning '
    "this or solving a specific problem? The wording suggests a practical question, so I'll lead "
    "with something they can use right away. Then I'll explain why it works and note one or two "
    "alternatives and their trade-offs.",
)


def make_thinking(prompt: str, turn_index: int = 0) -> str:
    """A short, plausible extended-thinking text for ``prompt``.

    Used when a request enables thinking but the scenario gives no thinking text, so the thinking
    panel has something realistic to show in demo mode.
    """
    topic = " ".join(prompt.split())
    if len(topic) > 60:
        topic = topic[:57].rstrip() + "…"
    if not topic:
        topic = "this"
    template = _THINKING_TEMPLATES[turn_index % len(_THINKING_TEMPLATES)]
    return template.format(topic=topic)
