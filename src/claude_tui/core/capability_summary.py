"""A model's capabilities in words, and where they come from: for ``/model``.

The user picking a model wants to know what it will do with their settings (is thinking adaptive
or given a budget, which effort levels exist, how large a paste fits) and how far to trust that:
read from the Models API a few minutes ago, or guessed from the app's own table and why.
"""

from __future__ import annotations

from claude_tui.core.capabilities import CapabilitySource, ModelCapabilities

NOT_ASKED_YET = "the Models API has not answered yet"


def tokens(count: int | None) -> str:
    """``1M``, ``200k``, ``4,096``: a model's limits as they are usually written."""
    if count is None:
        return "unknown"
    if count % 1_000_000 == 0:
        return f"{count // 1_000_000}M"
    if count % 1_000 == 0:
        return f"{count // 1_000}k"
    return f"{count:,}"


def thinking_words(caps: ModelCapabilities) -> str:
    kind = caps.thinking
    if kind == "adaptive":
        return "adaptive"
    if kind == "enabled":
        return "enabled, with a budget"
    return "none"


def web_words(caps: ModelCapabilities) -> str:
    """The server tools the model takes: ``web search · web fetch``, or ``no web tools``."""
    pairs = (("web search", caps.web_search), ("web fetch", caps.web_fetch))
    tools = [name for name, has in pairs if has]
    return " · ".join(tools) if tools else "no web tools"


def features(caps: ModelCapabilities) -> list[str]:
    """What the model accepts, one short phrase each."""
    inputs = ["images"] if caps.image_input else []
    if caps.pdf_input:
        inputs.append("PDFs")
    return [
        f"thinking: {thinking_words(caps)}",
        f"effort: {', '.join(caps.effort_levels) if caps.effort_levels else 'none'}",
        f"window {tokens(caps.max_input_tokens)}",
        f"max output {tokens(caps.max_tokens)}",
        f"input: text, {' and '.join(inputs)}" if inputs else "input: text only",
        "server-side compaction" if caps.compaction else "no server-side compaction",
        web_words(caps),
    ]


def age(seconds: float) -> str:
    if seconds < 60:
        return "just now"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min ago"
    hours = minutes // 60
    return f"{hours} h ago" if hours < 48 else f"{hours // 24} days ago"


def provenance(caps: ModelCapabilities, now: float) -> str:
    """Where the answer comes from: "from the Models API (read 3 min ago)", "from the Models
    API (read 5 h ago, kept on disk)", "from the app's built-in table (<why>)"."""
    if caps.source is CapabilitySource.BUILTIN:
        return f"from the app's built-in table ({caps.note or NOT_ASKED_YET})"
    read = "read" if caps.fetched_at is None else f"read {age(max(0.0, now - caps.fetched_at))}"
    kept = ", kept on disk" if caps.source is CapabilitySource.CACHE else ""
    return f"from the Models API ({read}{kept})"


def summary(caps: ModelCapabilities, now: float) -> str:
    """Everything, for the model picker: the features, then where they come from."""
    return " · ".join(features(caps)) + " — " + provenance(caps, now)


def short_summary(caps: ModelCapabilities, now: float) -> str:
    """For a one-line notice: thinking, effort and window, and the source in brief."""
    effort = ", ".join(caps.effort_levels) if caps.effort_levels else "no effort"
    if caps.source is CapabilitySource.BUILTIN:
        source = "built-in table" + (f": {caps.note}" if caps.note else ", until the API answers")
    else:
        source = "Models API" + (", cached" if caps.source is CapabilitySource.CACHE else "")
    return (
        f"thinking {thinking_words(caps)} · {effort} · window {tokens(caps.max_input_tokens)} "
        f"· {web_words(caps)} ({source})"
    )
