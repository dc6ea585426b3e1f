"""What the local API server answers with: a :class:`Scenario` per request, and the reply text.

A scenario scripts one response (its text, pace and fault); :class:`Reply` is that scenario
applied to one request body, worked out in full before a byte is sent. The text is cut into
token-sized chunks by :func:`tokenize`, which is what makes the stream pace like the API's.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from claude_tui.localapi.attachment_reply import attachments_reply
from claude_tui.localapi.block_stream import PlannedBlock, plan_block, plan_content, tokenize
from claude_tui.localapi.compaction import (
    Compaction,
    asks_for_summary,
    compacted_messages,
    demo_summary,
    plan_compaction,
)
from claude_tui.localapi.demo_replies import all_replies, make_thinking, pick_reply
from claude_tui.localapi.prefill import going_on_from
from claude_tui.localapi.prompt_cache import CacheUsage, uncached
from claude_tui.localapi.request import (
    last_user_text,
    thinking_enabled,
    turn_index,
)
from claude_tui.localapi.web_reply import WebTurn, plan_web
from claude_tui.localapi.wire import DEFAULT_MODEL, JSON, random_id


@dataclass
class Scenario:
    """How the server answers one request.

    Fault knobs count *text* tokens (thinking tokens are not counted; with ``content``, every
    delta counts): ``error_after=3`` sends three text deltas, then the ``error`` event. A fault
    fires before the delta after its count, so at the start of the next block when a block has
    just ended. A fault whose count is at least the number of deltas fires after the last one,
    before the last ``content_block_stop``, so a fault that is set always happens. A stall that
    times out (``stall_seconds``) resumes the stream where it stopped.
    """

    content: list[JSON] | None = None
    """The reply's finished content blocks as API JSON, streamed each as the API streams its
    type (:mod:`~claude_tui.localapi.block_stream`); any type, a made-up one too. When set,
    ``text``, ``tokens`` and ``thinking`` are not used, and the fault knobs count *every* delta
    of every block: ``error_after=3`` sends three deltas (whichever blocks they belong to), then
    the ``error`` event. A thinking block is signed by the server (a given signature is
    replaced)."""
    deltas: dict[int, list[JSON]] | None = None
    """With ``content``: the deltas to send for block i instead of the ones its type calls for,
    as given (e.g. ``{0: [{"type": "future_delta", "data": "x"}]}`` for a delta type nobody
    knows yet)."""
    text: str | None = None
    """Exact reply text; ``None`` picks a demo reply for the last user message and turn."""
    tokens: int | None = None
    """If set (and ``text`` is ``None``): a reply of about this many tokens, built from the demo
    replies and cut at a token boundary, with no trailing whitespace."""
    thinking: str | None = None
    """If set, a thinking block (index 0) streams before the text block (index 1). When ``None``
    and the request enables thinking, a short plausible thinking text is generated."""
    ttft: float = 0.0
    """Seconds between ``message_start`` and the first content block (time to first token)."""
    rate: float = 0.0
    """Tokens per second; 0 sends at full speed."""
    status: int | None = None
    """Answer with this HTTP error status and the API's error JSON instead of a stream."""
    error_type: str | None = None
    """Overrides ``error.type`` for ``status`` and for the ``error`` event."""
    error_message: str | None = None
    """Overrides ``error.message`` for ``status`` and for the ``error`` event."""
    retry_after: float | None = None
    """Adds a ``retry-after`` header (seconds) to an error status response."""
    error_after: int | None = None
    """After N text tokens, send ``event: error`` (default ``overloaded_error``); end the body."""
    drop_after: int | None = None
    """After N text tokens, close the connection mid-body (an incomplete chunked read)."""
    stall_after: int | None = None
    """After N text tokens, send nothing until the client leaves or ``stall_seconds`` pass."""
    stall_seconds: float = 3600.0
    malformed_after: int | None = None
    """After N text tokens, send a ``content_block_delta`` whose data is not JSON, end the body."""
    stop_reason: str = "end_turn"
    headers_delay: float = 0.0
    """Seconds to wait before the status line and headers (a stall before the response)."""
    should_retry: bool | None = None
    """If set, an error status response carries ``x-should-retry: true|false``."""
    search: str | None = None
    """If set and the request defines a ``web_search`` tool: the reply first searches for this
    query (a ``server_tool_use``, its ``web_search_tool_result``), then answers with cited text
    (:mod:`~claude_tui.localapi.web_reply`). Ignored without the tool, as a model cannot call
    a tool it was not given. The call's ``input_json_delta`` pieces count toward the faults."""
    fetch: str | None = None
    """Likewise for ``web_fetch``: the reply first fetches this URL (taking precedence over
    ``search``)."""
    web_auto: bool = False
    """The demo's rule: with the tool on, a URL in the prompt is fetched, and any other prompt
    is searched for."""
    tool_error: str | None = None
    """The search's or fetch's result is an error object with this ``error_code`` (e.g.
    ``max_uses_exceeded``, ``too_many_requests``, ``unavailable``); the reply goes on."""
    search_seconds: float = 0.0
    """Seconds each search or fetch takes on the server: the wait after the call's
    ``content_block_stop``, before its result starts, while a client shows it searching (a
    client that leaves then is noticed, as in a stall)."""
    pause_turn: bool = False
    """The reply stops with ``pause_turn`` mid-search: after the ``server_tool_use``, before
    its result. Sent back unchanged as the final message, the turn goes on from there: the
    next reply starts with that call's result (``tool_error`` applies to it), then the text."""


DEMO_SCENARIO = Scenario(ttft=0.35, rate=90.0, web_auto=True, search_seconds=0.8)
"""Demo mode: a realistic pause before the first token, then a realistic token rate; with web
search or fetch on, every prompt searches or fetches, taking a moment as a real search does."""


def generate_text(tokens: int) -> str:
    """A reply of about ``tokens`` tokens, made by concatenating the demo replies.

    Used for long-reply tests and benchmarks. It is cut at a token boundary and never ends in
    whitespace, because the API rejects an assistant turn that does (the app sends it back).
    """
    if tokens <= 0:
        return ""
    replies = all_replies()
    chunks: list[str] = []
    index = 0
    while len(chunks) < tokens:
        reply = replies[index % len(replies)]
        chunks.extend(tokenize(reply if index == 0 else "\n\n" + reply))
        index += 1
    return "".join(chunks[:tokens]).rstrip()


@dataclass
class Reply:
    """What one request will be answered with, worked out before anything is sent."""

    model: str
    usage: CacheUsage
    """The prompt's tokens: plain input, and what the prompt cache read and wrote."""
    blocks: list[PlannedBlock]
    stop_reason: str | None = None
    """Set when the request decides it (``"compaction"``, a pause after compaction); else the
    scenario's."""
    compaction: Compaction | None = None
    """The compaction this request made, if any: its tokens are reported apart, as the API
    reports them (see :meth:`usage_json`)."""
    web: WebTurn | None = None
    """The searches and fetches the reply makes, if any: ``usage.server_tool_use`` counts
    them."""
    going_on_from: list[JSON] = field(default_factory=list)
    """The turn so far this reply continues (the request's final assistant message): with the
    reply, the whole turn a pause must come back as (:mod:`prefill`)."""

    @property
    def turn_content(self) -> list[JSON]:
        """The whole turn once this reply is sent: what it went on from, then its blocks."""
        return [*self.going_on_from, *self.content]

    @property
    def input_tokens(self) -> int:
        return self.usage.input_tokens

    @property
    def content(self) -> list[JSON]:
        """The finished blocks, as a whole (non-streaming) reply holds them."""
        return [block.final for block in self.blocks]

    @property
    def paced_deltas(self) -> int:
        """How many deltas are tokens: the generation time and ``usage.output_tokens``."""
        return sum(1 for block in self.blocks for delta in block.deltas if delta.paced)

    @classmethod
    def build(cls, scenario: Scenario, body: JSON, usage: CacheUsage | None = None) -> Reply:
        """The reply to ``body``; ``usage`` is what the prompt cache made of it (all plain
        input when not given)."""
        model = body.get("model")
        model = model if isinstance(model, str) else DEFAULT_MODEL
        compaction = plan_compaction(body)
        if compaction is not None and compaction.pause:
            block = plan_block(compaction.block, counted=False)
            # The compaction read the whole prompt (what the cache made of it); no message
            # followed it, so the top-level usage counts nothing.
            read = usage if usage is not None else uncached(body)
            done = replace(compaction, usage=read)
            return cls(model, CacheUsage(0), [block], stop_reason="compaction", compaction=done)
        web = None
        if scenario.content is not None:
            blocks = plan_content(scenario.content, scenario.deltas)
        else:
            web = cls._web_turn(scenario, body)
            blocks = cls._demo_blocks(scenario, body, web)
        paused = "pause_turn" if web is not None and web.paused else None
        if compaction is None:
            read = usage if usage is not None else uncached(body)
            return cls(model, read, blocks, paused, web=web, going_on_from=going_on_from(body))
        # The reply is made from the summary on: that is the input it reads.
        compacted = {**body, "messages": compacted_messages(body, compaction.block)}
        blocks.insert(0, plan_block(compaction.block, counted=False))
        done = replace(compaction, usage=usage if usage is not None else uncached(body))
        return cls(
            model,
            uncached(compacted),
            blocks,
            paused,
            compaction=done,
            web=web,
            going_on_from=going_on_from(body),
        )

    @staticmethod
    def _web_turn(scenario: Scenario, body: JSON) -> WebTurn | None:
        if scenario.text is not None or scenario.tokens is not None:
            return None
        return plan_web(
            body,
            last_user_text(body),
            search=scenario.search,
            fetch=scenario.fetch,
            auto=scenario.web_auto,
            error=scenario.tool_error,
            pause=scenario.pause_turn,
        )

    @staticmethod
    def _demo_blocks(
        scenario: Scenario, body: JSON, web: WebTurn | None = None
    ) -> list[PlannedBlock]:
        """A thinking block (if asked for, its deltas not counted by faults; made up only for a
        new turn, not for one going on from a final assistant message), then the text, or the
        searches and fetches with their text (``web``)."""
        prompt = last_user_text(body)
        turn = turn_index(body)
        if scenario.text is not None:
            text = scenario.text
        elif scenario.tokens is not None:
            text = generate_text(scenario.tokens)
        elif asks_for_summary(body):
            text = demo_summary(body, prompt)
        else:
            text = pick_reply(prompt, turn)
            opening = attachments_reply(body)
            if opening is not None:  # say what arrived; answer the prompt's words, if any
                text = opening + ("\n\n" + text if prompt.strip() else "")
        thinking = scenario.thinking
        if thinking is None and thinking_enabled(body) and not going_on_from(body):
            thinking = make_thinking(prompt, turn)  # a turn going on has thought already
        blocks: list[PlannedBlock] = []
        if thinking is not None:
            blocks.append(plan_block({"type": "thinking", "thinking": thinking}, counted=False))
        if web is not None:
            return blocks + [plan_block(block) for block in web.blocks]
        blocks.append(plan_block({"type": "text", "text": text}))
        return blocks

    def usage_json(self, output_tokens: int, *, final: bool = True) -> JSON:
        """The reply's ``usage`` with this many output tokens. After a compaction, the final
        usage has ``iterations`` as the API sends them: the compaction's own entry, then the
        message's (when one followed), and the top-level fields count the message alone."""
        usage = {**self.usage.usage_json(), "output_tokens": output_tokens}
        if self.web is not None:  # counted when done: none at the start
            usage["server_tool_use"] = self.web.usage() if final else WebTurn().usage()
        if final and self.compaction is not None:
            entry = self.compaction.iteration()
            if self.stop_reason == "compaction":
                usage["iterations"] = [entry]
            else:
                message = {k: v for k, v in usage.items() if k != "cache_creation"}
                usage["iterations"] = [entry, {"type": "message", **message}]
        return usage

    def message_json(self, content: list[JSON], stop_reason: str | None) -> JSON:
        return {
            "id": random_id("msg_"),
            "type": "message",
            "role": "assistant",
            "model": self.model,
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": self.usage_json(1, final=False),
        }
