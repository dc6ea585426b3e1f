"""The demo server remembers what it sent across runs: a conversation from an earlier run goes on.

Each "run" here is a server of its own loading the same memory file, as the demo does at start
(:func:`~claude_tui.cli.main.start_demo_server`); a server given no memory (every test's) still
remembers in this process only, and writes no file.
"""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anthropic
import pytest

from claude_tui.cli.main import DEMO_MEMORY_FILE, start_demo_server
from claude_tui.localapi import memory_file
from claude_tui.localapi.memory import ServerMemory
from claude_tui.localapi.memory_file import load_memory
from claude_tui.localapi.server import LocalAPIServer, Scenario
from claude_tui.localapi.signing import PROCESS_KEY

MODEL = "claude-sonnet-5-5"
PROMPT: Any = {"role": "user", "content": "What is new with otters?"}
NEXT: Any = {"role": "user", "content": "And beavers?"}
SEARCH: Any = [{"type": "web_search_20250305", "name": "web_search"}]


def client_of(server: LocalAPIServer) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key="test", base_url=server.base_url, max_retries=0)


def reply(server: LocalAPIServer, scenario: Scenario) -> list[dict[str, Any]]:
    """The blocks of one streamed reply, as a client keeps them to send back."""
    server.push(scenario)
    with client_of(server).messages.stream(
        model=MODEL, max_tokens=1024, messages=[PROMPT], tools=SEARCH
    ) as stream:
        message = stream.get_final_message()
    return [dict(block.to_dict(warnings=False)) for block in message.content]


def send_back(server: LocalAPIServer, content: list[dict[str, Any]]) -> Any:
    return client_of(server).messages.create(
        model=MODEL,
        max_tokens=1024,
        messages=[PROMPT, {"role": "assistant", "content": content}, NEXT],
        tools=SEARCH,
    )


def rejection(server: LocalAPIServer, content: list[dict[str, Any]]) -> str:
    with pytest.raises(anthropic.BadRequestError) as info:
        send_back(server, content)
    body: Any = info.value.body
    return str(body["error"]["message"])


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "demo-server.json"


@pytest.fixture
def first_run(path: Path) -> Iterator[LocalAPIServer]:
    memory, problem = load_memory(path)
    assert problem is None
    with LocalAPIServer(memory=memory) as server:
        yield server


def next_run(path: Path) -> LocalAPIServer:
    memory, problem = load_memory(path)
    assert problem is None
    return LocalAPIServer(memory=memory)


def test_a_later_run_accepts_a_search_turn_of_an_earlier_one(
    path: Path, first_run: LocalAPIServer
) -> None:
    content = reply(first_run, Scenario(search="otters"))
    assert [b["type"] for b in content][:2] == ["server_tool_use", "web_search_tool_result"]
    first_run.stop()
    with next_run(path) as later:
        assert send_back(later, content).content
    with LocalAPIServer() as forgetful:  # what the demo did before: every block looks altered
        assert "`server_tool_use` block was modified" in rejection(forgetful, content)


def test_a_later_run_accepts_thinking_signed_by_an_earlier_one(
    path: Path, first_run: LocalAPIServer, tmp_path: Path
) -> None:
    content = reply(first_run, Scenario(thinking="Otters first.", text="Otters."))
    assert content[0]["type"] == "thinking"
    first_run.stop()
    with next_run(path) as later:
        assert send_back(later, content).content
    other, _ = load_memory(tmp_path / "other.json")
    with LocalAPIServer(memory=other) as stranger:  # another key: the signature is not its own
        assert rejection(stranger, content) == (
            "messages.1.content.0: Invalid `signature` in `thinking` block"
        )


@pytest.mark.parametrize("part", ["call", "result", "citation"])
def test_a_later_run_still_rejects_an_altered_block(
    path: Path, first_run: LocalAPIServer, part: str
) -> None:
    content = reply(first_run, Scenario(search="otters"))
    if part == "call":
        content[0] = {**content[0], "input": {"query": "beavers"}}
    elif part == "result":
        first, *rest = content[1]["content"]
        content[1] = {**content[1], "content": [{**first, "title": "Other"}, *rest]}
    else:
        j = next(j for j, block in enumerate(content) if block.get("citations"))
        citation = content[j]["citations"][0]
        altered = {**citation, "cited_text": "Otters are fish."}
        content[j] = {**content[j], "citations": [altered]}
    first_run.stop()
    with next_run(path) as later:
        message = rejection(later, content)
    expected = {
        "call": "messages.1.content.0: `server_tool_use` block was modified",
        "result": "messages.1.content.1: `web_search_tool_result` block was modified",
        "citation": ".citations.0: Invalid `encrypted_index`",
    }[part]
    assert expected in message


def test_the_file_is_private_and_written_as_blocks_are_sent(
    path: Path, first_run: LocalAPIServer
) -> None:
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # written at once: it holds the key
    assert json.loads(path.read_text())["emitted"] == []
    reply(first_run, Scenario(search="otters"))
    first_run.stop()  # a timer writes within half a second; the stop writes at once
    saved = json.loads(path.read_text())
    # The call, the result and two citations; text is checked by its own rules.
    assert len(saved["emitted"]) == 4
    assert saved["emitted"] == [d.hex() for d in first_run.emitted_blocks.digests()]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_file_keeps_only_the_newest_digests(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memory_file, "CAPACITY", 3)
    memory, _ = load_memory(path)
    blocks = [{"type": "server_tool_use", "id": f"srvtoolu_{n}"} for n in range(5)]
    for block in blocks:
        memory.emitted.add(block)
    memory.flush()
    assert len(json.loads(path.read_text())["emitted"]) == 3
    again, problem = load_memory(path)
    assert problem is None
    assert [b in again.emitted for b in blocks] == [False, False, True, True, True]


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"garbage{", "it is not JSON"),
        (b"[1, 2]", "it is not a local server memory file"),
        (b'{"format": "claude-tui-localapi-memory", "version": 9}', "its version is 9, not 1"),
        (
            b'{"format": "claude-tui-localapi-memory", "version": 1, "key": "c2hvcnQ="}',
            "its key is 5 bytes, not 32",
        ),
        (b'{"format": "claude-tui-localapi-memory", "version": 1}', "it has no key"),
        (
            b'{"format": "claude-tui-localapi-memory", "version": 1, "key": "'
            + b"A" * 43
            + b'=", "emitted": ["zz"], "paused": []}',
            "'emitted' holds something that is not a hex digest",
        ),
        (b" " * (memory_file.MAX_BYTES + 1), "it is larger than 1048576 bytes"),
    ],
    ids=["not-json", "not-ours", "version", "key", "no-key", "digest", "too-large"],
)
def test_a_broken_file_starts_fresh_and_says_why(path: Path, content: bytes, why: str) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    memory, problem = load_memory(path)
    assert problem == (
        f"demo server: {path} was not usable ({why}); starting with a fresh one, so web search "
        "and thinking blocks from earlier demo runs will be refused"
    )
    assert len(memory.emitted) == 0
    again, problem = load_memory(path)  # replaced at once by a good one with the new key
    assert problem is None and again.key == memory.key


def test_an_unreadable_file_does_not_stop_the_demo(path: Path) -> None:
    path.mkdir(parents=True)  # a directory where the file should be: not readable, not writable
    memory, problem = load_memory(path)
    assert problem is not None and "was not usable (it cannot be read" in problem
    memory.emitted.add({"type": "server_tool_use", "id": "srvtoolu_1"})  # the write fails quietly
    assert {"type": "server_tool_use", "id": "srvtoolu_1"} in memory.emitted


def test_a_crash_mid_write_leaves_the_previous_file(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory, _ = load_memory(path)
    kept = {"type": "server_tool_use", "id": "srvtoolu_kept"}
    memory.emitted.add(kept)
    memory.flush()
    before = path.read_bytes()

    def crash(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(memory_file.os, "fsync", crash)
    memory.emitted.add({"type": "server_tool_use", "id": "srvtoolu_lost"})
    memory.flush()
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert memory_file.TEMP_PREFIX not in str(list(path.parent.iterdir()))  # no temporary file
    leftover = path.parent / f"{memory_file.TEMP_PREFIX}killed"  # as a kill -9 would leave it
    leftover.write_bytes(b'{"format": "claude-tui-')
    old = time.time() - memory_file.LEFTOVER_AGE - 1
    os.utime(leftover, (old, old))
    again, problem = load_memory(path)
    assert problem is None and kept in again.emitted
    assert not leftover.exists()


def test_a_server_without_a_file_remembers_in_this_process_only() -> None:
    memory = ServerMemory()
    assert memory.key == PROCESS_KEY
    assert memory.emitted.on_add is None and memory.paused.on_add is None


def test_the_demo_start_uses_the_data_dir_and_reports_a_broken_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    saved = tmp_path / "claude-tui" / DEMO_MEMORY_FILE
    saved.parent.mkdir(parents=True)
    saved.write_text("{")
    notices: list[str] = []
    server = start_demo_server(notices)
    try:
        assert notices == [
            f"demo server: {saved} was not usable (it is not JSON); starting with a fresh one, "
            "so web search and thinking blocks from earlier demo runs will be refused"
        ]
        content = reply(server, Scenario(search="otters"))
    finally:
        server.stop()
    notices.clear()
    server = start_demo_server(notices)
    try:
        assert notices == []
        assert send_back(server, content).content
    finally:
        server.stop()
