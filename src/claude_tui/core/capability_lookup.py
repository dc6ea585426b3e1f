"""Asking the Models API what one model accepts (``GET /v1/models/{id}``).

The answer shapes every request (``core.request_shape``), but a request must never wait for it:
this is a short blocking call for a worker thread, one attempt whose every phase (connecting,
each read) waits at most ``LOOKUP_TIMEOUT`` seconds, and it never raises. Whatever goes wrong
(no key, offline, a timeout, a model the API does not know, a body that is not a model) gives
the built-in table's answer instead, with the reason worded for the user in ``note``, so
``/model`` can say why the table is in use.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, TypeGuard

from claude_tui.core.capabilities import (
    CapabilitySource,
    ModelCapabilities,
    builtin_capabilities,
    from_model_info,
)
from claude_tui.core.client import ApiSettings, make_client
from claude_tui.core.defaults import LOOKUP_TIMEOUT
from claude_tui.core.errors import NO_API_KEY_ERROR, ErrorKind, classify

NOT_A_MODEL = "the Models API's answer was not a model's description"
"""The reason given when the body is JSON but not a ``ModelInfo`` (a proxy's own answer)."""


class _NotAModel(Exception):
    """The body parsed, but is not a model's description."""


def lookup_capabilities(
    api: ApiSettings,
    model: str,
    *,
    timeout: float = LOOKUP_TIMEOUT,
    clock: Callable[[], float] = time.time,
) -> ModelCapabilities:
    """What ``model`` accepts according to the Models API (source ``API``, ``fetched_at`` now),
    or the built-in table's answer with the reason the API's could not be had.

    Blocking (call it from a worker thread); not retried; never raises. The answer is kept under
    the id asked for, even when the API resolves an alias to a dated id, so it is found again
    under the name the session uses.
    """
    if not api.has_credentials:
        return builtin_capabilities(model, note=_first_lower(NO_API_KEY_ERROR.message))
    try:
        with make_client(api, timeout=timeout) as client:
            body = client.models.with_raw_response.retrieve(model).json()
        if not _is_model_info(body):
            raise _NotAModel()
        caps = from_model_info(body, CapabilitySource.API)
    except _NotAModel:
        return builtin_capabilities(model, note=NOT_A_MODEL)
    except Exception as exc:  # every failure is a reason to use the table, and /model shows it
        return builtin_capabilities(model, note=failure_reason(exc, api, model))
    return replace(caps, model=model, fetched_at=clock())


def _is_model_info(body: object) -> TypeGuard[Mapping[str, Any]]:
    """A model's description has an id and a capabilities object. Without them (an older proxy,
    an error page sent with a 200), every feature would read as unsupported: the built-in table
    is the better guess."""
    return (
        isinstance(body, Mapping)
        and isinstance(body.get("id"), str)
        and isinstance(body.get("capabilities"), Mapping)
    )


def failure_reason(exc: BaseException, api: ApiSettings, model: str) -> str:
    """Why the lookup failed, for the user: classified as a reply's error is, with the two
    cases whose generic wording would mislead said plainly (a model the API does not list, a
    body that does not parse)."""
    error = classify(exc, base_url=api.display_url)
    if error.kind is ErrorKind.NOT_FOUND:
        return f"404: the Models API does not list {model}"
    if error.kind is ErrorKind.MALFORMED:
        return "the Models API's answer was not valid JSON"
    return _first_lower(error.message)


def _first_lower(text: str) -> str:
    """A message that is a sentence on its own, made to read inside another's parentheses:
    no full stop, and no capital unless the first word is an acronym ("API")."""
    text = text.rstrip(".")
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text
