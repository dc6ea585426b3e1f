"""The server tools a request may define (``web_search``, ``web_fetch``), checked as the API does.

The tool types and their names come from anthropic 2.10.0's ``ToolUnionParam``: web search is
``web_search_20250305 | web_search_20260209 | web_search_20260318`` named ``web_search``, web fetch
``web_fetch_20250910 | web_fetch_20260209 | web_fetch_20260309 | web_fetch_20260318`` named
``web_fetch``. Both are in the SDK's plain (non-beta) types, so neither needs an ``anthropic-beta``
header. ``max_uses`` is an optional positive integer. Which versions a model takes is its
:class:`~claude_tui.localapi.models.ModelSpec`'s ``server_tools``.

Where the wordings come from (reports of the API's answers, searched for issue 18):

* an unknown ``type``, ``tools.N: Input tag 'X' found using 'type' does not match any of the
  expected tags: ...``, and a wrong name, ``tools.N.web_search_20250305.name: Input should be
  'web_search'``: both quoted from real 400s in several independent reports;
* a version the model does not take, ``tool type 'X' is not supported for this model``: as
  measured on Bedrock's Messages API for newer models (older ones answered with the unknown-tag
  message, their list of tags lacking the tool); the first-party API's text is not confirmed;
* ``max_uses``, ``tools.N.<type>.max_uses: Input should be greater than 0`` (or ``a valid
  integer``): not seen in a report; it follows the validator's form of the name error;
* ``count_tokens`` refusing server tools (the reference: "count_tokens does not accept server
  tools"): this server's own wording, no report gives the API's.
"""

from __future__ import annotations

from typing import Any

WEB_SEARCH_TYPES = ("web_search_20250305", "web_search_20260209", "web_search_20260318")
WEB_FETCH_TYPES = (
    "web_fetch_20250910",
    "web_fetch_20260209",
    "web_fetch_20260309",
    "web_fetch_20260318",
)
SERVER_TOOL_NAMES = {
    **{kind: "web_search" for kind in WEB_SEARCH_TYPES},
    **{kind: "web_fetch" for kind in WEB_FETCH_TYPES},
}
"""The server tools this server runs, each type with the one name it must have."""

OTHER_TOOL_TYPES = (
    "custom",
    "bash_20250124",
    "memory_20250818",
    "browser_toolset_20260801",
    "computer_toolset_20260801",
    "text_editor_20250124",
    "text_editor_20250429",
    "text_editor_20250728",
    "code_execution_20250522",
    "code_execution_20250825",
    "code_execution_20260120",
    "code_execution_20260521",
    "tool_search_tool_bm25_20251119",
    "tool_search_tool_bm25",
    "tool_search_tool_regex_20251119",
    "tool_search_tool_regex",
)
"""The SDK's other tool types: accepted here without checks (this server runs none of them)."""

ALL_TOOL_TYPES = tuple(sorted((*SERVER_TOOL_NAMES, *OTHER_TOOL_TYPES)))


def _unknown_type(i: int, kind: str) -> str:
    expected = ", ".join(f"'{name}'" for name in ALL_TOOL_TYPES)
    return (
        f"tools.{i}: Input tag '{kind}' found using 'type' does not match any of the expected "
        f"tags: {expected}"
    )


def _max_uses_problem(i: int, tool: dict[str, Any]) -> str | None:
    max_uses = tool.get("max_uses")
    if max_uses is None:
        return None
    if not isinstance(max_uses, int) or isinstance(max_uses, bool):
        return f"tools.{i}.{tool['type']}.max_uses: Input should be a valid integer"
    if max_uses < 1:
        return f"tools.{i}.{tool['type']}.max_uses: Input should be greater than 0"
    return None


def tools_problem(body: Any, model: str | None, supported: tuple[str, ...] = ()) -> str | None:
    """The 400 for the request's ``tools``, or ``None``; ``supported`` is the server tool types
    ``model`` takes (``model`` ``None``: one this server does not list, whose versions go
    unchecked).
    A tool without a ``type`` is a custom tool and is not checked here."""
    tools = body.get("tools") if isinstance(body, dict) else None
    if tools is None:
        return None
    if not isinstance(tools, list):
        return "tools: Input should be a valid list"
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict):
            return f"tools.{i}: Input should be a valid dictionary or object"
        kind = tool.get("type")
        if kind is None or kind in OTHER_TOOL_TYPES:
            continue
        if not isinstance(kind, str) or kind not in SERVER_TOOL_NAMES:
            return _unknown_type(i, str(kind))
        name = SERVER_TOOL_NAMES[kind]
        if tool.get("name") != name:
            return f"tools.{i}.{kind}.name: Input should be '{name}'"
        problem = _max_uses_problem(i, tool)
        if problem is not None:
            return problem
        if model is not None and kind not in supported:
            return f"tool type '{kind}' is not supported for this model"
    return None


def count_tokens_problem(body: Any) -> str | None:
    """The 400 ``count_tokens`` gives a request defining a server tool (the reference says it
    does not accept them), or ``None``."""
    tools = body.get("tools") if isinstance(body, dict) else None
    if not isinstance(tools, list):
        return None
    for i, tool in enumerate(tools):
        kind = tool.get("type") if isinstance(tool, dict) else None
        if kind in SERVER_TOOL_NAMES:
            return f"tools.{i}: server tools ('{kind}') are not supported when counting tokens"
    return None


def enabled_tools(body: Any) -> frozenset[str]:
    """The server tools the request gives the model (``"web_search"``, ``"web_fetch"``)."""
    tools = body.get("tools") if isinstance(body, dict) else None
    if not isinstance(tools, list):
        return frozenset()
    return frozenset(
        SERVER_TOOL_NAMES[tool["type"]]
        for tool in tools
        if isinstance(tool, dict) and tool.get("type") in SERVER_TOOL_NAMES
    )
