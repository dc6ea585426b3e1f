"""How many input tokens a request will cost, asked of the API (``POST /v1/messages/count_tokens``).

The API's count is the only exact one (system prompt, thinking config and message framing all
count), so the app asks rather than estimates. It is a short blocking call for a worker thread:
one attempt, a few seconds at most, and a failure is an :class:`ApiCallError` whose ``error`` is
classified like a reply's, so the UI can word it the same way.

A request that goes to the beta API (``StreamRequest.betas``: a compaction block in the history,
or ``auto_compact``) is counted by the beta ``count_tokens`` with the same betas: the plain one
does not take a compaction block.

Server tools (web search, web fetch: ``StreamRequest.tools``) are never sent: ``count_tokens``
does not accept them. The count is of the conversation, then, without the tokens the tools'
definitions add to a reply's request (the API does not say how many).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from claude_tui.core.client import ApiSettings, make_client
from claude_tui.core.defaults import LOOKUP_TIMEOUT
from claude_tui.core.errors import NO_API_KEY_ERROR, ApiCallError, ErrorKind, StreamError, classify
from claude_tui.core.runner import StreamRequest


def count_input_tokens(
    api: ApiSettings,
    *,
    model: str,
    system: str | None,
    messages: list[dict[str, Any]],
    thinking: Mapping[str, Any] | None = None,
    betas: Sequence[str] = (),
    timeout: float = LOOKUP_TIMEOUT,
) -> int:
    """The input tokens of a request with this model, system prompt, history and thinking config
    (the ``thinking`` parameter as sent, e.g. ``{"type": "enabled", "budget_tokens": 4096}``);
    with ``betas``, asked of the beta endpoint with them.

    A blank ``system`` is not sent, as in a reply's request. Blocking, not retried; raises
    :class:`ApiCallError` on any failure, including having no key.
    """
    if not api.has_credentials:
        raise ApiCallError(NO_API_KEY_ERROR)
    params: dict[str, Any] = {"model": model, "messages": messages}
    if system is not None and system.strip():
        params["system"] = system
    if thinking is not None:
        params["thinking"] = dict(thinking)
    try:
        with make_client(api, timeout=timeout) as client:
            counted: object = (
                client.beta.messages.count_tokens(**params, betas=list(betas))
                if betas
                else client.messages.count_tokens(**params)
            )
    except Exception as exc:  # every failure is reported the one way
        raise ApiCallError(classify(exc, base_url=api.display_url)) from exc
    tokens = getattr(counted, "input_tokens", None)
    if not isinstance(tokens, int) or isinstance(tokens, bool) or tokens < 0:
        raise ApiCallError(
            StreamError(ErrorKind.MALFORMED, "Invalid response from the API: no token count.")
        )
    return tokens


def count_request_tokens(
    api: ApiSettings, request: StreamRequest, *, timeout: float = LOOKUP_TIMEOUT
) -> int:
    """The input tokens of what ``request`` would send (see ``core.request``), its server tools
    left out (``count_tokens`` refuses them: see the module docstring)."""
    params = request.sdk_kwargs()
    return count_input_tokens(
        api,
        model=request.model,
        system=params.get("system"),
        messages=request.messages,
        thinking=params.get("thinking"),
        betas=request.betas,
        timeout=timeout,
    )


def history_count_request(request: StreamRequest) -> StreamRequest:
    """``request`` as ``count_tokens`` takes it when its history ends with a reply (``/context``
    counts the conversation before the next prompt is typed).

    The API holds a final assistant message to the thinking rules of a continuation (with
    thinking on it must start with thinking; with thinking off it may hold none), which the
    next real request, ending with a prompt, is not held to: so the count goes as a
    continuation would (``core.continuation``), and thinking in the earlier replies, which the
    API does not count, is the only difference."""
    from claude_tui.core.continuation import continuation_request

    messages, thinking = continuation_request(request.messages, request.thinking is not None)
    if thinking == (request.thinking is not None) and messages is request.messages:
        return request
    return replace(request, messages=messages, thinking=request.thinking if thinking else None)
