"""Export and import with blocks: a round trip keeps every block exactly, the release's export
(no blocks) still imports, the file's blocks are checked field by field, and the Markdown
transcript shows every kind of block."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from claude_tui.core.blocks import (
    STORE_MARK,
    Block,
    CompactionBlock,
    DocumentBlock,
    ImageBlock,
    RedactedThinkingBlock,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
    UnknownBlock,
    block_to_store,
    blocks_from_text,
)
from claude_tui.core.store import SessionStore
from claude_tui.core.store.export import to_json, to_markdown, validate_export

RELEASE_EXPORT = Path(__file__).resolve().parent.parent / "fixtures" / "export-v2.json"

CALL = ServerToolUseBlock("srvtoolu_1", "web_search", {"query": "rust 🦀"})
RESULT = ToolResultBlock(
    {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1",
     "content": [{"type": "web_search_result", "url": "https://x", "encrypted_content": "E=="}]}
)  # fmt: skip
UNKNOWN = UnknownBlock({"type": "future_widget", "payload": {"nested": [1, "two", None]}})
REPLY: list[Block] = [
    ThinkingBlock("Search first.", "c2lnbmF0dXJl"),
    RedactedThinkingBlock("ZW5jcnlwdGVk"),
    CALL,
    RESULT,
    UNKNOWN,
    TextBlock("Rust is ", ({"type": "web_search_result_location", "url": "https://x"},)),
    TextBlock("fast."),
]
CUT: list[Block] = [
    ThinkingBlock("Half a thou", partial=True),
    ServerToolUseBlock("srvtoolu_2", "web_fetch", partial_json='{"url": "htt', partial=True),
    TextBlock("Cut mid", partial=True),
]
PROMPT: list[Block] = [
    ImageBlock({"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                            "data": "iVBORw0KGgo="}}),
    DocumentBlock({"type": "document", "title": "Notes", "source": {"type": "text",
                                                                    "data": "some notes"}}),
    TextBlock("What do these say? ✨"),
]  # fmt: skip


@pytest.fixture
def store() -> Iterator[SessionStore]:
    with SessionStore.open() as opened:
        yield opened


def _session(store: SessionStore) -> str:
    """A prompt with an image and a document, a reply of every kind, a cancelled retry with
    partial blocks, an edit with compaction, and the active path back on the first version."""
    session = store.create_session(model="m", system="Be brief.")
    prompt = store.add_message(session.id, "user", blocks=PROMPT)
    first = store.add_message(session.id, "assistant", blocks=REPLY, status="complete")
    store.add_message(session.id, "assistant", blocks=CUT, status="cancelled", parent_id=prompt)
    store.add_message(
        session.id,
        "user",
        blocks=[CompactionBlock({"type": "compaction", "content": "Earlier: hello"})],
        parent_id=None,
    )
    store.switch_branch(first)
    return session.id


def test_export_writes_each_block_in_the_store_form(store: SessionStore) -> None:
    exported = store.export_session(_session(store))
    messages = exported["messages"]
    assert [m["blocks"] for m in messages[:3]] == [
        [block_to_store(b) for b in blocks] for blocks in (PROMPT, REPLY, CUT)
    ]
    assert messages[2]["blocks"][1][STORE_MARK] == {"partial": True, "partial_json": '{"url": "htt'}
    assert STORE_MARK not in messages[1]["blocks"][0]  # a complete block carries no mark
    # The texts are written too, derived, for people and for older versions.
    assert messages[1]["content"] == (
        "\n\n[thinking, redacted]\n\n\n\nSearched the web: “rust 🦀”\n\n"
        "\n\n1 result: x\n\n\n\n[unsupported block: future_widget]\n\n"
        "Rust is fast."
    )
    assert messages[1]["thinking"] == "Search first."
    assert json.loads(to_json(exported)) == exported


def test_round_trip_restores_every_block_exactly(store: SessionStore) -> None:
    session_id = _session(store)
    original = store.export_session(session_id)
    everything = store.all_messages(session_id)
    path = [m.blocks for m in store.messages(session_id)]

    copy_id = store.import_session(json.loads(to_json(original)))  # through the file's text
    assert copy_id != session_id
    assert store.export_session(copy_id) == {**original, "id": copy_id}
    copied = store.all_messages(copy_id)
    assert [m.blocks for m in copied] == [m.blocks for m in everything]
    assert [(m.content, m.thinking, m.status) for m in copied] == [
        (m.content, m.thinking, m.status) for m in everything
    ]
    assert [m.blocks for m in store.messages(copy_id)] == path == [PROMPT, REPLY]
    assert store.all_messages(copy_id)[2].blocks == CUT  # partial, and still saying so

    store.delete_session(session_id)
    assert store.import_session(original) == session_id
    assert store.export_session(session_id) == original


def test_imported_blocks_decide_the_text(store: SessionStore) -> None:
    """The file's content and thinking are derived data: the blocks win where they disagree,
    so search and the list say what the message holds."""
    data = store.export_session(_session(store))
    data["messages"][1]["content"] = "a different story"
    del data["messages"][1]["thinking"]
    data["id"] = "fedcba987654"
    imported = store.import_session(data)
    reply = store.all_messages(imported)[1]
    assert reply.content == (
        "\n\n[thinking, redacted]\n\n\n\nSearched the web: “rust 🦀”\n\n"
        "\n\n1 result: x\n\n\n\n[unsupported block: future_widget]\n\n"
        "Rust is fast."
    )
    assert reply.thinking == "Search first."
    assert [s.id for s in store.search_sessions("different story")] == []


def test_the_release_export_imports_field_by_field(store: SessionStore) -> None:
    release = json.loads(RELEASE_EXPORT.read_text(encoding="utf-8"))
    assert all("blocks" not in m for m in release["messages"])  # written before blocks
    session_id = store.import_session(copy.deepcopy(release))
    assert session_id == release["id"]
    info = store.get_session(session_id)
    assert info is not None
    assert (info.title, info.model, info.system, info.created_at, info.updated_at) == (
        release["title"], release["model"], release["system"], release["created_at"],
        release["updated_at"],
    )  # fmt: skip
    assert info.title == "Rust — ownership & lifetimes 🦀"
    stored = store.all_messages(session_id)
    ids = [m.id for m in stored]
    assert len(stored) == len(release["messages"]) == 8
    for index, (message, expected) in enumerate(zip(stored, release["messages"], strict=True)):
        parent = expected.get("parent", index - 1 if index else None)
        assert message.parent_id == (None if parent is None else ids[parent]), index
        for field in ("role", "content", "thinking", "status", "stop_reason", "error", "model",
                      "ttft_ms", "duration_ms", "created_at"):  # fmt: skip
            assert getattr(message, field) == expected[field], (index, field)
        for field, count in expected["usage"].items():
            assert getattr(message, field) == count, (index, field)
        assert message.blocks == blocks_from_text(expected["content"], expected["thinking"])
    assert store.active_leaf(session_id) == ids[release["leaf"]]
    assert [m.id for m in store.messages(session_id)] == ids[:4]
    cancelled, failed = stored[5], stored[6]
    assert cancelled.status == "cancelled" and cancelled.blocks == [
        ThinkingBlock("Lifetimes… start with scopes"),
        TextBlock("Lifetimes are how the compiler"),
    ]
    assert failed.error == "The API is overloaded (HTTP 529); try again in a moment."
    # Exported again, it is the release's file with each message's blocks added, and the
    # hour-long cache writes, the last request's context and the web searches and fetches it
    # never knew of left unknown.
    again = store.export_session(session_id)
    for message in again["messages"]:
        message.pop("blocks")
        for later in (
            "cache_creation_1h_tokens",
            "context_tokens",
            "web_search_requests",
            "web_fetch_requests",
        ):
            assert message["usage"].pop(later) is None
    assert again == release


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.update(blocks="text"), r"messages\[1\]\.blocks: expected a list of blocks"),
        (lambda m: m.update(blocks={}), r"messages\[1\]\.blocks: expected a list"),
        (lambda m: m["blocks"].append("x"), r"messages\[1\]\.blocks\[7\]: expected an object"),
        (lambda m: m["blocks"][2].pop("type"), r"messages\[1\]\.blocks\[2\]\.type: missing"),
        (lambda m: m["blocks"][0].update(type=3), r"messages\[1\]\.blocks\[0\]\.type: expected"),
        (lambda m: m["blocks"][0].update(type=""), r"messages\[1\]\.blocks\[0\]\.type: expected"),
        (lambda m: m["blocks"][0].update(type=None), r"blocks\[0\]\.type: expected .* got null"),
        (lambda m: (m.pop("blocks"), m.pop("content")), r"messages\[1\]\.content: missing"),
        (lambda m: m.update(content=5), r"messages\[1\]\.content: expected text"),
    ],
)
def test_import_checks_the_blocks(store: SessionStore, change: Any, message: str) -> None:
    data = store.export_session(_session(store))
    change(data["messages"][1])
    with pytest.raises(ValueError, match=message):
        store.import_session(data)
    assert store.count_sessions() == 1  # nothing of it was saved


def test_blocks_make_content_optional_and_null_blocks_mean_none(store: SessionStore) -> None:
    data = store.export_session(_session(store))
    del data["messages"][1]["content"]
    assert validate_export(data)["messages"][1]["content"] == ""
    data["messages"][1]["blocks"] = None
    data["messages"][1]["content"] = "plain"
    data["id"] = "x"
    imported = store.import_session(data)
    assert store.all_messages(imported)[1].blocks == blocks_from_text("plain", "Search first.")


def test_an_unknown_field_of_a_block_is_kept_for_unknown_kinds(store: SessionStore) -> None:
    data = store.export_session(_session(store))
    odd = {"type": "hologram", "frames": [{"t": 0}], STORE_MARK: {"partial": True}}
    data["messages"][1]["blocks"].append(odd)
    data["id"] = "x"
    imported = store.import_session(data)
    assert store.all_messages(imported)[1].blocks[-1] == UnknownBlock(
        {"type": "hologram", "frames": [{"t": 0}]}, partial=True
    )
    assert store.export_session(imported)["messages"][1]["blocks"][-1] == odd


# --- Markdown --------------------------------------------------------------------------------


def test_markdown_shows_every_kind_of_block(store: SessionStore) -> None:
    text = to_markdown(store.export_session(_session(store)))
    assert "*(an image)*\n\n*(a document: Notes)*\n\nWhat do these say? ✨" in text
    assert "<details><summary>Thinking</summary>\n\nSearch first.\n\n</details>" in text
    assert "*(thinking, redacted)*" in text
    assert "*Searched the web: “rust 🦀”*\n\n*1 result: x*" in text
    assert "\n[unsupported block: future_widget]\n" in text
    # text blocks that follow each other read as one, the cited one marked with its source
    assert "\nRust is[^1] fast.\n\n[^1]: https://x\n" in text
    assert "Cut mid" not in text and "Earlier: hello" not in text  # not on the active path
    assert "ZW5jcnlwdGVk" not in text and "E==" not in text  # nothing encrypted is shown


def test_markdown_of_a_release_export_reads_as_before() -> None:
    """Messages without blocks are shown from their text, as the release showed them."""
    release = json.loads(RELEASE_EXPORT.read_text(encoding="utf-8"))
    text = to_markdown(release)
    assert (
        "## Claude\n\n<details><summary>Thinking</summary>\n\nThe user wants a simple take; "
        "start from one owner per value.\n\n</details>\n\nOwnership means every value"
    ) in text
    assert "## You\n\nAnd borrowing?\n\n> *Version 1 of 2;" in text


def test_markdown_fences_a_tool_call_that_holds_backticks() -> None:
    call = ServerToolUseBlock("t", "code", {"src": "```\n# not a heading\n````"})
    data = {"messages": [{"role": "assistant", "status": "complete",
                          "blocks": [block_to_store(call)]}]}  # fmt: skip
    text = to_markdown(data)
    assert "\n`````json\n" in text and text.count("`````") == 2
    assert "*(no text)*" not in text


def test_markdown_of_thinking_alone_says_there_is_no_text() -> None:
    thinking = block_to_store(ThinkingBlock("only this"))
    data = {"messages": [{"role": "assistant", "status": "complete", "blocks": [thinking]}]}
    assert "</details>\n\n*(no text)*" in to_markdown(data)


def test_markdown_keeps_an_unknown_type_on_its_line() -> None:
    hostile = block_to_store(UnknownBlock({"type": "x\n# Heading\n- item"}))
    data = {"messages": [{"role": "assistant", "status": "complete", "blocks": [hostile]}]}
    text = to_markdown(data)
    assert "[unsupported block: x # Heading - item]" in text
    assert "\n# Heading" not in text
