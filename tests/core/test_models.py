"""The model list: from the local server through the real SDK, or the SDK's names and the reason."""

from __future__ import annotations

import re
import socket
import time
import typing

import pytest
from anthropic.types import Model

from claude_tui.core import models as models_module
from claude_tui.core.client import ApiSettings
from claude_tui.core.errors import ErrorKind
from claude_tui.core.models import (
    ModelChoice,
    ModelSource,
    list_models,
    model_version,
    sdk_model_names,
)
from claude_tui.localapi.server import MODELS, MODELS_ROUTE, LocalAPIServer, Scenario

SDK_NAMES = typing.get_args(typing.get_args(Model)[0])
"""The names in the SDK's ``Model`` literal, as the SDK lists them."""


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def models_requests(server: LocalAPIServer) -> list[dict[str, typing.Any]]:
    return [r for r in server.requests if r["path"] == MODELS_ROUTE]


# -- from the API ------------------------------------------------------------------------------


def test_lists_the_servers_models_newest_first_with_names(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    choices = list_models(api)
    assert choices.source is ModelSource.API and str(choices.source) == "api"
    assert choices.error is None and choices.reason is None
    assert choices.models == tuple(ModelChoice(m.id, m.display_name) for m in MODELS)
    assert choices.ids[0] == MODELS[0].id
    assert choices.models[0].label == f"{MODELS[0].display_name} ({MODELS[0].id})"
    (request,) = models_requests(server)
    assert request["method"] == "GET"
    assert server.message_requests == []


def test_follows_every_page(
    server: LocalAPIServer, api: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(models_module, "PAGE_LIMIT", 2)
    choices = list_models(api)
    assert choices.source is ModelSource.API
    assert choices.ids == tuple(m.id for m in MODELS)
    # each page asked for after the previous one's last model
    assert len(models_requests(server)) == (len(MODELS) + 1) // 2


# -- falling back to the SDK's names ----------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "kind", "words"),
    [
        (500, ErrorKind.SERVER, "Server error (500)"),
        (401, ErrorKind.AUTH, "Authentication failed (401)"),
        (404, ErrorKind.NOT_FOUND, "(404)"),
        (529, ErrorKind.OVERLOADED, "overloaded"),
    ],
)
def test_an_error_status_falls_back_to_the_sdk_names_with_the_reason(
    server: LocalAPIServer, api: ApiSettings, status: int, kind: ErrorKind, words: str
) -> None:
    server.push(Scenario(status=status, error_message="nope, not today"), route=MODELS_ROUTE)
    choices = list_models(api)
    assert choices.source is ModelSource.SDK and str(choices.source) == "sdk"
    assert choices.ids == sdk_model_names()
    assert all(model.display_name is None for model in choices.models)
    assert choices.error is not None and choices.error.kind is kind
    assert choices.reason is not None
    assert words in choices.reason and "nope, not today" in choices.reason
    assert len(models_requests(server)) == 1  # not retried


def test_a_closed_port_falls_back_and_names_the_address() -> None:
    api = ApiSettings(api_key="test-key", base_url=f"http://127.0.0.1:{closed_port()}")
    choices = list_models(api)
    assert choices.source is ModelSource.SDK
    assert choices.ids == sdk_model_names()
    assert choices.error is not None and choices.error.kind is ErrorKind.CONNECTION_REFUSED
    assert choices.reason is not None and api.display_url in choices.reason


def test_a_slow_server_falls_back_after_the_short_timeout(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(headers_delay=30), route=MODELS_ROUTE)
    began = time.monotonic()
    choices = list_models(api, timeout=0.3)
    assert time.monotonic() - began < 3.0
    assert choices.source is ModelSource.SDK
    assert choices.error is not None and choices.error.kind is ErrorKind.TIMEOUT
    assert choices.reason == f"Timed out waiting for {server.base_url}."


def test_a_dropped_connection_falls_back(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(drop_after=0), route=MODELS_ROUTE)
    choices = list_models(api)
    assert choices.source is ModelSource.SDK
    assert choices.error is not None and choices.error.kind is ErrorKind.CONNECTION_REFUSED


def test_no_key_falls_back_without_a_request(server: LocalAPIServer) -> None:
    choices = list_models(ApiSettings(api_key=None, base_url=server.base_url))
    assert choices.source is ModelSource.SDK
    assert choices.error is not None and choices.error.kind is ErrorKind.NO_API_KEY
    assert choices.reason is not None and "ANTHROPIC_API_KEY" in choices.reason
    assert server.requests == []


def test_the_default_timeout_is_short() -> None:
    assert list_models.__kwdefaults__ is not None
    assert list_models.__kwdefaults__["timeout"] <= 10.0


# -- the SDK's names -------------------------------------------------------------------------


def test_sdk_names_are_the_literal_names_once_each() -> None:
    names = sdk_model_names()
    assert len(names) == len(set(names))
    assert set(names) == set(SDK_NAMES)
    assert all(isinstance(name, str) and name.startswith("claude-") for name in names)


def test_sdk_names_are_newest_version_first_in_a_stable_order() -> None:
    names = sdk_model_names()
    versions = [model_version(name) for name in names if model_version(name)]
    assert versions == sorted(versions, reverse=True)
    assert model_version(names[0]) == max(versions)
    # an alias comes before its dated snapshot, as the SDK lists them
    snapshots = [name for name in names if re.fullmatch(r".*-\d{8}", name)]
    assert snapshots
    for snapshot in snapshots:
        alias = snapshot.rsplit("-", 1)[0]
        assert names.index(alias) < names.index(snapshot)
    # within one version, the SDK's own order is kept
    same = [name for name in names if model_version(name) == model_version(names[0])]
    assert same == [name for name in SDK_NAMES if name in same]
    assert sdk_model_names() == names


@pytest.mark.parametrize(
    ("name", "version"),
    [
        ("claude-opus-5-5", (5, 5)),
        ("claude-sonnet-5", (5,)),
        ("claude-haiku-4-5-20251001", (4, 5)),
        ("claude-3-5-sonnet-20241022", (3, 5)),
        ("claude-mythos-preview", ()),
    ],
)
def test_model_version(name: str, version: tuple[int, ...]) -> None:
    assert model_version(name) == version


def test_label_without_a_display_name_is_the_id() -> None:
    assert ModelChoice("claude-x-1").label == "claude-x-1"
    assert ModelChoice("claude-x-1", "claude-x-1").label == "claude-x-1"
