"""One error type for everything that can end a reply badly.

The SDK raises its own classes for HTTP errors but raw ``httpx2`` and ``json`` errors mid-stream;
``classify`` maps all of them to a ``StreamError`` with a kind (for logic: retry or not), a message
written for the user, and the retry wait the server asked for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum


class ErrorKind(StrEnum):
    AUTH = "auth"
    BAD_REQUEST = "bad_request"
    NOT_FOUND = "not_found"
    TOO_LARGE = "too_large"
    BILLING = "billing"
    RATE_LIMITED = "rate_limited"
    OVERLOADED = "overloaded"
    SERVER = "server"
    INTERRUPTED = "interrupted"
    """The API sent an ``error`` event mid-stream."""
    CONNECTION_LOST = "connection_lost"
    CONNECTION_REFUSED = "connection_refused"
    TIMEOUT = "timeout"
    STALLED = "stalled"
    MALFORMED = "malformed"
    NO_API_KEY = "no_api_key"
    UNKNOWN = "unknown"


RETRYABLE_KINDS = frozenset(
    {
        ErrorKind.RATE_LIMITED,
        ErrorKind.OVERLOADED,
        ErrorKind.SERVER,
        ErrorKind.CONNECTION_REFUSED,
        ErrorKind.TIMEOUT,
    }
)
"""Kinds worth another attempt, when they happen before any content arrived."""


@dataclass(frozen=True)
class StreamError:
    kind: ErrorKind
    message: str
    """For the user: what happened and, where it helps, what to do."""
    status: int | None = None
    retry_after: float | None = None
    """Seconds the server asked us to wait, if it said."""

    @property
    def retryable(self) -> bool:
        return self.kind in RETRYABLE_KINDS


class ApiCallError(Exception):
    """A one-off API call (not a stream) failed. ``error`` says how, classified like a stream's
    error, so the UI words it the same way; ``str()`` is the message for the user."""

    def __init__(self, error: StreamError) -> None:
        super().__init__(error.message)
        self.error = error


NO_API_KEY_ERROR = StreamError(
    ErrorKind.NO_API_KEY, "No API key: set ANTHROPIC_API_KEY or put the key in the key file."
)
"""For a call not even tried because there is nothing to authenticate with."""


_STATUS_KINDS = {
    400: ErrorKind.BAD_REQUEST,
    401: ErrorKind.AUTH,
    402: ErrorKind.BILLING,
    403: ErrorKind.AUTH,
    404: ErrorKind.NOT_FOUND,
    413: ErrorKind.TOO_LARGE,
    429: ErrorKind.RATE_LIMITED,
    529: ErrorKind.OVERLOADED,
}


def _parse_retry_after(headers: object) -> float | None:
    get = getattr(headers, "get", None)
    if get is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = get(name)
        if raw is None:
            continue
        try:
            return max(0.0, float(raw) * scale)
        except (TypeError, ValueError):
            continue  # an HTTP date: treat as unknown and use our own backoff
    return None


def _status_error(exc: object, base_url: str) -> StreamError:
    status = int(getattr(exc, "status_code", 0) or 0)
    api_type = getattr(exc, "type", None)
    api_message = getattr(exc, "api_message", None) or str(exc)
    response = getattr(exc, "response", None)
    retry_after = _parse_retry_after(getattr(response, "headers", None))
    if status == 200:  # an `error` event inside a stream that had started well
        what = "overloaded" if api_type == "overloaded_error" else (api_type or "error")
        return StreamError(
            ErrorKind.INTERRUPTED,
            f"Stream interrupted: the API reported {what} ({api_message})",
            status=status,
        )
    kind = _STATUS_KINDS.get(status)
    if kind is None:
        kind = ErrorKind.SERVER if status >= 500 else ErrorKind.UNKNOWN
    if api_type == "overloaded_error":
        kind = ErrorKind.OVERLOADED
    if kind is ErrorKind.AUTH:
        message = f"Authentication failed ({status}): {api_message}. Check ANTHROPIC_API_KEY."
    elif kind is ErrorKind.RATE_LIMITED:
        message = f"Rate limited (429): {api_message}"
    elif kind is ErrorKind.OVERLOADED:
        message = f"The API is overloaded ({status}): {api_message}"
    elif kind is ErrorKind.SERVER:
        message = f"Server error ({status}) at {base_url}: {api_message}"
    else:
        message = f"The API refused the request ({status}): {api_message}"
    return StreamError(kind, message, status=status, retry_after=retry_after)


def classify(exc: BaseException, *, base_url: str = "the API") -> StreamError:
    """Map anything the SDK or its transport raised to a ``StreamError``."""
    import anthropic  # lazy: importing the SDK costs about a second
    import httpx2

    if isinstance(exc, anthropic.APIStatusError):
        return _status_error(exc, base_url)
    if isinstance(exc, anthropic.APITimeoutError):
        return StreamError(ErrorKind.TIMEOUT, f"Timed out waiting for {base_url}.")
    if isinstance(exc, anthropic.APIConnectionError):
        return StreamError(
            ErrorKind.CONNECTION_REFUSED,
            f"Cannot reach the API at {base_url}: {exc.__cause__ or exc}",
        )
    if isinstance(exc, httpx2.TimeoutException):
        return StreamError(
            ErrorKind.STALLED, "The API stopped sending data; the reply was stopped."
        )
    if isinstance(exc, httpx2.TransportError):
        return StreamError(
            ErrorKind.CONNECTION_LOST,
            f"Connection to the API was lost mid-reply ({exc or type(exc).__name__}).",
        )
    if isinstance(exc, json.JSONDecodeError | anthropic.APIResponseValidationError):
        return StreamError(
            ErrorKind.MALFORMED, "Invalid response from the API: a stream event was not valid."
        )
    return StreamError(ErrorKind.UNKNOWN, f"Unexpected error: {type(exc).__name__}: {exc}")
