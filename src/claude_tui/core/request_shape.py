"""The settings shaped by what the model accepts: thinking, effort, max_tokens, cache, compaction.

One function decides every parameter that depends on the model, and says in words what it changed
and why, so ``/context`` shows exactly what goes out and a setting the model does not take is left
out (never sent to fail as a 400):

* thinking: ``adaptive`` where the model takes it, ``enabled`` with the budget where that is all
  it takes, nothing for a model without thinking;
* effort: ``output_config.effort`` only at a level the model lists;
* max_tokens: never above the model's own limit (and above an ``enabled`` budget);
* prompt caching: top-level ``cache_control`` as the config says;
* compaction: the server-side trigger at 80 % of the window, where the model supports it;
* web search and web fetch: each tool, in the newest version the model takes
  (``core.capabilities_web``), with ``max_uses`` from the settings, where the model has it;
  a tool turned on for a model without it is left out and the notes say so. Neither needs a
  beta header in anthropic 2.10.0, and ``count_tokens`` is never sent them (``core.tokens``).

A history can need a beta by itself, whatever the settings: a ``compaction`` block exists only
in the beta API (anthropic 2.10.0 has it in ``types.beta`` alone), so a history that holds one
goes out with the compaction beta even with ``auto_compact`` off or after ``/model`` chose a
model without compaction (:func:`history_betas`). The block is sent back unchanged, as the API
asks, and the API decides what it makes of it on that model: no rule says a model without
compaction refuses one, and turning the summary into text would send something the API never
returned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from claude_tui.core.capabilities import COMPACTION_EDIT, ModelCapabilities
from claude_tui.core.capabilities_web import web_fetch_tool, web_search_tool
from claude_tui.core.config import Settings

THINKING_HEADROOM = 1024
"""Tokens of reply kept free above an ``enabled`` thinking budget (max_tokens must exceed it)."""

MIN_THINKING_BUDGET = 1024
"""The smallest ``budget_tokens`` the API takes."""

COMPACTION_BETA = "compact-2026-01-12"
"""The ``anthropic-beta`` value server-side compaction needs."""

MIN_COMPACTION_TRIGGER = 50_000
"""The API refuses a compaction trigger below this many input tokens."""

AUTO_COMPACT_FILL = 0.8
"""With ``auto_compact``, the API compacts once a request fills this much of the window."""

CACHE_CONTROL = {"5m": {"type": "ephemeral"}, "1h": {"type": "ephemeral", "ttl": "1h"}}
"""Top-level ``cache_control`` for each ``prompt_cache`` setting ("off" sends none)."""


@dataclass(frozen=True)
class RequestShape:
    """The model-dependent parameters of a request, and what was changed from the settings."""

    max_tokens: int
    thinking: dict[str, Any] | None = None
    output_config: dict[str, Any] | None = None
    cache_control: dict[str, Any] | None = None
    context_management: dict[str, Any] | None = None
    betas: tuple[str, ...] = ()
    tools: tuple[dict[str, Any], ...] = ()
    """The server tools sent: web search and web fetch definitions, in that order."""
    notes: dict[str, str] = field(default_factory=dict)
    """By parameter name: why it differs from the settings ("capped at the model's 64,000");
    a web tool turned on but left out is noted under its setting, "web_search" or "web_fetch"."""


def _capped(asked: int, model: str, limit: int) -> str:
    return f"{asked:,} in your settings, capped at {model}'s limit of {limit:,}"


def compaction_trigger(window: int) -> int:
    """The input tokens at which ``auto_compact`` asks the API to compact: 80 % of the window,
    and never below the API's minimum."""
    return max(MIN_COMPACTION_TRIGGER, int(window * AUTO_COMPACT_FILL))


def shape_request(settings: Settings, caps: ModelCapabilities) -> RequestShape:
    """The parameters ``settings`` become for the model ``caps`` describes."""
    notes: dict[str, str] = {}
    model = settings.model
    kind = caps.thinking if settings.thinking else None
    max_tokens = settings.max_tokens
    budget = settings.thinking_budget
    if kind == "enabled" and max_tokens <= budget:  # the API needs max_tokens above the budget
        max_tokens = budget + THINKING_HEADROOM
        notes["max_tokens"] = (
            f"raised from {settings.max_tokens:,} to fit the thinking budget"
            f" and {THINKING_HEADROOM:,} tokens of reply"
        )
    if caps.max_tokens is not None and max_tokens > caps.max_tokens:
        max_tokens = caps.max_tokens
        notes["max_tokens"] = _capped(settings.max_tokens, model, caps.max_tokens)

    thinking: dict[str, Any] | None = None
    if settings.thinking and kind is None:
        notes["thinking"] = f"on in your settings, but {model} has no extended thinking"
    elif kind == "adaptive":
        thinking = {"type": "adaptive"}
    elif kind == "enabled":
        if budget >= max_tokens:  # capped below it by the model's own limit
            budget = max(MIN_THINKING_BUDGET, max_tokens - THINKING_HEADROOM)
            notes["thinking"] = (
                f"budget lowered from {settings.thinking_budget:,} to {budget:,} to fit max_tokens"
            )
        if budget < max_tokens:
            thinking = {"type": "enabled", "budget_tokens": budget}
        else:  # a limit of 1,024 or less leaves no room for the smallest budget
            notes["thinking"] = (
                f"not sent: {max_tokens:,} tokens of reply leave no room for the smallest"
                f" thinking budget ({MIN_THINKING_BUDGET:,})"
            )

    output_config: dict[str, Any] | None = None
    if settings.effort:
        if settings.effort in caps.effort_levels:
            output_config = {"effort": settings.effort}
        elif caps.effort_levels:
            allowed = ", ".join(caps.effort_levels)
            notes["effort"] = f"{settings.effort} in your settings, but {model} takes {allowed}"
        else:
            notes["effort"] = (
                f"{settings.effort} in your settings, but {model} has no effort levels"
            )

    context_management: dict[str, Any] | None = None
    betas: tuple[str, ...] = ()
    if settings.auto_compact and caps.compaction and caps.max_input_tokens:
        trigger = compaction_trigger(caps.max_input_tokens)
        context_management = {
            "edits": [
                {"type": COMPACTION_EDIT, "trigger": {"type": "input_tokens", "value": trigger}}
            ]
        }
        betas = (COMPACTION_BETA,)
    elif settings.auto_compact:
        notes["context_management"] = f"{model} has no server-side compaction"
    else:
        notes["context_management"] = "auto_compact is off in your settings"

    tools = web_tools(settings, caps, notes)
    cache = CACHE_CONTROL.get(settings.prompt_cache)
    return RequestShape(
        max_tokens=max_tokens,
        thinking=thinking,
        output_config=output_config,
        cache_control=dict(cache) if cache is not None else None,
        context_management=context_management,
        betas=betas,
        tools=tools,
        notes=notes,
    )


def web_tools(
    settings: Settings, caps: ModelCapabilities, notes: dict[str, str]
) -> tuple[dict[str, Any], ...]:
    """The web search and web fetch definitions ``settings`` turn on and the model takes; each
    one turned on for a model without it is left out, and why goes into ``notes``."""
    tools: list[dict[str, Any]] = []
    wanted = (
        ("web_search", settings.web_search, web_search_tool(caps), "web search"),
        ("web_fetch", settings.web_fetch, web_fetch_tool(caps), "web fetch"),
    )
    for name, on, version, words in wanted:
        if not on:
            continue
        if version is None:
            notes[name] = f"{settings.model} has no {words}: the reply is sent without it"
            continue
        tools.append({"type": version, "name": name, "max_uses": settings.web_max_uses})
    return tuple(tools)


def holds_compaction(messages: Iterable[Mapping[str, Any]]) -> bool:
    """Whether any message of this history holds a ``compaction`` block."""
    for message in messages:
        content = message.get("content")
        if isinstance(content, list) and any(
            isinstance(block, Mapping) and block.get("type") == "compaction" for block in content
        ):
            return True
    return False


def history_betas(betas: tuple[str, ...], messages: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    """``betas`` with the ones the history itself needs added: the compaction beta when it holds
    a compaction block (see the module docstring)."""
    return with_beta(betas, COMPACTION_BETA) if holds_compaction(messages) else betas


def with_beta(betas: tuple[str, ...], beta: str) -> tuple[str, ...]:
    """``betas`` with ``beta`` among them, once."""
    return betas if beta in betas else (*betas, beta)
