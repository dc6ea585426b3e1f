"""The exported session format: checking it, and writing it as Markdown or JSON.

An export is a plain dict (see ``SessionStore.export_session``), so these functions are pure and
the store and the CLI share one definition of what a valid file looks like. Import files come
from anywhere, so every field is checked and an error names the exact field that is wrong.

An export holds every branch of the session: a message's optional ``parent`` is the index of
the message it follows (absent: the one before it; null: none, it starts a path), and the
optional ``leaf`` is the index of the active path's last message (absent: the last message).
The Markdown transcript is the active path only, as the session reads when it is opened.
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from claude_tui.core.store.schema import ROLES, STATUSES

USAGE_KEYS = ("input_tokens", "output_tokens", "cache_creation_tokens", "cache_read_tokens")

_NOTES = {
    "cancelled": "Stopped before the end; the text above is what had arrived.",
    "incomplete": "Cut off: the app closed while this reply was streaming.",
    "streaming": "Still streaming when this was exported.",
}


def to_json(data: Mapping[str, Any]) -> str:
    """Full fidelity, human-readable JSON (non-ASCII kept as is), ending with a newline."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def to_markdown(data: Mapping[str, Any]) -> str:
    """A readable transcript for sharing: title, model and dates, then each turn of the active
    path in order; a turn that has other versions says so (only the JSON export has them)."""
    title = " ".join(str(data.get("title") or "").split()) or "Untitled conversation"
    lines = [f"# {title}", ""]
    lines.append(f"- Model: {data.get('model') or 'unknown'}")
    lines.append(f"- Started: {_when(data.get('created_at'))}")
    lines.append(f"- Updated: {_when(data.get('updated_at'))}")
    if data.get("id"):
        lines.append(f"- Session: {data['id']}")
    if data.get("system"):
        lines += ["", "**System prompt**", "", _quote(str(data["system"]))]
    messages = data.get("messages", [])
    parents = parent_indexes(messages)
    versions = Counter(parents)
    for index in active_path(messages, data.get("leaf")):
        message = messages[index]
        lines += ["", "## You" if message.get("role") == "user" else "## Claude", ""]
        if message.get("thinking"):
            lines += ["<details><summary>Thinking</summary>", "", message["thinking"].strip()]
            lines += ["", "</details>", ""]
        content = str(message.get("content") or "").rstrip()
        lines.append(content or "*(no text)*")
        note = _note(message)
        if note:
            lines += ["", f"> *{note}*"]
        siblings = versions[parents[index]]
        if siblings > 1:
            which = parents[: index + 1].count(parents[index])
            lines += ["", f"> *Version {which} of {siblings}; the JSON export keeps all of them.*"]
    return "\n".join(lines).rstrip() + "\n"


def parent_indexes(messages: Sequence[Mapping[str, Any]]) -> list[int | None]:
    """Each message's ``parent``, the default filled in (the message before it; the first has
    none). Anything but an index counts as none."""
    parents: list[int | None] = []
    for index, message in enumerate(messages):
        parent = message.get("parent", index - 1 if index else None)
        usable = isinstance(parent, int) and not isinstance(parent, bool)
        parents.append(parent if usable else None)
    return parents


def active_path(messages: Sequence[Mapping[str, Any]], leaf: object = None) -> list[int]:
    """Indexes of the messages on the path ending at ``leaf`` (None: the last), root first.

    A parent always comes before its child, so a walk that meets anything else stops there
    rather than loop: a hand-edited file still gives a transcript.
    """
    parents = parent_indexes(messages)
    at = leaf if isinstance(leaf, int) and 0 <= leaf < len(messages) else len(messages) - 1
    path: list[int] = []
    while at >= 0:
        path.append(at)
        parent = parents[at]
        if not isinstance(parent, int) or not 0 <= parent < at:
            break
        at = parent
    return path[::-1]


def _when(stamp: object) -> str:
    """A timestamp as "YYYY-MM-DD HH:MM UTC": stable whoever renders it, wherever they are."""
    if not isinstance(stamp, str):
        return "unknown"
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M") + " UTC"


def _quote(text: str) -> str:
    return "\n".join(f"> {line}".rstrip() for line in text.strip().splitlines())


def _note(message: Mapping[str, Any]) -> str | None:
    status = message.get("status")
    if status == "error":
        error = " ".join(str(message.get("error") or "").split())
        return f"The reply failed: {error}" if error else "The reply failed."
    if status in _NOTES:
        return _NOTES[status]
    if message.get("stop_reason") == "max_tokens":
        return "Cut off at the output token limit."
    return None


# --- validation ------------------------------------------------------------------------------


class _Invalid(ValueError):
    pass


def validate_export(data: object) -> dict[str, Any]:
    """Check an export's shape; returns a normalised copy, or raises ValueError naming the field.

    Tolerated for older or hand-written files: a missing ``thinking`` (empty), a missing or
    partial ``usage`` (unknown counts).
    """
    if not isinstance(data, dict):
        raise _Invalid(f"expected a JSON object for the session, got {_kind(data)}")
    session: dict[str, Any] = {}
    for key in ("id", "title", "model", "system"):
        session[key] = _field(data, key, "", _is_str, "text")
    for key in ("created_at", "updated_at"):
        session[key] = _field(data, key, "", _is_time, "an ISO-8601 timestamp")
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
        "content": _field(raw, "content", where, _is_str, "text"),
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
        for key in USAGE_KEYS
    }
    for key in ("ttft_ms", "duration_ms"):
        message[key] = _field(raw, key, where, _optional(_is_number), "a number or null")
    message["created_at"] = _field(raw, "created_at", where, _is_time, "an ISO-8601 timestamp")
    return message


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
