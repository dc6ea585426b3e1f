"""One model's capabilities from ``GET /v1/models/{id}``: every field read, every failure a reason.

Against the local server through the real SDK; a body no server of ours would send (not JSON,
not a model) comes from a few lines of ``http.server``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from claude_tui.core.capabilities import CapabilitySource, builtin_capabilities
from claude_tui.core.capability_lookup import NOT_A_MODEL, lookup_capabilities
from claude_tui.core.client import ApiSettings
from claude_tui.localapi.models import ModelSpec
from claude_tui.localapi.server import MODEL_ROUTE, MODELS, LocalAPIServer, Scenario

from .test_models import closed_port

NOW = 1_800_000_000.0


def clock() -> float:
    return NOW


def model_lookups(server: LocalAPIServer) -> list[str]:
    return [r["path"] for r in server.requests if r["path"].startswith("/v1/models/")]


# -- what the API says -------------------------------------------------------------------------


@pytest.mark.parametrize("spec", MODELS, ids=lambda spec: spec.id)
def test_every_field_is_read_from_the_api(
    server: LocalAPIServer, api: ApiSettings, spec: ModelSpec
) -> None:
    caps = lookup_capabilities(api, spec.id, clock=clock)
    assert caps.source is CapabilitySource.API and caps.note is None
    assert caps.fetched_at == NOW
    assert caps.model == spec.id
    # "disabled" is listed as supported by each; a model without thinking lists no types
    expected = {*spec.thinking_types, "disabled"} if spec.thinking_types else set()
    assert caps.thinking_types == expected
    assert caps.effort_levels == spec.effort_levels
    assert caps.image_input is spec.image_input
    assert caps.pdf_input is spec.pdf_input
    assert caps.web_search is spec.web_search
    assert caps.compaction is spec.compaction
    assert caps.max_input_tokens == spec.max_input_tokens
    assert caps.max_tokens == spec.max_tokens
    assert model_lookups(server) == [f"/v1/models/{spec.id}"]
    assert any(api.api_key in value for value in server.requests[0]["headers"].values())


def test_adaptive_without_enabled_is_adaptive(server: LocalAPIServer, api: ApiSettings) -> None:
    """The default model lists ``enabled`` as unsupported and ``adaptive`` as supported: each
    key is read on its own."""
    info = next(spec for spec in MODELS if spec.id == "claude-sonnet-5-5").to_json()
    types = info["capabilities"]["thinking"]["types"]
    assert types["enabled"] == {"supported": False} and types["adaptive"] == {"supported": True}
    caps = lookup_capabilities(api, "claude-sonnet-5-5")
    assert caps.thinking == "adaptive"
    assert "enabled" not in caps.thinking_types


def test_enabled_only_and_no_thinking(server: LocalAPIServer, api: ApiSettings) -> None:
    assert lookup_capabilities(api, "claude-haiku-4-5-20251001").thinking == "enabled"
    plain = lookup_capabilities(api, "claude-3-haiku-20240307")
    assert plain.thinking is None and plain.effort_levels == ()
    assert plain.max_tokens == 4_096


def test_a_servers_own_model_is_read_as_listed() -> None:
    """A model unlike the built-in table's guess for its name: the API's answer wins."""
    odd = ModelSpec(
        "claude-opus-5-5",
        "Odd",
        "2026-01-01T00:00:00Z",
        thinking_types=("enabled",),
        effort_levels=("high",),
        image_input=False,
        pdf_input=False,
        web_search=False,
        max_input_tokens=12_345,
        max_tokens=2_048,
    )
    with LocalAPIServer(models=(odd,)) as server:
        api = ApiSettings(api_key="k", base_url=server.base_url)
        caps = lookup_capabilities(api, "claude-opus-5-5")
    assert caps.source is CapabilitySource.API
    assert caps.thinking == "enabled" and caps.effort_levels == ("high",)
    assert not (caps.image_input or caps.pdf_input or caps.web_search or caps.compaction)
    assert (caps.max_input_tokens, caps.max_tokens) == (12_345, 2_048)
    assert caps != builtin_capabilities("claude-opus-5-5")


# -- falling back to the built-in table, with the reason -----------------------------------


def test_a_model_the_api_does_not_list(server: LocalAPIServer, api: ApiSettings) -> None:
    caps = lookup_capabilities(api, "claude-opus-9-9")
    assert caps.source is CapabilitySource.BUILTIN
    assert caps == builtin_capabilities("claude-opus-9-9", note=caps.note)
    assert caps.note == "404: the Models API does not list claude-opus-9-9"


def test_a_stalled_route_falls_back_after_the_timeout(
    server: LocalAPIServer, api: ApiSettings
) -> None:
    server.push(Scenario(headers_delay=30), route=MODEL_ROUTE)
    caps = lookup_capabilities(api, "claude-sonnet-5-5", timeout=0.3)
    assert caps.source is CapabilitySource.BUILTIN
    assert caps.note == f"timed out waiting for {server.base_url}"


def test_a_dropped_connection_falls_back(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(drop_after=0), route=MODEL_ROUTE)
    caps = lookup_capabilities(api, "claude-sonnet-5-5")
    assert caps.source is CapabilitySource.BUILTIN
    assert caps.note is not None
    assert caps.note.startswith(f"cannot reach the API at {server.base_url}")


def test_a_server_error_falls_back(server: LocalAPIServer, api: ApiSettings) -> None:
    server.push(Scenario(status=500, error_message="boom"), route=MODEL_ROUTE)
    caps = lookup_capabilities(api, "claude-sonnet-5-5")
    assert caps.source is CapabilitySource.BUILTIN
    assert caps.note is not None and caps.note.startswith("server error (500)")
    assert "boom" in caps.note


def test_no_key_falls_back_without_a_request(server: LocalAPIServer) -> None:
    caps = lookup_capabilities(ApiSettings(base_url=server.base_url), "claude-sonnet-5-5")
    assert caps.source is CapabilitySource.BUILTIN
    assert caps.note == ("no API key: set ANTHROPIC_API_KEY or put the key in the key file")
    assert server.requests == []


def test_offline_falls_back() -> None:
    api = ApiSettings(api_key="k", base_url=f"http://127.0.0.1:{closed_port()}")
    caps = lookup_capabilities(api, "claude-sonnet-5-5")
    assert caps.source is CapabilitySource.BUILTIN
    assert caps.note is not None and caps.note.startswith("cannot reach the API")


class _Fixed(BaseHTTPRequestHandler):
    body = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def answering() -> Iterator[type[_Fixed]]:
    """A server answering every GET with ``handler.body`` (set by the test)."""
    handler = type("Handler", (_Fixed,), {})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    handler.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"  # type: ignore[attr-defined]
    try:
        yield handler
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize(
    ("body", "note"),
    [
        (b"<html>proxy login</html>", "the Models API's answer was not valid JSON"),
        (b"[1, 2]", NOT_A_MODEL),
        (json.dumps({"id": "claude-sonnet-5-5", "max_tokens": 5}).encode(), NOT_A_MODEL),
        (json.dumps({"capabilities": {}}).encode(), NOT_A_MODEL),
    ],
    ids=["not-json", "a-list", "no-capabilities", "no-id"],
)
def test_a_malformed_body_falls_back(answering: type[_Fixed], body: bytes, note: str) -> None:
    answering.body = body
    api = ApiSettings(api_key="k", base_url=answering.base_url)  # type: ignore[attr-defined]
    caps = lookup_capabilities(api, "claude-sonnet-5-5")
    assert caps.source is CapabilitySource.BUILTIN
    assert caps.note == note


def test_an_alias_answer_is_kept_under_the_id_asked_for(answering: type[_Fixed]) -> None:
    info = next(spec for spec in MODELS if spec.id == "claude-haiku-4-5-20251001").to_json()
    answering.body = json.dumps(info).encode()
    api = ApiSettings(api_key="k", base_url=answering.base_url)  # type: ignore[attr-defined]
    caps = lookup_capabilities(api, "claude-haiku-4-5")
    assert caps.source is CapabilitySource.API
    assert caps.model == "claude-haiku-4-5" and caps.thinking == "enabled"
