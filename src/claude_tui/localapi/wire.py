"""What the local API server writes: the Messages API's wire format, as bytes and JSON bodies.

Kept apart from the server so that the format reads in one place, against the reference
(``/work/shared/reference/messages-api-streaming.md``): its paths, SSE events framed as HTTP
chunks, the error body with its ``error.type`` per status, and the models list (of
:data:`~claude_tui.localapi.models.MODELS`). Nothing here
touches a socket.
"""

from __future__ import annotations

import json
import random
import string
from typing import Any

from claude_tui.localapi.models import ModelSpec, find_spec

JSON = dict[str, Any]

MESSAGES_ROUTE = "/v1/messages"
COUNT_TOKENS_ROUTE = "/v1/messages/count_tokens"
MODELS_ROUTE = "/v1/models"
MODEL_ROUTE = "/v1/models/{model_id}"
ROUTES = (MESSAGES_ROUTE, COUNT_TOKENS_ROUTE, MODELS_ROUTE, MODEL_ROUTE)
"""The API's paths this server answers, by their templates; each can be scripted on its own."""

DEFAULT_MODEL = "claude-sonnet-5-5"
"""The model a reply names when the request's ``model`` is not a string."""

ERROR_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    503: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}
"""The API's ``error.type`` for each status it uses (the reference table)."""

ERROR_MESSAGES: dict[str, str] = {
    "invalid_request_error": "Invalid request.",
    "authentication_error": "invalid x-api-key",
    "billing_error": "Your credit balance is too low to access the Anthropic API.",
    "permission_error": "Your API key does not have permission to use the specified resource.",
    "not_found_error": "Not found.",
    "request_too_large": "Request exceeds the maximum size",
    "rate_limit_error": "This request would exceed the rate limit for your organization.",
    "api_error": "Internal server error",
    "timeout_error": "Request timed out.",
    "overloaded_error": "Overloaded",
}

REQUEST_MAX_BYTES = 32 * 1024 * 1024
"""The largest request body the Messages API takes (``POST /v1/messages`` and
``count_tokens``); a larger one gets :data:`TOO_LARGE_BODY` with a 413 before it is read."""

TOO_LARGE_BODY: JSON = {
    "error": {"type": "request_too_large", "message": "Request exceeds the maximum size"}
}
"""The API's 413 body, word for word as users quote it (e.g. anthropics/claude-code#14567):
its front end answers, so there is no top-level ``type`` and no ``request_id``."""

REASONS: dict[int, str] = {413: "Request Entity Too Large", 529: "Overloaded"}
"""Reason phrases http.server does not know (it would send an empty one)."""

END_OF_BODY = b"0\r\n\r\n"
"""The terminating chunk; a body without it is an incomplete chunked read."""

MALFORMED_DELTA = b"event: content_block_delta\ndata: {not json\n\n"
"""A ``content_block_delta`` whose data is not JSON (the ``malformed_after`` fault)."""


def random_id(prefix: str) -> str:
    alphabet = string.ascii_letters + string.digits
    return prefix + "".join(random.choices(alphabet, k=24))


def chunk(data: bytes) -> bytes:
    """``data`` as one HTTP/1.1 chunk: its size in hex, CRLF, the data, CRLF."""
    return b"%x\r\n%b\r\n" % (len(data), data)


def sse_event(name: str, payload: JSON) -> bytes:
    """One server-sent event: its ``event`` line, one ``data`` line of JSON, a blank line."""
    return f"event: {name}\ndata: {json.dumps(payload)}\n\n".encode()


def error_type_for(status: int) -> str:
    """The ``error.type`` the API sends with ``status``."""
    return ERROR_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")


def status_for(error_type: str) -> int:
    """The first status whose ``error.type`` is ``error_type``; 500 for a type with none."""
    return next((s for s, t in ERROR_TYPES.items() if t == error_type), 500)


def error_object(error_type: str, message: str | None = None) -> JSON:
    """The ``error`` member of an error body or ``error`` event; the API's message by default."""
    return {"type": error_type, "message": message or ERROR_MESSAGES.get(error_type, error_type)}


def error_body(error_type: str, message: str | None, request_id: str) -> JSON:
    """An error status response's body: ``{"type": "error", "error": {...}, "request_id"}``."""
    return {"type": "error", "error": error_object(error_type, message), "request_id": request_id}


MODELS_PAGE_LIMIT = (20, 1000)
"""``GET /v1/models``'s ``limit``: its default and its largest allowed value."""


def _parse_limit(raw: str | None) -> int | str:
    """``limit`` as an int, or the 400 message the API gives for a bad one."""
    default, largest = MODELS_PAGE_LIMIT
    if raw is None:
        return default
    try:
        limit = int(raw)
    except ValueError:
        return "limit: Input should be a valid integer"
    if limit < 1:
        return "limit: Input should be greater than or equal to 1"
    if limit > largest:
        return f"limit: Input should be less than or equal to {largest}"
    return limit


def models_page(models: tuple[ModelSpec, ...], query: dict[str, str] | None = None) -> JSON | str:
    """``GET /v1/models``'s body for a query (``limit``, ``after_id``, ``before_id``), or the
    message of the 400 the API answers a bad query with.

    The list is newest first, paged like the API: ``after_id`` gives the page after that model,
    ``before_id`` the page just before it, ``has_more`` says whether more lie that way, and
    ``first_id`` / ``last_id`` (``null`` on an empty page) are the cursors for the next request.
    An unknown cursor gives an empty page.
    """
    query = query or {}
    limit = _parse_limit(query.get("limit"))
    if isinstance(limit, str):
        return limit
    after, before = query.get("after_id"), query.get("before_id")
    if after is not None and before is not None:
        return "Only one of after_id and before_id may be given."
    ids = [model.id for model in models]
    if before is not None:
        end = ids.index(before) if before in ids else 0
        start = max(0, end - limit)
        has_more = start > 0
    else:
        start = 0 if after is None else ids.index(after) + 1 if after in ids else len(ids)
        end = min(len(ids), start + limit)
        has_more = end < len(ids)
    data = [model.to_json() for model in models[start:end]]
    return {
        "data": data,
        "has_more": has_more,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
    }


def find_model(models: tuple[ModelSpec, ...], model_id: str) -> JSON | None:
    """``GET /v1/models/{model_id}``'s body, or ``None`` for a model not in ``models``."""
    spec = find_spec(models, model_id)
    return spec.to_json() if spec is not None else None
