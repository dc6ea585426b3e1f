"""Which models can be chosen: the API's own list, or the SDK's known names when that fails.

The API's list (``GET /v1/models``) is the truth for this key: newest first, with display names.
But a model picker must work without it too (no key yet, offline, a proxy that lacks the route),
so any failure falls back to the names the SDK was released with, the ``Literal`` inside
``anthropic.types.Model``, and says why, so the UI can tell the user the list may be stale.

Called from a worker thread: it blocks for at most a few seconds per page and never raises.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from claude_tui.core.client import ApiSettings, make_client
from claude_tui.core.defaults import LOOKUP_TIMEOUT
from claude_tui.core.errors import NO_API_KEY_ERROR, ErrorKind, StreamError, classify

PAGE_LIMIT = 1000
"""The most models one ``GET /v1/models`` page may hold: one page is the whole list in practice."""

MAX_PAGES = 10
"""A server that always says ``has_more`` cannot keep the picker waiting forever."""


class ModelSource(StrEnum):
    API = "api"
    """``GET /v1/models`` answered."""
    SDK = "sdk"
    """The request failed; the names are the SDK's own, which may be out of date."""


@dataclass(frozen=True)
class ModelChoice:
    id: str
    display_name: str | None = None
    """The API's human name ("Claude Opus 5.5"); the SDK's names have none."""

    @property
    def label(self) -> str:
        """For a picker: the display name with the id, or the id alone."""
        if self.display_name and self.display_name != self.id:
            return f"{self.display_name} ({self.id})"
        return self.id


@dataclass(frozen=True)
class ModelChoices:
    models: tuple[ModelChoice, ...]
    """Newest first; no id twice."""
    source: ModelSource
    error: StreamError | None = None
    """Why the API's list could not be used, when ``source`` is ``SDK``."""

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(model.id for model in self.models)

    @property
    def reason(self) -> str | None:
        """The fallback's reason, written for the user; ``None`` for the API's list."""
        return self.error.message if self.error is not None else None


def list_models(api: ApiSettings, *, timeout: float = LOOKUP_TIMEOUT) -> ModelChoices:
    """The API's models for these settings, or the SDK's known names and the reason it failed.

    Blocking (call it from a worker thread); each request waits at most ``timeout`` seconds and is
    not retried. Never raises: whatever goes wrong becomes the fallback's ``error``.
    """
    if not api.has_credentials:
        return sdk_choices(NO_API_KEY_ERROR)
    try:
        models = _dedupe(_fetch(api, timeout))
    except Exception as exc:  # every failure is a reason to fall back, and the UI shows which
        return sdk_choices(classify(exc, base_url=api.display_url))
    if not models:
        return sdk_choices(StreamError(ErrorKind.MALFORMED, "The API listed no models."))
    return ModelChoices(tuple(models), ModelSource.API)


def _fetch(api: ApiSettings, timeout: float) -> Iterator[ModelChoice]:
    with make_client(api, timeout=timeout) as client:
        page = client.models.list(limit=PAGE_LIMIT)
        for number in range(1, MAX_PAGES + 1):
            for info in page.data:
                model_id = getattr(info, "id", None)
                name = getattr(info, "display_name", None)
                if isinstance(model_id, str) and model_id:
                    yield ModelChoice(model_id, name if isinstance(name, str) and name else None)
            if number == MAX_PAGES or not page.has_next_page():
                break
            page = page.get_next_page()


def _dedupe(models: Iterable[ModelChoice]) -> list[ModelChoice]:
    seen: set[str] = set()
    unique: list[ModelChoice] = []
    for model in models:
        if model.id not in seen:
            seen.add(model.id)
            unique.append(model)
    return unique


def sdk_choices(error: StreamError | None = None) -> ModelChoices:
    """The SDK's known names as choices, with the reason the API's list was not used."""
    return ModelChoices(
        tuple(ModelChoice(name) for name in sdk_model_names()), ModelSource.SDK, error
    )


def sdk_model_names() -> tuple[str, ...]:
    """Every model name in the ``Literal`` of ``anthropic.types.Model``, once, newest first.

    The SDK's order is close to newest first but not quite, so names are ordered by the version
    in them ("claude-opus-5-5" is 5.5, "claude-sonnet-5" is 5), highest first; names of one
    version keep the SDK's order (an alias before its dated snapshot). A name with no version
    ("claude-mythos-preview") keeps its place after the name the SDK lists before it.
    """
    from anthropic.types import Model  # lazy: importing the SDK costs about a second

    names = list(dict.fromkeys(_literal_strings(Model)))
    keys: list[tuple[int, ...]] = []
    for name in names:
        version = model_version(name)
        keys.append(version if version or not keys else keys[-1])
    order = sorted(range(len(names)), key=lambda i: keys[i], reverse=True)
    # reverse=True keeps names with equal keys in their order (the sort stays stable)
    return tuple(names[i] for i in order)


def _literal_strings(annotation: Any) -> Iterator[str]:
    """The string values of every ``Literal`` inside a type (through ``Union`` and aliases)."""
    if typing.get_origin(annotation) is typing.Literal:
        yield from (value for value in typing.get_args(annotation) if isinstance(value, str))
        return
    for arg in typing.get_args(annotation):
        yield from _literal_strings(arg)


_VERSION_PART = re.compile(r"\d{1,2}")


def model_version(name: str) -> tuple[int, ...]:
    """The version numbers in a model name: ``(5, 5)`` for "claude-opus-5-5", ``(4, 5)`` for
    "claude-haiku-4-5-20251001" and "claude-3-5-sonnet-20241022"; ``()`` for none. Dates (eight
    digits) are not versions."""
    return tuple(int(part) for part in name.split("-") if _VERSION_PART.fullmatch(part))
