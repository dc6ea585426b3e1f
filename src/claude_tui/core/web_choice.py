"""Web search and web fetch as a session's choice, in the words the app tells the user.

``/web on|off`` and ``/web fetch on|off`` (and their palette entries) set the tools for one
session; the config's ``web_search`` and ``web_fetch`` are what a session that never said
follows. What a request actually sends also depends on the model (``core.request_shape`` leaves
out a tool the model lacks), so every notice here says that too, once: ``missing_tool`` is the
sentence ``/web``, ``/model`` (through ``model_fit.fit_notes``) and sending share.

Pure functions of ``Settings`` and ``ModelCapabilities``: the UI only shows what they return.
"""

from __future__ import annotations

from dataclasses import dataclass

from claude_tui.core.capabilities import ModelCapabilities
from claude_tui.core.config import Settings


@dataclass(frozen=True)
class WebTool:
    """One of the two tools: its setting (and session column), the word after ``/web`` that
    names it, and its name in sentences."""

    key: str
    word: str
    name: str

    def line(self, on: bool) -> str:
        """The slash command that turns it ``on`` or off."""
        words = ["/web", self.word, "on" if on else "off"]
        return " ".join(word for word in words if word)


SEARCH = WebTool("web_search", "", "Web search")
FETCH = WebTool("web_fetch", "fetch", "Web fetch")
WEB_TOOLS = (SEARCH, FETCH)


def price_words(price: float) -> str:
    """``$10 per 1,000 searches`` (``$12.50`` for a price with cents)."""
    amount = f"{price:,.0f}" if price == int(price) else f"{price:,.2f}"
    return f"${amount} per 1,000 searches"


def missing_tool(settings: Settings, caps: ModelCapabilities, tool: WebTool) -> str | None:
    """Why ``tool``, on in ``settings``, is left out of the model's requests; ``None`` when it
    is off, or the model has it."""
    if not getattr(settings, tool.key) or getattr(caps, tool.key):
        return None
    return f"{settings.model} has no {tool.name.lower()}: replies are sent without it"


def web_gaps(settings: Settings, caps: ModelCapabilities) -> list[str]:
    """``missing_tool`` for each tool that has one: what a model change must say."""
    return [gap for tool in WEB_TOOLS if (gap := missing_tool(settings, caps, tool)) is not None]


def source_words(own: bool | None) -> str:
    """Where a session's setting comes from: its own ``/web``, or the config."""
    return "config" if own is None else "this session"


def web_status(settings: Settings, caps: ModelCapabilities, own: dict[str, bool | None]) -> str:
    """``/web`` alone: ``Web search on (this session) · Web fetch off (config)``; ``settings``
    are the session's, ``own`` its own choices by key (``None``: it follows the config)."""
    parts = []
    for tool in WEB_TOOLS:
        on = bool(getattr(settings, tool.key))
        where = source_words(own.get(tool.key))
        if on and not getattr(caps, tool.key):
            where += f"; {settings.model} has none"
        parts.append(f"{tool.name} {'on' if on else 'off'} ({where})")
    return " · ".join(parts)


def set_notice(tool: WebTool, on: bool, gap: str | None) -> str:
    """What ``/web [fetch] on|off`` did; ``gap`` is ``missing_tool``'s word on the model."""
    said = f"{tool.name} {'on' if on else 'off'} for this session"
    return f"{said}, but {gap}" if gap else said


def palette_entry(tool: WebTool, on: bool, own: bool | None, price: float) -> tuple[str, str]:
    """The palette's toggle for ``tool``, now ``on`` or not (``own``: the session's choice, or
    ``None`` from config): its title, which names what choosing it does, and its help."""
    now = f"now {'on' if on else 'off'}, from {source_words(own)}"
    if on:
        return f"{tool.name} off", f"Turn {tool.name.lower()} off for this session ({now})"
    cost = price_words(price) if tool is SEARCH else "pages cost the tokens they add"
    return f"{tool.name} on", f"Turn {tool.name.lower()} on for this session: {cost} ({now})"
