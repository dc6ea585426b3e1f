"""The local server's routes besides ``POST /v1/messages``: the models list and a model (paged,
with every field the SDK's ``ModelInfo`` has), token counting (validated like a message), and
faults scripted per route."""

from __future__ import annotations

import http.client
import json
from typing import Any

import anthropic
import pytest
from anthropic.types import MessageTokensCount, ModelInfo

from claude_tui.localapi.server import (
    COUNT_TOKENS_ROUTE,
    MODEL_ROUTE,
    MODELS,
    MODELS_ROUTE,
    LocalAPIServer,
    Scenario,
)

MESSAGES: list[Any] = [{"role": "user", "content": "Count me"}]
IDS = [model.id for model in MODELS]


def request(
    server: LocalAPIServer, method: str, path: str, body: Any = None
) -> tuple[int, dict[str, str], Any]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    payload = None if body is None else json.dumps(body)
    conn.request(method, path, payload, {"content-type": "application/json"})
    response = conn.getresponse()
    data = json.loads(response.read())
    headers = {name.lower(): value for name, value in response.getheaders()}
    conn.close()
    return response.status, headers, data


def client_for(server: LocalAPIServer) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key="test", base_url=server.base_url, max_retries=0)


# -- GET /v1/models ------------------------------------------------------------------------------


def test_models_page_has_the_api_shape(server: LocalAPIServer) -> None:
    status, headers, page = request(server, "GET", "/v1/models")
    assert status == 200
    assert headers["request-id"].startswith("req_")
    assert set(page) == {"data", "has_more", "first_id", "last_id"}
    assert page["has_more"] is False
    assert [model["id"] for model in page["data"]] == IDS
    assert page["first_id"] == IDS[0] and page["last_id"] == IDS[-1]
    for raw in page["data"]:
        model = ModelInfo.model_validate(raw)  # strict: every required field, right types
        assert model.type == "model" and model.lifecycle == "active"
        assert model.capabilities is not None
        assert model.line is not None and model.line in model.id
        assert model.max_tokens and model.max_input_tokens


def test_models_are_paged_forward_and_back(server: LocalAPIServer) -> None:
    _, _, first = request(server, "GET", "/v1/models?limit=2")
    assert [m["id"] for m in first["data"]] == IDS[:2] and first["has_more"] is True
    _, _, second = request(server, "GET", f"/v1/models?limit=2&after_id={first['last_id']}")
    assert [m["id"] for m in second["data"]] == IDS[2:4] and second["has_more"] is True
    _, _, back = request(server, "GET", f"/v1/models?limit=1&before_id={IDS[-1]}")
    assert [m["id"] for m in back["data"]] == [IDS[-2]] and back["has_more"] is True
    _, _, none = request(server, "GET", "/v1/models?after_id=no-such-model")
    assert none == {"data": [], "has_more": False, "first_id": None, "last_id": None}


def test_the_sdk_pages_through_the_list(server: LocalAPIServer) -> None:
    assert [model.id for model in client_for(server).models.list(limit=1)] == IDS
    paths = [r["path"] for r in server.requests]
    assert paths == [MODELS_ROUTE] * len(IDS)


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=1001", "limit=many", f"after_id={IDS[0]}&before_id={IDS[1]}"]
)
def test_a_bad_query_is_a_400(server: LocalAPIServer, query: str) -> None:
    status, _, body = request(server, "GET", f"/v1/models?{query}")
    assert status == 400
    assert body["type"] == "error" and body["error"]["type"] == "invalid_request_error"


def test_one_model_and_an_unknown_one(server: LocalAPIServer) -> None:
    status, headers, raw = request(server, "GET", f"/v1/models/{IDS[0]}")
    assert status == 200 and headers["request-id"].startswith("req_")
    assert ModelInfo.model_validate(raw).display_name == MODELS[0].display_name
    with pytest.raises(anthropic.NotFoundError) as info:
        client_for(server).models.retrieve("claude-nope-1")
    assert "claude-nope-1" in str(info.value)


# -- POST /v1/messages/count_tokens --------------------------------------------------------------


def test_count_tokens_has_the_api_shape(server: LocalAPIServer) -> None:
    status, headers, body = request(
        server, "POST", COUNT_TOKENS_ROUTE, {"model": IDS[0], "messages": MESSAGES}
    )
    assert status == 200 and headers["request-id"].startswith("req_")
    assert MessageTokensCount.model_validate(body).input_tokens >= 1
    assert set(body) == {"input_tokens"}


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"messages": MESSAGES}, "model: Field required"),
        ({"model": IDS[0]}, "messages: Field required"),
        ({"model": IDS[0], "messages": []}, "at least one message"),
        ({"model": IDS[0], "messages": [{"role": "user", "content": "  "}]}, "non-empty"),
    ],
)
def test_count_tokens_rejects_what_the_api_rejects(
    server: LocalAPIServer, body: Any, words: str
) -> None:
    status, _, error = request(server, "POST", COUNT_TOKENS_ROUTE, body)
    assert status == 400
    assert error["error"]["type"] == "invalid_request_error"
    assert words in error["error"]["message"]


def test_count_tokens_validation_can_be_turned_off() -> None:
    with LocalAPIServer(validate=False) as lenient:
        status, _, body = request(lenient, "POST", COUNT_TOKENS_ROUTE, {"messages": []})
    assert status == 200 and body["input_tokens"] == 1


# -- faults per route ----------------------------------------------------------------------------


def test_route_scenarios_are_separate_queues(server: LocalAPIServer) -> None:
    server.push(Scenario(status=503), route=MODELS_ROUTE)
    server.push(Scenario(status=529, retry_after=2), route=COUNT_TOKENS_ROUTE)
    server.push(Scenario(status=404, error_message="gone"), route=MODEL_ROUTE)
    assert server.pending == 3
    client = client_for(server)
    with client.messages.stream(model=IDS[0], max_tokens=64, messages=MESSAGES) as stream:
        assert stream.get_final_message().content  # the messages route is not affected
    assert server.pending == 3
    with pytest.raises(anthropic.InternalServerError):
        client.models.list()
    status, headers, body = request(
        server, "POST", COUNT_TOKENS_ROUTE, {"model": IDS[0], "messages": MESSAGES}
    )
    assert status == 529 and headers["retry-after"] == "2"
    assert body["error"]["type"] == "overloaded_error"
    with pytest.raises(anthropic.NotFoundError, match="gone"):
        client.models.retrieve(IDS[0])
    assert server.pending == 0
    assert [m.id for m in client.models.list()] == IDS  # answered normally once consumed


def test_pushing_to_an_unknown_route_is_an_error(server: LocalAPIServer) -> None:
    with pytest.raises(ValueError, match="no such route"):
        server.push(Scenario(status=500), route="/v1/files")
