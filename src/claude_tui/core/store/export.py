"""The exported session format: checking it, and writing it as JSON (or Markdown, from
``transcript``).

An export is a plain dict (see ``SessionStore.export_session``), so these functions are pure and
the store and the CLI share one definition of what a valid file looks like. Import files come
from anywhere, so every field is checked and an error names the exact field that is wrong.

An export holds every branch of the session: a message's optional ``parent`` is the index of
the message it follows (absent: the one before it; null: none, it starts a path), and the
optional ``leaf`` is the index of the active path's last message (absent: the last message).
A message's optional ``blocks`` are what it is made of, each in the store's form
(``blocks.block_to_store``); without them (an export from before blocks existed) its
``content`` and ``thinking`` are all there is, and the blocks are made from them.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from claude_tui.core.store.schema import ROLES, STATUSES, USAGE_COLUMNS, WEB_FIELDS
from claude_tui.core.store.transcript import to_markdown

# to_markdown lives in ``transcript``; it is named here too, where the callers that write
# exports (the CLI, the app's /export) find the other formats.
__all__ = ["to_json", "to_markdown", "validate_export", "write_private"]


def to_json(data: Mapping[str, Any]) -> str:
    """Full fidelity, human-readable JSON (non-ASCII kept as is), ending with a newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# --- validation ------------------------------------------------------------------------------


class _Invalid(ValueError):
    pass


def validate_export(data: object) -> dict[str, Any]:
    """Check an export's shape; returns a normalised copy, or raises ValueError naming the field.

    Tolerated for older or hand-written files: a missing ``thinking`` (empty), a missing or
    partial ``usage`` (unknown counts), missing ``blocks`` (None: made from the text when the
    message is imported), and, where there are blocks, a missing ``content``.
    """
    if not isinstance(data, dict):
        raise _Invalid(f"expected a JSON object for the session, got {_kind(data)}")
    session: dict[str, Any] = {}
    for key in ("id", "title", "model", "system"):
        session[key] = _field(data, key, "", _is_str, "text")
    for key in ("created_at", "updated_at"):
        session[key] = _field(data, key, "", _is_time, "an ISO-8601 timestamp")
    for key in WEB_FIELDS:  # absent (an older export, or a session that follows the config)
        session[key] = _field(data, key, "", _optional(_is_bool), "true, false or null", None)
    raw_messages = _field(data, "messages", "", _is_list, "a list")
    session["messages"] = [
        _message(raw, index, f"messages[{index}]") for index, raw in enumerate(raw_messages)
    ]
    count = len(raw_messages)
    leaf = _field(data, "leaf", "", _optional(_index_below(count)), "a message's index", None)
    session["leaf"] = (count - 1 if count else None) if leaf is None else leaf
    return session


def _message(raw: object, index: int, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise _Invalid(f"{where}: expected an object, got {_kind(raw)}")
    message: dict[str, Any] = {
        "parent": _field(
            raw,
            "parent",
            where,
            _optional(_index_below(index)),
            "an earlier message's index or null",
            index - 1 if index else None,
        ),
        "role": _field(raw, "role", where, lambda v: v in ROLES, " or ".join(ROLES)),
        "blocks": _blocks(raw, where),
    }
    text_default = _MISSING if message["blocks"] is None else ""
    message |= {
        "content": _field(raw, "content", where, _is_str, "text", text_default),
        "thinking": _field(raw, "thinking", where, _is_str, "text", default=""),
        "status": _field(raw, "status", where, lambda v: v in STATUSES, ", ".join(STATUSES)),
    }
    for key in ("stop_reason", "error", "model"):
        message[key] = _field(raw, key, where, _optional(_is_str), "text or null")
    usage = raw.get("usage")
    if usage is None:
        usage = {}
    if not isinstance(usage, dict):
        raise _Invalid(f"{where}.usage: expected an object, got {_kind(usage)}")
    message["usage"] = {
        key: _field(usage, key, f"{where}.usage", _optional(_is_int), "an integer or null", None)
        for key in USAGE_COLUMNS
    }
    for key in ("ttft_ms", "duration_ms"):
        message[key] = _field(raw, key, where, _optional(_is_number), "a number or null")
    message["created_at"] = _field(raw, "created_at", where, _is_time, "an ISO-8601 timestamp")
    return message


def _blocks(raw: dict[str, Any], where: str) -> list[dict[str, Any]] | None:
    """The message's blocks as the file has them: a list of objects, each naming its ``type``;
    what else a block holds is its own business (a kind this version does not know is kept)."""
    blocks = _field(raw, "blocks", where, _optional(_is_list), "a list of blocks or null", None)
    if blocks is None:
        return None
    for index, block in enumerate(blocks):
        name = f"{where}.blocks[{index}]"
        if not isinstance(block, dict):
            raise _Invalid(f"{name}: expected an object, got {_kind(block)}")
        _field(block, "type", name, _is_type, "the block's type as text")
    return list(blocks)


def _is_type(value: object) -> bool:
    return isinstance(value, str) and bool(value)


_MISSING = object()


def _field(
    obj: dict[str, Any],
    key: str,
    where: str,
    check: Callable[[object], bool],
    expected: str,
    default: object = _MISSING,
) -> Any:
    name = f"{where}.{key}" if where else key
    if key not in obj:
        if default is _MISSING:
            raise _Invalid(f"{name}: missing (expected {expected})")
        return default
    value = obj[key]
    if not check(value):
        raise _Invalid(f"{name}: expected {expected}, got {_kind(value)}")
    return value


def _optional(check: Callable[[object], bool]) -> Callable[[object], bool]:
    return lambda value: value is None or check(value)


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def _is_bool(value: object) -> bool:
    return isinstance(value, bool)


def _is_list(value: object) -> bool:
    return isinstance(value, list)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _index_below(limit: int) -> Callable[[object], bool]:
    def check(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < limit

    return check


def _is_number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and value >= 0


def _is_time(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return repr(shown)
    return {dict: "an object", list: "a list", bool: "a boolean"}.get(type(value), repr(value))


def write_private(path: Path, text: str) -> None:
    """Write ``text``; a new file is created 0600, as exports hold whole conversations."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
