"""Routing a request to its answer: the handler class the local server runs per connection.

Every request is recorded with the owner first, then sent to its route: ``POST /v1/messages`` to
:class:`~claude_tui.localapi.reply.MessagesHandler`, which takes its own scenario; the others
(``count_tokens``, the models list, one model) answer here, after any fault scripted for them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from claude_tui.localapi.attachment_checks import capability_problem
from claude_tui.localapi.handler import ClientGone
from claude_tui.localapi.models import find_spec
from claude_tui.localapi.reply import MessagesHandler
from claude_tui.localapi.request import COUNT_TOKENS_FIELDS, estimate_tokens, validate_body
from claude_tui.localapi.scenario import Scenario
from claude_tui.localapi.server_tools import count_tokens_problem
from claude_tui.localapi.signing import signing_with
from claude_tui.localapi.wire import (
    COUNT_TOKENS_ROUTE,
    JSON,
    MESSAGES_ROUTE,
    MODEL_ROUTE,
    MODELS_ROUTE,
    REQUEST_MAX_BYTES,
    TOO_LARGE_BODY,
    find_model,
    models_page,
    random_id,
)


class RoutingHandler(MessagesHandler):
    """Answers one connection's requests (keep-alive), following the scenario of each."""

    def _dispatch(self, method: str) -> None:
        with signing_with(self.server.owner.signing_key):
            self._answer(method)

    def _answer(self, method: str) -> None:
        """Record the request and answer it, under this server's signing key."""
        self._watchable = True  # a new request on a kept-alive connection can be watched again
        raw, size = self._read_body(REQUEST_MAX_BYTES)
        path = self.path.split("?", 1)[0]
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
        owner = self.server.owner
        owner.record_request(
            {
                "method": method,
                "path": path,
                "headers": {name.lower(): value for name, value in self.headers.items()},
                "body": body,
                "body_size": size,
            }
        )
        route, answer = self._route(method, path)
        try:
            if raw is None:
                self._too_large()
            elif answer is None:
                self._send_api_error(404, message=f"Not found: {method} {path}")
            elif raw and body is None and method == "POST":
                self._send_api_error(400, message="Request body is not valid JSON.")
            elif route == MESSAGES_ROUTE:
                answer(body)  # takes its own scenario: it has more to follow than an error
            else:
                scenario = owner.next_route_scenario(route)
                if scenario is None or not self._route_fault(scenario):
                    answer(body)
        except ClientGone:
            self.close_connection = True

    def _too_large(self) -> None:
        """The API's 413 for a body over 32 MB, as its front end sends it (no ``type`` or
        ``request_id`` at the top), and the end of the connection."""
        self.close_connection = True
        self._send_json(413, TOO_LARGE_BODY, {"connection": "close"})

    def _route(self, method: str, path: str) -> tuple[str, Callable[[Any], None] | None]:
        """The route template a request matches and the method that answers it (``None``: 404)."""
        if method == "POST" and path == MESSAGES_ROUTE:
            return MESSAGES_ROUTE, self._messages
        if method == "POST" and path == COUNT_TOKENS_ROUTE:
            return COUNT_TOKENS_ROUTE, self._count_tokens
        if method == "GET" and path == MODELS_ROUTE:
            return MODELS_ROUTE, self._models
        if method == "GET" and path.startswith(MODELS_ROUTE + "/"):
            return MODEL_ROUTE, self._model
        return "", None

    def _route_fault(self, scenario: Scenario) -> bool:
        """A scripted fault for a route other than ``POST /v1/messages``; whether it answered.

        Only what fits a plain JSON response applies: ``headers_delay``, an error ``status`` (with
        its ``error_type``, ``error_message``, ``retry_after``, ``should_retry``), and
        ``drop_after`` (any value), which closes the connection without a response.
        """
        if self._scripted_error(scenario):
            return True
        if scenario.drop_after is not None:
            raise ClientGone()  # close without a response; not a client disconnect
        return False

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    # -- routes other than POST /v1/messages (that one is MessagesHandler._messages) ---------

    def _send_ok(self, payload: JSON) -> None:
        """A 200 JSON response with the ``request-id`` header every API response carries."""
        self._send_json(200, payload, {"request-id": random_id("req_")})

    def _models(self, _body: Any) -> None:
        query = dict(parse_qsl(self.path.partition("?")[2]))
        page = models_page(self.server.owner.models, query)
        if isinstance(page, str):
            self._send_api_error(400, message=page)
        else:
            self._send_ok(page)

    def _model(self, _body: Any) -> None:
        wanted = self.path.split("?", 1)[0].rsplit("/", 1)[-1]
        model = find_model(self.server.owner.models, wanted)
        if model is None:
            self._send_api_error(404, message=f"model: {wanted}")
        else:
            self._send_ok(model)

    def _count_tokens(self, body: Any) -> None:
        """The estimate :func:`estimate_tokens` gives, after the same validation as a message
        (less ``max_tokens``, which this endpoint does not take); a server tool in ``tools`` is
        refused, as the reference says the endpoint takes none."""
        owner = self.server.owner
        if owner.validate:
            betas = self.headers.get("anthropic-beta", "")
            problem = validate_body(body, COUNT_TOKENS_FIELDS, owner.emitted_blocks, betas)
            spec = find_spec(owner.models, body.get("model")) if problem is None else None
            if spec is not None:
                problem = capability_problem(spec, body.get("messages"))
            problem = problem or count_tokens_problem(body)
            if problem is not None:
                self._send_api_error(400, message=problem)
                return
        self._send_ok({"input_tokens": estimate_tokens(body)})
