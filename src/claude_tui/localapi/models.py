"""The models the local server knows, each with what it accepts, and the 400s for what it does not.

Three kinds of model, so the app's request shaping is tested against each: the default
(``claude-sonnet-5-5``) and the other 5.5 models take only ``adaptive`` thinking and list their
effort levels; an older model (``claude-haiku-4-5-20251001``) takes only ``enabled`` thinking
with a budget and no effort; and ``claude-3-haiku-20240307`` has no thinking at all (neither is
on the SDK's list of deprecated models, which would warn on every request). A request
that sends a thinking type, an effort level or a ``max_tokens`` its model does not accept, or a
prompt longer than its window, gets the 400 the real API gives; so does a final assistant message
(a prefill) on the 5.5 models, which take none (``prefill``). Server tools: the 5.5 models take
every version of web search and web fetch, Haiku 4.5 only the first of each, Haiku 3 none
(``server_tools``, checked by :mod:`~claude_tui.localapi.server_tools`; which versions real models
take is not in the reference, so this split is this server's choice). A model the server does
not list is not checked (tests name made-up models freely).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from claude_tui.localapi.server_tools import WEB_FETCH_TYPES, WEB_SEARCH_TYPES

JSON = dict[str, Any]

ALL_EFFORT = ("low", "medium", "high", "xhigh", "max")

LINES = ("haiku", "sonnet", "opus", "fable", "mythos")
"""The values the SDK's ``ModelInfo.line`` takes."""


@dataclass(frozen=True)
class ModelSpec:
    id: str
    display_name: str
    created_at: str
    thinking_types: tuple[str, ...] = ()
    """Accepted ``thinking.type`` values besides "disabled" (always accepted)."""
    effort_levels: tuple[str, ...] = ()
    compaction: bool = False
    image_input: bool = True
    pdf_input: bool = True
    web_search: bool = True
    """Takes server tools at all; ``False`` empties ``server_tools`` (what ``capabilities``
    says of web search)."""
    server_tools: tuple[str, ...] = WEB_SEARCH_TYPES + WEB_FETCH_TYPES
    """The server tool types (versions of web search and web fetch) the model takes."""
    max_input_tokens: int = 1_000_000
    max_tokens: int = 64_000
    prefill: bool = True
    """Takes a final assistant message as the start of its reply; newer models refuse one
    (see :mod:`~claude_tui.localapi.prefill`)."""

    def __post_init__(self) -> None:
        if not self.web_search:
            object.__setattr__(self, "server_tools", ())

    def capabilities(self) -> JSON:
        """The ``capabilities`` object, with every key the SDK's ``ModelCapabilities`` has."""

        def flag(on: bool) -> JSON:
            return {"supported": on}

        thinking_types = {
            kind: flag(kind in self.thinking_types or kind == "disabled")
            for kind in ("adaptive", "between_tools", "disabled", "enabled")
        }
        return {
            "batch": flag(True),
            "citations": flag(True),
            "code_execution": flag(self.web_search),
            "image_input": flag(self.image_input),
            "pdf_input": flag(self.pdf_input),
            "structured_outputs": flag(True),
            "context_management": {
                "supported": self.compaction,
                "clear_thinking_20251015": flag(self.compaction),
                "clear_tool_uses_20250919": flag(self.compaction),
                "compact_20260112": flag(self.compaction),
            },
            "effort": {
                "supported": bool(self.effort_levels),
                **{level: flag(level in self.effort_levels) for level in ALL_EFFORT},
            },
            "server_tools": {
                "supported": self.web_search,
                "code_execution": flag(self.web_search),
                "web_search": flag(self.web_search),
            },
            "thinking": {"supported": bool(self.thinking_types), "types": thinking_types},
        }

    def to_json(self) -> JSON:
        """The model object, with every field of the SDK's ``ModelInfo``."""
        line = next((word for word in LINES if word in self.id.split("-")), None)
        return {
            "type": "model",
            "id": self.id,
            "display_name": self.display_name,
            "created_at": self.created_at,
            "lifecycle": "active",
            "deprecated_at": None,
            "retires_at": None,
            "line": line,
            "max_input_tokens": self.max_input_tokens,
            "max_tokens": self.max_tokens,
            "capabilities": self.capabilities(),
        }


MODELS: tuple[ModelSpec, ...] = (
    ModelSpec(
        "claude-opus-5-5",
        "Claude Opus 5.5",
        "2026-02-24T00:00:00Z",
        thinking_types=("adaptive",),
        effort_levels=ALL_EFFORT,
        compaction=True,
        max_tokens=128_000,
        prefill=False,
    ),
    ModelSpec(
        "claude-sonnet-5-5",
        "Claude Sonnet 5.5",
        "2026-02-24T00:00:00Z",
        thinking_types=("adaptive",),
        effort_levels=("low", "medium", "high", "max"),
        compaction=True,
        prefill=False,
    ),
    ModelSpec(
        "claude-haiku-5-5",
        "Claude Haiku 5.5",
        "2026-02-24T00:00:00Z",
        thinking_types=("adaptive",),
        effort_levels=("low", "medium", "high"),
        max_input_tokens=200_000,
        prefill=False,
    ),
    ModelSpec(
        "claude-haiku-4-5-20251001",
        "Claude Haiku 4.5",
        "2025-10-01T00:00:00Z",
        thinking_types=("enabled",),
        max_input_tokens=200_000,
        server_tools=("web_search_20250305", "web_fetch_20250910"),
    ),
    ModelSpec(
        "claude-3-haiku-20240307",
        "Claude Haiku 3",
        "2024-03-07T00:00:00Z",
        pdf_input=False,
        web_search=False,
        max_input_tokens=200_000,
        max_tokens=4_096,
    ),
)
"""Newest first, as ``GET /v1/models`` lists them."""


def find_spec(models: tuple[ModelSpec, ...], model_id: object) -> ModelSpec | None:
    return next((spec for spec in models if spec.id == model_id), None)


def model_problem(spec: ModelSpec, body: JSON, input_tokens: int) -> str | None:
    """The message of the 400 the real API gives this body for this model, or ``None``."""
    max_tokens = body.get("max_tokens")
    if isinstance(max_tokens, int) and max_tokens > spec.max_tokens:
        return (
            f"max_tokens: {max_tokens} > {spec.max_tokens}, which is the maximum allowed "
            f"number of output tokens for {spec.id}"
        )
    thinking = body.get("thinking")
    if isinstance(thinking, dict):
        kind = thinking.get("type")
        if kind != "disabled" and kind not in spec.thinking_types:
            if not spec.thinking_types:
                return f"thinking: {spec.id} does not support extended thinking"
            return f'thinking.type: "{kind}" is not supported for {spec.id}; use ' + " or ".join(
                f'"{t}"' for t in spec.thinking_types
            )
        if kind == "enabled":
            budget = thinking.get("budget_tokens")
            if not isinstance(budget, int) or budget < 1024:
                return "thinking.budget_tokens: Input should be greater than or equal to 1024"
            if isinstance(max_tokens, int) and budget >= max_tokens:
                return "max_tokens must be greater than thinking.budget_tokens"
    output_config = body.get("output_config")
    if isinstance(output_config, dict) and output_config.get("effort") is not None:
        effort = output_config["effort"]
        if effort not in spec.effort_levels:
            if not spec.effort_levels:
                return f"output_config.effort: {spec.id} does not support the effort parameter"
            return f'output_config.effort: "{effort}" is not supported for {spec.id}'
    if input_tokens > spec.max_input_tokens:
        return f"prompt is too long: {input_tokens} tokens > {spec.max_input_tokens} maximum"
    return None
