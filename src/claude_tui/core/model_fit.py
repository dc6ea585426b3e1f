"""What the thinking and effort settings mean for a model, in the words the app tells the user.

``/thinking`` and ``/effort`` are app-wide settings, but what they become depends on the
session's model (``core.request_shape`` decides what is sent). So the commands answer for the
model in use: thinking on is "adaptive" on one model and "a budget of 4,096 tokens" on another,
and is refused on a model without thinking; an effort level is taken only if the model lists it.
When the model changes, :func:`fit_notes` says which settings the new model does not take, so
a setting silently left out of the request is never a surprise.

Pure functions of the settings and ``ModelCapabilities``: the UI only shows what they return.
"""

from __future__ import annotations

from claude_tui.core.capabilities import ModelCapabilities
from claude_tui.core.config import Settings
from claude_tui.core.defaults import DEFAULT_MAX_TOKENS
from claude_tui.core.request_shape import shape_request
from claude_tui.core.web_choice import web_gaps

EFFORT_DEFAULT = "default"
"""``/effort default``: send no level, the model's own default applies."""


def _levels(caps: ModelCapabilities) -> str:
    return ", ".join(caps.effort_levels)


# -- /thinking --------------------------------------------------------------------------------


def thinking_refusal(settings: Settings, caps: ModelCapabilities) -> str | None:
    """Why ``/thinking on`` is refused for ``caps``' model (it has no thinking), or ``None``."""
    if caps.thinking is not None:
        return None
    if settings.thinking:  # on already, from another model: it stays on for those
        said = "requests to it go without (thinking stays on for the models that have it)"
    else:
        said = "thinking stays off"
    return f"{caps.model} has no extended thinking: {said}. /model picks a model that thinks."


def thinking_notice(settings: Settings, caps: ModelCapabilities, budget: int | None) -> str:
    """What ``/thinking on`` (with ``budget`` if one was typed) does on ``caps``' model, once
    ``settings`` have it on: adaptive, or the budget actually sent."""
    if caps.thinking == "adaptive":
        said = "Thinking on · adaptive: the model decides how much to think"
        if budget is not None:
            said += f" (the budget of {budget:,} tokens is kept for models that take only a budget)"
        return said
    shape = shape_request(settings, caps)
    sent = shape.thinking.get("budget_tokens") if shape.thinking else None
    said = f"Thinking on · budget {sent:,} tokens" if isinstance(sent, int) else "Thinking on"
    note = shape.notes.get("thinking")
    return said + (f" ({note})" if note else "")


# -- /effort ----------------------------------------------------------------------------------


def effort_choices(caps: ModelCapabilities) -> tuple[str, ...]:
    """What ``/effort`` offers on ``caps``' model: its levels, then ``default``."""
    return (*caps.effort_levels, EFFORT_DEFAULT)


def effort_refusal(level: str, caps: ModelCapabilities) -> str | None:
    """Why ``/effort level`` is refused on ``caps``' model, or ``None`` if it takes it."""
    if level in caps.effort_levels:
        return None
    if not caps.effort_levels:
        return f"{caps.model} has no effort levels: the setting is left as it is."
    return f"{caps.model} takes {_levels(caps)}, not {level}: the setting is left as it is."


def effort_status(settings: Settings, caps: ModelCapabilities) -> str:
    """``/effort`` alone: the level set, and the levels the model takes."""
    current = settings.effort or "the model's default"
    if not caps.effort_levels:
        tail = f"{caps.model} has no effort levels"
        if settings.effort:
            tail += ": requests to it go without"
        return f"Effort: {current} · {tail}"
    return f"Effort: {current} · {caps.model} takes {_levels(caps)}, or default"


def effort_notice(level: str) -> str:
    """What ``/effort level`` (or ``default``, as "") did."""
    if not level:
        return "Effort: the model's default (no level is sent)"
    return f"Effort: {level} (saved)"


# -- a model change ---------------------------------------------------------------------------


def fit_notes(settings: Settings, caps: ModelCapabilities) -> list[str]:
    """What of ``settings`` the model ``caps`` describes does not take, and so what its
    requests go without or with less of: said when the session's model changes."""
    model = caps.model or settings.model
    notes: list[str] = []
    if settings.thinking and caps.thinking is None:
        notes.append(f"{model} has no thinking: requests to it go without")
    effort = settings.effort
    if effort and effort not in caps.effort_levels:
        if caps.effort_levels:
            notes.append(f"{model} takes effort {_levels(caps)}: {effort} is not sent")
        else:
            notes.append(f"{model} has no effort levels: requests to it go without {effort}")
    # the app's own default is capped without a word: only a limit the user chose is news
    chosen = settings.max_tokens != DEFAULT_MAX_TOKENS
    if chosen and caps.max_tokens is not None and settings.max_tokens > caps.max_tokens:
        notes.append(
            f"max_tokens {settings.max_tokens:,} is capped at {model}'s limit of"
            f" {caps.max_tokens:,}"
        )
    notes.extend(web_gaps(settings, caps))
    return notes
