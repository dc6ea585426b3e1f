"""The local server enforces the API's two rules for thinking in a final assistant message."""

from __future__ import annotations

from claude_tui.localapi.request import validate_body
from claude_tui.localapi.signing import sign_thinking

USER = {"role": "user", "content": "q"}
THOUGHT = {"type": "thinking", "thinking": "hm", "signature": sign_thinking("hm")}
TEXT = {"type": "text", "text": "so far"}


def _body(final: list[dict[str, str]], thinking: dict[str, object] | None) -> dict[str, object]:
    body: dict[str, object] = {
        "model": "m",
        "max_tokens": 10,
        "messages": [USER, {"role": "assistant", "content": final}],
    }
    if thinking is not None:
        body["thinking"] = thinking
    return body


def test_with_thinking_on_a_final_assistant_message_must_start_with_thinking() -> None:
    problem = validate_body(_body([TEXT], {"type": "adaptive"}))
    assert problem is not None
    assert problem.startswith("messages.1.content.0.type: Expected `thinking`")
    enabled = {"type": "enabled", "budget_tokens": 1024}
    assert validate_body(_body([TEXT], enabled)) is not None


def test_with_thinking_off_a_final_assistant_message_has_no_thinking() -> None:
    problem = validate_body(_body([TEXT, THOUGHT], None))
    assert problem is not None
    assert problem.startswith("messages.1.content.1: When thinking is disabled")
    assert validate_body(_body([TEXT], None)) is None
    assert validate_body(_body([TEXT], {"type": "disabled"})) is None
