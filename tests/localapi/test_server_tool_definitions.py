"""``tools`` holding ``web_search``/``web_fetch``: checked as the API checks them, per model.

Through the real SDK over real HTTP: a definition the API would refuse gets a 400
``invalid_request_error`` whose message names the field; a good one goes through. Web fetch is
in anthropic 2.10.0's plain types (``ToolUnionParam``), so it needs no beta header.
"""

from __future__ import annotations

from typing import Any

import anthropic
import pytest

from claude_tui.localapi.models import MODELS
from claude_tui.localapi.server_tools import WEB_FETCH_TYPES, WEB_SEARCH_TYPES

PROMPT: Any = [{"role": "user", "content": "What is new with otters?"}]
SEARCH: Any = {"type": "web_search_20250305", "name": "web_search"}


def refusal(client: anthropic.Anthropic, tools: Any, model: str = "claude-sonnet-5-5") -> str:
    """The message of the 400 these tools get (failing the test if they are accepted)."""
    with pytest.raises(anthropic.BadRequestError) as info:
        client.messages.create(model=model, max_tokens=256, messages=PROMPT, tools=tools)
    body: Any = info.value.body
    assert body["error"]["type"] == "invalid_request_error"
    return str(body["error"]["message"])


@pytest.mark.parametrize("kind", WEB_SEARCH_TYPES + WEB_FETCH_TYPES)
def test_every_version_is_taken_by_a_5_5_model(client: anthropic.Anthropic, kind: str) -> None:
    name = "web_search" if kind.startswith("web_search") else "web_fetch"
    tools: Any = [{"type": kind, "name": name, "max_uses": 3}]
    reply = client.messages.create(
        model="claude-sonnet-5-5", max_tokens=256, messages=PROMPT, tools=tools
    )
    assert reply.stop_reason == "end_turn"


def test_custom_tools_and_no_max_uses_go_through(client: anthropic.Anthropic) -> None:
    custom = {"name": "lookup", "input_schema": {"type": "object"}}
    tools: Any = [custom, SEARCH, {**SEARCH, "max_uses": None}]
    reply = client.messages.create(
        model="claude-sonnet-5-5", max_tokens=256, messages=PROMPT, tools=tools
    )
    assert reply.content


def test_an_unknown_type_is_an_unknown_tag(client: anthropic.Anthropic) -> None:
    message = refusal(client, [SEARCH, {"type": "web_search_20990101", "name": "web_search"}])
    assert message.startswith(
        "tools.1: Input tag 'web_search_20990101' found using 'type' does not match any of the "
        "expected tags: "
    )
    assert "'web_fetch_20260309'" in message and "'custom'" in message


@pytest.mark.parametrize(
    ("tool", "expected"),
    [
        ({"type": "web_search_20260209", "name": "search"}, "'web_search'"),
        ({"type": "web_fetch_20250910", "name": "web_search"}, "'web_fetch'"),
        ({"type": "web_fetch_20250910"}, "'web_fetch'"),
    ],
)
def test_a_wrong_name_is_refused(
    client: anthropic.Anthropic, tool: dict[str, Any], expected: str
) -> None:
    assert refusal(client, [tool]) == f"tools.0.{tool['type']}.name: Input should be {expected}"


@pytest.mark.parametrize(
    ("max_uses", "expected"),
    [
        (0, "Input should be greater than 0"),
        (-2, "Input should be greater than 0"),
        (1.5, "Input should be a valid integer"),
        ("3", "Input should be a valid integer"),
        (True, "Input should be a valid integer"),
    ],
)
def test_max_uses_must_be_a_positive_integer(
    client: anthropic.Anthropic, max_uses: object, expected: str
) -> None:
    tools = [{**SEARCH, "max_uses": max_uses}]
    assert refusal(client, tools) == f"tools.0.web_search_20250305.max_uses: {expected}"


def test_an_old_model_takes_only_the_first_versions(client: anthropic.Anthropic) -> None:
    model = "claude-haiku-4-5-20251001"
    first: Any = [SEARCH, {"type": "web_fetch_20250910", "name": "web_fetch"}]
    assert client.messages.create(model=model, max_tokens=256, messages=PROMPT, tools=first)
    newer = [SEARCH, {"type": "web_search_20260318", "name": "web_search"}]
    assert refusal(client, newer, model) == (
        "tool type 'web_search_20260318' is not supported for this model"
    )


@pytest.mark.parametrize("kind", WEB_SEARCH_TYPES + WEB_FETCH_TYPES)
def test_haiku_3_takes_no_server_tool(client: anthropic.Anthropic, kind: str) -> None:
    name = "web_search" if kind.startswith("web_search") else "web_fetch"
    model = "claude-3-haiku-20240307"
    assert refusal(client, [{"type": kind, "name": name}], model) == (
        f"tool type '{kind}' is not supported for this model"
    )


def test_the_models_list_says_which_take_web_search(client: anthropic.Anthropic) -> None:
    listed = {model.id: model for model in client.models.list()}
    for spec in MODELS:
        capability = listed[spec.id].capabilities
        assert capability is not None
        expected = spec.id != "claude-3-haiku-20240307"
        assert capability.server_tools.web_search.supported is expected


def test_a_model_not_listed_is_not_checked_for_versions(client: anthropic.Anthropic) -> None:
    tools: Any = [{"type": "web_fetch_20260318", "name": "web_fetch"}]
    reply = client.messages.create(
        model="made-up-model", max_tokens=256, messages=PROMPT, tools=tools
    )
    assert reply.content


def test_count_tokens_refuses_server_tools(client: anthropic.Anthropic) -> None:
    """The reference: "count_tokens does not accept server tools"."""
    for tool in (SEARCH, {"type": "web_fetch_20250910", "name": "web_fetch"}):
        with pytest.raises(anthropic.BadRequestError) as info:
            client.messages.count_tokens(model="claude-sonnet-5-5", messages=PROMPT, tools=[tool])
        assert info.value.api_message == (
            f"tools.0: server tools ('{tool['type']}') are not supported when counting tokens"
        )
    custom: Any = [{"name": "lookup", "input_schema": {"type": "object"}}]
    counted = client.messages.count_tokens(model="claude-sonnet-5-5", messages=PROMPT, tools=custom)
    assert counted.input_tokens > 0
