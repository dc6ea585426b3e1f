"""Answering ``POST /v1/messages`` by a :class:`~claude_tui.localapi.scenario.Scenario`.

The scenario's error status if it has one, else the API's validation, else the reply: a whole
Message, or an SSE stream sent event by event at the scenario's pace, with its fault (an ``error``
event, a dropped connection, a stall, a malformed event) at the token it names.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from claude_tui.localapi.attachment_checks import capability_problem
from claude_tui.localapi.compaction import compaction_problem
from claude_tui.localapi.handler import ClientGone, ConnectionHandler
from claude_tui.localapi.history import must_be_unchanged, sent_citations
from claude_tui.localapi.models import find_spec, model_problem
from claude_tui.localapi.prefill import PAUSED, paused_forms, prefill_problem
from claude_tui.localapi.prompt_cache import cache_control_problem
from claude_tui.localapi.request import estimate_tokens, validate_body
from claude_tui.localapi.scenario import Reply, Scenario
from claude_tui.localapi.server_tools import tools_problem
from claude_tui.localapi.wire import (
    JSON,
    MALFORMED_DELTA,
    error_object,
    random_id,
    status_for,
)


def fault_due(after: int | None, sent: int, last: bool) -> bool:
    """Whether a fault set to fire after ``after`` text tokens fires now, ``sent`` tokens in."""
    return after is not None and (after == sent or (last and after > sent))


class Pacer:
    """Token i is due at ``start + i / rate``: a schedule, so sleeps don't accumulate drift."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.sent = 0
        self.start = time.monotonic()

    def next_due(self) -> float:
        """The time the next token is due, counting it as sent."""
        due = self.start + self.sent / self.rate if self.rate > 0 else 0.0
        self.sent += 1
        return due

    def shift(self, seconds: float) -> None:
        """Move the schedule later (after a stall), so the stream resumes at its rate."""
        self.start += seconds


@dataclass
class FaultSchedule:
    """Where one stream is with its scenario's faults: counted deltas sent, and the stall."""

    scenario: Scenario
    pacer: Pacer
    sent: int = 0
    stalled: bool = False


class MessagesHandler(ConnectionHandler):
    """A connection handler that can answer ``POST /v1/messages`` (see :meth:`_messages`)."""

    def _scripted_error(self, scenario: Scenario) -> bool:
        """Wait the scenario's ``headers_delay``, then send its error status if it has one;
        whether it did (the request is answered)."""
        self._wait(scenario.headers_delay)
        if scenario.status is None:
            return False
        headers: dict[str, str] = {}
        if scenario.retry_after is not None:
            headers["retry-after"] = f"{scenario.retry_after:g}"
        if scenario.should_retry is not None:
            headers["x-should-retry"] = "true" if scenario.should_retry else "false"
        self._send_api_error(scenario.status, scenario.error_type, scenario.error_message, headers)
        return True

    def _messages(self, body: Any) -> None:
        owner = self.server.owner
        scenario = owner.next_message_scenario()
        if self._scripted_error(scenario):
            return
        if owner.validate:
            betas = self.headers.get("anthropic-beta", "")
            problem = validate_body(body, emitted=owner.emitted_blocks, betas=betas)
            spec = find_spec(owner.models, body.get("model")) if problem is None else None
            if spec is not None:
                problem = model_problem(spec, body, estimate_tokens(body))
                problem = problem or capability_problem(spec, body.get("messages"))
            problem = problem or cache_control_problem(body)
            if problem is None:
                problem = compaction_problem(body, betas, spec)
            if problem is None:
                problem = prefill_problem(spec, body, owner.paused_endings)
            if problem is None:
                model = spec.id if spec is not None else None
                problem = tools_problem(body, model, spec.server_tools if spec else ())
            if problem is not None:
                self._send_api_error(400, message=problem)
                return
        if not isinstance(body, dict):  # only possible with validation off
            body = {}
        reply = Reply.build(scenario, body, owner.prompt_cache.account(body))
        if body.get("stream") is True:
            self._stream(scenario, reply)
        else:
            self._whole_message(scenario, reply)

    def _whole_message(self, scenario: Scenario, reply: Reply) -> None:
        """A non-streaming reply: the whole Message after the whole generation time.

        Mid-stream faults map to what a non-streaming client can see: ``drop_after`` closes the
        connection before any response, ``stall_after`` delays the response, and ``error_after``
        becomes a 529 (or the ``error_type``'s) error status.
        """
        if scenario.drop_after is not None:
            raise ClientGone()  # close without a response; not a client disconnect
        generation = scenario.ttft
        if scenario.rate > 0:
            generation += reply.paced_deltas / scenario.rate
        if reply.web is not None:
            generation += scenario.search_seconds * (reply.web.searches + reply.web.fetches)
        self._wait(generation)
        if scenario.stall_after is not None:
            self._wait(scenario.stall_seconds)
        if scenario.error_after is not None:
            kind = scenario.error_type or "overloaded_error"
            self._send_api_error(status_for(kind), kind, scenario.error_message)
            return
        if scenario.malformed_after is not None:
            data = b"{not json"
            self._send_headers(
                200, {"content-type": "application/json", "content-length": str(len(data))}
            )
            self._send(data)
            return
        for block in reply.content:
            self._remember(block)
        stop_reason = reply.stop_reason or scenario.stop_reason
        self._remember_pause(reply, stop_reason)
        message = reply.message_json(reply.content, stop_reason)
        message["usage"] = reply.usage_json(reply.paced_deltas)
        self._send_json(200, message, {"request-id": random_id("req_")})

    def _stream(self, scenario: Scenario, reply: Reply) -> None:
        """The SSE stream, event by event, with the scenario's timing and faults."""
        self._send_headers(
            200,
            {
                "content-type": "text/event-stream",
                "cache-control": "no-cache",
                "transfer-encoding": "chunked",
                "request-id": random_id("req_"),
            },
        )
        self._send_event(
            "message_start",
            {"type": "message_start", "message": reply.message_json([], None)},
        )
        self._wait(scenario.ttft)

        faults = FaultSchedule(scenario, Pacer(scenario.rate))
        last_index = len(reply.blocks) - 1
        for index, block in enumerate(reply.blocks):
            self._block_start(index, block.start)
            if index == 0:
                self._send_event("ping", {"type": "ping"})
            for planned in block.deltas:
                if planned.counted and self._fault(faults, last=False):
                    return
                if planned.paced:
                    self._wait_until(faults.pacer.next_due())
                self._delta(index, planned.delta)
                if planned.counted:
                    faults.sent += 1
            if index == last_index and self._fault(faults, last=True):
                return
            self._remember(block.final)  # before the stop: the client may send it back at once
            self._send_event("content_block_stop", {"type": "content_block_stop", "index": index})
            if index < last_index and block.final.get("type") == "server_tool_use":
                self._searching(faults)
        if not reply.blocks and self._fault(faults, last=True):
            return
        stop_reason = reply.stop_reason or scenario.stop_reason
        self._remember_pause(reply, stop_reason)
        self._send_event(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                "usage": reply.usage_json(faults.pacer.sent),
            },
        )
        self._send_event("message_stop", {"type": "message_stop"})
        self._end_body()

    def _searching(self, faults: FaultSchedule) -> None:
        """The time a search or fetch takes between its call and its result; the token
        schedule moves on by as much, as after a stall."""
        seconds = faults.scenario.search_seconds
        if seconds > 0:
            began = time.monotonic()
            self._wait(seconds)
            faults.pacer.shift(time.monotonic() - began)

    def _fault(self, faults: FaultSchedule, *, last: bool) -> bool:
        """Carry out the fault due now, if any (a stall waits, then the stream goes on); whether
        it ended the response."""
        scenario, sent = faults.scenario, faults.sent
        if not faults.stalled and fault_due(scenario.stall_after, sent, last):
            faults.stalled = True
            began = time.monotonic()
            self._wait(scenario.stall_seconds)
            faults.pacer.shift(time.monotonic() - began)
        if fault_due(scenario.error_after, sent, last):
            kind = scenario.error_type or "overloaded_error"
            error = error_object(kind, scenario.error_message)
            self._send_event("error", {"type": "error", "error": error})
            self._end_body()
            return True
        if fault_due(scenario.malformed_after, sent, last):
            self._check_client(0.0)
            self._send_chunk(MALFORMED_DELTA)
            self._end_body()
            return True
        if fault_due(scenario.drop_after, sent, last):
            self._drop()
            return True
        return False

    def _remember(self, block: JSON) -> None:
        """Note a finished block the history may send back only unchanged, and a text block's
        search citations, which must come back unchanged too (see :mod:`history`)."""
        kind = block.get("type")
        if isinstance(kind, str) and must_be_unchanged(kind):
            self.server.owner.emitted_blocks.add(block)
        for citation in sent_citations(block):
            self.server.owner.emitted_blocks.add(citation)

    def _remember_pause(self, reply: Reply, stop_reason: str) -> None:
        """Note the whole content of a reply the API paused, so its resumption is not taken for a
        prefill (before the stop reason is sent: the client may send it back at once)."""
        if stop_reason == PAUSED:
            for form in paused_forms(reply.turn_content):
                self.server.owner.paused_endings.add(form)

    def _block_start(self, index: int, block: JSON) -> None:
        self._send_event(
            "content_block_start",
            {"type": "content_block_start", "index": index, "content_block": block},
        )

    def _delta(self, index: int, delta: JSON) -> None:
        self._send_event(
            "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
        )
