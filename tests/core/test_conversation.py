from __future__ import annotations

from claude_tui.core.conversation import Conversation, Turn, TurnStatus, build_api_messages


def _text(message: dict[str, object]) -> list[str]:
    return [block["text"] for block in message["content"]]  # type: ignore[index,attr-defined]


def test_plain_exchange() -> None:
    conv = Conversation()
    conv.add_user("hi")
    reply = conv.start_assistant()
    reply.text, reply.status = "Hello!", TurnStatus.COMPLETE
    conv.add_user("more")
    assert conv.api_messages() == [
        {"role": "user", "content": [{"type": "text", "text": "hi"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "Hello!"}]},
        {"role": "user", "content": [{"type": "text", "text": "more"}]},
    ]


def test_streaming_turn_is_left_out() -> None:
    conv = Conversation()
    conv.add_user("hi")
    conv.start_assistant().text = "partial so far"
    assert [m["role"] for m in conv.api_messages()] == ["user"]
    assert conv.streaming


def test_cancelled_partial_reply_is_sent_as_it_got() -> None:
    turns = [
        Turn("user", "explain"),
        Turn("assistant", "The first part ", TurnStatus.CANCELLED),
        Turn("user", "go on"),
    ]
    messages = build_api_messages(turns)
    assert _text(messages[1]) == ["The first part "]  # trailing space fine when not final
    assert messages[1]["role"] == "assistant"


def test_empty_and_whitespace_turns_are_dropped_and_same_roles_merge() -> None:
    turns = [
        Turn("user", "one"),
        Turn("assistant", "", TurnStatus.ERROR),
        Turn("user", "two"),
        Turn("assistant", "  \n", TurnStatus.CANCELLED),
        Turn("user", "three"),
    ]
    messages = build_api_messages(turns)
    assert len(messages) == 1
    assert messages[0]["role"] == "user"
    assert _text(messages[0]) == ["one", "two", "three"]


def test_history_starts_with_user() -> None:
    turns = [Turn("assistant", "stray"), Turn("user", "hi")]
    assert [m["role"] for m in build_api_messages(turns)] == ["user"]


def test_final_assistant_turn_loses_trailing_whitespace() -> None:
    turns = [Turn("user", "hi"), Turn("assistant", "Partial answer \n\n", TurnStatus.CANCELLED)]
    messages = build_api_messages(turns)
    assert _text(messages[-1]) == ["Partial answer"]
    # the turn itself keeps every character: only what is sent changes
    assert turns[1].text == "Partial answer \n\n"
