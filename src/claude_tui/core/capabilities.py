"""What a model accepts: thinking types, effort levels, inputs, server tools, compaction, limits.

The request a model is sent is shaped by this (``core.request``), so a setting the model does not
take is refused in the app or left out, never sent to fail as a 400. The truth is the Models API
(``GET /v1/models/{id}``, read by ``core.capability_lookup``); offline, or when it fails, a small
table of the families this SDK knows stands in, and ``source`` says which answer is in use so
``/model`` and ``/context`` can show it.

Every field is read from the API's JSON on its own (``enabled`` can be false while ``adaptive`` is
true), and a field that is missing or of the wrong type counts as not supported: a proxy that
sends less than the API must not make the app send more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from claude_tui.core.config_schema import EFFORT_LEVELS
from claude_tui.core.models import model_version

THINKING_TYPES = ("adaptive", "enabled", "disabled", "between_tools")

COMPACTION_EDIT = "compact_20260112"
"""The server-side compaction edit (beta); the beta header that goes with it is in ``request``."""


class CapabilitySource(StrEnum):
    API = "api"
    """Read from the Models API during this run."""
    CACHE = "cache"
    """Read from the Models API earlier, kept on disk (see ``fetched_at``)."""
    BUILTIN = "builtin"
    """The app's own table: the API has not answered (yet, or at all)."""


@dataclass(frozen=True)
class ModelCapabilities:
    model: str
    thinking_types: frozenset[str] = frozenset()
    """The ``thinking.type`` values the model accepts: adaptive, enabled, disabled, ..."""
    effort_levels: tuple[str, ...] = ()
    """The effort levels it accepts, lowest first; empty: no ``output_config.effort`` at all."""
    image_input: bool = False
    pdf_input: bool = False
    web_search: bool = False
    """The web search server tool, in some version (``capabilities_web`` picks which)."""
    web_fetch: bool = False
    """The web fetch server tool: assumed wherever web search is, since the Models API does not
    report web fetch (anthropic 2.10.0's ``ServerToolsCapability`` has no entry for it)."""
    compaction: bool = False
    """Server-side compaction (``context_management`` edit ``compact_20260112``)."""
    max_input_tokens: int | None = None
    """The context window; ``None`` when not known."""
    max_tokens: int | None = None
    """The longest reply the model can give; ``max_tokens`` is capped at this."""
    source: CapabilitySource = CapabilitySource.BUILTIN
    fetched_at: float | None = None
    """When the API answered (seconds since the epoch), for an ``API`` or ``CACHE`` answer."""
    note: str | None = None
    """Why the table is in use (the lookup's error), or ``None``."""

    @property
    def thinking(self) -> str | None:
        """The thinking type ``/thinking on`` sends: ``adaptive`` where the model takes it,
        ``enabled`` (with a budget) where that is all it takes, ``None`` for no thinking."""
        for kind in ("adaptive", "enabled"):
            if kind in self.thinking_types:
                return kind
        return None

    def with_source(self, source: CapabilitySource, note: str | None = None) -> ModelCapabilities:
        return replace(self, source=source, note=note)


def _supported(value: object) -> bool:
    return isinstance(value, Mapping) and value.get("supported") is True


def _positive_int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def from_model_info(info: Mapping[str, Any], source: CapabilitySource) -> ModelCapabilities:
    """Capabilities from a ``ModelInfo`` as JSON (``GET /v1/models/{id}``'s body)."""
    caps = info.get("capabilities")
    caps = caps if isinstance(caps, Mapping) else {}
    thinking = caps.get("thinking")
    types: Mapping[str, Any] = {}
    if _supported(thinking) and isinstance(thinking, Mapping):
        found = thinking.get("types")
        types = found if isinstance(found, Mapping) else {}
    effort = caps.get("effort")
    levels: tuple[str, ...] = ()
    if _supported(effort) and isinstance(effort, Mapping):
        levels = tuple(level for level in EFFORT_LEVELS if _supported(effort.get(level)))
    tools = caps.get("server_tools")
    context = caps.get("context_management")
    model = info.get("id")
    web_search = _supported(tools) and _supported(_get(tools, "web_search"))
    return ModelCapabilities(
        model=model if isinstance(model, str) else "",
        thinking_types=frozenset(kind for kind in THINKING_TYPES if _supported(types.get(kind))),
        effort_levels=levels,
        image_input=_supported(caps.get("image_input")),
        pdf_input=_supported(caps.get("pdf_input")),
        web_search=web_search,
        web_fetch=web_search,
        compaction=_supported(context) and _supported(_get(context, COMPACTION_EDIT)),
        max_input_tokens=_positive_int(info.get("max_input_tokens")),
        max_tokens=_positive_int(info.get("max_tokens")),
        source=source,
    )


def _get(value: object, key: str) -> object:
    return value.get(key) if isinstance(value, Mapping) else None


def to_model_info(caps: ModelCapabilities) -> dict[str, Any]:
    """The inverse of :func:`from_model_info`, for keeping an answer on disk in the API's shape."""

    def flag(on: bool) -> dict[str, bool]:
        return {"supported": on}

    return {
        "id": caps.model,
        "max_input_tokens": caps.max_input_tokens,
        "max_tokens": caps.max_tokens,
        "capabilities": {
            "thinking": {
                "supported": bool(caps.thinking_types),
                "types": {kind: flag(kind in caps.thinking_types) for kind in THINKING_TYPES},
            },
            "effort": {
                "supported": bool(caps.effort_levels),
                **{level: flag(level in caps.effort_levels) for level in EFFORT_LEVELS},
            },
            "image_input": flag(caps.image_input),
            "pdf_input": flag(caps.pdf_input),
            "server_tools": {"supported": caps.web_search, "web_search": flag(caps.web_search)},
            "context_management": {
                "supported": caps.compaction,
                COMPACTION_EDIT: flag(caps.compaction),
            },
        },
    }


# -- the built-in table ---------------------------------------------------------------------

_EFFORT_NO_XHIGH = ("low", "medium", "high", "max")
_EFFORT_HAIKU = ("low", "medium", "high")


def builtin_capabilities(model: str, note: str | None = None) -> ModelCapabilities:
    """What the app assumes of ``model`` without the Models API, by the family's version.

    Conservative where it must guess, since a setting left out costs a feature while one sent
    wrongly costs the request: a model it cannot place (no version in its name: a proxy's alias,
    a model newer than this table) gets no thinking, no effort, no compaction and no known
    window or limit, until the Models API says otherwise. The figures follow Anthropic's
    published model tables as of anthropic 2.10.0.
    """
    version = model_version(model)
    if not version:
        return ModelCapabilities(model, image_input=True, note=note)
    opus = "opus" in model
    haiku = "haiku" in model
    web = version >= (3, 5) and not (haiku and version < (4,))
    caps = ModelCapabilities(
        model,
        image_input=True,
        pdf_input=version >= (3, 5),
        web_search=web,
        web_fetch=web,
        max_input_tokens=200_000,
        source=CapabilitySource.BUILTIN,
        note=note,
    )
    if version >= (5,):
        return replace(
            caps,
            thinking_types=frozenset({"adaptive", "disabled"}),
            effort_levels=EFFORT_LEVELS if opus else _EFFORT_HAIKU if haiku else _EFFORT_NO_XHIGH,
            compaction=not haiku,
            max_input_tokens=200_000 if haiku else 1_000_000,
            max_tokens=128_000 if opus else 64_000,
        )
    if version >= (4, 6):
        return replace(
            caps,
            thinking_types=frozenset({"adaptive", "enabled", "disabled"}),
            effort_levels=_EFFORT_NO_XHIGH,
            compaction=True,
            max_tokens=128_000 if opus else 64_000,
        )
    if version >= (3, 7) and not (haiku and version < (4, 5)):
        return replace(
            caps,
            thinking_types=frozenset({"enabled", "disabled"}),
            effort_levels=("low", "medium", "high") if opus and version >= (4, 5) else (),
            max_tokens=32_000 if opus and version < (4, 5) else 64_000,
        )
    return replace(caps, max_tokens=8_192 if version >= (3, 5) else 4_096)
