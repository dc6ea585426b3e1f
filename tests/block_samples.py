"""Content blocks as the API sends them, shared by the tests of the local server's block
stream, its history checks and the runner: one web search's result and two citations of it."""

from __future__ import annotations

from typing import Any

TOOL_RESULT: dict[str, Any] = {
    "type": "web_search_tool_result",
    "tool_use_id": "srvtoolu_01",
    "content": [
        {
            "type": "web_search_result",
            "url": "https://example.com/cats",
            "title": "Cats",
            "encrypted_content": "EncR3sult==",
            "page_age": None,
        }
    ],
}
"""The result of the search ``srvtoolu_01``."""

CITATIONS: list[dict[str, Any]] = [
    {
        "type": "web_search_result_location",
        "url": "https://example.com/cats",
        "title": "Cats",
        "cited_text": "Some cats like water.",
        "encrypted_index": f"EncIdx{i}==",
    }
    for i in range(2)
]
"""Two citations of that result, for a text block's ``citations``."""
