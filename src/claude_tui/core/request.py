"""The next request: built from the settings and the history, and shown as text for ``/context``.

``stream_request`` is the one place the settings become a request, so what ``/context`` shows is
what the runner sends: the same function builds both, and ``request_body`` is the JSON the SDK
puts on the wire for it. The rendering keeps every text whole (the view scrolls) and shows
control characters instead of obeying them. The key is never part of a request body; as a second
guard, ``preview_request`` also blanks it out of the text should a message happen to contain it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from claude_tui.core.capabilities import ModelCapabilities, builtin_capabilities
from claude_tui.core.capability_summary import provenance
from claude_tui.core.client import ApiSettings
from claude_tui.core.config import Settings
from claude_tui.core.conversation import Conversation, Turn, build_api_messages
from claude_tui.core.prompt import Prompt
from claude_tui.core.request_params import DESCRIBED, beta_words, described_lines
from claude_tui.core.request_shape import history_betas, shape_request
from claude_tui.core.runner import StreamRequest
from claude_tui.core.sanitize import sanitize

MESSAGES_PATH = "/v1/messages"

HIDDEN = "[hidden]"
"""Shown in place of a secret: the key, or the value of a header that carries credentials."""

_SECRET_HEADER_WORDS = ("key", "auth", "token", "secret", "cookie")
_MIN_SECRET_LENGTH = 8
"""Shorter strings are not blanked out of the text: they would match ordinary words."""


def stream_request(
    settings: Settings,
    messages: list[dict[str, object]],
    caps: ModelCapabilities | None = None,
) -> StreamRequest:
    """The request for the next reply, as the settings say, shaped by what the model accepts
    (``caps``; the built-in table's answer when not given), with the betas its history needs:
    see ``core.request_shape``."""
    shape = shape_request(settings, caps or builtin_capabilities(settings.model))
    return StreamRequest(
        messages=messages,
        model=settings.model,
        max_tokens=shape.max_tokens,
        system=settings.system_prompt,
        thinking=shape.thinking,
        output_config=shape.output_config,
        cache_control=shape.cache_control,
        context_management=shape.context_management,
        betas=history_betas(shape.betas, messages),
        tools=shape.tools,
    )


def next_messages(
    conversation: Conversation, prompt: Prompt | str | None = None
) -> list[dict[str, Any]]:
    """The history the next request sends: the conversation's, with ``prompt`` as a new user turn
    if there is one, through the same ``build_api_messages`` a sent prompt goes through."""
    turns = conversation.turns
    if prompt is not None:
        prompt = Prompt(prompt) if isinstance(prompt, str) else prompt
        turns = [*turns, Turn("user", prompt.blocks())]
    return build_api_messages(turns)


def request_body(request: StreamRequest) -> dict[str, Any]:
    """The JSON body the SDK sends for ``request``: its parameters, ``extra_body`` merged in as the
    SDK merges it, and ``"stream": true``. Headers are not part of it."""
    kwargs = request.sdk_kwargs()
    kwargs.pop("extra_headers", None)
    kwargs.pop("betas", None)  # the SDK sends them as the anthropic-beta header
    extra = kwargs.pop("extra_body", None) or {}
    return {**kwargs, **extra, "stream": True}


@dataclass(frozen=True)
class RequestPreview:
    """What the next request will send, for the ``/context`` view."""

    body: dict[str, Any]
    """The JSON body, exactly as it will be sent."""
    text: str
    """``body`` for people: settings first, then every message in full; no secrets."""


def preview_request(
    settings: Settings,
    messages: list[dict[str, Any]],
    *,
    api: ApiSettings | None = None,
    caps: ModelCapabilities | None = None,
    now: float | None = None,
) -> RequestPreview:
    """Describe the request ``settings`` and ``messages`` make (see :func:`next_messages`) for
    the model ``caps`` describes, and where that description of the model comes from.

    ``api`` adds the address it goes to; its key is never shown, even where a message contains it.
    """
    caps = caps or builtin_capabilities(settings.model)
    request = stream_request(settings, list(messages), caps)
    body = request_body(request)
    notes = dict(shape_request(settings, caps).notes)
    notes["model"] = f"what it accepts: {provenance(caps, time.time() if now is None else now)}"
    url = api.display_url.rstrip("/") + MESSAGES_PATH if api is not None else MESSAGES_PATH
    headers = dict(request.extra_headers)
    if request.betas:
        headers["anthropic-beta"] = ",".join(request.betas)
    text = render_request(body, url=url, headers=headers, notes=notes)
    secret = api.api_key if api is not None else None
    return RequestPreview(body, hide_secrets(text, [secret] if secret else []))


def render_request(
    body: Mapping[str, Any],
    *,
    url: str = MESSAGES_PATH,
    headers: Mapping[str, str] | None = None,
    notes: Mapping[str, str] | None = None,
) -> str:
    """A request body as plain text: model, max_tokens, thinking, effort, prompt caching and
    compaction in words with their JSON (``core.request_params``), any other parameter, the
    system prompt (or "none"), then each message with its role and its text, all of it.

    ``headers`` are extra headers the request adds (values that may be credentials are hidden,
    betas are said what they are for); ``notes`` add a remark in brackets after a parameter's
    value, by its name (``RequestShape.notes``, and "model" for where its capabilities come
    from).
    """
    notes = notes or {}

    def param(name: str, value: object) -> str:
        note = notes.get(name)
        return f"{name}: {value}" + (f" ({note})" if note else "")

    streamed = " (streamed)" if body.get("stream") else ""
    lines = [f"POST {url}{streamed}", param("model", body.get("model"))]
    lines.append(param("max_tokens", body.get("max_tokens")))
    lines.extend(described_lines(body, notes))
    shown = {"model", "max_tokens", *DESCRIBED, "system", "messages", "stream"}
    lines.extend(param(name, value) for name, value in body.items() if name not in shown)
    for name, value in (headers or {}).items():
        if _is_secret_header(name):
            value = HIDDEN
        elif name.lower() == "anthropic-beta":
            value = beta_words(value)
        lines.append(f"header {name}: {value}")

    system = _content_text(body.get("system"))
    lines.append("")
    if system.strip():
        lines += [f"system prompt ({_size(system)}):", system]
    else:
        lines.append("system prompt: none")

    messages = body.get("messages")
    messages = messages if isinstance(messages, list) else []
    lines += ["", f"messages: {len(messages)}" if messages else "messages: none yet"]
    for number, message in enumerate(messages, start=1):
        lines.append("")
        lines.extend(_message_lines(number, message))
    return sanitize("\n".join(lines))


def hide_secrets(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret long enough to be one replaced by :data:`HIDDEN`."""
    for secret in secrets:
        if len(secret) >= _MIN_SECRET_LENGTH:
            text = text.replace(secret, HIDDEN)
    return text


def _is_secret_header(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_HEADER_WORDS)


def _size(text: str) -> str:
    count = len(text)
    return f"{count} character{'s' if count != 1 else ''}"


def _message_lines(number: int, message: object) -> list[str]:
    if not isinstance(message, Mapping):
        return [f"── {number} · (not a message: {message!r}) ──"]
    role = message.get("role")
    content = message.get("content")
    blocks = content if isinstance(content, list) else [content]
    head = f"── {number} · {role}"
    if len(blocks) > 1:
        head += f" · {len(blocks)} blocks"
    lines = [head + " ──"]
    for index, block in enumerate(blocks, start=1):
        if len(blocks) > 1:
            lines.append(f"[block {index} of {len(blocks)}]")
        lines.append(_block_text(block))
    return lines


def _block_text(block: object) -> str:
    """A content block for people: text in full; thinking as its size and whether it is signed
    (the API takes it back only signed); a server tool call with its name and input; any other
    kind named, not shown."""
    if isinstance(block, str):
        return block
    if not isinstance(block, Mapping):
        return f"[{type(block).__name__}]"
    kind = block.get("type")
    if kind == "text" and isinstance(block.get("text"), str):
        return str(block["text"])
    if kind == "thinking" and isinstance(block.get("thinking"), str):
        signed = "signed" if block.get("signature") else "not signed"
        return f"[thinking block, {_size(str(block['thinking']))}, {signed}]"
    if kind == "server_tool_use":
        tool_input = json.dumps(block.get("input"), ensure_ascii=False)
        return f"[server tool use: {block.get('name')} {tool_input}]"
    if kind in ("image", "document"):
        return _attachment_text(block)
    return f"[{kind} block]"


def _attachment_text(block: Mapping[str, Any]) -> str:
    """An image or a document named, never shown: its title, what it is and how much is sent
    (``/context`` lists each with its tokens above the request)."""
    source = block.get("source")
    source = source if isinstance(source, Mapping) else {}
    parts = [f"{block.get('type')} block"]
    if isinstance(block.get("title"), str):
        parts.append(json.dumps(block["title"], ensure_ascii=False))
    if isinstance(source.get("media_type"), str):
        parts.append(str(source["media_type"]))
    data = source.get("data")
    if isinstance(data, str):
        encoded = "base64" if source.get("type") == "base64" else "text"
        parts.append(f"{len(data):,} characters of {encoded}")
    return "[" + ", ".join(parts) + "]"


def _content_text(content: object) -> str:
    """``system`` as one text, whether a string or a list of text blocks."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n\n".join(_block_text(block) for block in content)
    return ""
