"""The model-dependent parameters of a request body in words, for ``/context``.

Thinking, effort, prompt caching, compaction and the web tools each get a line that says what
they do (and a line "off" or "not sent" when the body has none, so their absence is visible
too), then, when sent, the exact JSON that goes out. Why a parameter differs from the settings
(the notes of ``core.request_shape.RequestShape``) is said beside it, in brackets.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from claude_tui.core.capabilities import COMPACTION_EDIT
from claude_tui.core.request_shape import COMPACTION_BETA

DESCRIBED = ("thinking", "output_config", "cache_control", "context_management", "tools")
"""The body's parameters said in words here; any other is shown as it is."""

NOTE_KEYS = {"output_config": ("effort",), "tools": ("web_search", "web_fetch")}
"""The notes of a parameter kept under other names (the settings'), joined by "; "."""

BETA_WORDS = {COMPACTION_BETA: "server-side compaction"}
"""What each ``anthropic-beta`` value the app sends is for."""

_TTL_WORDS = {"5m": "5 minutes", "1h": "1 hour"}


def described_lines(body: Mapping[str, Any], notes: Mapping[str, str]) -> list[str]:
    """A line in words for each of :data:`DESCRIBED`, each followed by its JSON when sent."""
    lines: list[str] = []
    words: tuple[tuple[str, str, Callable[[object], str]], ...] = (
        ("thinking", "thinking", _thinking_words),
        ("output_config", "effort", _effort_words),
        ("cache_control", "prompt caching", _cache_words),
        ("context_management", "compaction", _compaction_words),
        ("tools", "web tools", _tools_words),
    )
    for name, label, say in words:
        value = body.get(name)
        said_notes = [notes[key] for key in NOTE_KEYS.get(name, (name,)) if key in notes]
        note = "; ".join(said_notes)
        absent = "not sent" if note else _ABSENT[name]  # left out by the shape, or not set
        said = absent if value is None else say(value)
        lines.append(f"{label}: {said}" + (f" ({note})" if note else ""))
        if value is not None:
            lines.append("  " + json.dumps({name: value}, ensure_ascii=False)[1:-1])
    return lines


def beta_words(value: str) -> str:
    """An ``anthropic-beta`` header's value, with what each beta in it is for."""
    said = [BETA_WORDS[beta] for beta in value.split(",") if beta in BETA_WORDS]
    return value + (f" ({', '.join(said)})" if said else "")


_ABSENT = {
    "thinking": "off",
    "output_config": "the model's default (no level sent)",
    "cache_control": "off",
    "context_management": "off",
    "tools": "off",
}


def _thinking_words(config: object) -> str:
    if not isinstance(config, Mapping):
        return str(config)
    kind = config.get("type")
    if kind == "enabled":
        budget = config.get("budget_tokens")
        amount = f"{budget:,}" if isinstance(budget, int) else str(budget)
        return f"on, budget {amount} tokens"
    if kind == "adaptive":
        return "adaptive: the model decides when and how much to think"
    if kind == "disabled":
        return "off"
    return str(kind)


def _effort_words(config: object) -> str:
    effort = config.get("effort") if isinstance(config, Mapping) else None
    return str(effort) if effort is not None else "the model's default (no level sent)"


def _cache_words(config: object) -> str:
    ttl = config.get("ttl", "5m") if isinstance(config, Mapping) else None
    lasting = _TTL_WORDS.get(str(ttl), str(ttl))
    return f"{lasting}, top-level cache_control (up to the request's last cacheable block)"


def _compaction_words(config: object) -> str:
    edits = config.get("edits") if isinstance(config, Mapping) else None
    for edit in edits if isinstance(edits, list) else []:
        if isinstance(edit, Mapping) and edit.get("type") == COMPACTION_EDIT:
            trigger = edit.get("trigger")
            value = trigger.get("value") if isinstance(trigger, Mapping) else None
            start = f"{value:,}" if isinstance(value, int) else str(value)
            return f"the API summarises from {start} input tokens (beta {COMPACTION_BETA})"
    return "context_management edits"


_TOOL_WORDS = {"web_search": "web search", "web_fetch": "web fetch"}


def _tools_words(tools: object) -> str:
    """Each tool by what it does, its version and how often a reply may use it."""
    said: list[str] = []
    for tool in tools if isinstance(tools, list) else []:
        if not isinstance(tool, Mapping):
            continue
        name = tool.get("name")
        words = _TOOL_WORDS.get(str(name), str(name))
        uses = tool.get("max_uses")
        limit = f", up to {uses} a reply" if isinstance(uses, int) else ""
        said.append(f"{words} ({tool.get('type')}{limit})")
    return ", ".join(said) if said else "none"
