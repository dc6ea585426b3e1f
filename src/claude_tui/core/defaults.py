"""Built-in defaults for a request and for streaming.

The config issue turns several of these into settings; until then they are the single place the
values live, so that the runner, the UI and the CLI agree.
"""

from __future__ import annotations

DEFAULT_MODEL = "claude-sonnet-5-5"
"""The newest Sonnet in the SDK's ``Model`` type (anthropic 2.10.0)."""

DEFAULT_MAX_TOKENS = 8192
"""Room for a long answer without letting one reply run away."""

DEFAULT_SYSTEM_PROMPT = (
    "You are Claude, chatting with a user in a terminal. Answer in Markdown; keep lines readable "
    "in a terminal and use fenced code blocks with a language for code."
)

DEFAULT_REFRESH_RATE = 30
"""UI batches a second while a reply streams: text is coalesced, never dropped."""

RATE_MEANING = "1–120 redraws a second while a reply streams; lower saves CPU"
"""What a refresh rate does, in the words every place that sets one shows (``/rate``, the
palette, the config file)."""

DEFAULT_IDLE_TIMEOUT = 60.0
"""Seconds without any stream event, once the stream has begun, before it counts as stalled."""

DEFAULT_REQUEST_TIMEOUT = 120.0
"""Seconds to wait for the response headers of one attempt."""

LOOKUP_TIMEOUT = 5.0
"""Seconds for a short call beside the chat (the models list, a token count). Such a call is not
retried: it answers quickly, or the app does without it and says why."""

DEFAULT_MAX_RETRIES = 2
"""Retries of a request that failed before any content arrived (429, 5xx, connection errors)."""

RETRY_WAIT_CAP = 60.0
"""No wait between retries is longer than this, whatever ``retry-after`` says."""

STREAMING_CURSOR = "▊"
